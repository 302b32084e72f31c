#!/usr/bin/env bash
# Sweeps through a real Slurm (the one-node cluster of scripts/slurm_local.sh, started by the ctest fixture
# slurm_start): the smoke profile, 2 tasks x 2 models x 2 seeds, one array task per run.
#   tests/slurm/sweep_test.sh installed   cmake --install into a temporary prefix, then the installed
#                                         run_all.sh --slurm; checks every run, the report, and that the runs read
#                                         the prefix's configs (its smoke profile is edited to 20 steps)
#   tests/slurm/sweep_test.sh cancel      the same sweep run locally (run_all.sh), then through Slurm with one array
#                                         task cancelled mid-run (scancel); the report after it names that run; the
#                                         same command submitted again resumes it; the final runs equal the local ones
# Environment: LRA_BINARY (the built lra), LRA_BUILD_DIR (its build folder), LRA_SLURM_DIR (the cluster's).
# Every wait is bounded; the work folder is removed on success and kept (and named) on failure.
set -euo pipefail
mode=${1:?installed or cancel}
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
export SLURM_CONF=${LRA_SLURM_DIR:?}/slurm.conf
lra=${LRA_BINARY:?}
work=$(mktemp -d /tmp/lra_slurm_test.XXXXXX)
cd "$work"
fail() { echo "sweep_test: FAIL: $*" >&2; echo "sweep_test: files kept in $work" >&2; exit 1; }
sweep=(--profile smoke --seeds 2 --tasks listops,text --models luna-16,transformer --no-bench --threads 1)

# Waits (at most $2 seconds) until none of the jobs in $1 is queued or running.
wait_jobs() {
  local deadline=$(( $(date +%s) + $2 ))
  while [ -n "$(squeue -h -j "$1" 2>/dev/null)" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { scancel "${1//,/ }" || true; fail "jobs $1 still queued after $2 s"; }
    sleep 1
  done
}

# Submits the sweep with run_all.sh (path in $1, then its options) and sets array_job and report_job.
submit() {
  local script=$1; shift
  "$script" "${sweep[@]}" --slurm --cpus-per-task 1 --time 15 "$@" > submit.log 2>&1 || { cat submit.log; fail "submit"; }
  array_job=$(sed -n 's/^slurm: array job \([0-9]*\):.*/\1/p' submit.log)
  report_job=$(sed -n 's/^slurm: report job \([0-9]*\) .*/\1/p' submit.log)
  [ -n "$array_job" ] && [ -n "$report_job" ] || { cat submit.log; fail "no job ids in run_all.sh's output"; }
  echo "sweep_test: submitted array job $array_job and report job $report_job"
}

# The runs of a sweep folder as "folder status final-test best-val-test steps", one per line, sorted.
runs_of() {
  python3 - "$1" <<'EOF'
import json, pathlib, sys
for p in sorted(pathlib.Path(sys.argv[1]).glob("*/*/seed-*/latest.json")):
    r = json.loads(p.read_text())
    a = r["accuracy"]
    print(p.parent.relative_to(sys.argv[1]), r["status"], a["final"]["test"], a["best_val"]["test"], r["config"]["train"]["steps"])
EOF
}

check_complete_report() {  # $1: sweep folder, $2: the steps every run must have trained (optional)
  [ -f "$1/report.md" ] || fail "no report in $1"
  head -1 "$1/report.md" | grep -q PARTIAL && fail "the report is partial: $(head -1 "$1/report.md")"
  grep -q "every run of the sweep finished" "$1/report.md" || fail "the report does not say the sweep finished"
  local runs
  runs=$(runs_of "$1")
  echo "$runs"
  [ "$(echo "$runs" | grep -c " completed ")" = 8 ] || fail "expected 8 completed runs in $1"
  if [ -n "${2:-}" ]; then [ "$(echo "$runs" | awk -v s="$2" '$5 != s' | wc -l)" = 0 ] || fail "runs of other than $2 steps"; fi
}

start=$(date +%s)
case "$mode" in
  installed)
    build=${LRA_BUILD_DIR:?}
    cmake --install "$build" --prefix "$work/prefix" > install.log 2>&1 || { cat install.log; fail "cmake --install"; }
    [ -x prefix/bin/lra ] && [ -x prefix/share/lra/run_all.sh ] && [ -f prefix/share/lra/configs/profiles/smoke.json ] \
      || fail "the install lacks bin/lra, share/lra/run_all.sh or share/lra/configs"
    # Runs read the installed configs, not the source tree's: the prefix's smoke profile trains 20 steps.
    sed -i 's/"steps": 24,/"steps": 20,/' prefix/share/lra/configs/profiles/smoke.json
    grep -q '"steps": 20,' prefix/share/lra/configs/profiles/smoke.json || fail "could not edit the installed profile"
    (unset LRA_BINARY LRA_CONFIG_DIR; submit "$work/prefix/share/lra/run_all.sh" --out "$work/sweep"; \
     echo "$array_job,$report_job" > jobs)
    grep -q "$work/prefix/bin/lra" sweep/sweep/array.sbatch || fail "the array job does not run the installed lra"
    wait_jobs "$(cat jobs)" 600
    check_complete_report sweep 20
    ;;
  cancel)
    # The cell that is cancelled trains long enough to be caught mid-run: the Transformer's smoke ListOps
    # runs 1500 steps (~15 s) in a copy of the configs; every other cell keeps the smoke profile's 24.
    cp -r "$source_dir/configs" configs
    python3 - configs/models/transformer.json <<'PY'
