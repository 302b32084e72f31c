#!/usr/bin/env bash
# Builds lra against a CUDA libtorch: the one bundled in an installed pip `torch`
# (python3 -c "import torch; print(torch.utils.cmake_prefix_path)") or the one given by TORCH_DIR
# (the folder holding TorchConfig.cmake, or a libtorch download's root). CUDA code in lra (device
# selection, synchronised timing, allocator peak statistics, fp16/bf16 autocast, NCCL) compiles only
# when that libtorch has CUDA.
#
#   scripts/build_cuda.sh [BUILD_DIR]        (default build-cuda; JOBS=N to override the job count)
#
# Header-only dependencies (nlohmann/json, CLI11, Catch2) come from /usr/include, or from
# LRA_DEPS_DIR/include when the machine has no Debian packages (scripts/gpu_check.sh carries them).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build-cuda}

prefix=""
if [ -n "${TORCH_DIR:-}" ]; then
  prefix=$TORCH_DIR
  [ -f "$prefix/share/cmake/Torch/TorchConfig.cmake" ] && prefix=$prefix/share/cmake
else
  for py in python3 /usr/bin/python3; do
    prefix=$($py -c "import torch; print(torch.utils.cmake_prefix_path)" 2>/dev/null) && break || prefix=""
  done
fi
if [ -z "$prefix" ]; then
  echo "build_cuda.sh: no libtorch found: install PyTorch with CUDA (pip) or set TORCH_DIR" >&2
  exit 2
fi

extra=()
if [ -n "${LRA_DEPS_DIR:-}" ]; then
  extra+=(-DCMAKE_PREFIX_PATH="$prefix;$LRA_DEPS_DIR" -DCMAKE_CXX_FLAGS="-I$LRA_DEPS_DIR/include"
          -DPNG_PNG_INCLUDE_DIR="$LRA_DEPS_DIR/include" -DPNG_LIBRARY="$LRA_DEPS_DIR/lib/libpng16.so"
          -DZLIB_INCLUDE_DIR="$LRA_DEPS_DIR/include" -DZLIB_LIBRARY="$LRA_DEPS_DIR/lib/libz.so")
  export LD_LIBRARY_PATH="$LRA_DEPS_DIR/lib:${LD_LIBRARY_PATH:-}"
else
  extra+=(-DCMAKE_PREFIX_PATH="$prefix")
fi
# nvcc for Caffe2's CUDA detection, when it is not on PATH.
if ! command -v nvcc >/dev/null 2>&1; then
  for c in /usr/local/cuda/bin/nvcc /usr/local/cuda-*/bin/nvcc; do
    [ -x "$c" ] && { extra+=(-DCMAKE_CUDA_COMPILER="$c"); break; }
  done
fi
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)

echo "build_cuda.sh: libtorch from $prefix"
cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DLRA_BUILD_BENCH=OFF "${extra[@]}"
cmake --build "$build_dir" -j "${JOBS:-$(nproc)}"
"$build_dir/lra" --version
