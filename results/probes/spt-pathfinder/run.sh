#!/bin/bash
# Pathfinder (cpu profile, 16x16, curv_14) with and without SPT at equal total updates, seed 1.
cd /work/main
L=/tmp/pf/lra
for budget in "1000 250" "2000 500"; do
  set -- $budget; pre=$1; ft=$2; total=$((pre + ft))
  for model in luna-16 transformer; do
    o=/tmp/pf/p$pre/$model
    $L train --task pathfinder --model $model --profile cpu --data-dir data/cpu --out $o/scratch --quiet --set train.steps=$total --set train.eval_every=250 2>&1 | tail -1
    $L pretrain --task pathfinder --model $model --profile cpu --data-dir data/cpu --out $o/pre --quiet --set pretrain.steps=$pre 2>&1 | tail -1
    $L train --task pathfinder --model $model --profile cpu --data-dir data/cpu --out $o/spt --init-from $o/pre --quiet --set train.steps=$total --set train.eval_every=250 2>&1 | tail -1
    python3 - "$o" <<'PY'
import json,sys
o=sys.argv[1]
s=json.load(open(o+'/scratch/latest.json')); p=json.load(open(o+'/pre/latest.json')); f=json.load(open(o+'/spt/latest.json'))
print(o, 'scratch', round(s['accuracy']['final']['test'],3), [round(v['accuracy'],3) for v in s['curves']['val']], '| pre masked acc', round(p['curves']['train'][-1]['accuracy'],3), '| spt', round(f['accuracy']['final']['test'],3), f['updates'], [round(v['accuracy'],3) for v in f['curves']['val']], flush=True)
PY
  done
done
