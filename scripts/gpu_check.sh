#!/usr/bin/env bash
# The GPU check, run on a lent GPU machine in one go (about 8 minutes, so it can be rerun once within a
# 15-minute budget): build lra against the machine's CUDA libtorch; train every table model on CUDA
# (1 seed, the cpu profile's data and widths); check that CUDA's logits match the CPU's on those trained
# weights (lra eval --predictions on both devices); measure Table 2 (Text config, batch 32, 1K-16K) in
# fp32 and bf16; pack the results (no checkpoints) into $OUT/gpu-results.tar.gz, with the log beside it.
#
#   OUT=/some/dir scripts/gpu_check.sh
#   (GPU_CHECK_MODELS=s4d,mega and GPU_CHECK_PRECISIONS=bf16 narrow it for a short re-check)
#
# The machine has no Debian packages and no network: header-only dependencies, libpng, zlib and OpenSSL
# travel in build-deps/ (made here by scripts/gather_build_deps.sh) and the Text data, whose generator
# reads Debian's kernel docs, in gpu-data.tar.gz (lra data generate --task text --profile cpu --data-dir D;
# tar czf gpu-data.tar.gz -C D .); both are passed with the device tool's carry. Without it, ListOps.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-gpu-out}
work=${GPU_CHECK_WORK:-/tmp/lra-gpu-check}  # data, runs and checkpoints stay here; $OUT gets two files
res=$work/results/gpu
mkdir -p "$res" "$out"
exec > >(tee "$out/gpu_check.log") 2>&1
start=$(date +%s)
stamp() { echo "[$(( $(date +%s) - start ))s] $*"; }
pack() { tar czf "$out/gpu-results.tar.gz" --exclude=checkpoints -C "$work" results; }
models=${GPU_CHECK_MODELS:-}  # default: the default table's models (lra plan --default-table) and mega-chunk
precisions=${GPU_CHECK_PRECISIONS:-fp32 bf16}  # Table 2's precisions; "" skips Table 2

stamp "device"; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true
python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda)" || true
c++ --version | head -1; cmake --version | head -1; nproc
[ -d build-deps ] && export LRA_DEPS_DIR=$PWD/build-deps

stamp "build"
if ! LRA_BUILD_TESTS=OFF JOBS=$(nproc) timeout 420 scripts/build_cuda.sh build-cuda > "$res/build.log" 2>&1; then
  grep -E "error|Error|undefined reference" "$res/build.log" | head -60
  tail -20 "$res/build.log"; stamp "build failed"; pack; exit 1
fi
tail -3 "$res/build.log"
lra=build-cuda/lra
# The carried libraries, jemalloc (lra's default allocator) among them.
export LD_LIBRARY_PATH=${LRA_DEPS_DIR:+$LRA_DEPS_DIR/lib:}${LD_LIBRARY_PATH:-}
[ -n "$models" ] || models=$("$lra" plan --default-table | cut -d' ' -f2),mega-chunk

task=listops
data=$work/data
if [ -f gpu-data.tar.gz ]; then
  task=text; mkdir -p "$data" && tar xzf gpu-data.tar.gz -C "$data"
else $lra data generate --task listops --profile cpu --data-dir "$data" > /dev/null; fi
stamp "train on CUDA: $task, cpu profile, seed 1, every table model"
for m in ${models//,/ }; do
  timeout 40 $lra train --device cuda --task "$task" --model "$m" --profile cpu --data-dir "$data" \
    --out "$res/train/$task/$m" --quiet > "$res/train-$m.log" 2>&1
  rc=$?
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); a=r['accuracy']['final']; t=r['timing']
print(f\"{sys.argv[2]}: rc $rc, step {a['step']}, test {a['test']:.4f}, {t['step_time_median_s']*1e3:.1f} ms/update, {t['wall_seconds']:.1f} s\")" \
    "$res/train/$task/$m/latest.json" "$m" 2>/dev/null || { echo "$m: rc $rc"; tail -3 "$res/train-$m.log"; }
done

pack
stamp "CPU-CUDA parity: lra eval --predictions of each trained best.ckpt on both devices"
for m in ${models//,/ }; do
  ckpt=$(find "$res/train/$task/$m" -name best.ckpt 2>/dev/null | head -1)
  [ -n "$ckpt" ] || { echo "$m: no checkpoint"; continue; }
  for d in cpu cuda; do
    timeout 60 $lra eval --checkpoint "$ckpt" --data-dir "$data" --split test --device "$d" \
      --predictions "$res/parity-$m-$d.tsv" > "$res/parity-$m-$d.log" 2>&1 || echo "$m $d eval failed"
  done
  python3 - "$res/parity-$m-cpu.tsv" "$res/parity-$m-cuda.tsv" "$m" <<'PY'
import sys
def logits(path):
    rows = [l.rstrip("\n").split("\t") for l in open(path)][1:]
    return [[float(v) for v in r[3].split(",")] for r in rows], [r[2] for r in rows]
try:
    (a, pa), (b, pb) = logits(sys.argv[1]), logits(sys.argv[2])
except OSError as e:
    print(sys.argv[3], "parity: missing", e); sys.exit()
worst = max(abs(x - y) for ra, rb in zip(a, b) for x, y in zip(ra, rb))
same = sum(x == y for x, y in zip(pa, pb))
print(f"{sys.argv[3]}: {len(a)} test examples, max |logit CPU - CUDA| = {worst:.2e}, "
      f"same prediction {same}/{len(a)}{'  <-- CHECK' if worst > 1e-3 else ''}")
PY
done

for precision in $precisions; do
  stamp "Table 2 on CUDA, $precision"
  lengths=1024,2048,4096,8192,16384; [ $precision = bf16 ] && lengths=1024,4096,16384
  timeout $([ $precision = fp32 ] && echo 120 || echo 60) $lra bench --device cuda --precision "$precision" --task text --batch 32 --steps 5 --warmup 2 \
    --models "$models" --lengths "$lengths" --memory-limit 120 --out "$res/bench-$precision"
  $lra report "$res" --bench "$res/bench-$precision/bench.json" --out "$res/report-$precision.md" > /dev/null
done

stamp "pack"; pack; stamp "done"
