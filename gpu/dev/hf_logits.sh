#!/bin/bash
# hf_logits.sh — on the GPU machine, from the checkout root with build-gpu/dist carried there:
# transformers makes a Llama-3.2-1B-shaped model with random weights and its reference logits
# (hf_logits.py), then HfLogits.OneBShapeMatchesTransformers (mx_gpu_tests) loads that folder with
# the CUDA backend and compares every position; last, a table of both runs' errors. About a minute.
# Results in $OUT (or ./device-out): hf_logits.json (the manifest), hf_logits_test.txt, hf_logits.md.
# The model folder (2.5 GB) stays in HF_LOGITS_DIR (default /tmp/mx-hf-logits), reused if there.
set -u
OUT=${OUT:-device-out}; mkdir -p "$OUT"
source "$(dirname "$0")/env.sh"
DIR=${HF_LOGITS_DIR:-/tmp/mx-hf-logits}
CONFIG=${CONFIG:-tests/fixtures/model-shapes/llama-1b.json}
if [ ! -f "$DIR/hf_logits.json" ]; then
  timeout 300 python3 gpu/dev/hf_logits.py make "$CONFIG" "$DIR" 0 2>&1 | grep -v Warning | tail -8
  [ -f "$DIR/hf_logits.json" ] || { echo "hf_logits.py failed"; exit 1; }
fi
cp "$DIR/hf_logits.json" "$OUT/"
MX_HF_LOGITS_DIR=$DIR timeout 240 $DIST/bin/mx_gpu_tests --gtest_filter='HfLogits.*' > "$OUT/hf_logits_test.txt" 2>&1
rc=$?
grep -E "^\[ *(OK|FAILED|PASSED|SKIPPED) *\]|Failure|Expected|Which is|error|HF_LOGITS" "$OUT/hf_logits_test.txt" | tail -30
echo "mx_gpu_tests rc=$rc"
python3 gpu/dev/hf_logits.py table "$DIR" "$OUT/hf_logits_test.txt" | tee "$OUT/hf_logits.md"
exit $rc
