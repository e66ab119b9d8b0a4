# hf_bench.py — the comparison side of docs/performance.md, run on the GPU machine: Hugging Face
# transformers generate() on the same model shapes (random weights, bf16, prompt P, generate G),
# plus the GPU's measured copy bandwidth and bf16 GEMM peak that the roofline fractions use.
# Usage: python3 hf_bench.py OUT.json [--deadline SECONDS] CONFIG.json:B1,B2,... [...]
# Runs go in the order given. With --deadline, a run that would likely end past SECONDS from the
# start (estimated from the same config's earlier runs) is skipped, so put optional runs (batch
# 512) last. OUT.json is rewritten after every run: a run killed by a timeout keeps what finished.
import json, sys, time
import torch
from transformers import AutoModelForCausalLM

from hf_model import load_config

PROMPT, GEN = 512, 256


def timed(fn, reps):
    fn(); torch.cuda.synchronize()
    t = time.perf_counter()
    for _ in range(reps): fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - t) / reps

def measure_gpu():
    n = 1 << 30  # 2 GiB of bf16 each way
    a = torch.empty(n, dtype=torch.bfloat16, device="cuda"); b = torch.empty_like(a)
    copy_s = timed(lambda: b.copy_(a), 10)
    x = torch.randn(8192, 8192, dtype=torch.bfloat16, device="cuda"); y = torch.randn_like(x)
    mm_s = timed(lambda: x @ y, 20)
    del a, b
    return {"device": torch.cuda.get_device_name(), "copy_bytes_per_s": 2 * n * 2 / copy_s,
            "bf16_gemm_flops_per_s": 2 * 8192 ** 3 / mm_s}

def hf_generate(cfg, batch, prompt, gen):
    torch.manual_seed(0)
    with torch.device("cuda"):
        model = AutoModelForCausalLM.from_config(cfg, torch_dtype=torch.bfloat16)
    model.eval()
    ids = torch.randint(0, cfg.vocab_size, (batch, prompt), device="cuda")
    kw = dict(max_new_tokens=gen, min_new_tokens=gen, do_sample=False, pad_token_id=0)
    try:
        with torch.no_grad():
            model.generate(ids[:, :16], max_new_tokens=4, do_sample=False, pad_token_id=0)  # warm-up
            torch.cuda.synchronize(); t = time.perf_counter()
            out = model.generate(ids, **kw)
            torch.cuda.synchronize(); s = time.perf_counter() - t
    except torch.cuda.OutOfMemoryError as e:
        return {"batch": batch, "error": "out of GPU memory: " + str(e).split("\n")[0]}
    finally:
        del model; torch.cuda.empty_cache()
    generated = (out.shape[1] - prompt) * batch
    return {"batch": batch, "seconds": s, "generated_tokens_per_second": generated / s,
            "total_tokens_per_second": (generated + batch * prompt) / s}

if __name__ == "__main__":
    start = time.perf_counter()
    args = sys.argv[2:]
    deadline = None
    if args[:1] == ["--deadline"]:
        deadline, args = float(args[1]), args[2:]
    results = {"gpu": measure_gpu(), "hf": [], "skipped": []}
    print(json.dumps(results["gpu"]), flush=True)
    last = {}  # config → (largest batch run, longest run in seconds, model set-up and warm-up included)
    for spec in args:
        path, batches = spec.split(":")
        cfg = load_config(path)
        for b in map(int, batches.split(",")):
            elapsed = time.perf_counter() - start
            if deadline is not None:
                # generate() takes about as long at batch 1 as at 256 (launch-bound); past the
                # config's previous batch, allow half as long again.
                prev_b, prev_s = last.get(path, (b, 0.0))
                estimate = prev_s * (1.5 if b > prev_b else 1.0)
                if elapsed + estimate > deadline:
                    results["skipped"].append({"config": path, "batch": b, "estimated_seconds": estimate})
                    print(f"skipped {path} batch {b}: ~{estimate:.0f} s would pass the deadline", flush=True)
                    continue
            t = time.perf_counter()
            r = hf_generate(cfg, b, PROMPT, GEN)
            prev_b, prev_s = last.get(path, (b, 0.0))
            last[path] = (max(b, prev_b), max(prev_s, time.perf_counter() - t))
            r = {"config": path, **r}
            print(json.dumps(r), flush=True); results["hf"].append(r)
            with open(sys.argv[1], "w") as f: json.dump(results, f, indent=2)
    with open(sys.argv[1], "w") as f: json.dump(results, f, indent=2)
