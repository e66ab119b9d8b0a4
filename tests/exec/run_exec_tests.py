#!/usr/bin/env python3
"""run_exec_tests.py — execution tests of .mx pipelines (tests/exec/README.md).

Every case folder holds one .mx program, its input rows and the records it must write. The
driver runs the program twice, in process (`mx run FILE.mx`, JIT) and ahead of time (`mxc -o
X.so FILE.mx`, then `mx run --aot X.so`), and checks that

  * each run's sinks hold exactly the expected records (sorted lines: row mode writes records in
    no fixed order), and its dead letters the expected ones (row, trial, agent, error text);
  * the JIT and AOT runs wrote the same files, record for record (a differential check);
  * optional extras from the case's test.json: counters in stats.json, variants with other
    command-line options (--mode batch, --seed, --limit, ...) and repeated runs.

Usage:
  run_exec_tests.py [--mx PATH] [--mxc PATH] [-j N] [--keep] [--update] [CASE_DIR ...]

Without CASE_DIR it runs every folder under tests/exec/cases and tests/exec/examples (never
tests/exec/known-bugs: those are run only by naming them). --update rewrites the expected files
of the named cases from the JIT run: use it to start a new case, then check every line by hand.
Exit status: 0 if every case passed, 1 otherwise.
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DEAD = "dead_letter.jsonl"
DEAD_KEYS = ["row", "trial", "agent", "error"]   # what a dead letter is compared on by default
RUN_TIMEOUT = 60                                  # seconds for one mx/mxc invocation

# Keys a test.json may hold (anything else is a mistake in the case).
CONFIG_KEYS = {
    "description",   # one line: what the case covers
    "program",       # the .mx file, relative to the case folder (default: the only *.mx there)
    "input",         # rows for --input (default "input.jsonl"); null runs the .mx's own source
    "args",          # extra arguments for every `mx run` of the case
    "expected",      # folder of expected files (default "expected")
    "compare",       # "lines" (default: exact text, sorted) or "json" (parsed, sorted)
    "dead_keys",     # keys a dead letter is compared on (default row, trial, agent, error)
    "exit_code",     # expected exit status of `mx run` (default 0)
    "stderr",        # list of strings mx run's stderr must contain
    "stats",         # {counter: value} that stats.json must hold, for every run
    "stats_max",     # {counter: bound} that stats.json must not exceed
    "repeat",        # run the JIT program this many more times; each must match again
    "variants",      # [{name, args, expected?, modes?, must_differ?, stats?}] more runs
    "modes",         # which ways to run the base case: ["jit", "aot"] (default both)
    "run_cwd",       # run `mx run` from this folder (relative to the case) instead of the case
                     # folder; the JIT program and --input are then passed as absolute paths
    "ordered",       # {"group": key, "field": key}: within each group the field never
                     # decreases in file order (a task's records are written in emit order)
}
VARIANT_KEYS = {"name", "args", "expected", "modes", "must_differ", "stats", "stats_max"}


class CaseFailure(Exception):
    pass


def read_lines(path):
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CaseFailure(f"{path}: not UTF-8 ({e})")
    if text and not text.endswith("\n"):
        raise CaseFailure(f"{path}: the last line has no newline")
    return [line for line in text.split("\n") if line != ""]


def collect(rundir):
    """Every .jsonl file under the run directory: relative name -> list of lines."""
    out = {}
    for dirpath, _, files in os.walk(rundir):
        for name in files:
            if name.endswith(".jsonl"):
                full = os.path.join(dirpath, name)
                out[os.path.relpath(full, rundir)] = read_lines(full)
    return out


def canon(obj):
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def parse_lines(name, lines):
    recs = []
    for i, line in enumerate(lines, 1):
        try:
            recs.append(json.loads(line))
        except ValueError as e:
            raise CaseFailure(f"{name}:{i}: not JSON ({e}): {line!r}")
    return recs


def dead_letter_key(rec, dead_keys, case_dir):
    """The compared part of a dead letter. File names in the error text are made relative to the
    case folder ("/abs/case/input.jsonl:3:" and "./input.jsonl:3:" both read "input.jsonl:3:"),
    so the check does not depend on how the runtime spells a path it was given."""
    out = {k: rec[k] for k in dead_keys if k in rec}
    if isinstance(out.get("error"), str):
        err = out["error"]
        if case_dir:
            err = err.replace(case_dir.rstrip("/") + "/", "")
        if err.startswith("./"):
            err = err[2:]
        out["error"] = err
    return canon(out)


def normalize(name, lines, cfg, dead_keys, case_dir=None):
    """The comparable form of one file: a sorted list of strings."""
    if name == DEAD:
        recs = parse_lines(name, lines)
        return sorted(dead_letter_key(r, dead_keys, case_dir) for r in recs)
    if cfg.get("compare", "lines") == "json":
        return sorted(canon(r) for r in parse_lines(name, lines))
    return sorted(lines)


def diff_lists(label, want, got, limit=8):
    """A short description of how two sorted lists differ (multiset difference)."""
    from collections import Counter
    cw, cg = Counter(want), Counter(got)
    missing = list((cw - cg).elements())
    extra = list((cg - cw).elements())
    msg = [f"{label}: {len(want)} expected, {len(got)} written"]
    for line in missing[:limit]:
        msg.append(f"  - expected, not written: {line}")
    if len(missing) > limit:
        msg.append(f"  ... {len(missing) - limit} more missing")
    for line in extra[:limit]:
        msg.append(f"  + written, not expected: {line}")
    if len(extra) > limit:
        msg.append(f"  ... {len(extra) - limit} more unexpected")
    return "\n".join(msg)


def compare_files(label, expected, actual, cfg, dead_keys, case_dir=None):
    """expected/actual: name -> lines. Dead letters missing on one side count as empty."""
    problems = []
    names = sorted(set(expected) | set(actual))
    for name in names:
        if name != DEAD:
            if name not in actual:
                problems.append(f"{label}: sink file {name} was not written")
                continue
            if name not in expected:
                problems.append(f"{label}: unexpected file {name} ({len(actual[name])} records)")
                continue
        want = normalize(name, expected.get(name, []), cfg, dead_keys, case_dir)
        got = normalize(name, actual.get(name, []), cfg, dead_keys, case_dir)
        if want != got:
            problems.append(diff_lists(f"{label}: {name}", want, got))
    return problems


def check_order(label, files, spec):
    """Records with the same spec["group"] value must appear with spec["field"] not decreasing."""
    problems = []
    for name, lines in files.items():
        if name == DEAD:
            continue
        last = {}
        for i, rec in enumerate(parse_lines(name, lines), 1):
            if spec["group"] not in rec or spec["field"] not in rec:
                continue
            g, v = canon(rec[spec["group"]]), rec[spec["field"]]
            if g in last and last[g] > v:
                problems.append(f"{label}: {name}:{i}: {spec['field']} {v} follows {last[g]} "
                                f"for {spec['group']} {g} (records out of emit order)")
                break
            last[g] = v
    return problems


def run(cmd, cwd, timeout=RUN_TIMEOUT):
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        raise CaseFailure(f"timed out after {timeout} s: {' '.join(cmd)}")
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


class Case:
    def __init__(self, path, opts):
        self.path = os.path.abspath(path)
        self.name = os.path.basename(self.path.rstrip("/"))
        self.opts = opts
        if not os.path.isdir(self.path):
            raise CaseFailure("not a case folder")
        cfg_path = os.path.join(self.path, "test.json")
        self.cfg = {}
        if os.path.exists(cfg_path):
            with open(cfg_path) as f:
                self.cfg = json.load(f)
        unknown = set(self.cfg) - CONFIG_KEYS
        if unknown:
            raise CaseFailure(f"test.json: unknown keys {sorted(unknown)}")
        for v in self.cfg.get("variants", []):
            bad = set(v) - VARIANT_KEYS
            if bad or "name" not in v:
                raise CaseFailure(f"test.json: variant {v.get('name')}: bad keys {sorted(bad)}")
        prog = self.cfg.get("program")
        if prog is None:
            mx_files = sorted(f for f in os.listdir(self.path) if f.endswith(".mx"))
            if len(mx_files) != 1:
                raise CaseFailure(f"expected exactly one .mx file, found {mx_files}")
            prog = mx_files[0]
        self.program = prog
        self.input = self.cfg.get("input", "input.jsonl")
        self.dead_keys = self.cfg.get("dead_keys", DEAD_KEYS)

    def expected(self, folder):
        d = os.path.join(self.path, folder)
        if not os.path.isdir(d) and self.cfg.get("exit_code", 0) != 0:
            return {}   # a run that must fail may write no records at all
        if not os.path.isdir(d):
            raise CaseFailure(f"no expected folder {folder}/ (run with --update to start one)")
        return collect(d)

    def mx_run(self, mode, so, rundir, extra):
        cwd = self.path
        program, rows = self.program, self.input
        if "run_cwd" in self.cfg:
            cwd = os.path.normpath(os.path.join(self.path, self.cfg["run_cwd"]))
            program = os.path.join(self.path, program)
            rows = None if rows is None else os.path.join(self.path, rows)
        cmd = [self.opts.mx, "run"]
        cmd += [program] if mode == "jit" else ["--aot", so]
        if rows is not None:
            cmd += ["--input", rows]
        cmd += ["-o", rundir, "--no-progress"] + list(self.cfg.get("args", [])) + list(extra)
        rc, out, err = run(cmd, cwd)
        want_rc = self.cfg.get("exit_code", 0)
        label = f"{mode} `{' '.join(os.path.basename(c) if c in (so, self.opts.mx) else c for c in cmd)}`"
        if rc != want_rc:
            raise CaseFailure(f"{label}: exit status {rc}, expected {want_rc}\n"
                              f"--- stderr:\n{err.strip()}")
        for s in self.cfg.get("stderr", []):
            if s not in err:
                raise CaseFailure(f"{label}: stderr lacks {s!r}\n--- stderr:\n{err.strip()}")
        return label

    def check_stats(self, label, rundir, exact, bounds):
        if not exact and not bounds:
            return []
        path = os.path.join(rundir, "stats.json")
        if not os.path.exists(path):
            return [f"{label}: no stats.json"]
        with open(path) as f:
            stats = json.load(f)
        problems = []
        for k, v in (exact or {}).items():
            if stats.get(k) != v:
                problems.append(f"{label}: stats.json {k} = {stats.get(k)}, expected {v}")
        for k, v in (bounds or {}).items():
            if k not in stats or stats[k] > v:
                problems.append(f"{label}: stats.json {k} = {stats.get(k)}, expected <= {v}")
        return problems

    def update(self, folder, files):
        d = os.path.join(self.path, folder)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        for name, lines in files.items():
            if name == DEAD:
                if not lines:
                    continue
                lines = [dead_letter_key(r, self.dead_keys, self.path)
                         for r in parse_lines(name, lines)]
            target = os.path.join(d, name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w") as f:
                for line in sorted(lines):
                    f.write(line + "\n")

    def run(self):
        tmp = tempfile.mkdtemp(prefix=f"mx-exec-{self.name}-")
        problems = []
        try:
            so = os.path.join(tmp, "prog.so")
            rc, out, err = run([self.opts.mxc, "-o", so, self.program], self.path)
            if rc != 0:
                raise CaseFailure(f"mxc -o failed with status {rc}:\n{err.strip()}")

            runs = [("base", self.cfg.get("modes", ["jit", "aot"]), [], "expected", False,
                     self.cfg.get("stats"), self.cfg.get("stats_max"))]
            for v in self.cfg.get("variants", []):
                runs.append((v["name"], v.get("modes", ["jit", "aot"]), v.get("args", []),
                             v.get("expected", "expected"), v.get("must_differ", False),
                             v.get("stats", self.cfg.get("stats")),
                             v.get("stats_max", self.cfg.get("stats_max"))))
            base_expected = None
            for name, modes, extra, folder, must_differ, stats, stats_max in runs:
                results = {}
                for mode in modes:
                    rundir = os.path.join(tmp, f"{name}-{mode}")
                    label = f"[{name}] " + self.mx_run(mode, so, rundir, extra)
                    results[mode] = (label, collect(rundir), rundir)
                    problems += self.check_stats(label, rundir, stats, stats_max)
                if self.opts.update and (name == "base" or folder != "expected"):
                    first = results[modes[0]][1]
                    self.update(folder, first)
                expected = self.expected(folder)
                if name == "base":
                    base_expected = expected
                for mode, (label, files, _) in results.items():
                    problems += compare_files(label, expected, files, self.cfg, self.dead_keys,
                                              self.path)
                    if "ordered" in self.cfg:
                        problems += check_order(label, files, self.cfg["ordered"])
                    if must_differ and not compare_files("", base_expected, files, self.cfg,
                                                         self.dead_keys, self.path):
                        problems.append(f"{label}: wrote the same records as the base run, "
                                        "expected different ones")
                if "jit" in results and "aot" in results:
                    # Differential: the two ways of running must write the same records, dead
                    # letters compared in full (task state included).
                    jit, aot = results["jit"][1], results["aot"][1]
                    for n in sorted(set(jit) | set(aot)):
                        if sorted(jit.get(n, [])) != sorted(aot.get(n, [])):
                            problems.append(diff_lists(f"[{name}] JIT vs AOT differ in {n}",
                                                       sorted(jit.get(n, [])),
                                                       sorted(aot.get(n, []))))
            for i in range(self.cfg.get("repeat", 0)):
                rundir = os.path.join(tmp, f"repeat{i}")
                label = f"[repeat {i + 1}] " + self.mx_run("jit", so, rundir, [])
                problems += compare_files(label, base_expected, collect(rundir), self.cfg,
                                          self.dead_keys, self.path)
        except CaseFailure as e:
            problems.append(str(e))
        finally:
            if self.opts.keep:
                print(f"  (kept {tmp})", file=sys.stderr)
            else:
                shutil.rmtree(tmp, ignore_errors=True)
        return problems


def default_cases():
    out = []
    for sub in ("cases", "examples"):
        d = os.path.join(HERE, sub)
        if os.path.isdir(d):
            out += [os.path.join(d, n) for n in sorted(os.listdir(d))
                    if os.path.isdir(os.path.join(d, n))]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mx", default=os.path.join(ROOT, "build", "bin", "mx"))
    ap.add_argument("--mxc", default=os.path.join(ROOT, "build", "bin", "mxc"))
    ap.add_argument("-j", "--jobs", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the run directories")
    ap.add_argument("--update", action="store_true",
                    help="rewrite expected files from the JIT run (then check them by hand)")
    ap.add_argument("cases", nargs="*")
    opts = ap.parse_args()
    opts.mx = os.path.abspath(opts.mx)
    opts.mxc = os.path.abspath(opts.mxc)
    for tool in (opts.mx, opts.mxc):
        if not os.access(tool, os.X_OK):
            print(f"run_exec_tests: {tool} is not an executable (build mx and mxc first)",
                  file=sys.stderr)
            return 1
    cases = opts.cases or default_cases()

    def one(path):
        start = time.monotonic()
        try:
            problems = Case(path, opts).run()
        except CaseFailure as e:
            problems = [str(e)]
        return path, problems, time.monotonic() - start

    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        for path, problems, secs in pool.map(one, cases):
            name = os.path.relpath(path, HERE) if path.startswith(HERE) else path
            if problems:
                failed += 1
                print(f"FAIL {name} ({secs:.1f} s)")
                for p in problems:
                    print("  " + p.replace("\n", "\n  "))
            else:
                print(f"ok   {name} ({secs:.1f} s)")
    print(f"{len(cases) - failed} of {len(cases)} cases passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
