#!/usr/bin/env bash
# bench_runtime.sh — runtime benchmarks of issue 3 (benchmarks, not tests: run by hand on a quiet
# machine and quote the medians). Needs build/bin/mx and build/bin/mxc.
#   1. steps/s: trivial3.mx (three agents, no model) over 1,000,000 rows, 100,000 in flight;
#   2. memory per in-flight task: peak RSS at 100,000 in flight minus at 1,000, per task;
#   3. row vs batch: debate_sim.mx (heavy-tailed simulated model) at equal concurrency.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${MX_BIN:-$here/../../build/bin}
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 -c "
import sys
with open('$work/rows.jsonl','w') as f:
    for i in range(1000000): f.write('{\"n\": %d}\n' % i)"
head -2000 "$work/rows.jsonl" > "$work/rows2k.jsonl"
"$bin/mxc" -o "$work/trivial3.so" "$here/trivial3.mx"
"$bin/mxc" -o "$work/debate_sim.so" "$here/debate_sim.mx"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
stat() { python3 -c "import json,sys; print(json.load(open('$1'))['$2'])"; }

echo "== steps/s, trivial3.mx, 1,000,000 rows, 100,000 in flight ($runs runs)"
for i in $(seq "$runs"); do
  "$bin/mx" run --aot "$work/trivial3.so" --input "$work/rows.jsonl" -o "$work/t" --no-progress \
    --max-in-flight 100000 >/dev/null 2>&1
  python3 -c "import json; s=json.load(open('$work/t/stats.json')); print(s['steps']/s['seconds'])"
done | tee "$work/sps" | awk '{printf "  %.0f steps/s\n", $1}'
echo "  median: $(median < "$work/sps" | awk '{printf "%.0f", $1}') steps/s"

echo "== runtime memory per in-flight task (trivial3.mx, 1,000,000 rows)"
for f in 1000 100000; do
  "$bin/mx" run --aot "$work/trivial3.so" --input "$work/rows.jsonl" -o "$work/m$f" --no-progress \
    --max-in-flight $f --workers 1 >/dev/null 2>&1
done
python3 -c "
import json
a=json.load(open('$work/m1000/stats.json')); b=json.load(open('$work/m100000/stats.json'))
per=(b['peak_rss_kb']-a['peak_rss_kb'])*1024/max(1,b['peak_in_flight']-a['peak_in_flight'])
print('  peak in flight %d vs %d; peak RSS %d KB vs %d KB; %.0f bytes per in-flight task' % (
  b['peak_in_flight'], a['peak_in_flight'], b['peak_rss_kb'], a['peak_rss_kb'], per))"

echo "== row vs batch, debate_sim.mx (lognormal latency, median 20 ms, sigma 1), 2,000 rows, 256 in flight"
for mode in row batch; do
  for i in $(seq "$runs"); do
    if [ $mode = row ]; then extra=(); else extra=(--mode batch 256); fi
    "$bin/mx" run --aot "$work/debate_sim.so" --input "$work/rows2k.jsonl" -o "$work/d$mode" --no-progress \
      --max-in-flight 256 "${extra[@]}" >/dev/null 2>&1
    stat "$work/d$mode/stats.json" seconds
  done | median > "$work/$mode.sec"
  echo "  $mode: median $(cat "$work/$mode.sec") s"
done
python3 -c "print('  row mode is %.1fx the batch mode throughput' % (float(open('$work/batch.sec').read())/float(open('$work/row.sec').read())))"
if diff <(sort "$work/drow/debates.jsonl") <(sort "$work/dbatch/debates.jsonl") >/dev/null; then
  echo "  outputs: identical records in both modes"
else
  echo "  outputs: DIFFER between modes"
fi
