#!/usr/bin/env bash
# Kill-and-resume torture test. Trains a smoke ListOps run without interruption (the reference), then
# the same run again while SIGKILLing it KILLS times at random moments, resuming with --resume each
# time, and finally lets it finish. Passes when
#   - after every kill: every .json under --out parses, every .ckpt loads, and best.ckpt holds the
#     best step recorded in last.ckpt (or last.ckpt's own step, the window that resume repairs);
#   - at the end: no temp file is left, the final report's metrics equal the reference's, and
#     last.ckpt / best.ckpt hold bit-identical tensors (and optimiser/RNG state) to the reference's.
#   scripts/torture_resume.sh [KILLS]      (default 10)
# Environment: LRA_BINARY (default build/lra), TORTURE_STEPS (200), TORTURE_EVAL_EVERY (10),
# TORTURE_SEED (random delays; default: the time), TORTURE_DIR (default: a new temp folder, removed on
# success). Needs python3 to read JSON. Runs on --threads 1, so CPU results must be bit-identical.
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-10}
lra=${LRA_BINARY:-build/lra}
steps=${TORTURE_STEPS:-200}
eval_every=${TORTURE_EVAL_EVERY:-10}
RANDOM=${TORTURE_SEED:-$(date +%s)}
work=${TORTURE_DIR:-$(mktemp -d /tmp/lra_torture.XXXXXX)}
mkdir -p "$work"
command -v python3 >/dev/null || { echo "torture: needs python3 to read JSON" >&2; exit 2; }

fail() { echo "torture: FAIL: $*" >&2; echo "torture: files kept in $work" >&2; exit 1; }

"$lra" data generate --task listops --profile smoke --data-dir "$work/data" >/dev/null
train=("$lra" --threads 1 train --task listops --model luna-16 --profile smoke --data-dir "$work/data" --quiet
       --set "train.steps=$steps" --set "train.eval_every=$eval_every")

# Every .json parses, every .ckpt loads, and each run's best.ckpt agrees with its last.ckpt.
# Prints "<temp files> <stale-best windows> <step of last.ckpt>".
check_folder() {
  python3 - "$1" "$lra" <<'EOF'
import json, os, re, subprocess, sys
out, lra = sys.argv[1], sys.argv[2]
temps, windows, step = 0, 0, 0
def meta(path):
    shown = subprocess.run([lra, "checkpoint", "show", path], capture_output=True, text=True)
    if shown.returncode != 0:
        sys.exit("checkpoint does not load: %s: %s" % (path, shown.stderr.strip()))
    return json.loads(re.search(r"^  meta: (.*)$", shown.stdout, re.M).group(1))
for root, _, files in os.walk(out):
    for name in files:
        path = os.path.join(root, name)
        if ".tmp." in name:
            temps += 1
        elif name.endswith(".json"):
            try:
                doc = json.load(open(path))
            except ValueError as e:
                sys.exit("partial or corrupt report %s: %s" % (path, e))
            if not isinstance(doc, dict) or "status" not in doc or "run_id" not in doc:
                sys.exit("not a complete report: %s" % path)
    if os.path.exists(os.path.join(root, "last.ckpt")):
        last = meta(os.path.join(root, "last.ckpt"))
        step = last["step"]
        best_path = os.path.join(root, "best.ckpt")
        best = meta(best_path) if os.path.exists(best_path) else None
        if last["best_step"] > 0 and (best is None or best["step"] != last["best_step"]):
            if last["best_step"] != last["step"]:
                sys.exit("best.ckpt holds step %s but last.ckpt says best_step %s"
                         % (best and best["step"], last["best_step"]))
            windows += 1  # killed between last.ckpt and best.ckpt: resume rewrites best.ckpt
    elif os.path.exists(os.path.join(root, "best.ckpt")):
        meta(os.path.join(root, "best.ckpt"))
print(temps, windows, step)
EOF
}

echo "torture: reference run ($steps steps, eval every $eval_every) in $work/reference"
start=$(date +%s.%N)
"${train[@]}" --out "$work/reference" >"$work/reference.log" 2>&1 || fail "reference run failed: $(tail -3 "$work/reference.log")"
ref_seconds=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
# Kill delays: uniform over the reference run's duration, in milliseconds.
max_ms=$(awk -v s="$ref_seconds" 'BEGIN { printf "%d", s * 1000 }')
echo "torture: reference took ${ref_seconds}s; now $kills kills at random moments in 0..${ref_seconds}s"

delivered=0 attempts=0 windows_seen=0 temps_seen=0
while [ "$delivered" -lt "$kills" ]; do
  attempts=$((attempts + 1))
  [ "$attempts" -gt $((kills * 4)) ] && fail "only $delivered of $kills kills landed in $attempts attempts"
  delay_ms=$(( (RANDOM * 32768 + RANDOM) % (max_ms + 1) ))
  "${train[@]}" --out "$work/tortured" --resume >>"$work/tortured.log" 2>&1 &
  pid=$!
  sleep "$(awk -v ms="$delay_ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
  kill -KILL "$pid" 2>/dev/null || true
  rc=0
  wait "$pid" 2>/dev/null || rc=$?
  if [ "$rc" -eq 137 ]; then  # killed (a run that had already exited keeps its own status)
    delivered=$((delivered + 1))
    read -r temps windows step < <(check_folder "$work/tortured") || fail "after kill $delivered"
    temps_seen=$((temps_seen + temps)); windows_seen=$((windows_seen + windows))
    echo "torture: kill $delivered at ${delay_ms} ms: last.ckpt at step $step, temp files left $temps, best.ckpt window $windows"
  elif [ "$rc" -ne 0 ]; then
    fail "a resumed run exited with $rc (see $work/tortured.log)"
  fi
done
"${train[@]}" --out "$work/tortured" --resume >>"$work/tortured.log" 2>&1 || fail "final resume failed (see $work/tortured.log)"
read -r temps windows step < <(check_folder "$work/tortured") || fail "final folder"
[ "$temps" -eq 0 ] || fail "$temps temp files remain in $work/tortured"

python3 - "$work/reference/latest.json" "$work/tortured/latest.json" <<'EOF' || fail "final reports differ"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert b["status"] == "completed", "tortured run status %s" % b["status"]
for key in ["steps_done", "accuracy", "curves", "data_sizes", "parameters", "majority_baseline", "config", "data"]:
    if a[key] != b[key]:
        sys.exit("report field '%s' differs:\n  reference %s\n  tortured  %s" % (key, json.dumps(a[key])[:400], json.dumps(b[key])[:400]))
print("torture: final reports agree on steps_done, accuracy (final and best-val), curves, data, config")
EOF
ref_run=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' "$work/reference/latest.json")
tor_run=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' "$work/tortured/latest.json")
"$lra" checkpoint diff --with-state "$work/reference/checkpoints/$ref_run/last.ckpt" \
  "$work/tortured/checkpoints/$tor_run/last.ckpt" || fail "last.ckpt differs from the reference"
"$lra" checkpoint diff "$work/reference/checkpoints/$ref_run/best.ckpt" \
  "$work/tortured/checkpoints/$tor_run/best.ckpt" || fail "best.ckpt differs from the reference"
echo "torture: PASS: $delivered kills ($attempts attempts), temp files seen after kills: $temps_seen (none left)," \
     "best.ckpt windows seen: $windows_seen; final parameters and metrics identical to the uninterrupted run"
[ -z "${TORTURE_DIR:-}" ] && rm -rf "$work"
exit 0
