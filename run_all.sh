#!/usr/bin/env bash
# The main job: set-up if needed -> build -> data -> every task x model -> bench -> report -> plot.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
cmake -S . -B build -G Ninja >/dev/null
cmake --build build -j "$(nproc)" --target lra
echo "run_all: lra is built (build/lra). The data/train/bench/report pipeline is not wired in yet."
