# hf_model.py — shared by the gpu/dev Python scripts on the GPU machine: a transformers config
# from a config.json file, and a model of that shape with seeded random weights (transformers' own
# initialisation: N(0, initializer_range) for every Linear and Embedding, RMSNorm weights 1),
# saved as a Hugging Face model folder that mx's loader reads.
import inspect, json, os, shutil, tempfile

import torch
from transformers import AutoConfig, AutoModelForCausalLM


def load_config(path, **overrides):
    """AutoConfig of the config.json at `path` (AutoConfig wants a folder), `overrides` applied."""
    with open(path) as f:
        cfg = json.load(f)
    cfg.update(overrides)
    d = tempfile.mkdtemp()
    try:
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(cfg, f)
        return AutoConfig.from_pretrained(d)
    finally:
        shutil.rmtree(d)


def random_model(cfg, seed, dtype=torch.bfloat16):
    """The model on the GPU, initialised from torch seed `seed`, its parameters in `dtype`."""
    torch.manual_seed(seed)
    with torch.device("cuda"):
        model = AutoModelForCausalLM.from_config(cfg)
    set_parameter_dtype(model, dtype)
    for m in model.modules():  # as from_pretrained leaves it: RoPE's inv_freq in fp32
        if isinstance(getattr(m, "inv_freq", None), torch.Tensor) and m.inv_freq.dtype != torch.float32:
            m.inv_freq = default_inv_freq(cfg, m.inv_freq.device)
            m.original_inv_freq = m.inv_freq
    rounded = [n for n, b in model.named_buffers() if b.is_floating_point() and b.dtype != torch.float32]
    if rounded:
        raise SystemExit(f"buffers not in fp32: {rounded}")
    return model.eval()


def default_inv_freq(cfg, device):
    """RoPE's inverse frequencies in fp32 (the default rope type, the only one used here)."""
    theta = getattr(cfg, "rope_theta", None) or cfg.rope_parameters["rope_theta"]
    dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads
    return 1.0 / theta ** (torch.arange(0, dim, 2, dtype=torch.int64, device=device).float() / dim)


def set_parameter_dtype(model, dtype):
    """Casts the parameters only (tied ones stay tied). Module.to() would also round the rotary
    embedding's fp32 inv_freq buffer, which moves RoPE angles by about position · 2^-9 radians."""
    for p in model.parameters():
        p.data = p.data.to(dtype)


def save(model, out_dir):
    """save_pretrained as safetensors. Tied embeddings are stored once (no lm_head.weight)."""
    os.makedirs(out_dir, exist_ok=True)
    if "safe_serialization" in inspect.signature(model.save_pretrained).parameters:
        model.save_pretrained(out_dir, safe_serialization=True)
    else:  # transformers 5 has no such argument: it writes safetensors only
        model.save_pretrained(out_dir)
    files = sorted(os.listdir(out_dir))
    if not any(f.endswith(".safetensors") for f in files):
        raise SystemExit(f"{out_dir}: save_pretrained wrote no safetensors ({files})")
    return files
