#!/bin/bash
# quick-bench.sh — `mx bench engine --backend cuda` on one shape at several batches, one line of
# JSON numbers each: the quick before/after check of a change on the GPU machine.
# Usage: gpu/dev/quick-bench.sh [SHAPE] [BATCH...]; extra mx flags in MX_BENCH_FLAGS.
set -u
source "$(dirname "$0")/env.sh"
shape=${1:-llama-1b}; shift || true
for b in ${@:-1 64 256}; do
  timeout 120 $DIST/bin/mx bench engine --backend cuda --config tests/fixtures/model-shapes/$shape.json \
    --batch $b --prompt-len ${PROMPT:-512} --gen-len ${GEN:-256} --json ${MX_BENCH_FLAGS:-} |
    python3 -c "import json,sys; d=json.load(sys.stdin); e=d['engine']; f=d['decode_forward']
print('$shape batch %4d: engine gen %9.0f tok/s, total %9.0f tok/s, %6.2f s; forward decode %9.0f tok/s' % (
    d['batch'], e['generated_tokens_per_second'], e['total_tokens_per_second'], e['seconds'], f['tokens_per_second']))"
done
