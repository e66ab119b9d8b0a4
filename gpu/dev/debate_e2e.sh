#!/bin/bash
# debate_e2e.sh — examples/debate.mx end to end on the GPU machine, 4,096 tasks in flight, against
# the engine's own throughput on the same model. From the checkout root with build-gpu/dist
# carried there, holding the pipeline that gpu/dev/debate_aot.sh compiled on the build machine
# (the GPU machine has no LLVM for mx's JIT):
#   1. a model folder at MODEL_DIR (default /tmp/mx-debate/model, the path compiled into the
#      pipeline): the Llama-3.2-1B shape with random weights and the Qwen3 tokenizer and chat
#      template (tests/fixtures/tokenizer-qwen3), so vocab_size 151,936 (debate_e2e.py model);
#   2. ROWS arithmetic questions (default 4,096) and `mx run` with --max-in-flight IN_FLIGHT
#      (default 4,096): every task has both solvers' requests in flight, up to three rounds (random
#      weights never agree), every reply max_tokens long (EOS is rare);
#   3. `mx bench engine --model MODEL_DIR` with the run's mean prompt and generated tokens per call,
#      at each of BENCH_BATCHES (default "256 4096": the engine's sequences per step in a pipeline,
#      and one request per task in flight), on as many GPUs as the run (GPUS, default 1);
#   4. the table (debate_e2e.py report): end-to-end generated tok/s from the run's stats.json
#      (tokens_out / seconds; the clock starts after the model has loaded) and its ratio to each.
# Results in $OUT (or ./device-out): debate-stats.json, debate-run.err, debate-bench-B.json,
# debate.md. Every step is timeout-guarded; the whole keeps within BUDGET seconds (default 500).
set -u
OUT=${OUT:-device-out}; mkdir -p "$OUT"
source "$(dirname "$0")/env.sh"
MODEL_DIR=${MODEL_DIR:-/tmp/mx-debate/model}
PIPELINE=${PIPELINE:-$DIST/pipelines/debate-1b.so}
ROWS=${ROWS:-4096}; IN_FLIGHT=${IN_FLIGHT:-4096}
BENCH_BATCHES=${BENCH_BATCHES:-256 4096}
BACKEND=${BACKEND:-cuda}
# GPUs for both sides: the run's engine replicas (MX_GPUS; a local model takes every GPU unless
# told) and the bench's (--gpus, where this mx has it).
export MX_GPUS=${GPUS:-1}
gpus_flag=(); $DIST/bin/mx bench engine --help 2>&1 | grep -q -- --gpus && gpus_flag=(--gpus "$MX_GPUS")
BUDGET=${BUDGET:-500}
WORK=${WORK:-/tmp/mx-debate}
cap() { local left=$(( BUDGET - SECONDS )); (( left < $1 )) && echo $(( left > 5 ? left : 5 )) || echo "$1"; }

[ -f "$PIPELINE" ] || { echo "no $PIPELINE: run gpu/dev/debate_aot.sh on the build machine after package.sh"; exit 1; }
mkdir -p "$WORK"
if [ ! -f "$MODEL_DIR/config.json" ]; then
  timeout $(cap 240) python3 gpu/dev/debate_e2e.py model tests/fixtures/model-shapes/llama-1b.json \
    tests/fixtures/tokenizer-qwen3 "$MODEL_DIR" 2>&1 | grep -v -i warn | tail -5
  [ -f "$MODEL_DIR/tokenizer_config.json" ] || { echo "making the model failed"; exit 1; }
  echo "model made at $SECONDS s"
fi
python3 gpu/dev/debate_e2e.py rows "$ROWS" "$WORK/rows.jsonl"

rm -rf "$WORK/run" "$OUT/debate-stats.json" "$OUT"/debate-bench-*.json
timeout $(cap 330) $DIST/bin/mx run --aot "$PIPELINE" --input "$WORK/rows.jsonl" --max-in-flight "$IN_FLIGHT" \
  --no-progress -o "$WORK/run" --stats-json "$OUT/debate-stats.json" > "$OUT/debate-run.err" 2>&1
rc=$?
echo "mx run rc=$rc at $SECONDS s$([ $rc = 124 ] && echo ': timed out')"; tail -3 "$OUT/debate-run.err"
[ -s "$OUT/debate-stats.json" ] || exit 1
head -1 "$WORK/run/debates.jsonl" 2>/dev/null | cut -c1-240
read -r P G < <(python3 gpu/dev/debate_e2e.py lengths "$OUT/debate-stats.json")

for b in $BENCH_BATCHES; do
  (( BUDGET - SECONDS > 30 )) || { echo "bench batch $b: skipped, out of time"; continue; }
  timeout $(cap 120) $DIST/bin/mx bench engine --model "$MODEL_DIR" --backend "$BACKEND" --batch "$b" \
    "${gpus_flag[@]}" --prompt-len "$P" --gen-len "$G" --json > "$OUT/debate-bench-$b.json" 2>> "$OUT/debate-bench.err"
  echo "bench batch $b (prompt $P, gen $G) rc=$? at $SECONDS s"
done
benches=(); for b in $BENCH_BATCHES; do benches+=("$OUT/debate-bench-$b.json"); done
python3 gpu/dev/debate_e2e.py report "$OUT/debate-stats.json" "${benches[@]}" | tee "$OUT/debate.md"
