"""The paper's MNIST experiment (§6.2, Figs. 11-12, Proposition 6.1) on scikit-learn's 8x8 digits.

Usage: .venv/bin/python bench/digits_reproduction.py [--seeds 0,1,2] [--epochs 300] [--json out.json]

Setting (digest §6.2): u = an image, v = its label; g_u is a small MLP with 10 outputs, g_v(v) = e_v
(one-hot), unnormalised, dot tilt, tau = 1, so ``s(u, v) = g_u(u)[v]``. With the engine's roles,
the image is the *left* side and the label the *right* side, so (weights ``(lambda_u, lambda_v)``
in our convention, which is the reverse of the paper's labels in §6.2; see the digest's warning):

- **label-given-image**, v|u, weights (0, 2): for each image, a softmax over **all 10 label
  embeddings**, i.e. ``conditional_row_terms(similarity_matrix(g_u(u), I_10, "dot", 1), y)``,
  which is ordinary cross-entropy minus ``log 10`` (Proposition 6.1).
- **image-given-label**, u|v, weights (2, 0): for each pair i, a softmax over **the batch's
  images** for the label ``v_i``: ``conditional_loss(similarity_matrix(g_u(u), onehot(y), "dot", 1),
  (2, 0))``. Same-label images are *not* masked: the data conditional mu(u | v = k) is uniform over
  the images of digit k, so every same-label image is a positive of that column and all of them
  share its softmax (this is the batch estimator of E_v KL(mu(u|v) || nu(u|v))). Masking them as
  false negatives would instead train each image against only other digits.
- **two-sided**, weights (1, 1): half of each.

The paper does not say how it handles the duplicate labels of a batch (digest §6.2: NOT FOUND);
the choice above is ours.

Measured per loss (mean over training seeds; one fixed stratified train/test split):

- test accuracy of ``argmax_v nu(v | u) = argmax_v g_u(u)[v]`` (uniform label prior; digits are
  balanced), via :func:`engine.analysis.labels.zero_shot_classify`;
- test negative log-likelihood of the label conditional ``softmax_v g_u(u)[v]``;
- generation: 16 draws with replacement from ``nu(image | label k) = softmax_i g_u(u_i)[k]`` over
  the test images (:func:`engine.analysis.labels.sample_conditional`), distinct images among
  the 16 (:func:`engine.analysis.labels.diversity`), for k = 7 and averaged over all labels,
  each over several sampling seeds; the share of draws that show the right digit; and the
  effective bank size ``1 / sum_i w_i^2`` of the weights.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import Tensor, nn

from engine.analysis.labels import conditional_weights, diversity, sample_conditional, zero_shot_classify
from engine.losses import conditional_loss, similarity_matrix
from engine.losses.functional import conditional_row_terms

logger = logging.getLogger(__name__)

N_LABELS = 10
# (lambda_u, lambda_v) in the engine's convention: u = image (left), v = label (right).
LOSSES: dict[str, tuple[float, float]] = {
    "label-given-image": (0.0, 2.0),
    "image-given-label": (2.0, 0.0),
    "two-sided": (1.0, 1.0),
}


@dataclass(frozen=True)
class DigitsSetup:
    """Everything that decides the numbers (stored next to them)."""

    epochs: int = 300
    batch_size: int = 128
    learning_rate: float = 1e-3
    hidden: int = 128
    test_size: float = 0.33
    split_seed: int = 0
    n_samples: int = 16
    sample_seeds: int = 5
    query_label: int = 7


def load_split(setup: DigitsSetup) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stratified train/test split of the 1,797 digits; pixels scaled to [0, 1] (float32)."""
    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype(np.float32)
    return train_test_split(x, y, test_size=setup.test_size, stratify=y, random_state=setup.split_seed)


def make_encoder(hidden: int) -> nn.Module:
    """g_u: 64 pixels -> 10 outputs, two hidden ReLU layers (the paper uses a LeNet on 28x28)."""
    return nn.Sequential(
        nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, N_LABELS)
    )


def digits_loss(outputs: Tensor, labels: Tensor, weights: tuple[float, float]) -> Tensor:
    """The weighted conditional loss with g_v = one-hot (see the module docstring for the choices).

    Args:
        outputs: g_u of a batch of images, (B, 10).
        labels: Their labels, (B,) long.
        weights: ``(lambda_u, lambda_v)``: image-given-label weight, label-given-image weight.
    """
    lam_u, lam_v = weights
    eye = torch.eye(N_LABELS, dtype=outputs.dtype, device=outputs.device)
    total = outputs.new_zeros(())
    if lam_v > 0:  # v|u: softmax over all 10 labels for each image
        scores = similarity_matrix(outputs, eye, "dot", 1.0)  # (B, 10)
        total = total + 0.5 * lam_v * conditional_row_terms(scores, labels).mean()
    if lam_u > 0:  # u|v: softmax over the batch's images for each pair's label, (B, B) scores
        scores = similarity_matrix(outputs, eye[labels], "dot", 1.0)
        total = total + conditional_loss(scores, (lam_u, 0.0))
    return total


