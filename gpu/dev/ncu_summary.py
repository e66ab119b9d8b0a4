# ncu_summary.py — sums an `ncu --csv --metrics gpu__time_duration.sum` report per kernel name:
# where a forward pass's GPU time goes. Usage: python3 ncu_summary.py REPORT.csv [TITLE]
import csv, sys
from collections import defaultdict

scale = {"nsecond": 1e-3, "usecond": 1.0, "msecond": 1e3, "second": 1e6}
total, count = defaultdict(float), defaultdict(int)
with open(sys.argv[1], newline="") as f:
    lines = [l for l in f if l.startswith('"')]  # ncu prints its own log lines first
for row in csv.DictReader(lines):
    if row.get("Metric Name") != "gpu__time_duration.sum":
        continue
    name = row["Kernel Name"].split("(")[0][:70]
    total[name] += float(row["Metric Value"].replace(",", "")) * scale.get(row["Metric Unit"], 1.0)
    count[name] += 1
whole = sum(total.values())
print(f"== {sys.argv[2] if len(sys.argv) > 2 else sys.argv[1]}: {sum(count.values())} kernels, {whole:.1f} us")
for name, us in sorted(total.items(), key=lambda kv: -kv[1]):
    print(f"{us:10.1f} us {100 * us / whole:5.1f}% {count[name]:5d}x  {name}")
