#!/usr/bin/env bash
# Luna-16, seeds 2 and 3, fp32 and bf16, on the three cpu-profile tasks that learn (run from anywhere;
# uses build/lra unless LRA_BINARY is set, and the cpu-profile data in data/cpu).
cd "$(dirname "$0")/../.."
for seed in 2 3; do
  for task in listops text image; do
    for precision in fp32 bf16; do
      out=results/bf16-vs-fp32/seed$seed/$precision/$task/luna-16
      mkdir -p "$out"
      [ -f "$out/latest.json" ] && grep -q '"status": "completed"' "$out/latest.json" && continue
      ${LRA_BINARY:-build/lra} train --task $task --model luna-16 --profile cpu --data-dir data/cpu --out "$out" \
        --precision $precision --seed $seed > "$out/train.log" 2>&1 || echo "FAILED $out"
      echo "$seed $task $precision $(grep "test accuracy" $out/train.log)"
    done
  done
done
