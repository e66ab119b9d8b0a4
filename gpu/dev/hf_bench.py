# hf_bench.py — the comparison side of docs/performance.md, run on the GPU machine: Hugging Face
# transformers generate() on the same model shapes (random weights, bf16, prompt P, generate G),
# plus the GPU's measured copy bandwidth and bf16 GEMM peak that the roofline fractions use.
# Usage: python3 hf_bench.py OUT.json CONFIG.json:B1,B2,... [...]
import json, sys, time
import torch
from transformers import AutoConfig, AutoModelForCausalLM

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

def hf_generate(config_path, batch, prompt, gen):
    cfg = AutoConfig.from_pretrained(config_path)
    torch.manual_seed(0)
    with torch.device("cuda"):
        model = AutoModelForCausalLM.from_config(cfg, torch_dtype=torch.bfloat16)
    model.eval()
    ids = torch.randint(0, cfg.vocab_size, (batch, prompt), device="cuda")
    kw = dict(max_new_tokens=gen, min_new_tokens=gen, do_sample=False, pad_token_id=0)
    with torch.no_grad():
        model.generate(ids[:, :16], max_new_tokens=4, do_sample=False, pad_token_id=0)  # warm-up
        torch.cuda.synchronize(); t = time.perf_counter()
        out = model.generate(ids, **kw)
        torch.cuda.synchronize(); s = time.perf_counter() - t
    generated = (out.shape[1] - prompt) * batch
    del model; torch.cuda.empty_cache()
    return {"config": config_path, "batch": batch, "seconds": s,
            "generated_tokens_per_second": generated / s,
            "total_tokens_per_second": (generated + batch * prompt) / s}

if __name__ == "__main__":
    results = {"gpu": measure_gpu(), "hf": []}
    print(json.dumps(results["gpu"]), flush=True)
    for spec in sys.argv[2:]:
        path, batches = spec.split(":")
        import shutil, os, tempfile
        d = tempfile.mkdtemp(); shutil.copy(path, os.path.join(d, "config.json"))
        for b in batches.split(","):
            r = hf_generate(d, int(b), 512, 256); r["config"] = path
            print(json.dumps(r), flush=True); results["hf"].append(r)
    json.dump(results, open(sys.argv[1], "w"), indent=2)
