# debate_e2e.py — helpers of debate_e2e.sh (examples/debate.mx end to end on the GPU against
# `mx bench engine` on the same model).
#
#   python3 gpu/dev/debate_e2e.py model CONFIG.json TOKENIZER_DIR OUT_DIR [SEED]
#     A model folder `local("OUT_DIR")` loads: the CONFIG's shape with random weights (transformers'
#     initialisation, bf16 safetensors) and TOKENIZER_DIR's tokenizer.json and tokenizer_config.json
#     (its chat template). vocab_size becomes the tokenizer's padded size, bos/eos its ids.
#   python3 gpu/dev/debate_e2e.py rows N FILE [SEED]
#     N arithmetic questions in examples/data/arith.jsonl's format.
#   python3 gpu/dev/debate_e2e.py lengths STATS.json
#     "P G": the run's mean prompt and generated tokens per model call (for mx bench engine).
#   python3 gpu/dev/debate_e2e.py report STATS.json BENCH.json [BENCH.json ...]
#     The run's end-to-end generated tokens/s next to each `mx bench engine --json` result.
import json, os, random, shutil, sys

# Qwen's embedding has 151,936 rows (a multiple of 128) for 151,669 tokenizer ids.
QWEN_VOCAB_ROWS = 151936


def model(config, tokenizer_dir, out_dir, seed=0):
    from hf_model import load_config, random_model, save
    with open(os.path.join(tokenizer_dir, "tokenizer.json")) as f:
        tok = json.load(f)
    ids = {t["content"]: t["id"] for t in tok.get("added_tokens", [])}
    largest = max(max(tok["model"]["vocab"].values()), max(ids.values(), default=0))
    with open(os.path.join(tokenizer_dir, "tokenizer_config.json")) as f:
        eos = json.load(f)["eos_token"]
    vocab = max(QWEN_VOCAB_ROWS, largest + 1)
    # The Llama-3.2-1B shape (CONFIG) with the Qwen3 tokenizer's vocabulary and special ids.
    cfg = load_config(config, vocab_size=vocab, bos_token_id=ids.get("<|endoftext|>"),
                      eos_token_id=ids[eos], pad_token_id=ids.get("<|endoftext|>"))
    files = save(random_model(cfg, seed), out_dir)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(tokenizer_dir, name), out_dir)
    print(f"{out_dir}: vocab {vocab}, eos {eos} = {ids[eos]}; {', '.join(files)}", flush=True)


def rows(n, path, seed=1):
    rng = random.Random(seed)
    forms = [("add", "What is {a} + {b}?", lambda a, b: a + b),
             ("add", "How much is {a} plus {b}?", lambda a, b: a + b),
             ("sub", "What is {a} - {b}?", lambda a, b: a - b),
             ("sub", "Please subtract {b} from {a}.", lambda a, b: a - b),
             ("mul", "What is {a} * {b}?", lambda a, b: a * b)]
    with open(path, "w") as f:
        for i in range(n):
            op, text, fn = rng.choice(forms)
            a, b = rng.randint(2, 99), rng.randint(2, 99 if op != "mul" else 12)
            f.write(json.dumps({"id": f"q{i + 1:05d}", "question": text.format(a=a, b=b),
                                "answer": str(fn(a, b)), "op": op}) + "\n")


def load_stats(path):
    with open(path) as f:
        s = json.load(f)
    if not s.get("llm_calls") or not s.get("seconds"):
        raise SystemExit(f"{path}: no model calls or no time recorded: {s}")
    return s


def lengths(stats_path):
    s = load_stats(stats_path)
    print(max(1, round(s["tokens_in"] / s["llm_calls"])), max(1, round(s["tokens_out"] / s["llm_calls"])))


def report(stats_path, bench_paths):
    s = load_stats(stats_path)
    gen = s["tokens_out"] / s["seconds"]
    total = (s["tokens_in"] + s["tokens_out"]) / s["seconds"]
    print("| debate.mx end to end | value |\n|---|---|")
    for label, value in [
            ("rows in / tasks done / failed", f"{s['rows_in']} / {s['tasks_done']} / {s['tasks_failed']}"),
            ("peak tasks in flight", s["peak_in_flight"]),
            ("model calls", f"{s['llm_calls']:,}"),
            ("prompt / generated tokens per call (mean)",
             f"{s['tokens_in'] / s['llm_calls']:.1f} / {s['tokens_out'] / s['llm_calls']:.1f}"),
            ("seconds (model load excluded)", f"{s['seconds']:.1f}"),
            ("generated tok/s", f"{gen:,.0f}"),
            ("prompt + generated tok/s", f"{total:,.0f}")]:
        print(f"| {label} | {value} |")
    print("\n| mx bench engine: batch (= sequences per step) | GPUs | prompt | gen | engine gen tok/s "
          "| engine total tok/s | end to end / engine (gen tok/s) |\n|---|---|---|---|---|---|---|")
    for path in bench_paths:
        try:
            with open(path) as f:
                b = json.load(f)
        except (OSError, ValueError) as e:
            print(f"| {os.path.basename(path)}: no result ({e.__class__.__name__}) | | | | | | |")
            continue
        e = b["engine"]
        print(f"| {b['batch']} | {b.get('gpus', 1)} | {b['prompt_len']} | {b['gen_len']} | {e['generated_tokens_per_second']:,.0f} "
              f"| {e['total_tokens_per_second']:,.0f} | {100 * gen / e['generated_tokens_per_second']:.1f}% |")


if __name__ == "__main__":
    a = sys.argv[1:]
    if len(a) in (4, 5) and a[0] == "model":
        model(a[1], a[2], a[3], int(a[4]) if len(a) == 5 else 0)
    elif len(a) in (3, 4) and a[0] == "rows":
        rows(int(a[1]), a[2], int(a[3]) if len(a) == 4 else 1)
    elif len(a) == 2 and a[0] == "lengths":
        lengths(a[1])
    elif len(a) >= 3 and a[0] == "report":
        report(a[1], a[2:])
    else:
        raise SystemExit("usage: debate_e2e.py model CONFIG TOKENIZER_DIR OUT_DIR [SEED] | rows N FILE [SEED]"
                         " | lengths STATS.json | report STATS.json BENCH.json...")
