#!/usr/bin/env bash
# Set-up if needed, configure, build, and run every test through ctest.
#   ./run_tests.sh             Release-with-debug-info build in build/
#   ./run_tests.sh --sanitize  ASan + UBSan build of the test suite in build-sanitize/
set -euo pipefail
cd "$(dirname "$0")"

build_dir=build
cmake_args=()
if [ "${1:-}" = "--sanitize" ]; then
  build_dir=build-sanitize
  cmake_args+=(-DLRA_SANITIZE=ON -DLRA_BUILD_BENCH=OFF)
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
fi

scripts/setup.sh
cmake -S . -B "$build_dir" -G Ninja "${cmake_args[@]}" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
cd "$build_dir"
ctest --output-on-failure -j "$(nproc)" --timeout 900
