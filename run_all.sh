#!/usr/bin/env bash
# The main job: set-up if needed -> build -> data -> every task x model -> bench -> report -> plot.
#
#   ./run_all.sh [--profile cpu] [--tasks listops,text,...] [--models luna-16,...] [--data-dir DIR]
#                [--out DIR] [--no-bench] [--precision fp32|bf16|fp16]
#
# Re-running resumes: finished cells are skipped, an interrupted cell continues from its checkpoint.
# Without --data-dir, data is generated offline under data/<profile>/ (ListOps and Pathfinder with
# the real generators, Image from Fashion-MNIST, Text and Retrieval as labelled substitutes).
set -euo pipefail
cd "$(dirname "$0")"

profile=cpu
tasks=listops,text,retrieval,image,pathfinder
models=luna-16,luna-128,luna-256,transformer,linformer
data_dir=""
out=""
bench=1
precision=fp32
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) profile=$2; shift 2 ;;
    --tasks) tasks=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --data-dir) data_dir=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-bench) bench=0; shift ;;
    --precision) precision=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "run_all.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
out=${out:-results/$profile}
generate=0
if [ -z "$data_dir" ]; then data_dir=data/$profile; generate=1; fi

start=$(date +%s)
scripts/setup.sh
cmake -S . -B build -G Ninja >/dev/null
cmake --build build -j "$(nproc)" --target lra
lra=build/lra
mkdir -p "$out"
log_dir=$out/logs
mkdir -p "$log_dir"

elapsed() { local s=$(( $(date +%s) - $1 )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# --- data ---
IFS=, read -r -a task_list <<< "$tasks"
IFS=, read -r -a model_list <<< "$models"
if [ "$generate" = 1 ]; then
  for task in "${task_list[@]}"; do
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

# --- train every cell ---
status_of() { [ -f "$1/latest.json" ] && sed -n 's/^  "status": "\(.*\)",$/\1/p' "$1/latest.json" || echo none; }
summary=()
for task in "${task_list[@]}"; do
  for model in "${model_list[@]}"; do
    cell=$out/$task/$model
    state=$(status_of "$cell")
    if [ "$state" = completed ]; then
      line="done    $task / $model (already completed)"
    else
      resume=()
      [ "$state" = interrupted ] || [ "$state" = running ] && resume=(--resume)
      echo "running $task / $model ${resume[*]:-}"
      t0=$(date +%s)
      rc=0
      $lra train --task "$task" --model "$model" --profile "$profile" --data-dir "$data_dir" --out "$cell" \
        --precision "$precision" "${resume[@]}" > "$log_dir/train-$task-$model.log" 2>&1 || rc=$?
      if [ "$rc" = 0 ]; then line="done    $task / $model in $(elapsed "$t0")"
      else line="FAILED  $task / $model (exit $rc, see $log_dir/train-$task-$model.log)"; fi
    fi
    acc=$(grep -h "test accuracy" "$log_dir/train-$task-$model.log" 2>/dev/null | tail -1 || true)
    echo "$line  ${acc}"
    summary+=("$line  ${acc}")
  done
done

# --- bench, report, plots ---
if [ "$bench" = 1 ]; then
  if [ -f "$out/bench/bench.json" ]; then
    echo "bench: already done ($out/bench/bench.json)"
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
$lra report "$out" > "$log_dir/report.log"
figures=""
if [ -f "$out/bench/bench.json" ]; then
  $lra plot "$out" > "$log_dir/plot.log"
  figures=$out/figures/
fi

echo
echo "=== summary ($profile profile, $(elapsed "$start") in all) ==="
printf '%s\n' "${summary[@]}"
echo "report:  $out/report.md"
[ -n "$figures" ] && echo "figures: $figures"
exit 0
