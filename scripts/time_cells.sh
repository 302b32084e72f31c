#!/usr/bin/env bash
# Wall time of the default table's 25 training cells at one seed: what run_all.sh's training loop
# costs, without data generation, bench, report or plots. For before/after comparisons of two
# binaries on one machine (results/bench/cpu-profile/): the same data, seed and profile for both.
#
#   scripts/time_cells.sh LRA_BINARY CONFIG_DIR DATA_DIR OUT [SEED]
#
# Writes OUT/<task>/<model>/ (run reports) and OUT/cells.tsv: task, model, wall seconds, train seconds,
# eval seconds, final test accuracy; the last line is the total wall time. Needs python3.
set -euo pipefail
[ $# -ge 4 ] || { sed -n '2,9p' "$0"; exit 2; }
lra=$1 config_dir=$2 data_dir=$3 out=$4 seed=${5:-1}
tasks=(listops text retrieval image pathfinder)
models=(luna-16 luna-128 luna-256 transformer linformer)
command -v python3 >/dev/null || { echo "time_cells: needs python3 to read the reports" >&2; exit 2; }
mkdir -p "$out"
printf 'task\tmodel\twall_s\ttrain_s\teval_s\ttest_final\n' > "$out/cells.tsv"
now() { date +%s.%N; }
start=$(now)
for task in "${tasks[@]}"; do
  for model in "${models[@]}"; do
    cell=$out/$task/$model
    rm -rf "$cell"
    t0=$(now)
    "$lra" --config-dir "$config_dir" train --task "$task" --model "$model" --profile cpu --data-dir "$data_dir" \
      --out "$cell" --seed "$seed" > "$out/$task-$model.log" 2>&1
    t1=$(now)
    python3 - "$cell/latest.json" "$task" "$model" "$t0" "$t1" >> "$out/cells.tsv" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
t = r["timing"]
print("\t".join([sys.argv[2], sys.argv[3], "%.2f" % (float(sys.argv[5]) - float(sys.argv[4])),
                 "%.2f" % t["train_seconds"], "%.2f" % t["eval_seconds"], "%.4f" % r["accuracy"]["final"]["test"]]))
PY
  done
done
end=$(now)
python3 -c 'import sys; print("total\t\t%.1f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$start" "$end" >> "$out/cells.tsv"
cat "$out/cells.tsv"
