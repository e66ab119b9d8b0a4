#!/usr/bin/env python3
"""repl_test.py — `mx repl` as a person and as a script use it.

    repl_test.py --mx build/bin/mx --root REPO [--debate-rows 12]

Checks, on fresh runs of examples/hello.mx and examples/debate.mx (tiny-arith on the CPU engine):
  - scripts (standard input): `replay` says "every step identical" for every task of the runs
    (hello, debate, curate and tickets);
    show / history / diff / eval / tasks filters agree with the run's sink records;
  - `fork` with an edit that matters (hello: no numbers before crunch; debate: another question,
    another seed) exports a trajectory different from the original's, and one that does not
    matter (a field the next step overwrites) leaves the records as they were;
  - break / watch / run / continue / step stop where they should;
  - bad input (unknown command, task, turn, field, ill-typed value, a run directory of another
    pipeline) prints one `error:` line and the session goes on; a script with errors exits 1;
  - a pseudo-terminal session: tab completion of commands, task ids, agents and fields; the
    up arrow recalls the last command.
Exit status 0 when all hold.
"""
import argparse
import json
import os
import pty
import re
import select
import subprocess
import sys
import tempfile
import time

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def script(mx, program, run_dir, lines, timeout=300):
    """Runs `mx repl` with `lines` on standard input; returns (rc, stdout, stderr)."""
    cmd = [mx, "repl", program] + ([run_dir] if run_dir else [])
    p = subprocess.run(cmd, input="\n".join(lines) + "\n", capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def sink(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def task_ids(out):
    return re.findall(r"^(\S+)\s+(?:done|failed|running)\s+\d+", out, re.M)


def test_replay(mx, program, run_dir, name):
    rc, out, err = script(mx, program, run_dir, ["tasks"])
    ids = task_ids(out)
    check(rc == 0 and ids, f"{name}: tasks lists the run's tasks (rc {rc}, {err.strip()})")
    rc, out, err = script(mx, program, run_dir, [f"replay {i}" for i in ids])
    same = re.findall(r"^replay of task (\S+): \d+ steps, every step identical$", out, re.M)
    check(rc == 0 and same == ids,
          f"{name}: every replay identical ({len(same)} of {len(ids)}): {out[-2000:]}{err}")
    return ids


def export(mx, program, run_dir, lines, tmp, tag):
    """Runs `lines` then exports the tasks named in the returned dict; {id: exported JSON}."""
    rc, out, err = script(mx, program, run_dir, lines)
    files = {}
    for line in lines:
        if line.startswith("export "):
            _, task, path = line.split()
            with open(path) as f:
                files[task] = json.load(f)
    return rc, out, err, files


def test_hello(mx, root, tmp):
    program = os.path.join(root, "examples", "hello.mx")
    run_dir = os.path.join(tmp, "hello")
    subprocess.run([mx, "run", program, "-o", run_dir], check=True, capture_output=True)
    ids = test_replay(mx, program, run_dir, "hello")
    cards = {r["id"]: r for r in sink(os.path.join(run_dir, "hello_cards.jsonl"))}

    # Inspecting: task 0 is row 0 (h1, numbers in its note: intake -> crunch -> card).
    rc, out, err = script(mx, program, run_dir, [
        "show 0", "show 0 0", "history 0", "diff 0 0 3", "eval greeting", "eval len(numbers) > 0",
        "eval t.scores[len(t.scores) - 1]", "tasks --status done --agent crunch", "tasks --where id == \"h1\""])
    check(rc == 0, f"hello inspect script exits 0: {err}")
    check(f'greeting: string = {json.dumps(cards["h1"]["greeting"])}' in out,
          "show 0 prints the greeting the sink has")
    check(re.search(r"at turn 0 of 3\n  agent intake .*\n(.*\n)*  greeting: string = \"\"", out),
          "show 0 0 is the state the row made (empty greeting, agent intake)")
    check(re.search(r"step 0  intake \(resume 0\) -> goto crunch", out), "history names each step")
    check('  greeting: "" -> "Hello, Ada Lovelace!"' in out, "diff 0 0 3 shows the greeting set")
    check('\n"Hello, Ada Lovelace!"\ntrue\n10\n' in out, "eval of paths, len() and comparisons")

    crunch_tasks = re.findall(r"^(\S+)\s+done\s+3 ", out, re.M)
    check(len(crunch_tasks) >= 1 and "0" in crunch_tasks, "tasks --agent crunch finds task 0")
    check("\n1 task\n" in out, "tasks --where id == \"h1\" finds one task")

    # eval compiles any .mx expression with the JIT: built-ins, comprehension-free arithmetic,
    # string templates; a type error or a runtime failure is one error line.
    rc2, out2, err2 = script(mx, program, run_dir, [
        "show 0", "eval upper(greeting) + \"?\"", "eval len(split(t.greeting, \" \")) * 10",
        "eval \"${len(numbers)} numbers\"", "eval greeting + 1", "eval numbers[100]"])
    want_upper = json.dumps(cards["h1"]["greeting"].upper() + "?")
    want_words = str(len(cards["h1"]["greeting"].split(" ")) * 10)
    check(f"\n{want_upper}\n{want_words}\n" in out2, f"eval runs .mx built-ins: {out2[-400:]}")
    check(re.search(r'^"\d+ numbers"$', out2, re.M), "eval interpolates string templates")
    evals = [l for l in err2.splitlines() if l.startswith("error: ")]
    check(rc2 == 1 and len(evals) == 2, f"a type error and an index failure: one line each ({err2})")

    # Forks: no numbers before crunch changes what the task emits; a greeting that intake
    # overwrites does not.
    a, b = os.path.join(tmp, "h0.json"), os.path.join(tmp, "hf1.json")
    c = os.path.join(tmp, "hf2.json")
    rc, out, err, files = export(mx, program, run_dir, [
        "fork 0 1 set numbers = []", f"export 0 {a}", f"export f1 {b}",
        "fork 0 0 set greeting = \"overwritten\"", f"export f2 {c}"], tmp, "hello")
    check(rc == 0, f"hello fork script exits 0: {err}")
    check(re.search(r"^\* numbers\s+\[1843\]\s+\[\]$", out, re.M), "the fork shows the edit")
    orig, fork1, fork2 = files["0"], files["f1"], files["f2"]
    check([s["emits"] for s in orig["steps"][1:]] != [s["emits"] for s in fork1["steps"]],
          "fork with numbers = [] emits a different trajectory")
    check(fork2["final"] == orig["final"] and
          [s["emits"] for s in fork2["steps"]] == [s["emits"] for s in orig["steps"]],
          "fork with an edit intake overwrites ends as the original")

    # Live stepping without a run: break, watch, continue, step.
    rc, out, err = script(mx, program, None, [
        "break card", "watch numbers", "run 2", "continue", "show 0", "step 0", "clear",
        "continue", "tasks"])
    check(rc == 0, f"hello live script exits 0: {err}")
    check("watch: task 0 step 0 changed numbers: [] -> [1843]" in out, "watch stops on a change")
    check("break: task 0 is about to run agent 'card'" in out or
          "break: task 1 is about to run agent 'card'" in out, "break stops before card")
    check(re.search(r"step \d+  card \(resume 0\) -> done", out), "step runs the card step")
    check("every live task has ended" in out and len(re.findall(r"^\S+\s+done\s+\d+", out, re.M)) == 2,
          "continue after clear runs both rows to the end")

    # Bad input: one line each, the session goes on, the script exits 1.
    rc, out, err = script(mx, program, run_dir, [
        "frobnicate", "show 42", "show 0 9", "fork 0 1 set nope = 1", "fork 0 1 set numbers = \"x\"",
        "eval (", "tasks --status maybe", "break nobody", "tasks"])
    errors = [l for l in err.splitlines() if l.startswith("error: ")]
    check(rc == 1, f"a script with errors exits 1 (got {rc})")
    check(len(errors) == 8, f"one error line per bad command (got {len(errors)}: {err})")
    check(len(task_ids(out)) == len(ids), "the session goes on after errors")
    for frag in ["unknown command 'frobnicate'", "no task '42'", "turns 0 to 3", "no field 'nope'",
                 "does not fit list<int>", "no agent named 'nobody'"]:
        check(frag in err, f"error names the problem: {frag}")
    return run_dir


def test_debate(mx, root, tmp, rows, hello_run):
    program = os.path.join(root, "examples", "debate.mx")
    run_dir = os.path.join(tmp, "debate")
    subprocess.run([mx, "run", program, "-o", run_dir, "--limit", str(rows)], check=True,
                   capture_output=True)
    ids = test_replay(mx, program, run_dir, "debate")
    check(len(ids) == rows, f"debate: {rows} tasks (got {len(ids)})")

    rc, out, err = script(mx, program, run_dir, ["history 0"])
    check(re.search(r"call 0: model solver\.chat  seed \d+  tokens \d+ in, \d+ out", out) and
          "completion: [assistant]" in out and "[user] " in out,
          "history shows calls with seeds, tokens, prompts and completions")
    question = sink(os.path.join(run_dir, "debates.jsonl"))
    rendered = re.search(r"rendered prompt \(chat template\):\n      \| <\|endoftext\|><\|user\|>\n"
                         r"      \| (.*)<\|end\|>\n      \| <\|assistant\|>\n", out)
    check(rendered and rendered.group(1) in {r["question"] for r in question},
          "history shows the prompt as tiny-arith's chat template renders it")

    # A fork with another question and another seed changes the calls; the same seed and no edit
    # repeats the original exactly.
    files = [os.path.join(tmp, f"d{i}.json") for i in range(4)]
    rc, out, err, got = export(mx, program, run_dir, [
        "fork 0 0 set question = \"What is 2 + 2?\"", "fork 0 0 seed 12345", "fork 0 0",
        f"export 0 {files[0]}", f"export f1 {files[1]}", f"export f2 {files[2]}",
        f"export f3 {files[3]}"], tmp, "debate")
    check(rc == 0, f"debate fork script exits 0: {err}")
    orig = got["0"]

    def calls(t):
        return [(c["args"], c["result"]) for s in t["steps"] for c in s.get("calls", [])]

    check(calls(got["f1"]) != calls(orig), "fork with another question calls with other prompts")
    check("2 + 2" in json.dumps(got["f1"]["steps"][0]["calls"][0]["args"]), "the fork asked it")
    check([c["seed"] for s in got["f2"]["steps"] for c in s.get("calls", [])] !=
          [c["seed"] for s in orig["steps"] for c in s.get("calls", [])], "fork seed S reseeds calls")
    check(calls(got["f3"]) == calls(orig) and got["f3"]["final"] == orig["final"],
          "a fork without edits repeats the original")

    # prompt AGENT = "…": every chat call of that agent gets the system prompt, and the calls change.
    pf = os.path.join(tmp, "dp.json")
    rc, out, err, got = export(mx, program, run_dir, [
        "fork 0 0 prompt ask = \"You answer in one word.\"", f"export f1 {pf}"], tmp, "debate-prompt")
    check(rc == 0, f"debate prompt fork exits 0: {err}")
    firsts = [c["args"][0][0] for s in got["f1"]["steps"] for c in s.get("calls", [])]
    check(firsts and all(m == {"role": "system", "content": "You answer in one word.", "tool_calls": []}
                         for m in firsts), f"every call of ask starts with the new system prompt: {firsts[:2]}")
    check(calls(got["f1"]) != calls(orig), "the prompt fork's calls differ from the original's")

    # A run directory of another pipeline: refused in one line; the session goes on.
    rc, out, err = script(mx, program, hello_run, ["tasks", f"load {run_dir}", "tasks"])
    check(re.search(r"^error: .*another pipeline or another version of it", err, re.M),
          f"a run of another pipeline is refused: {err}")
    check("0 tasks" in out and len(task_ids(out)) == rows, "then load opens the right one")

    # step on a live row with the model: break before compare, step it, it goes on to report.
    rc, out, err = script(mx, program, None, ["break compare", "run 1", "step 0", "show 0"])
    check(rc == 0 and "break: task 0 is about to run agent 'compare'" in out and
          re.search(r"step 2  compare \(resume 0\) -> goto (report|ask)", out),
          f"break and step with the model: {out[-1500:]}{err}")


class Pty:
    """mx repl on a pseudo-terminal: write keys, wait for output."""

    def __init__(self, argv, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(argv[0], argv, env)
        self.buf = b""

    def read_until(self, pattern, timeout=60):
        end = time.time() + timeout
        rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        while time.time() < end:
            if rx.search(self.buf):
                return True
            r, _, _ = select.select([self.fd], [], [], 0.2)
            if r:
                try:
                    self.buf += os.read(self.fd, 65536)
                except OSError:
                    break
        return bool(rx.search(self.buf))

    def send(self, text):
        os.write(self.fd, text.encode())

    def take(self):
        b, self.buf = self.buf, b""
        return b

    def close(self, grace=10):
        """Waits up to `grace` seconds for the session to end by itself, then kills it."""
        if self.pid is None:
            return True
        end = time.time() + grace
        while time.time() < end:
            self.read_until(r"(?!)", timeout=0.2)  # keep draining so the child never blocks
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                self.pid = None
                return True
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        self.pid = None
        return False


def test_pty(mx, root, hello_run, tmp):
    env = dict(os.environ, TERM="xterm", HOME=tmp)
    s = Pty([mx, "repl", os.path.join(root, "examples", "hello.mx"), hello_run], env)
    try:
        check(s.read_until(r"mx> "), "the terminal session shows a prompt")
        s.take()
        s.send("sh\t")  # the command completes to "show "
        # libedit writes the completed word's tail after moving the cursor: "sh", then "ow ".
        check(s.read_until(r"(show|ow) $"), f"tab completes 'sh' to 'show ': {s.buf!r}")
        s.send("5\t\r")  # a task id: "5" is unique
        check(s.read_until(r"task 5 \(done"), f"the completed command runs: {s.buf[-300:]!r}")
        s.read_until(r"mx> ")
        s.take()
        s.send("break cr\t\r")
        check(s.read_until(r"break before agent crunch"), f"agent names complete: {s.buf!r}")
        s.read_until(r"mx> ")
        s.take()
        s.send("watch gree\t\r")
        check(s.read_until(r"watch greeting\r?\n"), f"field names complete: {s.buf!r}")
        s.read_until(r"mx> ")
        s.take()
        s.send("eval greeting\r")
        check(s.read_until(r'"Hello, Grace Hopper!"|"Hello, [^"]*!"'), "eval in the terminal")
        s.read_until(r"mx> ")
        s.take()
        s.send("\x1b[A")  # up arrow: the last line again
        check(s.read_until(r"eval greeting"), f"the up arrow recalls the last command: {s.buf!r}")
        s.send("\r")
        check(s.read_until(r'"Hello, [^"]*!"'), "and it runs again")
        s.read_until(r"mx> ")
        s.take()
        s.send("nonsense\r")
        check(s.read_until(r"error: unknown command 'nonsense'"), "bad input in the terminal")
        check(s.read_until(r"mx> "), "the terminal session goes on after an error")
        s.send("quit\r")
        check(s.close(), "quit ends the terminal session")
    finally:
        s.close(grace=0)
    check(os.path.exists(os.path.join(tmp, ".mx_repl_history")), "history is saved in $HOME")


def test_tools_and_curation(mx, root, tmp):
    """replay is exact for the other two workloads too: curate.mx (tiny-agent as a judge) and
    tickets.mx (two roles, tool calls over a per-task database, a grade that reads it: the
    database must be rebuilt by re-running the tools, or `matches` would differ)."""
    for name, extra in (("curate", []), ("tickets", ["--limit", "3"])):
        program = os.path.join(root, "examples", name + ".mx")
        run_dir = os.path.join(tmp, name)
        subprocess.run([mx, "run", program, "-o", run_dir, "--no-progress", *extra], check=True,
                       capture_output=True)
        test_replay(mx, program, run_dir, name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mx", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--debate-rows", type=int, default=12)
    args = ap.parse_args()
    mx = os.path.abspath(args.mx)
    with tempfile.TemporaryDirectory() as tmp:
        hello_run = test_hello(mx, args.root, tmp)
        test_pty(mx, args.root, hello_run, tmp)
        test_debate(mx, args.root, tmp, args.debate_rows, hello_run)
        test_tools_and_curation(mx, args.root, tmp)
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("repl_test: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
