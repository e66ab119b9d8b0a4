#!/bin/bash
# profile.sh — where one decode step's GPU time goes, per kernel, on the GPU machine: ncu times
# each kernel of the forward-only decode benchmark (no clock changes), ncu_summary.py sums them.
# Usage (checkout root, build-gpu/dist carried): gpu/dev/profile.sh [SHAPE] [BATCH...]; SKIP and
# COUNT move the window of kernels timed (the defaults land in decode steps of the 1B shape).
set -u
OUT=${OUT:-device-out}; mkdir -p "$OUT"
source "$(dirname "$0")/env.sh"
shape=${1:-llama-1b}; shift || true
for b in ${@:-1 256}; do
  # Skip the prefill and warm-up forwards, then time two decode steps' kernels (launched one by
  # one: ncu does not see into graph replays, and it serialises kernels anyway).
  MX_CUDA_GRAPHS=0 ncu --clock-control none --metrics gpu__time_duration.sum --csv --launch-skip ${SKIP:-400} --launch-count ${COUNT:-340} \
    $DIST/bin/mx bench engine --backend cuda --config tests/fixtures/model-shapes/$shape.json \
    --batch $b --prompt-len 512 --gen-len 2 --json > "$OUT/ncu-$shape-$b.csv" 2> "$OUT/ncu-$shape-$b.err"
  python3 gpu/dev/ncu_summary.py "$OUT/ncu-$shape-$b.csv" "$shape batch $b (2 steps)" || tail -5 "$OUT/ncu-$shape-$b.err"
done
