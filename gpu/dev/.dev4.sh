set -u
source gpu/dev/env.sh
export MX_SOURCE_DIR=$PWD
HF_BATCHES=1,64,256 HF_LAST_BATCHES= BUDGET=330 bash gpu/dev/device-run.sh 2>&1 | tail -30
for b in 1 256; do
  for o in 0 1 0 1; do echo "MX_OVERLAP_STEPS=$o"; MX_OVERLAP_STEPS=$o bash gpu/dev/quick-bench.sh llama-1b $b; done
done
echo "greedy / temperature 1 / temperature 1 top-p 0.9, batch 256:"
bash gpu/dev/quick-bench.sh llama-1b 256
MX_BENCH_FLAGS="--temperature 1" bash gpu/dev/quick-bench.sh llama-1b 256
MX_BENCH_FLAGS="--temperature 1 --top-p 0.9" bash gpu/dev/quick-bench.sh llama-1b 256
