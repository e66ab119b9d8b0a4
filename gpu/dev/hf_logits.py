# hf_logits.py — the reference side of HfLogits.OneBShapeMatchesTransformers (tests/gpu/
# HfLogitsTest.cpp), run on the GPU machine by hf_logits.sh.
#
#   python3 gpu/dev/hf_logits.py make CONFIG.json DIR [SEED]
#     Builds the config's model with transformers (random weights, torch seed SEED), casts it to
#     bf16 and saves it to DIR with save_pretrained (safetensors; tied embeddings: no lm_head).
#     Then, for three prompts of random ids (17, 64 and 300 tokens), the logits of every position:
#       - the reference: the bf16 weights upcast to fp32, an fp32 forward (no TF32) — what a
#         bf16-weight backend that accumulates in fp32 approximates;
#       - transformers' own bf16 forward, only to measure how far plain bf16 is from the reference.
#     Writes DIR/NAME.ids.i32 (int32) and DIR/NAME.logits.f32 (float32, positions × vocab, row
#     major), both little-endian, and DIR/hf_logits.json: the prompts, the files and the bf16
#     run's error against the reference (per-position relative L2, argmax agreement).
#   python3 gpu/dev/hf_logits.py table DIR TEST_LOG
#     A markdown table: the test's measured errors (its "HF_LOGITS" lines) next to HF bf16's.
import json, os, re, sys

PROMPTS = [("p17", 17), ("p64", 64), ("p300", 300)]
MANIFEST = "hf_logits.json"
# A position is decisive where the reference's top-2 margin is at least this share of its logits'
# spread (HfLogitsTest.cpp's kDecisiveMargin).
DECISIVE_MARGIN = 0.1


def error_stats(got, ref):
    """Per-position relative L2 error ‖got − ref‖ / ‖ref‖ over the vocabulary, and argmax agreement."""
    err = (got - ref).norm(dim=-1) / ref.norm(dim=-1)
    agree = (got.argmax(-1) == ref.argmax(-1)).float()
    top2 = ref.topk(2, dim=-1).values
    spread = (ref - ref.mean(dim=-1, keepdim=True)).pow(2).mean(dim=-1).sqrt()
    decisive = (top2[:, 0] - top2[:, 1]) >= DECISIVE_MARGIN * spread
    return {"positions": int(err.numel()), "rel_l2_max": err.max().item(),
            "rel_l2_median": err.median().item(), "rel_l2_mean": err.mean().item(),
            "argmax_agreement": agree.mean().item(), "decisive": int(decisive.sum().item()),
            "decisive_agreement": agree[decisive].mean().item() if decisive.any() else 1.0}


