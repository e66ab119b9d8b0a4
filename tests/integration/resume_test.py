#!/usr/bin/env python3
"""resume_test.py — kill a run with SIGKILL at random moments, resume it each time, and check that
the output is exactly that of an uninterrupted run (ARCHITECTURE.md invariant 4).

    resume_test.py --mx build/bin/mx --mxc build/bin/mxc [--rows 100000] [--kills 5] [--seed S]

The pipeline is resume.mx: awaits of one and two concurrent calls on a simulated model with a few
milliseconds of latency across three agents, so thousands of tasks are mid-step or mid-await
whenever the kill lands. Some input lines are not JSON and some rows fail on purpose, so the
dead-letter file takes part too. Checks, after the last resume finished the run:
  - every row id appears exactly once across answers.jsonl and dead_letter.jsonl;
  - answers.jsonl, notes.jsonl and dead_letter.jsonl equal the uninterrupted run's (sorted);
  - the journal says the run is complete, and a further --resume has nothing to do.
  - with --check-trajectory (needs the `capnp` tool): both runs' trajectory.log decode with
    `capnp decode`; in the resumed run every task's steps are 0, 1, 2, ... with no gap, its last
    step is done or fail, and each step equals the uninterrupted run's step of the same key
    (agent, resume point, effect, random state, call seeds and results; not the timings).
Exit status 0 when all hold; the summary says how each kill was resumed.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def write_rows(path, rows):
    """Row i has "id": i. Every 4999th line (from 17) is not JSON: a bad row, still row id i."""
    with open(path, "w") as f:
        for i in range(rows):
            if i % 4999 == 17:
                f.write('{"id": %d, "n": oops}\n' % i)
            else:
                f.write('{"id": %d, "n": %d}\n' % (i, (i * 7919) % 100003))


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def read_blocks(path):
    """The messages of a run log (docs/trajectory.md §1): the payloads of its intact blocks."""
    with open(path, "rb") as f:
        data = f.read()
    at, out = 0, bytearray()
    while at + 16 <= len(data):
        magic, length, _, _ = struct.unpack_from("<IIII", data, at)
        if magic != 0x3142584D or at + 16 + length > len(data):
            break
        out += data[at + 16:at + 16 + length]
        at += 16 + length
    return bytes(out)


STEP_KEY = re.compile(r"rowId = (\d+), trial = (\d+), step = (\d+)")
TIMING = re.compile(r", (startNs|durationNs|latencyNs) = \d+|, restored = (true|false)")


def trajectory(path):
    """(row, trial) -> {step: record text without timings}; the last record of a key wins."""
    schema = os.path.join(HERE, "..", "..", "runtime", "schema", "task.capnp")
    r = subprocess.run(["capnp", "decode", "--short", os.path.abspath(schema), "TrajectoryRecord"],
                       input=read_blocks(path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    tasks = {}
    for line in r.stdout.decode().splitlines():
        m = STEP_KEY.search(line)
        if m:
            tasks.setdefault((int(m.group(1)), int(m.group(2))), {})[int(m.group(3))] = TIMING.sub("", line)
    return tasks


def check_trajectory(ref_dir, out_dir):
    problems = []
    ref, got = trajectory(os.path.join(ref_dir, "trajectory.log")), trajectory(os.path.join(out_dir, "trajectory.log"))
    if set(ref) != set(got):
        problems.append(f"trajectory: {len(got)} tasks, the uninterrupted run has {len(ref)}")
    gaps = [k for k, steps in got.items() if sorted(steps) != list(range(len(steps)))]
    unfinished = [k for k, steps in got.items()
                  if not re.search(r"effect = (done|fail)", steps[max(steps)])]
    differ = [k for k in ref if k in got and ref[k] != got[k]]
    if gaps:
        problems.append(f"trajectory: {len(gaps)} tasks with missing steps, e.g. {sorted(gaps)[:5]}")
    if unfinished:
        problems.append(f"trajectory: {len(unfinished)} tasks whose last step is not done/fail, e.g. {sorted(unfinished)[:5]}")
    if differ:
        k = sorted(differ)[0]
        s = next(i for i in sorted(ref[k]) if ref[k].get(i) != got[k].get(i))
        problems.append(f"trajectory: {len(differ)} tasks differ from the uninterrupted run, e.g. row {k[0]} "
                        f"trial {k[1]} step {s}:\n    {ref[k].get(s)}\n    {got[k].get(s)}")
    print(f"  trajectory: {len(got)} tasks, {sum(len(v) for v in got.values())} steps checked")
    return problems


def lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return f.read().splitlines()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mx", required=True)
    ap.add_argument("--mxc", required=True)
    ap.add_argument("--rows", type=int, default=100000)
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--seed", type=int, default=None, help="seed of the kill times (default: random)")
    ap.add_argument("--max-delay", type=float, default=None,
                    help="latest kill, seconds after a (re)start (default: so that all kills land "
                         "before the run could finish)")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--check-trajectory", action="store_true",
                    help="also compare the trajectory logs (decoded with the capnp tool)")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    work = tempfile.mkdtemp(prefix="mx-resume-")
    failures = []
    try:
        rows = os.path.join(work, "rows.jsonl")
        write_rows(rows, args.rows)
        so = os.path.join(work, "resume.so")
        r = run([args.mxc, "-o", so, os.path.join(HERE, "resume.mx")])
        if r.returncode != 0:
            print(r.stderr, file=sys.stderr)
            return 1
        base = [args.mx, "run", "--aot", so, "--input", rows, "--no-progress"]
        extra = ["--workers", str(args.workers)] if args.workers else []

        # The reference: one uninterrupted run.
        ref = os.path.join(work, "ref")
        t0 = time.time()
        r = run(base + extra + ["-o", ref])
        clean = time.time() - t0
        if r.returncode != 0:
            print("reference run failed:\n" + r.stderr, file=sys.stderr)
            return 1
        max_delay = args.max_delay if args.max_delay is not None else max(0.5, 1.6 * clean / (args.kills + 1))
        print(f"resume_test: {args.rows} rows, seed {seed}; clean run {clean:.1f} s; {args.kills} kills "
              f"at 0.2..{max_delay:.1f} s after each (re)start")

        # The same run, killed with SIGKILL at random moments and resumed each time.
        out = os.path.join(work, "crash")
        cmd = base + extra + ["-o", out]
        kills = 0
        for k in range(args.kills + 1):
            p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            last = k == args.kills
            if last:
                _, err = p.communicate()
            else:
                delay = rng.uniform(0.2, max_delay)
                try:
                    _, err = p.communicate(timeout=delay)
                    last = True  # it finished before the kill
                except subprocess.TimeoutExpired:
                    p.send_signal(signal.SIGKILL)
                    _, err = p.communicate()
                    kills += 1
            said = [l for l in err.splitlines() if l.startswith("mx: resuming")]
            what = "finished" if p.returncode == 0 else f"killed after {delay:.2f} s"
            print(f"  run {k}: {what}" + (f" ({said[0][4:]})" if said else ""))
            if p.returncode not in (0, -signal.SIGKILL):
                failures.append(f"run {k} exited with {p.returncode}:\n{err}")
                break
            if p.returncode == 0:
                break
            if os.path.exists(os.path.join(out, "journal.log")):
                cmd = [args.mx, "run", "--resume", out, "--no-progress"] + extra  # the program from the journal
            else:  # killed while compiling, before the run began: nothing to resume, start it again
                print(f"  run {k}: killed before the journal existed; starting again")

        if not failures:
            r = run([args.mx, "run", "--resume", out, "--no-progress"])
            if r.returncode != 0 or "already finished" not in r.stderr:
                failures.append("a resume of the finished run did not say it was finished:\n" + r.stderr)

        # Every row exactly once, and the same records as the uninterrupted run.
        if not failures:
            seen = {}
            for line in lines(os.path.join(out, "answers.jsonl")):
                i = json.loads(line)["id"]
                seen[i] = seen.get(i, 0) + 1
            for line in lines(os.path.join(out, "dead_letter.jsonl")):
                i = json.loads(line)["row"]
                seen[i] = seen.get(i, 0) + 1
            missing = [i for i in range(args.rows) if i not in seen]
            twice = [i for i, n in seen.items() if n > 1]
            if missing:
                failures.append(f"{len(missing)} rows lost, e.g. {missing[:10]}")
            if twice:
                failures.append(f"{len(twice)} rows written more than once, e.g. {sorted(twice)[:10]}")
            for name in ("answers.jsonl", "notes.jsonl", "dead_letter.jsonl"):
                a = sorted(lines(os.path.join(ref, name)))
                b = sorted(lines(os.path.join(out, name)))
                if a != b:
                    extra_b = len(set(b) - set(a))
                    lost_b = len(set(a) - set(b))
                    failures.append(f"{name}: {len(b)} lines vs {len(a)} uninterrupted "
                                    f"({lost_b} missing, {extra_b} unexpected)")
            if args.check_trajectory:
                failures += check_trajectory(ref, out)
            print(f"  {kills} kills; rows: {len(seen)} distinct ids of {args.rows}; answers {len(lines(os.path.join(out, 'answers.jsonl')))}, "
                  f"notes {len(lines(os.path.join(out, 'notes.jsonl')))}, "
                  f"dead letters {len(lines(os.path.join(out, 'dead_letter.jsonl')))}")
    finally:
        if args.keep or failures:
            print(f"  work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("resume_test: FAILED (seed %d)\n  - " % seed + "\n  - ".join(failures))
        return 1
    print("resume_test: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
