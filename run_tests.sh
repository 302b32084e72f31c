#!/usr/bin/env bash
# Set-up if needed, configure, build, and run every test through ctest.
#   ./run_tests.sh             Release-with-debug-info build in build/
#   ./run_tests.sh --sanitize  ASan + UBSan build of the test suite in build-sanitize/
# LRA_JOBS sets the build and ctest parallelism (default: all cores), e.g. LRA_JOBS=1 on a shared machine.
set -euo pipefail
cd "$(dirname "$0")"

build_dir=build
cmake_args=()
timeout=900
if [ "${1:-}" = "--sanitize" ]; then
  build_dir=build-sanitize
  # -O0 -g1: the time of these tests is spent inside libtorch (not instrumented), so optimising our code
  # buys little, while -O2 -g doubles the compile time of every torch-heavy file.
  cmake_args+=(-DLRA_SANITIZE=ON -DLRA_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -g1")
  # Leak checking is off: libtorch and glog keep process-lifetime allocations (not our leaks).
  # Any UBSan report fails the test (the build uses -fno-sanitize-recover).
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  timeout=3600
fi
jobs=${LRA_JOBS:-$(nproc)}

scripts/setup.sh
# ccache keys on paths relative to this checkout, so another clone of it (CI's) reuses these objects.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
cmake -S . -B "$build_dir" -G Ninja "${cmake_args[@]}" >/dev/null
cmake --build "$build_dir" -j "$jobs"
cd "$build_dir"
ctest --output-on-failure -j "$jobs" --timeout "$timeout"
