#!/usr/bin/env bash
# The main job: set-up if needed -> build -> data -> every task x model -> bench -> report -> plot.
#
#   ./run_all.sh [--profile cpu] [--seeds K] [--tasks listops,text,...] [--models luna-16,...]
#                [--data-dir DIR] [--out DIR] [--no-bench] [--no-extra] [--precision fp32|bf16|fp16] [--spt]
#
# Every cell runs K seeds (default: the profile's "seeds", 3 for cpu; --seeds 1 for a quick look), seed
# by seed, into DIR/<task>/<model>/seed-<s>/ (default DIR: runs/<profile>; committed reference runs live
# under results/ and are never written or reused). Re-running resumes: a seed finished by this same
# commit with the same config is reused, an interrupted one continues from its checkpoint, anything
# else runs again. Without --data-dir, data is generated offline under data/<profile>/. After the table,
# the profile's "extra_cells" run (cpu: one short Path-X run of Luna-16); --no-extra skips them.
# --spt: every cell also runs self-pretrained: `lra pretrain` (pretrain.steps updates of masked-token
# denoising on the training inputs) into .../pretrain-seed-<s>, then `lra train --init-from` into
# .../spt-seed-<s> with the rest of the cell's updates; the report adds SPT rows beside the scratch rows.
set -euo pipefail
cd "$(dirname "$0")"

profile=cpu
seeds=0
tasks=listops,text,retrieval,image,pathfinder
models=luna-16,luna-128,luna-256,transformer,linformer
data_dir=""
out=""
bench=1
extra=1
precision=fp32
spt=0
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
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "run_all.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
out=${out:-runs/$profile}
generate=0
if [ -z "$data_dir" ]; then data_dir=data/$profile; generate=1; fi

start=$(date +%s)
scripts/setup.sh
cmake -S . -B build -G Ninja >/dev/null
cmake --build build -j "$(nproc)" --target lra
lra=build/lra
spt_plan=()
if [ "$spt" = 1 ]; then spt_plan=(--spt); fi
seeds=$($lra plan --profile "$profile" --tasks "$tasks" --models "$models" --seeds "$seeds" --out "$out" "${spt_plan[@]}")
mkdir -p "$out"
log_dir=$out/logs
mkdir -p "$log_dir"

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
if [ "$generate" = 1 ]; then
  for task in "${data_tasks[@]}"; do
    if $lra data check --task "$task" --profile "$profile" --data-dir "$data_dir" >/dev/null 2>&1; then
      echo "data   $task: ready ($data_dir)"
    else
      t0=$(date +%s)
      $lra data generate --task "$task" --profile "$profile" --data-dir "$data_dir" > "$log_dir/data-$task.log" 2>&1 \
        || { echo "data   $task: generation FAILED (see $log_dir/data-$task.log)"; exit 1; }
      echo "data   $task: generated in $(elapsed "$t0")"
    fi
  done
fi

# One run of one cell, resumed or reused when it can be; its line goes to the summary. The kind is
# train (from scratch), pretrain (self-pretraining) or spt (fine-tuning from that seed's pretraining).
summary=()
run_cell() {
  local kind=$1 task=$2 model=$3 seed=$4
  # A script:<file.pt> model's folder and log names: its path with / and : as _ (one folder per model).
  local folder=${model//[\/:]/_}
  local base=$out/$task/$folder
  local command=(train) cell=$base/seed-$seed label="$task / $model / seed $seed"
  case "$kind" in
    pretrain) command=(pretrain); cell=$base/pretrain-seed-$seed; label="$label (SPT pretraining)" ;;
    spt) command=(train --init-from "$base/pretrain-seed-$seed"); cell=$base/spt-seed-$seed; label="$label (SPT)" ;;
  esac
  local log=$log_dir/$kind-$task-$folder-seed$seed.log
  local t0 rc=0 line acc
  t0=$(date +%s)
  $lra "${command[@]}" --task "$task" --model "$model" --profile "$profile" --data-dir "$data_dir" --out "$cell" \
    --seed "$seed" --precision "$precision" --reuse > "$log" 2>&1 || rc=$?
  if [ "$rc" != 0 ]; then line="FAILED  $label (exit $rc, see $log)"
  elif grep -q "reused, not re-run" "$log"; then line="done    $label (reused: same commit and config)"
  else line="done    $label in $(elapsed "$t0")"; fi
  grep -h "NOT reused" "$log" || true
  acc=$(grep -h "test accuracy\|masked-token accuracy" "$log" 2>/dev/null | tail -1 || true)
  echo "$line  ${acc}"
  summary+=("$line  ${acc}")
  return "$rc"
}

# A cell from scratch, and with --spt its pretraining and fine-tuning (skipped when the pretraining failed).
run_cells() {
  run_cell train "$@" || true
  if [ "$spt" = 1 ]; then
    if run_cell pretrain "$@"; then run_cell spt "$@" || true
    else summary+=("SKIPPED $1 / $2 / seed $3 (SPT): its pretraining failed"); fi
  fi
}

# --- train every cell, seed by seed (an interrupted script leaves whole tables at fewer seeds) ---
for seed in $(seq 1 "$seeds"); do
  for task in "${task_list[@]}"; do
    for model in "${model_list[@]}"; do run_cells "$task" "$model" "$seed"; done
  done
done
# --- the profile's cells outside the table ---
for cell in "${extra_cells[@]}"; do
  read -r task model cell_seeds <<< "$cell"
  for seed in $(seq 1 "$cell_seeds"); do run_cells "$task" "$model" "$seed"; done
done

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
    $lra bench --models "$models" --out "$out/bench" --precision "$precision" "${bench_args[@]}" 2>&1 | tee "$log_dir/bench.log"
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
