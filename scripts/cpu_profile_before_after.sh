#!/usr/bin/env bash
# The cpu profile's speed, before and after, on this machine in one go (results/bench/cpu-profile/):
#   1. `lra bench --profile cpu --cells` for all nine models, before and after, in alternating rounds
#      (this VM's speed drifts by tens of percent over minutes: alternation keeps the drift out of the ratio);
#   2. the 25 default cells at seed 1 with each binary (scripts/time_cells.sh): the table's wall time;
#   3. the Google Benchmark microbenchmarks (build/lra_bench) of the after build.
#
#   scripts/cpu_profile_before_after.sh BEFORE_LRA BEFORE_CONFIG_DIR OUT [ROUNDS]
#
# BEFORE_LRA is an lra binary of the earlier commit with its configs/ at BEFORE_CONFIG_DIR; the after
# side is this tree's build/lra and build/lra_bench. Data: data/cpu (made by run_all.sh or lra data generate).
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,12p' "$0"; exit 2; }
cd "$(dirname "$0")/.."
before=$1 before_configs=$2 out=$3 rounds=${4:-2}
after=build/lra
models=luna-16,luna-128,luna-256,transformer,linformer,performer,linear-transformer,nystromformer,local
mkdir -p "$out"
for r in $(seq 1 "$rounds"); do
  mkdir -p "$out/round-$r"
  "$before" --config-dir "$before_configs" bench --profile cpu --cells --models "$models" --steps 10 --warmup 3 \
    --out "$out/round-$r/before/bench" | tee "$out/round-$r/before.log"
  "$after" bench --profile cpu --cells --models "$models" --steps 10 --warmup 3 \
    --out "$out/round-$r/after/bench" | tee "$out/round-$r/after.log"
  "$after" report "$out/round-$r/after" --before "$out/round-$r/before/bench/bench.json" \
    --out "$out/round-$r/before-after.md" > /dev/null
done
scripts/time_cells.sh "$before" "$before_configs" data/cpu "$out/cells-before"
scripts/time_cells.sh "$after" configs data/cpu "$out/cells-after"
build/lra_bench --benchmark_out="$out/microbench.json" --benchmark_out_format=json | tee "$out/microbench.txt"
