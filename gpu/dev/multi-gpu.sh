#!/bin/bash
# multi-gpu.sh — engine replicas on a machine with two or more GPUs (nvidia-h100-x2 / h200-x2):
# the GPU tests (KernelsRunOnEveryGpu and GemvRunsOnEveryGpu need two), `mx generate` with one
# and two replicas (same ids), examples/debate.mx with MX_GPUS=1 and 2 (every task done), and
# `mx bench engine --gpus 1` against `--gpus 2`. Needs build-gpu/dist with
# pipelines/debate.so (build-gpu/bin/mxc -o build-gpu/dist/pipelines/debate.so examples/debate.mx).
set -u
OUT=${OUT:-device-out}; mkdir -p "$OUT"
source "$(dirname "$0")/env.sh"
M=$DIST/bin/mx
nvidia-smi -L
MX_SOURCE_DIR=$PWD timeout 240 $DIST/bin/mx_gpu_tests > "$OUT/tests.txt" 2>&1
echo "mx_gpu_tests rc=$?"; grep -E "^\[ *(FAILED|PASSED|SKIPPED) *\]|Failure" "$OUT/tests.txt" | tail -8
for g in 1 2; do
  timeout 60 $M generate --backend cuda --model models/tiny-arith --prompt "What is 23 + 45?" --max-tokens 16 \
    --json --gpus $g | cut -c1-120
done
for g in 1 2; do
  MX_GPUS=$g timeout 90 $M run --aot $DIST/pipelines/debate.so -o /tmp/mx-debate-gpus$g --no-progress 2>&1 | tail -1
done
for g in 1 2; do
  timeout 120 $M bench engine --backend cuda --config tests/fixtures/model-shapes/llama-1b.json --batch 256 \
    --prompt-len 512 --gen-len 256 --gpus $g --json > "$OUT/bench-gpus$g.json" 2> "$OUT/bench-gpus$g.err"
  echo "bench --gpus $g rc=$?"
  python3 -c "import json,sys; e=json.load(open(sys.argv[1]))['engine']; print({k: round(v) if isinstance(v, float) else v for k, v in e.items()})" \
    "$OUT/bench-gpus$g.json" 2>/dev/null || tail -2 "$OUT/bench-gpus$g.err"
done
