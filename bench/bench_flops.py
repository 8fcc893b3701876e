"""Hardware efficiency of training (issue 13, deliverable 1(b)): achieved FLOP/s against the measured matmul peak.

Usage: HF_HUB_OFFLINE=1 nice .venv/bin/python bench/bench_flops.py [--quick] [--steps 10] [--device cpu|cuda]
       [--threads N] [--json out.json]

Two measurements in one process, so that they see the same machine state:

1. **Peak**: the best of ``--peak-repeats`` timings of an n × n matmul (CPU: float32, n = 2048;
   CUDA: bfloat16, n = 8192, the dtype training autocasts to), 2·n³ FLOPs each.
2. **Achieved**: ``--steps`` optimiser steps of :func:`engine.train.train` (packaged all-MiniLM-L6-v2,
   clip loss, cosine tilt, batch 32, ``max_seq_length`` 128) on the train split of
   ``sample_data/catalogue.csv``; the FLOPs of each batch are counted from its real padded shape.

FLOP count (matmuls only; embeddings, layer norms, softmax, GELU, pooling and the B × B loss are
a few percent and left out). For a transformer encoder with width d, feed-forward width d_ff and
n_layers layers, one token in a sequence padded to L tokens costs, per layer, in the forward pass::

    2 · (4·d² + 2·d·d_ff)   the Q, K, V and output projections (4 d×d) and the two feed-forward
                            matmuls (d×d_ff and d_ff×d); 2 FLOPs per multiply-add
  + 2 · 2 · L · d           attention scores Q·Kᵀ and the weighted sum of values (L·d each)

and the backward pass twice that (gradients of inputs and of weights), so a training step costs
3 × forward. MiniLM-L6: d = 384, d_ff = 1536, 6 layers (read from the model's config): 3.54 MFLOP
per token per layer plus 1,536·L, i.e. 6 × 3.74 = 22.4 MFLOP forward, 67 MFLOP per trained token at L = 128. A step counts both sides
(title and description batches), each at its own padded length, as the model computes them.
"Useful" FLOPs count only non-padding tokens; the difference is the cost of padding, counted in the
trainer's length chunks (engine.train.length_buckets) and, for comparison, in one padded pass per side. As a check,
the count is compared with torch's ``FlopCounterMode`` on one forward + backward of 8 descriptions
(``formula_vs_flop_counter``; it measured 1.02 when this was written, at 8 texts of 52 tokens).

MFU = achieved FLOP/s / measured peak. The step time includes tokenisation, the optimiser and
everything else the trainer does, so MFU reads as "share of the machine's matmul rate that
training turns into model FLOPs". Prints a Markdown table and, last, a JSON line for bench/run.py.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import torch

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "sample_data" / "catalogue.csv"
BATCH, SEQ_LEN, SEED = 32, 128, 0
PEAK = {"cpu": (torch.float32, 2048), "cuda": (torch.bfloat16, 8192)}


def matmul_peak(device: str, repeats: int) -> dict[str, Any]:
    """Best-of-``repeats`` FLOP/s of one square matmul in the dtype training runs in on ``device``."""
    dtype, n = PEAK[device]
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    best = float("inf")
    for _ in range(repeats + 1):  # the first is a warm-up, kept only if it was the fastest
        if device == "cuda":
            torch.cuda.synchronize()
        started = time.perf_counter()
        torch.mm(a, b)
        if device == "cuda":
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - started)
    return {"dtype": str(dtype).removeprefix("torch."), "n": n, "seconds": best, "flops_per_s": 2 * n**3 / best}


def forward_flops_per_token(d: int, d_ff: int, layers: int, padded_len: int) -> float:
    """Matmul FLOPs of one token's forward pass through the encoder (see the module docstring)."""
    return layers * (2 * (4 * d * d + 2 * d * d_ff) + 2 * 2 * padded_len * d)


def _dims(encoder) -> tuple[int, int, int]:
    config = encoder.model[0].auto_model.config
    return config.hidden_size, config.intermediate_size, config.num_hidden_layers


def batch_flops(encoder, batches: list[list[int]], data, overhead_tokens: int) -> dict[str, float]:
    """Training FLOPs over ``batches``: as computed (each side in the trainer's length chunks), as one
    padded pass per side would compute them (sentence-transformers' trainer), and of the real tokens."""
    from engine.train.length_buckets import chunk_rows

    d, d_ff, layers = _dims(encoder)
    out = {"flops": 0.0, "one_pass_flops": 0.0, "useful_flops": 0.0, "tokens": 0}
    for batch in batches:
        for side, texts in (("left", data.left), ("right", data.right)):
            lengths = encoder.preprocess([texts[i] for i in batch], side)["attention_mask"].sum(dim=1)
            longest = int(lengths.max())
            out["one_pass_flops"] += len(batch) * longest * 3 * forward_flops_per_token(d, d_ff, layers, longest)
            for chunk in chunk_rows(lengths.tolist(), overhead_tokens):
                padded = int(lengths[chunk].max())
                per_token = 3 * forward_flops_per_token(d, d_ff, layers, padded)
                out["flops"] += len(chunk) * padded * per_token
                out["useful_flops"] += int(lengths[chunk].sum()) * per_token
            out["tokens"] += int(lengths.sum())
    return out


