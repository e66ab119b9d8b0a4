#!/usr/bin/env python3
"""metrics_test.py — scrape `mx run --metrics-port 0` while a run goes and check what it serves.

    metrics_test.py --mx build/bin/mx [--promtool promtool] [--rows 3000]

Checks:
  - mx announces the port on stderr and serves GET /metrics (404 elsewhere);
  - every scrape passes `promtool check metrics` (when --promtool is given);
  - the families the docs promise are there, labelled by agent and model: queue length, in flight,
    steps/s, tokens/s, step and call latency histograms;
  - values make sense: in flight never above max_in_flight and above 0 mid-run, counters never go
    down between scrapes, histogram counts keep up with the step counters, the run's output is
    complete;
  - a port that is taken fails the run before it starts, with a message naming the port.
Exit status 0 when all hold.
"""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def parse(text):
    """{(name, frozenset(labels)): value} of the samples in a text exposition."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$', line)
        if not m:
            raise AssertionError(f"not a sample line: {line!r}")
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        samples[(m.group(1), labels)] = float(m.group(4))
    return samples


def value(samples, name, **labels):
    key = (name, frozenset(labels.items()))
    if key not in samples:
        raise AssertionError(f"missing sample {name}{labels}")
    return samples[key]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mx", required=True)
    ap.add_argument("--promtool")
    ap.add_argument("--rows", type=int, default=3000)
    args = ap.parse_args()
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)

    with tempfile.TemporaryDirectory(prefix="mx-metrics-") as tmp:
        rows = os.path.join(tmp, "rows.jsonl")
        with open(rows, "w") as f:
            for i in range(args.rows):
                f.write(json.dumps({"n": i}) + "\n")
        run_dir = os.path.join(tmp, "run")
        proc = subprocess.Popen(
            [args.mx, "run", os.path.join(HERE, "metrics.mx"), "--input", rows, "-o", run_dir,
             "--metrics-port", "0", "--no-progress", "--no-trajectory"],
            stderr=subprocess.PIPE, text=True)
        first = proc.stderr.readline()
        m = re.search(r"http://localhost:(\d+)/metrics", first)
        if not m:
            proc.kill()
            print(f"FAIL: no metrics address on stderr: {first!r}")
            return 1
        url = f"http://127.0.0.1:{m.group(1)}"
        scrapes = []
        while proc.poll() is None:
            try:
                with urllib.request.urlopen(url + "/metrics", timeout=5) as r:
                    check(r.headers.get("Content-Type", "").startswith("text/plain; version=0.0.4"),
                          "Content-Type is the text format's")
                    scrapes.append(r.read().decode())
            except (urllib.error.URLError, ConnectionError):
                break  # the run finished between poll() and the request
            if len(scrapes) == 2:
                try:
                    urllib.request.urlopen(url + "/other", timeout=5)
                    check(False, "GET /other answers 404")
                except urllib.error.HTTPError as e:
                    check(e.code == 404, "GET /other answers 404")
            time.sleep(0.3)
        stderr_rest = proc.stderr.read()
        check(proc.wait() == 0, f"the run exits 0 (stderr: {stderr_rest.strip()})")
        check(len(scrapes) >= 3, f"at least 3 scrapes while the run went ({len(scrapes)})")

        parsed = [parse(s) for s in scrapes]
        if args.promtool:
            for s in scrapes:
                p = subprocess.run([args.promtool, "check", "metrics"], input=s, text=True,
                                   capture_output=True)
                check(p.returncode == 0, f"promtool check metrics: {p.stdout}{p.stderr}")
        saw_busy = False
        previous = None
        for s in parsed:
            for agent in ("ask", "check"):
                value(s, "mx_agent_queue_length", agent=agent)
                steps = value(s, "mx_agent_steps_total", agent=agent)
                hist = value(s, "mx_step_duration_seconds_count", agent=agent)
                # The counter is rendered before the histogram and steps go on in between, so
                # the histogram can only be ahead.
                check(steps <= hist <= steps + 10000, f"step histogram count {hist} vs steps {steps} ({agent})")
                value(s, "mx_step_duration_seconds_bucket", agent=agent, le="+Inf")
            value(s, "mx_llm_call_duration_seconds_bucket", model="m", le="+Inf")
            value(s, "mx_model_in_flight", model="m")
            value(s, "mx_steps_per_second")
            value(s, "mx_tokens_per_second")
            inflight = value(s, "mx_tasks_in_flight")
            check(inflight <= value(s, "mx_max_in_flight") == 40, f"in flight {inflight} <= 40")
            saw_busy |= inflight > 0 and value(s, "mx_steps_per_second") > 0
            if previous:
                for key, v in previous.items():
                    if key[0].endswith("_total") or key[0].endswith("_count"):
                        check(s.get(key, -1) >= v, f"counter {key} never goes down")
            previous = s
        check(saw_busy, "a scrape mid-run shows tasks in flight and steps per second")
        if parsed:
            last = parsed[-1]
            calls = value(last, "mx_llm_call_duration_seconds_count", model="m")
            check(0 < calls <= value(last, "mx_llm_calls_total"), f"call latencies observed ({calls})")
            check(value(last, "mx_llm_call_duration_seconds_sum", model="m") >= calls * 0.014,
                  "call latencies are at least the model's fixed 15 ms")
        with open(os.path.join(run_dir, "out.jsonl")) as f:
            check(sum(1 for _ in f) == args.rows, "every row written")

        # A port that is taken: the run refuses to start and says which port.
        busy = socket.socket()
        busy.bind(("0.0.0.0", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        p = subprocess.run([args.mx, "run", os.path.join(HERE, "metrics.mx"), "--input", rows,
                            "-o", os.path.join(tmp, "run2"), "--metrics-port", str(port),
                            "--no-progress", "--limit", "5"], capture_output=True, text=True)
        check(p.returncode == 1 and f"port {port}" in p.stderr,
              f"a taken port fails with a message naming it (exit {p.returncode}: {p.stderr.strip()})")
        busy.close()

    if failures:
        for f in failures:
            print("FAIL:", f)
        return 1
    print(f"ok: {len(scrapes)} scrapes" + (", all valid for promtool" if args.promtool else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
