#!/usr/bin/env python3
"""tokenizer_vs_hf.py — our tokenizer against Hugging Face `tokenizers`: same text, same machine.

Needs the `tokenizers` package (the GPU machine has it) and a built bench_tokenizer. From the
repository root:

    python3 tests/bench/tokenizer_vs_hf.py [--bench build/bin/bench_tokenizer]

For the Qwen3 tokenizer it encodes two corpora with both, prints single-threaded MB/s (median of
5) and whether the ids are identical: the fixture strings repeated to 4 MB (what bench_tokenizer
measures by default) and ~10 MB of Python sources and docs found on the machine. Then, for every
fixture tokenizer, it compares line by line 20,000 lines of random Unicode (letters of every
script, combining marks, digits, odd spaces, special tokens) and prints the mismatches.
"""
import argparse
import glob
import json
import os
import random
import statistics
import subprocess
import tempfile
import time
import unicodedata

os.environ["RAYON_NUM_THREADS"] = "1"  # one thread, as bench_tokenizer
os.environ["TOKENIZERS_PARALLELISM"] = "false"
import tokenizers  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

QWEN = "tests/fixtures/tokenizer-qwen3"
MODELS = [QWEN, "models/tiny-arith", "models/tiny-agent"]


def fixture_corpus():
    cases = [json.loads(l)["text"] for l in open(QWEN + "/cases.jsonl", encoding="utf-8") if l.strip()]
    text = ""
    while len(text.encode()) < 4e6:
        text += "".join(c + "\n" for c in cases)
    return text


def files_corpus(limit=10e6):
    files = sorted(glob.glob("/usr/lib/python3*/**/*.py", recursive=True))
    files += sorted(glob.glob("/usr/local/lib/python3*/dist-packages/**/*.md", recursive=True))
    parts, size = [], 0
    for path in files:
        try:
            text = open(path, "rb").read().decode("utf-8", errors="replace")
        except OSError:
            continue
        parts.append(text)
        size += len(text.encode())
        if size > limit:
            break
    text = "".join(parts)
    return text if text.endswith("\n") else text + "\n"


def random_unicode_lines(count=20000, seed=1234):
    rng = random.Random(seed)
    by_class = {"L": [], "M": [], "N": [], "other": []}
    for cp in range(0x110000):
        cat = unicodedata.category(chr(cp))
        if cat in ("Cn", "Cs", "Co") or cp == 0x0A:
            continue
        by_class[cat[0] if cat[0] in "LMN" else "other"].append(cp)
    spaces = [0x9, 0xB, 0xC, 0xD, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2005, 0x200A, 0x2028,
              0x2029, 0x202F, 0x205F, 0x3000, 0x180E, 0x200B, 0xFEFF]
    fixed = ["'s", "'LL", "'Re", "don't", "<|im_start|>", "<think>", "<|im_end", "\r", "e\u0301",
             "\u1100\u1161\u11a8", "\u212b"]
    pick = lambda cls, lo, hi: "".join(chr(rng.choice(by_class[cls])) for _ in range(rng.randint(lo, hi)))
    lines = []
    for _ in range(count):
        words = []
        for _ in range(rng.randint(1, 12)):
            kind = rng.random()
            if kind < 0.45:
                words.append(pick("L", 1, 6))
            elif kind < 0.6:
                words.append("".join(pick("L", 1, 1) + pick("M", 0, 3) for _ in range(rng.randint(1, 3))))
            elif kind < 0.72:
                words.append(pick("N", 1, 5))
            elif kind < 0.85:
                words.append(pick("other", 1, 3))
            else:
                words.append(rng.choice(fixed))
            words.append("".join(chr(rng.choice(spaces)) for _ in range(rng.randint(0, 3))) or " ")
        lines.append("".join(words))
    return lines


def run_bench(bench, model, text_path, *extra):
    out = subprocess.run([bench, "--model", model, "--text", text_path, "--json", *extra],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", default="build/bin/bench_tokenizer")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="mx-tokenizer-vs-hf-")
    print("tokenizers", tokenizers.__version__)
    start = time.perf_counter()
    hf = Tokenizer.from_file(QWEN + "/tokenizer.json")
    print("Hugging Face load: %.2f s" % (time.perf_counter() - start))

    for name, text in [("fixture strings", fixture_corpus()), ("files", files_corpus())]:
        path = os.path.join(work, "corpus.txt")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        ours = run_bench(args.bench, QWEN, path, "--ids-out", path + ".ids")
        times = []
        for _ in range(5):
            start = time.perf_counter()
            theirs = hf.encode(text).ids
            times.append(time.perf_counter() - start)
        mb = len(text.encode()) / 1e6
        same = json.load(open(path + ".ids")) == theirs
        print("%-15s %6.2f MB, %8d tokens: mx %6.2f MB/s (load %.2f s), Hugging Face %5.2f MB/s; "
              "ids identical: %s" % (name, mb, len(theirs), ours["encode_mb_per_s"], ours["load_s"],
                                     mb / statistics.median(times), same))

    lines = random_unicode_lines()
    path = os.path.join(work, "random.txt")
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(lines) + "\n")
    for model in MODELS:
        run_bench(args.bench, model, path, "--line-ids-out", path + ".ids")
        ours = [json.loads(l) for l in open(path + ".ids")]
        t = Tokenizer.from_file(model + "/tokenizer.json")
        bad = [i for i, line in enumerate(lines) if t.encode(line).ids != ours[i]]
        print("random Unicode, %s: %d lines, %d mismatches" % (model, len(lines), len(bad)))
        for i in bad[:5]:
            print("   ", repr(lines[i])[:200], "\n    mx:", ours[i][:20], "\n    hf:", t.encode(lines[i]).ids[:20])


if __name__ == "__main__":
    main()
