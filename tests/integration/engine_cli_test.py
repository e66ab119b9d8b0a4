#!/usr/bin/env python3
"""engine_cli_test.py — `mx tokenize`, `mx template` and `mx generate` against the Hugging Face
fixtures, through the command line as users and scripts call them.

    engine_cli_test.py --mx build/bin/mx --root REPO

Checks:
  - mx tokenize: every fifth case of tiny-arith's tokenizer_cases.jsonl (through --file) and a
    sample of the Qwen3 cases give HF's ids (all cases run in the tokenizer's unit tests);
  - mx template: every Qwen3 chat case and every tiny-arith reference prompt renders byte for byte;
  - mx generate --messages --json: every tiny-arith greedy reference (ids, text, finish reason,
    usage) is reproduced;
  - bad input: a missing model folder, a messages file that is not a list, an unknown option and
    a missing value each fail with a message and the documented exit status, never a crash.
Exit status 0 when all hold.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def run(mx, *args, input_file=None):
    p = subprocess.run([mx, *args], capture_output=True)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mx", required=True)
    ap.add_argument("--root", required=True)
    args = ap.parse_args()
    arith = os.path.join(args.root, "models", "tiny-arith")
    qwen = os.path.join(args.root, "tests", "fixtures", "tokenizer-qwen3")
    failures = []
    counts = {"tokenize": 0, "template": 0, "generate": 0, "bad input": 0}

    def check(cond, what):
        if not cond:
            failures.append(what)

    with tempfile.TemporaryDirectory(prefix="mx-engine-cli-") as tmp:
        # tokenize: every tiny-arith case through --file (bytes exactly as in the case).
        with open(os.path.join(arith, "tokenizer_cases.jsonl")) as f:
            cases = [json.loads(l) for l in f if l.strip()]
        # A sample through the CLI: every case runs in the tokenizer's unit tests.
        for i, c in list(enumerate(cases))[::5]:
            path = os.path.join(tmp, "text")
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(c["text"])
            rc, out, err = run(args.mx, "tokenize", "--model", arith, "--file", path)
            check(rc == 0 and json.loads(out) == c["ids"], f"tokenize tiny-arith case {i}: {err.strip() or out[:200]}")
            counts["tokenize"] += 1
        with open(os.path.join(qwen, "cases.jsonl")) as f:
            qcases = [json.loads(l) for l in f if l.strip()]
        for c in qcases[::25]:  # a sample: each run loads the 11 MB tokenizer.json
            rc, out, err = run(args.mx, "tokenize", "--model", qwen, c["text"])
            check(rc == 0 and json.loads(out) == c["ids"], f"tokenize qwen3 {c['text'][:40]!r}: {err.strip()}")
            counts["tokenize"] += 1

        # template: Qwen3 chat cases and tiny-arith's reference prompts.
        with open(os.path.join(qwen, "chat_cases.jsonl")) as f:
            chats = [json.loads(l) for l in f if l.strip()]
        for i, c in enumerate(chats):
            msgs = os.path.join(tmp, "messages.json")
            with open(msgs, "w") as f:
                json.dump(c["messages"], f)
            extra = [] if c.get("add_generation_prompt", True) else ["--no-generation-prompt"]
            kwargs = {k: c[k] for k in ("tools", "enable_thinking") if k in c}
            kwargs.update(c.get("kwargs", {}))
            if kwargs:
                extra += ["--kwargs", json.dumps(kwargs)]
            rc, out, err = run(args.mx, "template", "--model", qwen, "--messages", msgs, *extra)
            check(rc == 0 and out == c["rendered"], f"template qwen3 case {i}: {err.strip() or repr(out[:120])}")
            counts["template"] += 1
        with open(os.path.join(arith, "reference.json")) as f:
            reference = json.load(f)
        for c in reference["cases"]:
            msgs = os.path.join(tmp, c["name"] + ".json")
            with open(msgs, "w") as f:
                json.dump(c["messages"], f)
            rc, out, err = run(args.mx, "template", "--model", arith, "--messages", msgs)
            check(rc == 0 and out == c["rendered"], f"template tiny-arith {c['name']}: {err.strip()}")
            counts["template"] += 1

            # generate: greedy, as HF did (max 48 new tokens, stop at <|end|>).
            rc, out, err = run(args.mx, "generate", "--model", arith, "--messages", msgs,
                               "--max-tokens", "48", "--json")
            if rc != 0:
                check(False, f"generate {c['name']}: exit {rc}: {err.strip()}")
                continue
            got = json.loads(out)
            want = c["greedy"]
            check(got["ids"] == want["ids"], f"generate {c['name']}: ids {got['ids']} != {want['ids']}")
            check(got["text"] == want["text"], f"generate {c['name']}: text {got['text']!r} != {want['text']!r}")
            check(got["finish_reason"] == want["finish_reason"], f"generate {c['name']}: finish reason")
            check(got["usage"]["prompt_tokens"] == len(c["prompt_ids"]) and
                  got["usage"]["completion_tokens"] == len(want["ids"]), f"generate {c['name']}: usage {got['usage']}")
            counts["generate"] += 1

        # bad input: a message and the documented status, never a crash (exit < 0 is a signal).
        notlist = os.path.join(tmp, "notlist.json")
        with open(notlist, "w") as f:
            f.write('{"role": "user"}')
        for argv, status, words in [
            (["tokenize", "--model", os.path.join(tmp, "nowhere"), "x"], 3, "tokenizer.json"),
            (["template", "--model", arith, "--messages", notlist], 3, "not a JSON array"),
            (["generate", "--model", os.path.join(tmp, "nowhere"), "--prompt", "x"], 3, "nowhere"),
            (["generate", "--model", arith, "--prompt", "x", "--frobnicate"], 2, "unknown option"),
            (["generate", "--model", arith, "--prompt"], 2, "needs a value"),
            (["generate", "--model", arith, "--prompt", "x", "--max-tokens", "many"], 2, "needs a number"),
            (["bench", "engine", "--model", arith, "--batch", "0"], 2, "positive"),
        ]:
            rc, out, err = run(args.mx, *argv)
            check(rc == status and words in err, f"mx {' '.join(argv[:1])} bad input {argv[1:]}: exit {rc}, stderr {err.strip()!r}")
            counts["bad input"] += 1

    for f in failures:
        print("FAIL:", f)
    print(", ".join(f"{n} {k}" for k, n in counts.items()) + (" cases: ok" if not failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
