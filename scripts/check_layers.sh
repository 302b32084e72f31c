#!/usr/bin/env bash
# The layering rule (README, "Layout"), checked on every #include of the source tree:
#   core/    includes nothing from models/, tasks/ or lra/
#   models/  includes only core/ (never tasks/ or lra/)
#   tasks/   includes only core/ (never models/ or lra/)
# and inside the application (lra/), each room includes only the rooms before it:
#   lra/config/   nothing else in lra/
#   lra/runtime/  lra/config/
#   lra/report/   lra/config/, lra/runtime/
#   lra/train/    lra/config/, lra/runtime/, lra/report/
#   lra/bench/    lra/config/, lra/runtime/, lra/report/
#   lra/sweep/    lra/config/, lra/runtime/, lra/report/
#   lra/cli/      any of them (nothing includes lra/cli/ but itself)
# Prints each violation as file:line and exits 1 if there is any.
set -euo pipefail
root=${1:-$(dirname "$0")/..}
cd "$root"
status=0
check() {  # check LAYER FORBIDDEN-PREFIX...
  local layer=$1; shift
  [ -d "$layer" ] || { echo "check_layers: no folder $layer/ under $PWD" >&2; exit 2; }
  for prefix in "$@"; do
    # "x/..." or <x/...>, with or without a space after include, or reached through ../
    if grep -rnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"](\.\./)*$prefix/" "$layer" \
         --include='*.h' --include='*.hpp' --include='*.cpp' --include='*.inc'; then
      echo "check_layers: $layer/ must not include $prefix/ (see README, Layout)" >&2
      status=1
    fi
  done
}
check core models tasks lra
check models tasks lra
check tasks models lra
check lra/config lra/runtime lra/report lra/train lra/bench lra/sweep lra/cli
check lra/runtime lra/report lra/train lra/bench lra/sweep lra/cli
check lra/report lra/train lra/bench lra/sweep lra/cli
check lra/train lra/bench lra/sweep lra/cli
check lra/bench lra/train lra/sweep lra/cli
check lra/sweep lra/train lra/bench lra/cli
# Every application source lives in a room: a file directly in lra/ would escape the rule.
if stray=$(find lra -maxdepth 1 -type f \( -name '*.h' -o -name '*.cpp' \) | sort) && [ -n "$stray" ]; then
  echo "$stray"
  echo "check_layers: application sources belong in a sub-folder of lra/ (see README, Layout)" >&2
  status=1
fi
[ "$status" = 0 ] && echo "check_layers: core <- models, tasks <- lra (config <- runtime <- report <- train, bench, sweep <- cli): no include points the wrong way"
exit "$status"
