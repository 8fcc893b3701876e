"""Training throughput of our trainer against sentence-transformers' own trainer (issue 13, deliverable 1(a)).

Usage: HF_HUB_OFFLINE=1 nice .venv/bin/python bench/bench_st_trainer.py [--quick] [--epochs 5] [--repeats 3]
       [--threads N] [--device cpu|cuda] [--omp-wait default|passive|active] [--json out.json]

Contenders, on identical settings:

* ``ours``: :func:`engine.train.train` with ``load_encoder(None)`` (the packaged all-MiniLM-L6-v2)
  and ``build_loss("clip", tilt="cosine", temperature=0.05)``;
* ``theirs``: ``SentenceTransformerTrainer`` with ``MultipleNegativesSymmetricRankingLoss(scale=20)``
  (scale 20 = 1 / temperature 0.05: the same symmetric in-batch softmax), ``BatchSamplers.NO_DUPLICATES``,
  no evaluation, no saving, ``report_to=[]``.

Same model files, same data (``sample_data/catalogue.csv``, title -> description, the train split of
``engine.data.split_pairs``), batch size 32, ``max_seq_length`` 128, learning rate 1e-4 (our default),
AdamW with weight decay 0.01, gradient clipping at 1.0, linear decay after a warm-up of 10% of the
steps, seed 0, and the same number of optimiser steps: ours trains ``--epochs`` epochs and the
sentence-transformers trainer gets ``max_steps`` = our step count (the train split is ~310 pairs,
so ~10 steps per epoch; ``--quick`` = 1 epoch, full = 5 epochs ~ 50 steps). One difference stays:
our warm-up starts at lr/warm-up steps, transformers' at 0.

The contenders alternate A B A B (``--repeats`` times), each run in a fresh subprocess so that memory
and caches do not carry over. The time is the training call only (``train(...)`` against
``trainer.train()``), model loading and evaluation excluded; its CPU seconds (all threads) are
recorded too, as a second reading less moved by other work on the machine. Both use ``torch.set_num_threads(--threads)``.
Quality: both models embed the test split (ours through ``DualEncoder.encode``, theirs through
``SentenceTransformer.encode(normalize_embeddings=True)``) and are scored the same way,
``evaluate_retrieval`` with the cosine tilt, with 95% bootstrap intervals (``bootstrap_metrics``).

Prints one JSON line per run, a Markdown table, the line
"sentence-transformers trainer: N.N× (ours / theirs, pairs/s)" (median over repetitions of the
per-repetition ratio) and, last, a JSON summary that ``bench/run.py`` parses.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "sample_data" / "catalogue.csv"
CONTENDERS = ("ours", "theirs")
BATCH, SEQ_LEN, LEARNING_RATE, TEMPERATURE = 32, 128, 1e-4, 0.05
WARMUP_RATIO, WEIGHT_DECAY, MAX_GRAD_NORM, SEED = 0.1, 0.01, 1.0, 0
QUICK_EPOCHS, FULL_EPOCHS, QUICK_REPEATS, FULL_REPEATS = 1, 5, 2, 3


def _splits():
    from engine.data import split_pairs
    from engine.data.dataset import load_pairs

    return split_pairs(load_pairs(DATA), test_size=0.2, seed=SEED)


def _our_batches(train, epochs: int) -> list[list[int]]:
    """The batches ``engine.train.train`` will form (it seeds epoch e with ``seed + e``)."""
    from engine.train.batching import no_duplicate_batches

    return [b for e in range(epochs)
            for b in no_duplicate_batches(train.left, train.right, train.group, BATCH, seed=SEED + e)]


def _quality(left, right, groups) -> dict[str, dict[str, float]]:
    """R@1 with its 95% bootstrap interval, per direction, scored as the engine scores a run."""
    from engine.analysis.evidence.bootstrap import bootstrap_metrics
    from engine.evaluate import evaluate_retrieval

    ranks = evaluate_retrieval(left, right, list(groups), tilt="cosine", ks=(1,), return_ranks=True)["ranks"]
    return {direction: bootstrap_metrics(r, ks=(1,), seed=SEED)["recall@1"] for direction, r in ranks.items()}


def _train_ours(train, test, epochs: int, device: str) -> dict[str, Any]:
    from engine.config import TrainConfig
    from engine.losses import build_loss
    from engine.models import load_encoder
    from engine.train import train as train_model

    encoder = load_encoder(None, device=device, max_seq_length=SEQ_LEN)
    loss = build_loss("clip", tilt="cosine", temperature=TEMPERATURE)
    config = TrainConfig(epochs=epochs, batch_size=BATCH, learning_rate=LEARNING_RATE, warmup_ratio=WARMUP_RATIO,
                         weight_decay=WEIGHT_DECAY, max_grad_norm=MAX_GRAD_NORM, seed=SEED, early_stopping=False,
                         checkpoint_every_epoch=False)
    started, cpu_started = time.perf_counter(), time.process_time()
    result = train_model(encoder, loss, train, config)
    _synchronise(device)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    pairs = sum(len(b) for b in _our_batches(train, epochs))
    quality = _quality(encoder.encode(list(test.left), "left"), encoder.encode(list(test.right), "right"), test.group)
    return {"steps": result.steps, "pairs": pairs, "seconds": seconds, "cpu_seconds": cpu_seconds, "r1": quality}


def _train_theirs(train, test, steps: int, device: str) -> dict[str, Any]:
    from datasets import Dataset
    from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesSymmetricRankingLoss
    from sentence_transformers.sentence_transformer.training_args import (
        BatchSamplers,
        SentenceTransformerTrainingArguments,
    )

    from engine.models.loading import resolve_model_path

    class CountingLoss(MultipleNegativesSymmetricRankingLoss):
        """Counts the pairs the trainer really fed (its last batch of an epoch may be short)."""

        pairs = 0

        def forward(self, sentence_features, labels):
            CountingLoss.pairs += int(sentence_features[0]["input_ids"].shape[0])
            return super().forward(sentence_features, labels)

    model = SentenceTransformer(resolve_model_path(None)[0], device=device)
    model.max_seq_length = SEQ_LEN
    dataset = Dataset.from_dict({"anchor": list(train.left), "positive": list(train.right)})
    with tempfile.TemporaryDirectory() as out_dir:
        args = SentenceTransformerTrainingArguments(
            output_dir=out_dir, max_steps=steps, per_device_train_batch_size=BATCH, learning_rate=LEARNING_RATE,
            warmup_steps=int(round(WARMUP_RATIO * steps)), lr_scheduler_type="linear", weight_decay=WEIGHT_DECAY,
            max_grad_norm=MAX_GRAD_NORM, optim="adamw_torch", seed=SEED, data_seed=SEED,
            batch_sampler=BatchSamplers.NO_DUPLICATES, eval_strategy="no", save_strategy="no", report_to=[],
            logging_strategy="no", disable_tqdm=True, use_cpu=device == "cpu", dataloader_num_workers=0,
            bf16=device == "cuda",  # as our trainer autocasts to bfloat16 on CUDA
        )
        trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=dataset,
                                             loss=CountingLoss(model, scale=1.0 / TEMPERATURE))
        started, cpu_started = time.perf_counter(), time.process_time()
        trainer.train()
        _synchronise(device)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    encode = {"normalize_embeddings": True, "convert_to_numpy": True, "show_progress_bar": False, "batch_size": 64}
    quality = _quality(model.encode(list(test.left), **encode), model.encode(list(test.right), **encode), test.group)
    return {"steps": int(trainer.state.global_step), "pairs": CountingLoss.pairs, "seconds": seconds,
            "cpu_seconds": cpu_seconds, "r1": quality}


def _synchronise(device: str) -> None:
    import torch

    if device == "cuda":
        torch.cuda.synchronize()


def child(contender: str, epochs: int, threads: int, device: str) -> dict[str, Any]:
    """One training run of ``contender`` in this (fresh) process."""
    import torch

    torch.set_num_threads(threads)
    train, test = _splits()
    if contender == "ours":
        out = _train_ours(train, test, epochs, device)
    else:
        out = _train_theirs(train, test, len(_our_batches(train, epochs)), device)
    return {"contender": contender, "threads": threads, "device": device, "train_pairs": len(train), "test_pairs": len(test),
            **out, "pairs_per_s": out["pairs"] / out["seconds"]}


def _run_child(contender: str, epochs: int, threads: int, device: str, omp_wait: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", contender, "--epochs", str(epochs), "--threads", str(threads),
               "--device", device]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "WANDB_DISABLED": "true"}
    env.pop("OMP_WAIT_POLICY", None)
    if omp_wait != "default":
        env["OMP_WAIT_POLICY"] = omp_wait.upper()
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{contender} run failed ({done.returncode}): {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _interval(r1: dict[str, float]) -> str:
    return f"{r1['estimate']:.3f} [{r1['low']:.3f}, {r1['high']:.3f}]"


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median pairs/s per contender and the median of the per-repetition ratios ours / theirs."""
    ours = [r for r in runs if r["contender"] == "ours"]
    theirs = [r for r in runs if r["contender"] == "theirs"]
    ratios = [a["pairs_per_s"] / b["pairs_per_s"] for a, b in zip(ours, theirs, strict=True)]
    return {
        "ratio": statistics.median(ratios),
        "ratios": ratios,
        # CPU seconds of the training call (all threads): less sensitive than wall time to a busy
        # neighbour, though not immune (waiting threads spin). theirs / ours: above 1 = ours cheaper.
        "cpu_ratio": statistics.median(b["cpu_seconds"] / a["cpu_seconds"] for a, b in zip(ours, theirs, strict=True)),
        "ours_pairs_per_s": statistics.median(r["pairs_per_s"] for r in ours),
        "theirs_pairs_per_s": statistics.median(r["pairs_per_s"] for r in theirs),
        "steps": ours[0]["steps"],
        "repeats": len(ratios),
        "runs": runs,
    }


