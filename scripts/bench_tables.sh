#!/usr/bin/env bash
# Reproduces results/bench/: the LRA Table 2 protocol (Text config, batch 4) for every registered
# model at 1K-16K with this harness's defaults ("after"), Luna-16 at 64K (FFN activations recomputed),
# one op-profiled Luna-16 step at 4K, the five LRA models with the shared CPU optimisations switched
# off ("before": OpenBLAS's own kernel choice, glibc malloc, libtorch dropout, unfused projections),
# the five LRA models at 4K with the default dropouts and, right after, with every dropout at 0
# ("dropout-share": dropout's share of a step is 1 - t(no dropout) / t(default); the two runs back to
# back, as step times drift on a shared machine), then the reports (Table 2, before/after, op profile,
# dropout share) and the plots (accuracy from results/cpu).
#   scripts/bench_tables.sh [OUT]        (default results/bench; ~40 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-results/bench}
lra=${LRA_BINARY:-build/lra}
all=luna-16,luna-128,luna-256,transformer,linformer,performer,linear-transformer,nystromformer,local
lra_models=luna-16,luna-128,luna-256,transformer,linformer
lengths=1024,2048,4096,8192,16384
mkdir -p "$out"
start=$(date +%s)
step() { echo "== $* ($(( $(date +%s) - start )) s)"; }

step "after: $all at $lengths"
"$lra" bench --task text --models "$all" --lengths "$lengths" --batch 4 --steps 2 --warmup 1 --out "$out"
step "Luna-16 at 64K, runtime.recompute_ffn=true"
"$lra" bench --task text --models luna-16 --lengths 65536 --batch 4 --steps 1 --warmup 1 \
  --set runtime.recompute_ffn=true --out "$out/luna16-64k"
step "op profile: Luna-16 at 4K"
"$lra" bench --task text --models luna-16 --lengths 4096 --batch 4 --steps 1 --warmup 1 --op-profile \
  --out "$out/profile"
step "dropout share: $lra_models at 4K with and without dropout"
"$lra" bench --task text --models "$lra_models" --lengths 4096 --batch 4 --steps 2 --warmup 1 \
  --out "$out/dropout-share/with"
"$lra" bench --task text --models "$lra_models" --lengths 4096 --batch 4 --steps 2 --warmup 1 \
  --set model.dropout=0 --set model.attention_dropout=0 --set model.act_dropout=0 --out "$out/dropout-share/without"
step "before: $lra_models at $lengths"
LRA_KEEP_BLAS_KERNELS=1 "$lra" bench --task text --models "$lra_models" --lengths "$lengths" --batch 4 \
  --steps 1 --warmup 1 --set runtime.allocator=glibc --set runtime.dropout=torch \
  --set runtime.fused_projections=false --out "$out/before"
step "report and plots"
"$lra" report "$out" --bench "$out/bench.json" --before "$out/before/bench.json" --out "$out/report.md" >/dev/null
# "before" = with dropout, "after" = without: speed-up s gives dropout's share 1 - 1/s
"$lra" report "$out" --bench "$out/dropout-share/without/bench.json" --before "$out/dropout-share/with/bench.json" \
  --out "$out/dropout-share/report.md" >/dev/null
if [ -d results/cpu ]; then
  "$lra" plot results/cpu --bench "$out/bench.json" --out "$out/figures"
fi
step "done: $out/report.md"
