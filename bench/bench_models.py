"""Encode and training-step speed of the two packaged text encoders, side by side (issue 9).

Usage: .venv/bin/python bench/bench_models.py [--data sample_data/catalogue_ja.csv] [--repeats 3] [--steps 4]

Loads all-MiniLM-L6-v2 and multilingual-e5-small once each, then alternates A B A B: each repeat
encodes every right-side text (descriptions, batch 64, max_seq_length 128) and runs ``--steps``
training steps of the clip loss on batches of 32 pairs, as the trainer does (AdamW, frozen
vocabulary table for E5). Prints the median texts/s and seconds per step of each model and the
ratio E5 / MiniLM measured in this one run; absolute times on a shared machine vary, the ratio much less.
"""

from __future__ import annotations

import argparse
import statistics
import time

import pandas as pd
import torch

from engine.data.columns import resolve_columns
from engine.losses import build_loss
from engine.models import load_encoder
from engine.models.packaged import MINILM, MULTILINGUAL

MODELS = (MINILM, MULTILINGUAL)


def _texts(path: str) -> tuple[list[str], list[str]]:
    frame = pd.read_csv(path, dtype=str).fillna("")
    roles = resolve_columns(list(frame.columns)).as_dict()
    return frame[roles["left"]].tolist(), frame[roles["right"]].tolist()


def _encode_rate(encoder, texts: list[str]) -> float:
    started = time.perf_counter()
    encoder.encode(texts, "right", batch_size=64)
    return len(texts) / (time.perf_counter() - started)


def _step_seconds(encoder, loss_fn, optimizer, left: list[str], right: list[str], steps: int) -> float:
    encoder.train()
    started = time.perf_counter()
    for step in range(steps):
        batch = slice(32 * step, 32 * (step + 1))
        loss = loss_fn.compute_loss_from_embeddings([encoder(left[batch], "left"), encoder(right[batch], "right")], None)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    return (time.perf_counter() - started) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="sample_data/catalogue_ja.csv")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=4)
    args = parser.parse_args()
    left, right = _texts(args.data)
    setups = {}
    for name in MODELS:
        encoder = load_encoder(name, device="cpu", max_seq_length=128)
        loss_fn = build_loss("clip", tilt="cosine")
        params = [p for p in [*encoder.parameters(), *loss_fn.parameters()] if p.requires_grad]
        setups[name] = (encoder, loss_fn, torch.optim.AdamW(params, lr=1e-5))
    rates, steps = {n: [] for n in MODELS}, {n: [] for n in MODELS}
    for _ in range(args.repeats):
        for name, (encoder, loss_fn, optimizer) in setups.items():  # A B A B
            rates[name].append(_encode_rate(encoder, right))
            steps[name].append(_step_seconds(encoder, loss_fn, optimizer, left, right, args.steps))
    print(f"| model | encode texts/s (median of {args.repeats}) | s per training step of 32 pairs |")
    print("|---|---|---|")
    for name in MODELS:
        print(f"| {name} | {statistics.median(rates[name]):.1f} | {statistics.median(steps[name]):.2f} |")
    enc_ratio = statistics.median(r / m for r, m in zip(rates[MULTILINGUAL], rates[MINILM], strict=True))
    step_ratio = statistics.median(s / m for s, m in zip(steps[MULTILINGUAL], steps[MINILM], strict=True))
    print(f"\nE5 / MiniLM: encode speed {enc_ratio:.2f}x, step time {step_ratio:.2f}x "
          f"({len(right)} texts of {args.data})")


if __name__ == "__main__":
    main()
