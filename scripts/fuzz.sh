#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (clang++, ASan + UBSan, in build-fuzz/) and runs each for
# SECONDS (default 60), one after the other, at nice 19. Prints executions and seconds per target;
# exits 1 when any target found a crash (the input is kept in build-fuzz/crashes/).
#   scripts/fuzz.sh [SECONDS] [TARGET...]     e.g. scripts/fuzz.sh 30 fuzz_listops_tsv
# Environment: FUZZ_BUILD_JOBS (default: all cores), FUZZ_BUILD_DIR (default build-fuzz), FUZZ_RUNS (stop a
# target after this many executions, e.g. 1000000; SECONDS stays the cap), FUZZ_BUILD_ONLY=1 (build, run none),
# TMPDIR (scratch files of the targets; default /dev/shm when writable).
# Installs clang and libFuzzer (libclang-rt-14-dev) with apt when they are missing; the normal build
# and tests do not need them, so scripts/setup.sh does not install them.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
build=${FUZZ_BUILD_DIR:-build-fuzz}

scripts/setup.sh
missing=()
for p in clang libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "fuzz: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DLRA_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
nice -n 19 cmake --build "$build" -j "${FUZZ_BUILD_JOBS:-$(nproc)}"

[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0
runs_option=()
[ -n "${FUZZ_RUNS:-}" ] && runs_option=(-runs="$FUZZ_RUNS")

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for source in fuzz/fuzz_*.cpp; do targets+=("$(basename "$source" .cpp)"); done
fi

# The targets that write files per input (aclimdb, run_reports, ...) keep them in a scratch folder under
# TMPDIR, by default on tmpfs (aclimdb ran 550/s in /dev/shm; 30/s on the VM's disk, with cores shared with builds).
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
# A target may set its own sanitizer defaults (__asan_default_options in its source, with the reason).
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0}
mkdir -p "$build/crashes" "$build/logs"
summary=${FUZZ_SUMMARY:-$build/logs/summary.txt}
printf '%-26s %12s %8s %8s  %s\n' target executions seconds exec/s result > "$summary"
failed=0
for target in "${targets[@]}"; do
  corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  [ -d "fuzz/corpus/$target" ] && cp -n fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null || true
  log="$build/logs/$target.log"
  start=$(date +%s.%N)
  set +e
  # The target writes seeds made with the project's own writers (PNG, checkpoint, ...) into the corpus.
  LRA_FUZZ_SEED_DIR="$PWD/$corpus" nice -n 19 "$build/fuzz/$target" -max_total_time="$seconds" "${runs_option[@]}" -timeout=20 \
    -rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$build/crashes/$target-" "$corpus" >"$log" 2>&1
  rc=$?
  set -e
  elapsed=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  [ -z "$runs" ] && runs=$(sed -n 's/.*#\([0-9]*\).*/\1/p' "$log" | tail -1)
  result=ok
  if [ $rc -ne 0 ]; then
    result="CRASH (rc $rc, see $log)"
    failed=1
  fi
  rate=$(awk -v n="${runs:-0}" -v t="$elapsed" 'BEGIN { printf "%d", (t > 0 ? n / t : 0) }')
  printf '%-26s %12s %8s %8s  %s\n' "$target" "${runs:-?}" "$elapsed" "$rate" "$result" | tee -a "$summary"
done
echo "summary: $summary"
exit $failed
