#!/usr/bin/env python3
"""debate_report.py — consensus vs single-agent accuracy of a debate.mx run.

    python3 examples/debate_report.py RUN_DIR        (reads RUN_DIR/debates.jsonl)

Single-agent accuracy is each solver's first answer (before it saw the other's), averaged over
both solvers: the same questions, the same model, one sample each. Consensus accuracy counts a
question right only when the solvers agreed on the true answer (no agreement counts as wrong).
"""
import json
import os
import sys
from collections import defaultdict


def main():
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(sys.argv) == 2 else 2
    path = os.path.join(sys.argv[1], "debates.jsonl")
    try:
        with open(path) as f:
            records = [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError) as e:
        print(f"debate_report: {path}: {e}", file=sys.stderr)
        return 3
    if not records:
        print(f"debate_report: {path} has no records", file=sys.stderr)
        return 1
    by_op = defaultdict(list)
    for r in records:
        by_op[r["op"]].append(r)
        by_op["all"].append(r)

    def pct(rows, key):
        return 100.0 * sum(1 for r in rows if key(r)) / len(rows)

    print(f"{'questions':<10}{'n':>5}{'single agent':>15}{'consensus':>12}{'agreed':>9}{'rounds':>9}")
    for op in sorted(k for k in by_op if k != "all") + ["all"]:
        rows = by_op[op]
        single = (pct(rows, lambda r: r["first_a_correct"]) + pct(rows, lambda r: r["first_b_correct"])) / 2
        print(f"{op:<10}{len(rows):>5}{single:>14.1f}%{pct(rows, lambda r: r['correct']):>11.1f}%"
              f"{pct(rows, lambda r: r['agreed']):>8.0f}%{sum(r['rounds'] for r in rows) / len(rows):>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
