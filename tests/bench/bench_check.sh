#!/usr/bin/env bash
# bench_check.sh — times `mxc check` on a generated 10,000-line pipeline (a benchmark, not a
# test: run it by hand on a quiet machine). Prints every run and the median wall time.
#   tests/bench/bench_check.sh [MXC] [LINES] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mxc=${1:-$here/../../build/bin/mxc}
lines=${2:-10000}
runs=${3:-11}
src=$(mktemp --suffix=.mx)
trap 'rm -f "$src"' EXIT
python3 "$here/gen_pipeline.py" "$lines" > "$src"
echo "mxc check on $(wc -l < "$src") lines, $(wc -c < "$src") bytes, $runs runs"
times=()
for _ in $(seq "$runs"); do
  start=$(date +%s.%N)
  "$mxc" check "$src" >/dev/null
  end=$(date +%s.%N)
  times+=("$(echo "$end - $start" | bc -l)")
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "runs (s): "; for (i=1;i<=NR;i++) printf "%.3f ", a[i]; printf "\nmedian: %.3f s\n", a[int((NR+1)/2)]}'
