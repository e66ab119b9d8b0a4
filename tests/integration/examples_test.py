#!/usr/bin/env python3
"""examples_test.py — every runnable example runs on the shipped models, with no dead letters.

    examples_test.py --mx build/bin/mx --root REPO

Runs examples/hello.mx, examples/debate.mx (first 30 questions) and examples/curate.mx through
`mx run` and checks what does not depend on sampling luck: exit 0, no dead letters, one record
per row where the pipeline promises one, the records' keys, and for the debate that the report
script reads the run. (tickets.mx needs the SQLite tools provider, not in this build yet.)
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def records(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mx", required=True)
    ap.add_argument("--root", required=True)
    args = ap.parse_args()
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)

    with tempfile.TemporaryDirectory(prefix="mx-examples-") as tmp:
        def run(name, *extra):
            out = os.path.join(tmp, name)
            p = subprocess.run([args.mx, "run", os.path.join(args.root, "examples", name + ".mx"),
                                "-o", out, "--no-progress", *extra], capture_output=True, text=True)
            check(p.returncode == 0, f"{name}: exit {p.returncode}: {p.stderr.strip()}")
            dead = os.path.join(out, "dead_letter.jsonl")
            check(not os.path.exists(dead) or not records(dead), f"{name}: dead letters in {dead}")
            return out

        run("hello")

        out = run("debate", "--limit", "30")
        debates = records(os.path.join(out, "debates.jsonl"))
        check(len(debates) == 30, f"debate: 30 records, got {len(debates)}")
        for r in debates:
            check(r["correct"] == (r["agreed"] and r["answer"] == r["truth"]), f"debate: 'correct' is consistent: {r['id']}")
            check(0 <= r["rounds"] <= 2 and len(r["a"]) == 2 * (r["rounds"] + 1), f"debate: turns match rounds: {r['id']}")
        report = subprocess.run([sys.executable, os.path.join(args.root, "examples", "debate_report.py"), out],
                                capture_output=True, text=True)
        check(report.returncode == 0 and "consensus" in report.stdout, f"debate_report: {report.stderr}")

        out = run("curate")
        qa = records(os.path.join(out, "curated_qa.jsonl"))
        rejected = records(os.path.join(out, "curated_rejected.jsonl"))
        check(len(qa) > 0, "curate: some question/answer pairs")
        check(any(r["stage"] == "filter" for r in rejected), "curate: the heuristic filter rejects junk")
        for r in qa:
            check(set(r) >= {"url", "question", "answer", "score", "passage"}, f"curate: record keys {sorted(r)}")

    for f in failures:
        print("FAIL:", f)
    print("ok: hello, debate, curate" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
