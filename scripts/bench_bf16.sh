#!/usr/bin/env bash
# Reproduces results/bench/bf16/: fp32 against bf16 (CPU autocast: oneDNN GEMMs, AMX or AVX512-BF16
# where the CPU has them) for the LRA Table 2 protocol (Text config, batch 4) at 1K and 4K, the two
# precisions measured back to back by the same binary; one op-profiled bf16 Luna-16 step at 4K; and
# the report pairing the cells (fp32 = "before", bf16 = "after"). Utilisation is against the GEMM of
# each run's own precision. ~10 min on 2 cores.
#   scripts/bench_bf16.sh [OUT]        (default results/bench/bf16)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-results/bench/bf16}
lra=${LRA_BINARY:-build/lra}
models=${BF16_MODELS:-luna-16,transformer,linformer}
lengths=${BF16_LENGTHS:-1024,4096}
mkdir -p "$out"
start=$(date +%s)
step() { echo "== $* ($(( $(date +%s) - start )) s)"; }

for precision in fp32 bf16; do
  step "$precision: $models at $lengths"
  "$lra" bench --task text --models "$models" --lengths "$lengths" --batch 4 --steps 2 --warmup 1 \
    --precision "$precision" --out "$out/$precision"
done
step "op profile: bf16 Luna-16 at 4K"
"$lra" bench --task text --models luna-16 --lengths 4096 --batch 4 --steps 1 --warmup 1 --precision bf16 \
  --op-profile --out "$out/profile"
step "report"
"$lra" report "$out" --bench "$out/bf16/bench.json" --before "$out/fp32/bench.json" --out "$out/report.md" >/dev/null
"$lra" report "$out" --bench "$out/profile/bench.json" --out "$out/profile/report.md" >/dev/null
step "done: $out/report.md"