def formula_check(encoder, texts: list[str]) -> float:
    """Our count / torch's ``FlopCounterMode`` count for one forward + backward of ``texts`` (should be ~1)."""
    from torch.utils.flop_counter import FlopCounterMode

    d, d_ff, layers = _dims(encoder)
    features = encoder.preprocess(texts, "right")
    batch, padded_len = features["attention_mask"].shape
    with FlopCounterMode(display=False) as counter:
        encoder.embed(features, "right").sum().backward()
    encoder.zero_grad(set_to_none=True)
    return batch * padded_len * 3 * forward_flops_per_token(d, d_ff, layers, padded_len) / counter.get_total_flops()


def achieved(device: str, steps: int) -> dict[str, Any]:
    """Train ``steps`` steps and count their FLOPs."""
    from engine.config import TrainConfig
    from engine.data import split_pairs
    from engine.data.dataset import load_pairs
    from engine.losses import build_loss
    from engine.models import load_encoder
    from engine.train import train
    from engine.train.batching import no_duplicate_batches
    from engine.train.length_buckets import CHUNK_OVERHEAD_TOKENS

    train_split, _ = split_pairs(load_pairs(DATA), test_size=0.2, seed=SEED)
    # One epoch of exactly ``steps`` batches: the first steps × 32 pairs, batched as the trainer does.
    data = train_split.subset(range(min(len(train_split), steps * BATCH)))
    batches = no_duplicate_batches(data.left, data.right, data.group, BATCH, seed=SEED)
    encoder = load_encoder(None, device=device, max_seq_length=SEQ_LEN)
    config = TrainConfig(epochs=1, batch_size=BATCH, seed=SEED, early_stopping=False, checkpoint_every_epoch=False)
    loss = build_loss("clip", tilt="cosine", temperature=0.05)
    if device == "cuda":
        torch.cuda.synchronize()
    started = time.perf_counter()
    result = train(encoder, loss, data, config)
    if device == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - started
    flops = batch_flops(encoder, batches, data, CHUNK_OVERHEAD_TOKENS[device])
    d, d_ff, layers = _dims(encoder)
    check = formula_check(encoder, [data.right[i] for i in batches[0][:8]])
    return {"formula_vs_flop_counter": check, "steps": result.steps, "seconds": seconds, **flops,
            "flops_per_s": flops["flops"] / seconds, "useful_flops_per_s": flops["useful_flops"] / seconds,
            "d": d, "d_ff": d_ff, "layers": layers}


def table(peak: dict[str, Any], train_run: dict[str, Any], device: str) -> str:
    return "\n".join([
        "| device | matmul peak (measured) | training steps | training FLOP/s (padded / useful) | MFU (padded / useful) "
        "| FLOP formula / torch FlopCounterMode |",
        "|---|---|---|---|---|---|",
        f"| {device} | {peak['flops_per_s'] / 1e9:,.1f} GFLOP/s ({peak['dtype']}, {peak['n']}²) | "
        f"{train_run['steps']} in {train_run['seconds']:.1f} s | {train_run['flops_per_s'] / 1e9:,.1f} / "
        f"{train_run['useful_flops_per_s'] / 1e9:,.1f} GFLOP/s | {train_run['mfu']:.1%} / {train_run['useful_mfu']:.1%} | "
        f"{train_run['formula_vs_flop_counter']:.3f} |",
    ])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 training steps instead of 10")
    parser.add_argument("--steps", type=int, help="training steps (default 10, --quick 3)")
    parser.add_argument("--device", default="cpu", choices=tuple(PEAK))
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--peak-repeats", type=int, default=5)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    torch.set_num_threads(args.threads)
    steps = args.steps or (3 if args.quick else 10)
    peak_before = matmul_peak(args.device, args.peak_repeats)
    train_run = achieved(args.device, steps)
    # The peak again after training, and the better of the two: a busy neighbour lowers both.
    peak_after = matmul_peak(args.device, args.peak_repeats)
    peak = max(peak_before, peak_after, key=lambda p: p["flops_per_s"])
    train_run["mfu"] = train_run["flops_per_s"] / peak["flops_per_s"]
    train_run["useful_mfu"] = train_run["useful_flops_per_s"] / peak["flops_per_s"]
    out = {"device": args.device, "threads": args.threads, "peak": peak,
           "peak_before_after": [peak_before["flops_per_s"], peak_after["flops_per_s"]], "train": train_run}
    if args.device == "cuda":
        out["gpu"] = torch.cuda.get_device_name()
    print(table(peak, train_run, args.device))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2), encoding="utf-8")
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
