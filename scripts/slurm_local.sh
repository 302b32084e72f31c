#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, on localhost only, for the sweep tests and for trying
# `run_all.sh --slurm` without a cluster. Debian's slurm-wlm and munge, installed with apt when missing.
#
#   scripts/slurm_local.sh start    install if needed, write the config, start munged, slurmctld and slurmd,
#                                   wait (bounded) until the node takes jobs; prints the SLURM_CONF to export
#   scripts/slurm_local.sh stop     stop the three daemons (bounded wait, then SIGKILL)
#   scripts/slurm_local.sh env      print `export SLURM_CONF=...` for the running cluster
#
# Everything (config, munge key and socket, state, spool, logs) lives in LRA_SLURM_DIR (default
# /tmp/lra-slurm-<uid>); the machine's /etc/slurm and /etc/munge are not touched. The daemons run as the
# calling user; a job runs as that user too. Ports: LRA_SLURM_PORT (slurmctld) and the next one (slurmd),
# default 16817. The node has this machine's cores and 90% of its memory; CR_Core lets one job per core run.
set -euo pipefail
dir=${LRA_SLURM_DIR:-/tmp/lra-slurm-$(id -u)}
port=${LRA_SLURM_PORT:-16817}
conf=$dir/slurm.conf

install_missing() {
  local missing=()
  for p in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "slurm_local: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Waits up to $1 seconds for the command after it to succeed.
wait_for() {
  local seconds=$1; shift
  local deadline=$(( $(date +%s) + seconds ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.5
  done
}

stop_pid_file() {
  local file=$1
  [ -f "$file" ] || return 0
  local pid
  pid=$(cat "$file")
  if kill "$pid" 2>/dev/null; then
    wait_for 20 bash -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

stop() {
  stop_pid_file "$dir/slurmd.pid"
  stop_pid_file "$dir/slurmctld.pid"
  stop_pid_file "$dir/munged.pid"
}

start() {
  install_missing
  stop  # a cluster left over by an earlier run of this script
  mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
  chmod 700 "$dir" "$dir/munge"
  local user node memory_mb
  user=$(id -un)
  node=$(hostname -s)
  memory_mb=$(awk '/MemTotal/ {printf "%d", $2 / 1024 * 0.9}' /proc/meminfo)
  [ -f "$dir/munge/munge.key" ] || mungekey --create --keyfile="$dir/munge/munge.key" >/dev/null
  chmod 600 "$dir/munge/munge.key"
  cat > "$conf.tmp" <<EOF
# Written by scripts/slurm_local.sh: one node, localhost only.
ClusterName=lra-local
SlurmctldHost=$node(127.0.0.1)
SlurmUser=$user
SlurmdUser=$user
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.txt
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
KillWait=5
MinJobAge=600
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$memory_mb State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
  mv "$conf.tmp" "$conf"
  export SLURM_CONF=$conf
  munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" --pid-file="$dir/munged.pid" \
    --log-file="$dir/munged.log" --seed-file="$dir/munge/munged.seed" --force
  wait_for 20 test -S "$dir/munge/munge.socket" || { echo "slurm_local: munged did not start (see $dir/munged.log)" >&2; exit 1; }
  slurmctld -i
  slurmd -N "$node"
  if ! wait_for 60 bash -c "sinfo -h -N -o '%T' | grep -qx idle"; then
    echo "slurm_local: the node did not become idle within 60 s; sinfo: $(sinfo -h -N -o '%N %T %E' 2>&1)" >&2
    echo "  logs: $dir/slurmctld.log $dir/slurmd.log" >&2
    stop
    exit 1
  fi
  echo "export SLURM_CONF=$conf"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) [ -f "$conf" ] || { echo "slurm_local: no cluster in $dir (run: $0 start)" >&2; exit 1; }
       echo "export SLURM_CONF=$conf" ;;
  *) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