import sys
p = sys.argv[1]
s = open(p).read().rstrip()
assert s.endswith("}")
s = s[:-1].rstrip() + ',\n  "profiles": { "smoke": { "tasks": { "listops": { "train": { "steps": 1500, "eval_every": 250 } } } } }\n}\n'
open(p, "w").write(s)
PY
    export LRA_CONFIG_DIR=$work/configs
    "$source_dir/run_all.sh" "${sweep[@]}" --out "$work/local" > local.log 2>&1 || { cat local.log; fail "local run_all.sh"; }
    check_complete_report local
    submit "$source_dir/run_all.sh" --out "$work/slurm" --max-parallel 1
    # Line 1 (ListOps / Transformer / seed 1) is cancelled once it has logged a few steps.
    log=slurm/logs/train-listops-transformer-seed1.log
    deadline=$(( $(date +%s) + 300 ))
    until [ -f "$log" ] && grep -qE "^step [1-9][0-9]{2,}/" "$log" 2>/dev/null; do
      [ "$(date +%s)" -lt "$deadline" ] || { scancel "$array_job" "$report_job"; fail "line 1 did not start training in 300 s"; }
      sleep 0.2
    done
    scancel "${array_job}_1"
    echo "sweep_test: cancelled ${array_job}_1 at: $(grep -oE '^step [0-9]+/' "$log" | tail -1)"
    wait_jobs "$array_job,$report_job" 600
    head -1 slurm/report.md | grep -q "PARTIAL: 1 of 8 runs of the sweep did not finish" \
      || fail "the report after the cancel does not say one run did not finish: $(head -1 slurm/report.md)"
    grep -q "line 1, ListOps / transformer / seed 1: interrupted" slurm/report.md \
      || fail "the report does not name the interrupted run: $(grep -A6 'Missing runs' slurm/report.md)"
    submit "$source_dir/run_all.sh" --out "$work/slurm" --max-parallel 1
    wait_jobs "$array_job,$report_job" 600
    if "$lra" --version | grep -q -- "-dirty"; then
      # A build with uncommitted changes never reuses or resumes (its reports could not name their code):
      # the resubmission re-runs every line, and must say why.
      echo "sweep_test: this lra was built from uncommitted changes: checking re-runs instead of reuse and resume"
      grep -q "NOT reused: it was made by a build from a tree with uncommitted changes" "$log" \
        || fail "the resubmitted line 1 neither resumed nor said why not"
    else
      grep -q "resuming run .* at step" "$log" || fail "the resubmitted line 1 did not resume from its checkpoint"
      [ "$(grep -c "reused, not re-run" slurm/logs/train-*.log | awk -F: '{n += $2} END {print n}')" -ge 7 ] \
        || fail "the resubmitted sweep did not reuse the 7 finished runs"
    fi
    check_complete_report slurm
    diff <(runs_of local) <(runs_of slurm) || fail "the Slurm runs differ from the uninterrupted local ones"
    diff <(sed -n '/## Table 1/,/## Table 2/p' local/report.md) <(sed -n '/## Table 1/,/## Table 2/p' slurm/report.md) \
      || fail "Table 1 differs between the local and the Slurm sweep"
    ;;
  *) fail "mode '$mode': installed or cancel" ;;
esac
echo "sweep_test: $mode passed in $(( $(date +%s) - start )) s"
cd /
rm -rf "$work"