def train_encoder(
    weights: tuple[float, float], x: np.ndarray, y: np.ndarray, setup: DigitsSetup, seed: int
) -> nn.Module:
    """Adam on mini-batches; the seed fixes the initialisation and the batch order."""
    torch.manual_seed(seed)
    encoder = make_encoder(setup.hidden)
    optimiser = torch.optim.Adam(encoder.parameters(), lr=setup.learning_rate)
    images, labels = torch.from_numpy(x), torch.from_numpy(y).long()
    order_rng = torch.Generator().manual_seed(seed)
    for _ in range(setup.epochs):
        order = torch.randperm(len(images), generator=order_rng)
        for start in range(0, len(images), setup.batch_size):
            idx = order[start:start + setup.batch_size]
            loss = digits_loss(encoder(images[idx]), labels[idx], weights)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    return encoder


def evaluate(outputs: np.ndarray, y: np.ndarray, setup: DigitsSetup) -> dict[str, Any]:
    """Classification and generation from the learned conditionals on the test images.

    Args:
        outputs: g_u of the test images, (N, 10) float64.
        y: Their labels, (N,).
        setup: Sampling settings.
    """
    labels = list(range(N_LABELS))
    label_bank = np.eye(N_LABELS)
    accuracy = zero_shot_classify(outputs, label_bank, labels, tilt="dot", true_labels=y.tolist())["accuracy"]
    log_probs = outputs - np.logaddexp.reduce(outputs, axis=1, keepdims=True)
    nll = float(-np.mean(log_probs[np.arange(len(y)), y]))
    distinct: dict[int, float] = {}
    correct, bank_size = [], []
    for k in labels:
        weights = conditional_weights(label_bank[k], outputs, tilt="dot", temperature=1.0)
        bank_size.append(1.0 / float(np.sum(weights**2)))
        counts = []
        for s in range(setup.sample_seeds):
            draws = sample_conditional(label_bank[k], outputs, tilt="dot", temperature=1.0,
                                       n_samples=setup.n_samples, seed=1000 * k + s)
            counts.append(diversity(draws)["n_distinct"])
            correct.append(float(np.mean(y[draws] == k)))
        distinct[k] = float(np.mean(counts))
    return {
        "accuracy": accuracy,
        "label_nll": nll,
        "distinct_query_label": distinct[setup.query_label],
        "distinct_all_labels": float(np.mean(list(distinct.values()))),
        "distinct_per_label": {str(k): v for k, v in distinct.items()},
        "samples_correct_digit": float(np.mean(correct)),
        "effective_bank_size": float(np.mean(bank_size)),
    }


def run_reproduction(seeds: Sequence[int] = (0, 1, 2), setup: DigitsSetup | None = None) -> dict[str, Any]:
    """Train each loss once per seed on one split and evaluate; returns per-seed and mean numbers.

    Returns:
        ``{"setup", "split": {"train", "test"}, "seeds", "per_seed": {loss: [result, ...]},
        "summary": {loss: {metric: mean over seeds}}, "wall_time_s"}``.
    """
    setup = setup or DigitsSetup()
    x_train, x_test, y_train, y_test = load_split(setup)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a 64-128-128-10 MLP is faster on one thread than split across cores
    started = time.perf_counter()
    per_seed: dict[str, list[dict[str, Any]]] = {name: [] for name in LOSSES}
    try:
        for name, weights in LOSSES.items():
            for seed in seeds:
                encoder = train_encoder(weights, x_train, y_train, setup, seed)
                with torch.no_grad():
                    outputs = encoder(torch.from_numpy(x_test)).double().numpy()
                per_seed[name].append({"seed": seed, **evaluate(outputs, y_test, setup)})
                logger.info("digits %s seed %d: %s", name, seed, per_seed[name][-1]["accuracy"])
    finally:
        torch.set_num_threads(threads)
    keys = ("accuracy", "label_nll", "distinct_query_label", "distinct_all_labels", "samples_correct_digit",
            "effective_bank_size")
    summary = {name: {k: float(np.mean([r[k] for r in rows])) for k in keys} for name, rows in per_seed.items()}
    return {
        "setup": asdict(setup),
        "split": {"train": len(y_train), "test": len(y_test)},
        "seeds": list(seeds),
        "per_seed": per_seed,
        "summary": summary,
        "wall_time_s": time.perf_counter() - started,
    }


def format_table(result: dict[str, Any]) -> str:
    """Markdown table of the means over seeds."""
    q = result["setup"]["query_label"]
    n = result["setup"]["n_samples"]
    lines = [
        f"| loss | test accuracy | label NLL | distinct of {n} (label {q}) | distinct of {n} (all labels) "
        "| draws of the right digit | effective bank size |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, row in result["summary"].items():
        lines.append(
            f"| {name} | {row['accuracy']:.3f} | {row['label_nll']:.3f} | {row['distinct_query_label']:.1f} | "
            f"{row['distinct_all_labels']:.1f} | {row['samples_correct_digit']:.3f} | "
            f"{row['effective_bank_size']:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2", help="training seeds, comma-separated")
    parser.add_argument("--epochs", type=int, default=DigitsSetup.epochs)
    parser.add_argument("--json", help="also write the full result here")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    result = run_reproduction(seeds, DigitsSetup(epochs=args.epochs))
    print(f"digits: {result['split']['train']} train / {result['split']['test']} test images, seeds {seeds}, "
          f"{args.epochs} epochs, {result['wall_time_s']:.0f} s")
    print(format_table(result))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