def make(config_path, out_dir, seed):
    import torch
    import transformers
    from hf_model import load_config, random_model, save, set_parameter_dtype
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    cfg = load_config(config_path)
    model = random_model(cfg, seed)  # bf16
    files = save(model, out_dir)
    print(f"saved {out_dir}: {', '.join(files)}", flush=True)

    gen = torch.Generator().manual_seed(seed + 1)
    prompts = [(name, torch.randint(0, cfg.vocab_size, (n,), generator=gen)) for name, n in PROMPTS]

    def logits(ids):
        with torch.no_grad():
            return model(input_ids=ids[None].cuda()).logits[0].float()

    bf16 = {name: logits(ids) for name, ids in prompts}
    set_parameter_dtype(model, torch.float32)
    ref = {name: logits(ids) for name, ids in prompts}

    manifest = {"config": config_path, "seed": seed, "vocab_size": cfg.vocab_size,
                "device": torch.cuda.get_device_name(), "torch": torch.__version__,
                "transformers": transformers.__version__,
                "reference": "bf16 weights upcast to fp32, fp32 forward without TF32",
                "prompts": [], "hf_bf16": {}}
    for name, ids in prompts:
        ids_file, logits_file = f"{name}.ids.i32", f"{name}.logits.f32"
        ids.to(torch.int32).numpy().astype("<i4").tofile(os.path.join(out_dir, ids_file))
        ref[name].cpu().numpy().astype("<f4").tofile(os.path.join(out_dir, logits_file))
        manifest["prompts"].append({"name": name, "length": int(ids.numel()), "ids": ids_file,
                                    "logits": logits_file})
        manifest["hf_bf16"][name] = error_stats(bf16[name], ref[name])
    all_ref = torch.cat([ref[n] for n, _ in PROMPTS])
    manifest["hf_bf16"]["all"] = error_stats(torch.cat([bf16[n] for n, _ in PROMPTS]), all_ref)
    # The logits must have a spread for the comparison to mean anything (not all ~0).
    top2 = all_ref.topk(2, dim=-1).values
    manifest["logit_std"] = all_ref.std(dim=-1).mean().item()
    manifest["top2_margin_median"] = (top2[:, 0] - top2[:, 1]).median().item()
    with open(os.path.join(out_dir, MANIFEST), "w") as f:
        json.dump(manifest, f, indent=2)
    print(json.dumps({k: manifest[k] for k in ("device", "torch", "transformers", "logit_std",
                                               "top2_margin_median")}), flush=True)
    print("hf bf16 vs fp32 reference:", json.dumps(manifest["hf_bf16"]["all"]), flush=True)
    if manifest["logit_std"] < 0.1:
        raise SystemExit(f"logit std {manifest['logit_std']:.4f}: too flat to compare")


def table(out_dir, test_log):
    with open(os.path.join(out_dir, MANIFEST)) as f:
        manifest = json.load(f)
    ours = {}
    line = re.compile(r"HF_LOGITS (\S+) positions=(\d+) rel_l2_max=(\S+) rel_l2_median=(\S+) "
                      r"argmax_agreement=(\S+) decisive=(\d+) decisive_agreement=(\S+)")
    with open(test_log, errors="replace") as f:
        for m in map(line.search, f):
            if m:
                ours[m[1]] = {"positions": int(m[2]), "rel_l2_max": float(m[3]), "rel_l2_median": float(m[4]),
                              "argmax_agreement": float(m[5]), "decisive": int(m[6]),
                              "decisive_agreement": float(m[7])}
    print(f"{manifest['device']}, torch {manifest['torch']}, transformers {manifest['transformers']}; "
          f"logit std {manifest['logit_std']:.3f}, median top-2 margin {manifest['top2_margin_median']:.4f}\n")
    columns = [("rel_l2_max", "rel L2 max", ".4f"), ("rel_l2_median", "rel L2 median", ".4f"),
               ("argmax_agreement", "argmax agreement", ".3f"),
               ("decisive_agreement", "agreement where decisive", ".3f")]
    print("| prompt | positions (decisive) | " + " | ".join(f"mx {c[1]}" for c in columns) + " | "
          + " | ".join(f"HF bf16 {c[1]}" for c in columns) + " |")
    print("|---" * (2 + 2 * len(columns)) + "|")
    for name in [n for n, _ in PROMPTS] + ["all"] + sorted(k for k in ours if k.startswith("decode")):
        o, h = ours.get(name), manifest["hf_bf16"].get(name)
        s = o or h
        cells = [f"{s.get('positions', '?')} ({s.get('decisive', '?')})" if s else "–"]
        for stats in (o, h):
            cells += [format(stats[k], fmt) if stats and k in stats else "–" for k, _, fmt in columns]
        print(f"| {name} | " + " | ".join(cells) + " |")
    if not ours:
        print("\n(no HF_LOGITS lines in the test log: the test did not run)")


if __name__ == "__main__":
    if len(sys.argv) in (4, 5) and sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) == 5 else 0)
    elif len(sys.argv) == 4 and sys.argv[1] == "table":
        table(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit("usage: hf_logits.py make CONFIG.json DIR [SEED] | table DIR TEST_LOG")
