#!/usr/bin/env python3
"""examples_test.py — every runnable example runs on the shipped models, with no dead letters.

    examples_test.py --mx build/bin/mx --root REPO

Runs examples/hello.mx, examples/debate.mx (first 30 questions), examples/curate.mx and
examples/tickets.mx through `mx run` and checks what does not depend on sampling luck: exit 0, no
dead letters, one record per row where the pipeline promises one, the records' keys, for the
debate that the report script reads the run, and for the tickets that every trial ran, tools were
called and the rewards agree with their parts.
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

        out = run("tickets")
        tickets = records(os.path.join(out, "tickets.jsonl"))
        check(len(tickets) == 7 * 4, f"tickets: 7 scenarios x 4 trials, got {len(tickets)}")
        check(sum(r["tool_calls"] for r in tickets) > 0, "tickets: the agent called tools")
        for r in tickets:
            check(r["reward"] == (1.0 if r["db_ok"] and r["end_ok"] and r["reply_ok"] else 0.0),
                  f"tickets: reward agrees with its parts: {r['id']}")
            calls = [c for m in r["messages"] if m["role"] == "assistant" for c in m["tool_calls"]]
            results = [m for m in r["messages"] if m["role"] == "tool"]
            check(len(calls) == len(results) == r["tool_calls"], f"tickets: every tool call has its result: {r['id']}")

    for f in failures:
        print("FAIL:", f)
    print("ok: hello, debate, curate, tickets" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
