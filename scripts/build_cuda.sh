#!/usr/bin/env bash
# Builds lra against a CUDA libtorch: the one bundled in an installed pip `torch`
# (python3 -c "import torch; print(torch.utils.cmake_prefix_path)") or the one given by TORCH_DIR
# (the folder holding TorchConfig.cmake, or a libtorch download's root). CUDA code in lra (device
# selection, synchronised timing, allocator peak statistics, fp16/bf16 autocast, NCCL) compiles only
# when that libtorch has CUDA.
#
#   scripts/build_cuda.sh [BUILD_DIR]        (default build-cuda; JOBS=N to override the job count,
#                                             LRA_BUILD_TESTS=OFF to build lra alone)
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
cxx_flags=""
if [ -n "${LRA_DEPS_DIR:-}" ]; then
  cxx_flags="-I$LRA_DEPS_DIR/include -idirafter $LRA_DEPS_DIR/fallback-include"
  extra+=(-DCMAKE_PREFIX_PATH="$prefix;$LRA_DEPS_DIR" -DOPENSSL_ROOT_DIR="$LRA_DEPS_DIR"
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
torch_root=$(cd "$prefix/../.." && pwd)
# NCCL (multi-process CUDA training): a pip torch's nvidia-nccl package, beside torch in site-packages.
if [ -z "${LRA_NCCL_ROOT:-}" ]; then
  nccl_header=$(find "$torch_root/../nvidia" -maxdepth 4 -name nccl.h 2>/dev/null | head -1)
  [ -n "$nccl_header" ] && extra+=(-DLRA_NCCL_ROOT="$(dirname "$(dirname "$nccl_header")")")
else
  extra+=(-DLRA_NCCL_ROOT="$LRA_NCCL_ROOT")
fi
# Newer libtorch headers may need C++20 while this project asks for C++17: one include of torch.h says which.
probe=$(mktemp --suffix=.cpp)
echo '#include <torch/torch.h>' > "$probe"
if ! c++ -std=c++17 -fsyntax-only -I"$torch_root/include" -I"$torch_root/include/torch/csrc/api/include" "$probe" \
     2> "$probe.log"; then
  echo "build_cuda.sh: torch.h does not compile as C++17, building as C++20:"; head -5 "$probe.log"
  extra+=(-DCMAKE_CXX_STANDARD=20)
fi
rm -f "$probe" "$probe.log"
generator=()
keep_going=()
command -v ninja >/dev/null 2>&1 && { generator=(-G Ninja); keep_going=(-- -k 0); }

echo "build_cuda.sh: libtorch from $prefix"
cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DLRA_BUILD_BENCH=OFF \
  -DLRA_BUILD_TESTS="${LRA_BUILD_TESTS:-ON}" -DCMAKE_CXX_FLAGS="$cxx_flags" "${extra[@]}"
# -k 0: every compile error at once (a machine lent for minutes has no time for one error per try).
cmake --build "$build_dir" -j "${JOBS:-$(nproc)}" "${keep_going[@]}"
"$build_dir/lra" --version