def table(runs: list[dict[str, Any]]) -> str:
    lines = ["| repetition | contender | steps | pairs | training s (CPU s) | pairs/s | test R@1 title→description "
             "[95% CI] | test R@1 description→title [95% CI] |", "|---|---|---|---|---|---|---|---|"]
    for i, r in enumerate(runs):
        ltr, rtl = r["r1"]["left_to_right"], r["r1"]["right_to_left"]
        lines.append(f"| {i // 2 + 1} | {r['contender']} | {r['steps']} | {r['pairs']} | {r['seconds']:.1f} ({r['cpu_seconds']:.0f}) | "
                     f"{r['pairs_per_s']:.2f} | {_interval(ltr)} | {_interval(rtl)} |")
    return "\n".join(lines)


def ratio_line(ratio: float) -> str:
    return f"sentence-transformers trainer: {ratio:.1f}× (ours / theirs, pairs/s)"


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_EPOCHS} epoch, {QUICK_REPEATS} repetitions")
    parser.add_argument("--epochs", type=int, help=f"default {FULL_EPOCHS} (~50 steps)")
    parser.add_argument("--repeats", type=int, help=f"A B repetitions, default {FULL_REPEATS}")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="torch threads, both contenders")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"), help="both contenders")
    # Spinning OpenMP threads (the library default) on a shared machine measure the neighbours: four
    # steps took 56 s spinning against 15 s passive at load 7 (engine/jobs/worker.py). Passive is what a
    # dashboard job uses; "default" is what a plain script gets.
    parser.add_argument("--omp-wait", default="default", choices=("default", "passive", "active"),
                        help="OMP_WAIT_POLICY of both contenders' processes")
    parser.add_argument("--json", help="also write the runs and summary to this file")
    parser.add_argument("--child", choices=CONTENDERS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    epochs = args.epochs or (QUICK_EPOCHS if args.quick else FULL_EPOCHS)
    if args.child:
        print(json.dumps(child(args.child, epochs, args.threads, args.device)))
        return None
    runs = []
    for _ in range(args.repeats or (QUICK_REPEATS if args.quick else FULL_REPEATS)):
        for contender in CONTENDERS:  # A B A B
            runs.append(_run_child(contender, epochs, args.threads, args.device, args.omp_wait))
            print(json.dumps(runs[-1]), file=sys.stderr, flush=True)
    summary = summarise(runs)
    print(table(runs))
    print()
    print(ratio_line(summary["ratio"]))
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main()
