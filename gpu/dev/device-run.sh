#!/bin/bash
# device-run.sh — what docs/performance.md's numbers come from, run on the GPU machine from the
# checkout root with build-gpu/dist carried there (see package.sh): the GPU tests, then
# `mx bench engine --backend cuda` on both model shapes at each batch, then transformers on the
# same shapes (hf_bench.py, which also measures the GPU's copy bandwidth and GEMM peak), then the
# markdown table (perf_table.py). Results land in $OUT (or ./device-out): gpu.txt, tests.txt,
# mx.jsonl, mx.err, hf.json, hf.log, table.md.
#
# Every step is timeout-guarded and the whole run keeps within BUDGET seconds (default 500: under
# 9 minutes with the machine's start-up). transformers runs HF_BATCHES for every shape, then
# HF_LAST_BATCHES (512) only while its deadline allows. Knobs: SHAPES, BATCHES (mx), HF_BATCHES,
# HF_LAST_BATCHES, HF_SPECS (hf_bench.py's CONFIG:B1,B2 arguments, replacing the two before),
# TESTS=0 (skip the tests), HF=0 (skip transformers), BUDGET.
set -u
OUT=${OUT:-device-out}; mkdir -p "$OUT"
source "$(dirname "$0")/env.sh"
BUDGET=${BUDGET:-500}
SHAPES=${SHAPES:-llama-1b qwen-0.5b}
# The step's limit: $1 seconds, or what is left of the budget if that is less; `left N` is true
# while more than N seconds are left.
cap() { local left=$(( BUDGET - SECONDS )); (( left < $1 )) && echo $(( left > 5 ? left : 5 )) || echo "$1"; }
left() { (( BUDGET - SECONDS > $1 )); }

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
ldd $DIST/bin/mx | grep "not found" | tee "$OUT/missing-libs.txt"
if [ "${TESTS:-1}" != 0 ]; then
  MX_SOURCE_DIR=$PWD timeout $(cap 120) $DIST/bin/mx_gpu_tests > "$OUT/tests.txt" 2>&1
  echo "mx_gpu_tests rc=$? ($SECONDS s)"
  grep -E "^\[ *(FAILED|PASSED|SKIPPED) *\]|Failure" "$OUT/tests.txt" | tail -12
fi

: > "$OUT/mx.jsonl"
for shape in $SHAPES; do
  for b in ${BATCHES:-1 16 64 256 512}; do
    left 10 || { echo "mx $shape batch $b: skipped, out of time"; continue; }
    timeout $(cap 75) $DIST/bin/mx bench engine --backend cuda --config tests/fixtures/model-shapes/$shape.json \
      --batch $b --prompt-len 512 --gen-len 256 --json > "$OUT/one.json" 2>> "$OUT/mx.err"
    rc=$?
    if [ $rc = 0 ] && python3 -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))))" "$OUT/one.json" >> "$OUT/mx.jsonl"; then
      python3 -c "import json,sys; r=json.loads(sys.argv[1]); print(f\"mx $shape batch $b: engine {r['engine']['generated_tokens_per_second']:,.0f} gen tok/s, forward decode {r['decode_forward']['tokens_per_second']:,.0f} tok/s\")" "$(tail -1 "$OUT/mx.jsonl")"
    else
      echo "mx $shape batch $b: failed rc=$rc (124: timed out; see mx.err)"
    fi
  done
done
rm -f "$OUT/one.json"
echo "mx benches done at $SECONDS s"

if [ "${HF:-1}" != 0 ] && ! left 60; then
  echo "transformers skipped: out of time"
elif [ "${HF:-1}" != 0 ]; then
  specs=(); last=()
  for shape in $SHAPES; do
    specs+=("tests/fixtures/model-shapes/$shape.json:${HF_BATCHES:-1,16,64,256}")
    [ -n "${HF_LAST_BATCHES-512}" ] && last+=("tests/fixtures/model-shapes/$shape.json:${HF_LAST_BATCHES-512}")
  done
  [ -n "${HF_SPECS:-}" ] && { specs=($HF_SPECS); last=(); }  # CONFIG:B1,B2 ... as given
  # 15 s for the table; the deadline leaves transformers 20 s more before the hard timeout.
  limit=$(cap 600); limit=$(( limit > 20 ? limit - 15 : 5 ))
  timeout $limit python3 gpu/dev/hf_bench.py "$OUT/hf.json" --deadline $(( limit > 30 ? limit - 20 : 5 )) \
    "${specs[@]}" "${last[@]}" > "$OUT/hf.log" 2>&1
  echo "hf_bench rc=$? ($SECONDS s)"
  grep -v -i warn "$OUT/hf.log" | tail -14
fi

python3 gpu/dev/perf_table.py "$OUT" | tee "$OUT/table.md"
echo "device-run.sh: $SECONDS s"
