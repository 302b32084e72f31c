#!/usr/bin/env bash
# The GPU check, run on a lent GPU machine in one go (< 8 minutes, so it can be rerun once within a
# 15-minute budget): build against the machine's CUDA libtorch, run the test suite, measure LRA
# Table 2 (Text config, batch 32, 1K/2K/3K/4K/8K) for the five models in fp32 and bf16, train
# Luna-16 briefly on generated ListOps, and pack everything into $OUT/gpu-results.tar.gz.
#
#   OUT=/some/dir scripts/gpu_check.sh
#
# The machine has no Debian packages and no network: header-only dependencies travel in
# build-deps/ (made here by scripts/gather_build_deps.sh and passed with the device tool's carry).
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-gpu-out}
mkdir -p "$out/results/gpu"
log=$out/results/gpu/gpu_check.log
exec > >(tee "$log") 2>&1
start=$(date +%s)
stamp() { echo "[$(( $(date +%s) - start ))s] $*"; }

stamp "device"; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true
python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda)" || true
[ -d build-deps ] && export LRA_DEPS_DIR=$PWD/build-deps

stamp "build"
JOBS=$(nproc) scripts/build_cuda.sh build-cuda || { stamp "build failed"; tar czf "$out/gpu-results.tar.gz" -C "$out" results; exit 1; }
lra=build-cuda/lra

stamp "tests"
(cd build-cuda && timeout 150 ctest -j "$(nproc)" --timeout 120 2>&1 | tail -15)

stamp "bench fp32 and bf16"
for precision in fp32 bf16; do
  timeout 150 $lra bench --device cuda --precision "$precision" --task text --batch 32 --steps 5 --warmup 2 \
    --models luna-16,luna-128,luna-256,transformer,linformer --lengths 1024,2048,3072,4096,8192 \
    --memory-limit 70 --out "$out/results/gpu/bench-$precision"
  $lra report "$out/results/gpu" --bench "$out/results/gpu/bench-$precision/bench.json" \
    --out "$out/results/gpu/report-$precision.md" > /dev/null
  mkdir -p "$out/results/gpu/bench" && cp "$out/results/gpu/bench-$precision/bench.json" "$out/results/gpu/bench/bench.json"
  $lra plot "$out/results/gpu" --out "$out/results/gpu/figures-$precision" || true
done

stamp "train luna-16 on generated ListOps"
$lra data generate --task listops --profile cpu --data-dir "$out/data" > /dev/null
timeout 120 $lra train --device cuda --task listops --model luna-16 --profile cpu --data-dir "$out/data" \
  --out "$out/results/gpu/listops/luna-16" --quiet || true

stamp "pack"
tar czf "$out/gpu-results.tar.gz" -C "$out" results
stamp "done"
