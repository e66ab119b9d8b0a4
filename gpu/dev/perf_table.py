# perf_table.py — docs/performance.md's table from device-run.sh's results, so it can be re-made
# from fetched files: DIR/mx.jsonl (one `mx bench engine --json` object a line) and DIR/hf.json
# (hf_bench.py: the GPU's copy bandwidth and GEMM peak, and transformers' rates).
# Usage: python3 gpu/dev/perf_table.py DIR   (prints markdown)
#
# Roofline, as docs/performance.md defines it: the best decode rate one step allows, B / step time,
# step time = max(bytes / copy bandwidth, FLOPs / bf16 GEMM peak); bytes = every weight in bf16
# (tied embeddings once) + the KV cache read at the forward benchmark's context (prompt + 17
# positions: it decodes 16 steps past the prompt); FLOPs = B · decodeFlopsPerToken (2 per Linear
# weight, lm_head included, + 4 · heads · head_dim · context per layer).
import json, os, sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def shape_name(path):
    return os.path.basename(path.split(" ")[0]).removesuffix(".json")


def read_config(path):
    path = path.split(" ")[0]  # "tests/.../llama-1b.json (random weights)"
    for p in (path, os.path.join(ROOT, path)):
        if os.path.exists(p):
            with open(p) as f:
                return json.load(f)
    return None


def roofline(c, batch, context, bandwidth, peak):
    h, layers, vocab = c["hidden_size"], c["num_hidden_layers"], c["vocab_size"]
    heads = c["num_attention_heads"]
    kv_heads = c.get("num_key_value_heads") or heads
    head_dim = c.get("head_dim") or h // heads
    q, kv, inter = heads * head_dim, kv_heads * head_dim, c["intermediate_size"]
    linear = (h * (q + 2 * kv) + q * h + 3 * h * inter) * layers + vocab * h
    weights = linear + (0 if c.get("tie_word_embeddings") else vocab * h)
    step_bytes = 2 * weights + batch * context * layers * 2 * kv_heads * head_dim * 2
    step_flops = batch * (2 * linear + 4 * q * context * layers)
    return batch / max(step_bytes / bandwidth, step_flops / peak), step_bytes, step_flops


def fmt(x, digits=0):
    return "–" if x is None else f"{x:,.{digits}f}"


def main(out_dir):
    mx = {}
    mx_path = os.path.join(out_dir, "mx.jsonl")
    if os.path.exists(mx_path):
        with open(mx_path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    r = json.loads(line)
                    mx[(shape_name(r["model"]), r["batch"])] = r  # a later run of the same row wins
    gpu, hf = {}, {}
    hf_path = os.path.join(out_dir, "hf.json")
    if os.path.exists(hf_path):
        with open(hf_path) as f:
            h = json.load(f)
        gpu = h.get("gpu", {})
        for r in h.get("hf", []):
            hf[(shape_name(r["config"]), r["batch"])] = r
    bw, peak = gpu.get("copy_bytes_per_s"), gpu.get("bf16_gemm_flops_per_s")
    if gpu:
        print(f"{gpu['device']}: copy bandwidth {bw / 1e12:.2f} TB/s, bf16 GEMM peak {peak / 1e12:.0f} TFLOP/s\n")
    else:
        print("(no hf.json: no GPU bandwidth or peak, so no roofline)\n")
    print("| shape | batch | engine gen tok/s | engine total tok/s | forward decode tok/s "
          "| decode roofline tok/s | forward / roofline | engine gen / roofline "
          "| bytes / FLOPs per step | HF gen tok/s | engine vs HF |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for key in sorted(set(mx) | set(hf), key=lambda k: (k[0], k[1])):
        shape, batch = key
        m, o = mx.get(key), hf.get(key)
        gen = m["engine"]["generated_tokens_per_second"] if m else None
        total = m["engine"]["total_tokens_per_second"] if m else None
        fwd = m["decode_forward"]["tokens_per_second"] if m else None
        hf_gen = o.get("generated_tokens_per_second") if o else None
        roof = step = None
        config = read_config(m["model"] if m else o["config"])
        if config and bw and peak:
            context = (m["prompt_len"] + min(m["gen_len"], 16) + 1) if m else 512 + 17
            roof, nbytes, flops = roofline(config, batch, context, bw, peak)
            step = f"{nbytes / 1e9:.2f} GB / {flops / 1e12:.3f} TF"
        frac = lambda x: f"{100 * x / roof:.1f}%" if x is not None and roof else "–"
        ratio = f"{gen / hf_gen:.2f}x" if gen is not None and hf_gen else "–"
        hf_cell = fmt(hf_gen) if o and "error" not in o else ("error" if o else "–")
        print(f"| {shape} | {batch} | {fmt(gen)} | {fmt(total)} | {fmt(fwd)} | {fmt(roof)} "
              f"| {frac(fwd)} | {frac(gen)} | {step or '–'} | {hf_cell} | {ratio} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: perf_table.py DIR   (DIR holds mx.jsonl and hf.json)")
    main(sys.argv[1])
