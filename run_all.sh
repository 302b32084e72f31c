#!/usr/bin/env bash
# The main job: set-up if needed -> build -> data -> every task x model -> bench -> report -> plot.
#
#   ./run_all.sh [--profile cpu] [--seeds K] [--tasks listops,text,...] [--models luna-16,...]
#                [--data-dir DIR] [--out DIR] [--no-bench] [--no-extra] [--precision fp32|bf16|fp16] [--spt]
#                [--threads N] [--jobs N] [--device cpu|cuda]
#                [--slurm [--partition P] [--time T] [--cpus-per-task C] [--gpus-per-task G] [--max-parallel K]
#                         [--sbatch-arg ARG]...]  |  [--shard i/N]  |  [--report-only]
#
# Every cell runs K seeds (default: the profile's "seeds", 3 for cpu; --seeds 1 for a quick look), seed
# by seed, into DIR/<task>/<model>/seed-<s>/ (default DIR: runs/<profile>; committed reference runs live
# under results/ and are never written or reused). The runs are the lines of DIR/sweep/manifest.tsv
# (lra plan --manifest), walked by `lra sweep`. Re-running resumes: a seed finished by this same
# commit with the same config, data (its fingerprint) and model file is reused, an interrupted one
# continues from its checkpoint, anything else runs again. Without --data-dir, data is generated offline under data/<profile>/. After the table,
# the profile's "extra_cells" run (cpu: one short Path-X run of Luna-16); --no-extra skips them.
# --spt: every cell also runs self-pretrained: `lra pretrain` (pretrain.steps updates of masked-token
# denoising on the training inputs) into .../pretrain-seed-<s>, then `lra train --init-from` into
# .../spt-seed-<s> with the rest of the cell's updates; the report adds SPT rows beside the scratch rows.
# --jobs N: N runs at a time on this machine, each with the CPUs / N threads unless --threads is given
# (default: 2 on a CPU with at least 2 cores, else 1; two 1-thread runs on 2 cores do 1.2-1.3x the work
# of one 2-thread run, results/probes/sweep-jobs).
# --slurm: after the data, submit the manifest as one Slurm job array (task i runs line i) and a job that
# runs after it (bench, report, plot), print their ids, and return; submitting again reruns only what did not
# finish. --shard i/N: run only every N-th line from the i-th (any other scheduler), no bench or report.
# --report-only: bench, report and plot of the runs already in DIR (the Slurm sweep's last job).
# From an install (cmake --install build --prefix P; P/share/lra/run_all.sh) or with LRA_BINARY set, it
# runs that lra and builds nothing; folders are then relative to the current directory.
set -euo pipefail
script_dir=$(cd "$(dirname "$0")" && pwd)
script=$script_dir/$(basename "$0")
installed_lra=$script_dir/../../bin/lra
if [ -z "${LRA_BINARY:-}" ] && [ -x "$installed_lra" ] && [ ! -f "$script_dir/CMakeLists.txt" ]; then
  LRA_BINARY=$(readlink -f "$installed_lra")
fi
[ -n "${LRA_BINARY:-}" ] || cd "$script_dir"

profile=cpu
seeds=0
tasks=""          # default: the LRA table's five tasks (lra plan --default-table)
models=""         # default: the models the registry marks default_table
data_dir=""
out=""
bench=1
extra=1
precision=fp32
spt=0
threads=""
jobs=""
device=""
mode=local        # local | slurm | shard | report-only
modes=()
shard=""
sbatch_lines=()   # #SBATCH lines of the array job (and of the report job, but --array)
max_parallel=""
gpus=0
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) profile=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --tasks) tasks=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --data-dir) data_dir=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-bench) bench=0; shift ;;
    --no-extra) extra=0; shift ;;
    --precision) precision=$2; shift 2 ;;
    --spt) spt=1; shift ;;
    --threads) threads=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --device) device=$2; shift 2 ;;
    --slurm) modes+=(slurm); mode=slurm; shift ;;
    --partition) sbatch_lines+=("--partition=$2"); shift 2 ;;
    --time) sbatch_lines+=("--time=$2"); shift 2 ;;
    --cpus-per-task) sbatch_lines+=("--cpus-per-task=$2"); shift 2 ;;
    --gpus-per-task) gpus=$2; sbatch_lines+=("--gpus-per-task=$2"); shift 2 ;;
    --max-parallel) max_parallel=$2; shift 2 ;;
    --sbatch-arg) sbatch_lines+=("$2"); shift 2 ;;
    --shard) modes+=(shard); mode=shard; shard=$2; shift 2 ;;
    --report-only) modes+=(report-only); mode=report-only; shift ;;
    -h|--help) sed -n '2,28p' "$script"; exit 0 ;;
    *) echo "run_all.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ ${#modes[@]} -gt 1 ]; then
  echo "run_all.sh: --slurm, --shard and --report-only exclude each other (given: ${modes[*]})" >&2
  exit 2
