#!/bin/bash
# device-run.sh — what docs/performance.md's numbers come from, run on the GPU machine from the
# checkout root with build-gpu/dist carried there (see package.sh): the GPU tests, then
# `mx bench engine --backend cuda` on both model shapes at each batch, then transformers on the
# same shapes. Results land in $OUT (or ./device-out).
set -u
OUT=${OUT:-device-out}; mkdir -p "$OUT"
DIST=build-gpu/dist
# The host's CUDA 13 runtime and cuBLAS: system paths or the pip wheels torch uses.
for d in /usr/local/cuda/lib64 /usr/local/cuda-13*/lib64 $(python3 -c 'import nvidia,os;p=os.path.dirname(nvidia.__path__[0]+"/");import glob;print(" ".join(glob.glob(p+"/nvidia/*/lib")))' 2>/dev/null); do
  [ -d "$d" ] && LD_LIBRARY_PATH="${LD_LIBRARY_PATH:-}:$d"
done
export LD_LIBRARY_PATH="$DIST/lib:${LD_LIBRARY_PATH:-}"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
ldd $DIST/bin/mx | grep "not found" | tee "$OUT/missing-libs.txt"
MX_SOURCE_DIR=$PWD $DIST/bin/mx_gpu_tests 2>&1 | grep -E "^\[ *(OK|FAILED|PASSED|SKIPPED) *\]|Failure|error" | tail -20
for shape in ${SHAPES:-llama-1b qwen-0.5b}; do
  for b in ${BATCHES:-1 16 64 256}; do
    timeout 90 $DIST/bin/mx bench engine --backend cuda --config tests/fixtures/model-shapes/$shape.json \
      --batch $b --prompt-len 512 --gen-len 256 --json > "$OUT/one.json" 2>> "$OUT/mx.err"
    echo "$shape $b rc=$?"; python3 -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))))" "$OUT/one.json" | tee -a "$OUT/mx.jsonl"
  done
done
[ -n "${HF:-1}" ] && timeout ${HF_TIMEOUT:-200} python3 gpu/dev/hf_bench.py "$OUT/hf.json" ${HF_SPECS:-tests/fixtures/model-shapes/llama-1b.json:1,16,64,256} 2>&1 | grep -v Warning | tail -20