fi
if [ "$mode" = slurm ] && ! command -v sbatch >/dev/null; then
  echo "run_all.sh --slurm: no sbatch on PATH; run it on a Slurm login node (or try scripts/slurm_local.sh start)" >&2
  exit 2
fi
if [ "$mode" != slurm ] && { [ ${#sbatch_lines[@]} -gt 0 ] || [ -n "$max_parallel" ]; }; then
  echo "run_all.sh: --partition, --time, --cpus-per-task, --gpus-per-task, --max-parallel and --sbatch-arg need --slurm" >&2
  exit 2
fi
out=${out:-runs/$profile}
generate=0
if [ -z "$data_dir" ]; then data_dir=data/$profile; generate=1; fi
# A GPU per array task means the runs use it.
if [ -z "$device" ] && [ "$gpus" != 0 ]; then device=cuda; fi
if [ -n "$jobs" ] && [ "$mode" != local ]; then
  echo "run_all.sh: --jobs is for runs on this machine (a Slurm array or --shard spreads them itself)" >&2
  exit 2
fi
if [ -z "$jobs" ]; then
  jobs=1
  case "$device" in ""|cpu) if [ "$(nproc)" -ge 2 ]; then jobs=2; fi ;; esac
fi

start=$(date +%s)
if [ -n "${LRA_BINARY:-}" ]; then
  lra=$LRA_BINARY
else
  scripts/setup.sh
  # ccache keys on paths relative to this checkout, so another clone of it reuses these objects.
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
  cmake -S . -B build -G Ninja >/dev/null
  cmake --build build -j "$(nproc)" --target lra
  lra=build/lra
fi
lra=$(readlink -f "$lra")
# The default table lives in the task and model registries, nowhere else.
read -r default_tasks default_models <<< "$($lra plan --default-table)"
tasks=${tasks:-$default_tasks}
models=${models:-$default_models}
lra_global=()
if [ -n "$threads" ]; then lra_global=(--threads "$threads"); fi
mkdir -p "$out" "$data_dir"
out=$(readlink -f "$out")
data_dir=$(readlink -f "$data_dir")
manifest=$out/sweep/manifest.tsv
log_dir=$out/logs
mkdir -p "$log_dir"
plan_options=()
# --report-only reads the manifest the sweep wrote; it never rewrites it.
if [ "$mode" != report-only ]; then plan_options+=(--manifest "$manifest" --data-dir "$data_dir"); fi
if [ "$spt" = 1 ]; then plan_options+=(--spt); fi
if [ "$extra" = 0 ]; then plan_options+=(--no-extra); fi
seeds=$($lra plan --profile "$profile" --tasks "$tasks" --models "$models" --seeds "$seeds" --out "$out" \
  --precision "$precision" "${plan_options[@]}")

elapsed() { local s=$(( $(date +%s) - $1 )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# --- data ---
IFS=, read -r -a task_list <<< "$tasks"
IFS=, read -r -a model_list <<< "$models"
extra_cells=()
if [ "$extra" = 1 ]; then
  extra_list=$($lra plan --profile "$profile" --extra-cells)
  if [ -n "$extra_list" ]; then mapfile -t extra_cells <<< "$extra_list"; fi
fi
data_tasks=("${task_list[@]}")
for cell in "${extra_cells[@]}"; do data_tasks+=("${cell%% *}"); done
if [ "$generate" = 1 ] && [ "$mode" != report-only ]; then
  for task in "${data_tasks[@]}"; do
    if $lra data check --task "$task" --profile "$profile" --data-dir "$data_dir" >/dev/null 2>&1; then
      echo "data   $task: ready ($data_dir)"
    else
      t0=$(date +%s)
      $lra "${lra_global[@]}" data generate --task "$task" --profile "$profile" --data-dir "$data_dir" > "$log_dir/data-$task.log" 2>&1 \
        || { echo "data   $task: generation FAILED (see $log_dir/data-$task.log)"; exit 1; }
      echo "data   $task: generated in $(elapsed "$t0")"
    fi
  done
fi

# --- the runs: every line of the manifest, here, on Slurm, or one shard of it ---
sweep_options=()
if [ -n "$device" ]; then sweep_options+=(--device "$device"); fi
summary=()
case "$mode" in
  local)
    # lra sweep prints a line per run as it finishes (done / FAILED / SKIPPED); a failed run does not stop it.
    $lra "${lra_global[@]}" sweep "$manifest" --jobs "$jobs" "${sweep_options[@]}" 2>&1 | tee "$log_dir/sweep.log" || true
    mapfile -t summary < <(grep -E '^(done|FAILED|SKIPPED|BUSY) ' "$log_dir/sweep.log" || true)
    ;;
  shard)
    rc=0
    $lra "${lra_global[@]}" sweep "$manifest" --shard "$shard" "${sweep_options[@]}" || rc=$?
    echo "shard $shard of $manifest: exit $rc; when every shard is done: $lra report $out"
    exit "$rc"
    ;;
  slurm)
    runs=$(( $(wc -l < "$manifest") - 1 ))
    array=0-$((runs - 1))${max_parallel:+%$max_parallel}
    # Each array task's threads: --threads, else the CPUs Slurm gave it.
    task_threads=${threads:-'${SLURM_CPUS_PER_TASK:-0}'}
    for job in array report; do
      {
        echo "#!/usr/bin/env bash"
        echo "# Written by run_all.sh --slurm; edit and resubmit with sbatch, or run run_all.sh --slurm again."
        echo "#SBATCH --job-name=lra-$profile-$job"
        if [ "$job" = array ]; then
          echo "#SBATCH --array=$array"
          echo "#SBATCH --output=$log_dir/slurm-%A_%a.out"
        else
          echo "#SBATCH --output=$log_dir/slurm-%j-report.out"
        fi
        for line in "${sbatch_lines[@]}"; do echo "#SBATCH $line"; done
        echo "set -euo pipefail"
        if [ "$job" = array ]; then
          printf 'exec %q --threads "%s" sweep %q --index "$SLURM_ARRAY_TASK_ID"' "$lra" "$task_threads" "$manifest"
          if [ ${#sweep_options[@]} -gt 0 ]; then printf ' %q' "${sweep_options[@]}"; fi
          echo
        else
          printf 'LRA_BINARY=%q exec %q --report-only' "$lra" "$script"
          for option in --profile "$profile" --seeds "$seeds" --tasks "$tasks" --models "$models" --out "$out" \
                        --precision "$precision" --data-dir "$data_dir"; do printf ' %q' "$option"; done
          if [ "$bench" = 0 ]; then printf ' --no-bench'; fi
          if [ "$extra" = 0 ]; then printf ' --no-extra'; fi
          if [ "$spt" = 1 ]; then printf ' --spt'; fi
          if [ -n "$threads" ]; then printf ' --threads %q' "$threads"; fi
          if [ -n "$device" ]; then printf ' --device %q' "$device"; fi
          echo
        fi
      } > "$out/sweep/$job.sbatch"
    done
    array_job=$(sbatch --parsable "$out/sweep/array.sbatch")
    array_job=${array_job%%;*}
    report_job=$(sbatch --parsable --dependency=afterany:"$array_job" "$out/sweep/report.sbatch")
    report_job=${report_job%%;*}
    echo "slurm: array job $array_job: $runs runs ($array), one manifest line each ($out/sweep/array.sbatch)"
    echo "slurm: report job $report_job after it: $([ "$bench" = 1 ] && echo "bench, ")report and plot ($out/sweep/report.sbatch)"
    echo "follow: squeue -j $array_job,$report_job    sacct -j $array_job,$report_job --format=JobID,JobName,State,Elapsed,ExitCode"
    echo "logs:   $log_dir/slurm-${array_job}_<i>.out (line i of $manifest), $log_dir/train-<task>-<model>-seed<s>.log"
    echo "report: $out/report.md when job $report_job ends; run the same command again to rerun what did not finish"
    exit 0
    ;;
esac

# --- bench, report, plots ---
if [ "$bench" = 1 ]; then
  commit=$($lra --version | sed -n 's/^lra .*(commit \(.*\))$/\1/p')
  if [ -f "$out/bench/bench.json" ] && [ "${commit%-dirty}" = "$commit" ] \
     && grep -q "\"git_commit\": \"$commit\"" "$out/bench/bench.json"; then
    echo "bench: already done by this commit ($out/bench/bench.json)"
  else
    t0=$(date +%s)
    # The Text config (paper profile) at LRA Table 2 lengths; fewer steps and a smaller batch on CPU.
    case "$profile" in
      smoke) bench_args=(--profile smoke --lengths 128,256 --batch 2 --steps 2 --warmup 1) ;;
      cpu) bench_args=(--lengths 1024,2048,4096 --batch 4 --steps 2 --warmup 1) ;;
      *) bench_args=(--lengths 1024,2048,3072,4096 --batch 32 --steps 10 --warmup 3) ;;
    esac
    $lra "${lra_global[@]}" bench --models "$models" --out "$out/bench" --precision "$precision" "${bench_args[@]}" 2>&1 | tee "$log_dir/bench.log"
    echo "bench: done in $(elapsed "$t0")"
  fi
fi
# Exit 3: written, but from a partial input (a run report that cannot be read is named in the log and
# in the report's "Missing runs"); anything else non-zero wrote nothing.
for step in report plot; do
  rc=0
  $lra "$step" "$out" > "$log_dir/$step.log" 2>&1 || rc=$?
  case "$rc" in
    0) ;;
    3) echo "$step PARTIAL: some run reports could not be read:"; grep -h "left out" "$log_dir/$step.log" || true ;;
    *) echo "$step FAILED (see $log_dir/$step.log)" ;;
  esac
done
figures=$out/figures/

echo
echo "=== summary ($profile profile, $seeds seed(s) per cell, $(elapsed "$start") in all) ==="
printf '%s\n' "${summary[@]}"
echo "report:  $out/report.md (aggregates over seeds: $out/summary.json)"
echo "figures: $figures"
exit 0
