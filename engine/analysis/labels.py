"""Classification and generation from the learned conditionals (paper §4.2, §4 "generation", §6.2).

A tilted model defines conditionals over a bank of items (digest §4, eq. 28):

    nu(v_i | u) = softmax_i( s(u, v_i) / tau ),   s the tilt (cosine, dot or l2).

From them:

- **Zero-shot classification** (Algorithm 2): embed each label's name with the right tower and
  predict ``argmax_i s(u, g_v(label_i))`` (the MAP under a uniform label prior; tau does not matter).
- **Linear head** (eqs. 32-35): freeze the left tower, replace the label embeddings by a free matrix
  G (one column per label) and the label prior by logits F, and minimise the one-sided v|u loss
  over the fine-tuning pairs, which is softmax cross-entropy of ``G^T g_bar(u) / tau + F``
  (eq. 34); predict ``argmax_i (G^T g_bar(u) / tau + F)_i`` (eq. 35).
- **Generation with a bank** (§4): resample bank items with the softmax weights; a diversity
  measure says whether the samples collapse onto a few items (paper Fig. 12).

:func:`label_evidence` runs all three for a run whose data has labels. It needs the encoder (label
names must go through the right tower), so it runs inside the training job: once on the pretrained
encoder before training and once on the tuned encoder after.

Plain NumPy in float64; torch is imported only inside :func:`tilt_scores`, so read-only dashboard
pages can import this module without it. Every result is a JSON-serialisable dict.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import logsumexp, softmax

from engine.analysis.checks import as_matrix, check_int, check_real, unit_rows
from engine.errors import ConfigError, DataError
from engine.names import TILT_NAMES

if TYPE_CHECKING:  # type hints only: importing them would pull in torch
    from engine.data import PairDataset
    from engine.models import DualEncoder

logger = logging.getLogger(__name__)

N_GENERATION_QUERIES = 20  # queries whose conditional label_evidence samples; enough for a stable diversity average
N_SAMPLES = 16  # draws per query, as in the paper's MNIST figure

_ITEMS = "(items, dim) array"  # what an embedding matrix holds, for the error messages


def tilt_scores(left: ArrayLike, right: ArrayLike, tilt: str) -> NDArray[np.float64]:
    """``S[i, j] = s(left_i, right_j)`` without temperature: cosine, dot, or ``-|u - v|^2 / 2``.

    :func:`engine.losses.tilts.tilt_scores` (the one scoring function per tilt) in float64.

    Raises:
        ConfigError: Unknown tilt.
        DataError: Not two 2-D arrays of the same width.
    """
    if tilt not in TILT_NAMES:
        raise ConfigError(f"tilt: got '{tilt}', expected one of {', '.join(TILT_NAMES)}.")
    u, v = as_matrix(left, "left embeddings", what=_ITEMS), as_matrix(right, "right embeddings", what=_ITEMS)
    if u.shape[1] != v.shape[1]:
        raise DataError(f"embeddings: got widths {u.shape[1]} and {v.shape[1]}; both sides must embed into one space.")
    # Imported here: this module stays torch-free for the read-only pages that only classify.
    import torch

    from engine.losses.tilts import tilt_scores as scores

    return scores(torch.from_numpy(u), torch.from_numpy(v), tilt).numpy()


def accuracy(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> float:
    """Fraction of positions where ``predicted[i] == truth[i]``.

    Raises:
        DataError: Lengths differ or are zero.
    """
    if len(predicted) != len(truth) or len(truth) == 0:
        raise DataError(
            f"accuracy: got {len(predicted)} predictions for {len(truth)} true labels; expected equal, non-zero."
        )
    return float(np.mean([p == t for p, t in zip(predicted, truth, strict=True)]))


def zero_shot_classify(
    item_emb: ArrayLike,
    label_emb: ArrayLike,
    labels: Sequence[Hashable],
    *,
    tilt: str = "cosine",
    true_labels: Sequence[Hashable] | None = None,
    temperature: float | None = None,
) -> dict[str, Any]:
    """Zero-shot classification, Algorithm 2: ``argmax_i s(u, g_v(label_i))``.

    Args:
        item_emb: Left-tower embeddings of the items, shape (n, d).
        label_emb: Right-tower embeddings of the label names (embedded by the caller), shape (K, d).
        labels: The K label names, in the order of ``label_emb``.
        tilt: The model's tilt.
        true_labels: If given, the result also holds ``accuracy``.
        temperature: If given, the result also holds ``probabilities`` ``softmax(s / tau)`` (n x K).

    Returns:
        ``{"labels", "predictions", "scores_top", "accuracy"?, "probabilities"?}``; ties go to the
        first label in ``labels``.

    Raises:
        DataError: Shape or length mismatch.
        ConfigError: Unknown tilt or non-positive temperature.
    """
    labels = list(labels)
    if len(labels) != len(np.asarray(label_emb)):
        raise DataError(
            f"labels: got {len(labels)} names for {len(np.asarray(label_emb))} label embeddings; expected one each."
        )
    scores = tilt_scores(item_emb, label_emb, tilt)  # (n, K)
    best = scores.argmax(axis=1)
    out: dict[str, Any] = {
        "labels": labels,
        "predictions": [labels[i] for i in best],
        "scores_top": scores[np.arange(len(best)), best].tolist(),
    }
    if true_labels is not None:
        out["accuracy"] = accuracy(out["predictions"], list(true_labels))
    if temperature is not None:
        out["probabilities"] = softmax(scores / _check_temperature(temperature), axis=1).tolist()
    return out


def _check_temperature(temperature: float) -> float:
    return check_real(temperature, "temperature", low=0.0,
                      expected="a positive number (e.g. 0.05 for cosine, 1 for dot)")


def _head_logits(features: NDArray, g: NDArray, f: NDArray, temperature: float) -> NDArray:
    return features @ g / temperature + f  # (n, K)


def linear_head(
    train_emb: ArrayLike,
    train_labels: Sequence[Hashable],
    test_emb: ArrayLike,
    test_labels: Sequence[Hashable],
    *,
    temperature: float = 0.05,
    epochs: int = 100,
    lr: float = 0.01,
    batch_size: int = 64,
    seed: int = 0,
    return_params: bool = False,
) -> dict[str, Any]:
    """Fine-tuned linear head ``(G, F)`` on frozen normalised features (eqs. 32-35), by Adam.

    Loss (eq. 34), softmax cross-entropy over the K training labels:
    ``mean_n [ -z_n[y_n] + LSE_i z_n[i] ]`` with ``z_n = G^T g_bar(u_n) / tau + F``; prediction
    (eq. 35) ``argmax_i z[i]``. ``G`` starts at the normalised class means of the training features
    (the column for label i plays the role of ``g_bar_v(label_i)``, so the start is a
    nearest-centroid classifier) and ``F`` at the log label frequencies (the empirical prior).
    Neither is constrained or regularised, as in the paper. The seed orders the mini-batches.

    Args:
        train_emb: Left-tower embeddings of the fine-tuning items, (n_train, d); normalised here.
        train_labels: Their labels.
        test_emb: Embeddings to evaluate, (n_test, d).
        test_labels: Their labels; labels never seen in training count as errors (logged).
        temperature: tau in eq. 34.
        epochs: Passes over the training items.
        lr: Adam step size.
        batch_size: Mini-batch size.
        seed: Seed of the mini-batch order.
        return_params: Also return ``G`` (d x K) and ``F`` (K) as nested lists.

    Returns:
        ``{"labels", "accuracy", "train_accuracy", "predictions", "loss_per_epoch", "n_train",
        "n_test", "unseen_test_labels", "G"?, "F"?}``.

    Raises:
        DataError: Shapes or label counts do not match, or fewer than 2 training labels.
        ConfigError: Non-positive temperature, epochs, lr or batch size.
    """
    x_train = unit_rows(as_matrix(train_emb, "train_emb", what=_ITEMS))
    x_test = unit_rows(as_matrix(test_emb, "test_emb", what=_ITEMS))
    if x_train.shape[1] != x_test.shape[1] or len(train_labels) != len(x_train) or len(test_labels) != len(x_test):
        raise DataError(
            f"linear_head: got train {x_train.shape} with {len(train_labels)} labels and test {x_test.shape} with "
            f"{len(test_labels)} labels; expected one label per row and equal widths."
        )
    tau = _check_temperature(temperature)
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        check_int(value, name, expected="a positive whole number")
    check_real(lr, "lr", low=0.0, expected="a positive step size such as 0.01")
    labels = sorted(set(train_labels), key=str)
    if len(labels) < 2:
        raise DataError(f"train_labels: got {len(labels)} distinct label(s), a classifier needs at least 2.")
    index = {label: i for i, label in enumerate(labels)}
    y = np.array([index[t] for t in train_labels])
    onehot = np.eye(len(labels))[y]  # (n, K)
    g = unit_rows(onehot.T @ x_train).T  # (d, K): normalised class means
    f = np.log(onehot.mean(axis=0))  # (K,)
    params, losses = _adam_fit(x_train, onehot, g, f, tau, epochs, lr, batch_size, seed)
    g, f = params

    def predict(x: NDArray) -> list[Hashable]:
        return [labels[i] for i in _head_logits(x, g, f, tau).argmax(axis=1)]

    predictions = predict(x_test)
    unseen = sorted({str(t) for t in test_labels if t not in index})
    if unseen:
        logger.warning(
            "linear_head: %d test label(s) never seen in training count as errors: %s", len(unseen), unseen[:5]
        )
    out: dict[str, Any] = {
        "labels": labels,
        "accuracy": accuracy(predictions, list(test_labels)),
        "train_accuracy": accuracy(predict(x_train), list(train_labels)),
        "predictions": predictions,
        "loss_per_epoch": losses,
        "n_train": int(len(x_train)),
        "n_test": int(len(x_test)),
        "unseen_test_labels": unseen,
        "temperature": tau,
    }
    if return_params:
        out["G"], out["F"] = g.tolist(), f.tolist()
    return out


def _adam_fit(
    x: NDArray, onehot: NDArray, g: NDArray, f: NDArray, tau: float, epochs: int, lr: float, batch_size: int, seed: int
) -> tuple[tuple[NDArray, NDArray], list[float]]:
    """Mini-batch Adam on eq. 34; returns the final (G, F) and the full-data loss after each epoch."""
    rng = np.random.default_rng(seed)
    params = [g.copy(), f.copy()]
    first = [np.zeros_like(p) for p in params]
    second = [np.zeros_like(p) for p in params]
    beta1, beta2, eps, step = 0.9, 0.999, 1e-8, 0
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            idx = order[start:start + batch_size]
            probs = softmax(_head_logits(x[idx], params[0], params[1], tau), axis=1)
            residual = (probs - onehot[idx]) / len(idx)  # d loss / d logits, (b, K)
            grads = [x[idx].T @ residual / tau, residual.sum(axis=0)]
            step += 1
            for p, m, v, grad in zip(params, first, second, grads, strict=True):
                m *= beta1
                m += (1 - beta1) * grad
                v *= beta2
                v += (1 - beta2) * grad**2
                p -= lr * (m / (1 - beta1**step)) / (np.sqrt(v / (1 - beta2**step)) + eps)
        logits = _head_logits(x, params[0], params[1], tau)
        losses.append(float(np.mean(logsumexp(logits, axis=1) - (logits * onehot).sum(axis=1))))
    return (params[0], params[1]), losses


def conditional_weights(
    query_emb: ArrayLike, bank_emb: ArrayLike, *, tilt: str, temperature: float
) -> NDArray[np.float64]:
    """Weights of the learned conditional over a bank: ``softmax_i(s(bank_i, query) / tau)`` (eq. 28).

    Args:
        query_emb: One query (d,) or several (q, d), from the conditioning side.
        bank_emb: Bank items (N, d), from the side being generated.
        tilt: The model's tilt (symmetric in its two arguments).
        temperature: tau.

    Returns:
        (N,) for one query, else (q, N); each row sums to 1.
    """
    query = np.asarray(query_emb, dtype=np.float64)
    single = query.ndim == 1
    scores = tilt_scores(query[None, :] if single else query, bank_emb, tilt) / _check_temperature(temperature)
    weights = softmax(scores, axis=1)
    return weights[0] if single else weights


def sample_conditional(
    query_emb: ArrayLike,
    bank_emb: ArrayLike,
    *,
    tilt: str,
    temperature: float,
    n_samples: int = 16,
    seed: int = 0,
) -> NDArray[np.int64]:
    """Draw bank indices with replacement from the learned conditional (paper §4, generation).

    Args:
        query_emb: One query (d,) or several (q, d).
        bank_emb: Bank items (N, d).
        tilt: The model's tilt.
        temperature: tau.
        n_samples: Draws per query.
        seed: Seed of ``numpy.random.default_rng``.

    Returns:
        Indices into the bank: (n_samples,) for one query, else (q, n_samples).

    Raises:
        ConfigError: ``n_samples`` < 1, bad tilt or temperature.
    """
    check_int(n_samples, "n_samples", expected="a positive whole number (e.g. 16)")
    weights = conditional_weights(query_emb, bank_emb, tilt=tilt, temperature=temperature)
    rows = np.atleast_2d(weights)
    rng = np.random.default_rng(seed)
    # Inverse-CDF draws, one uniform per sample; searchsorted on the cumulative weights.
    cumulative = np.cumsum(rows, axis=1)
    cumulative[:, -1] = 1.0  # absorb rounding so a uniform just below 1 still lands in the bank
    draws = rng.random((rows.shape[0], n_samples))
    indices = np.stack([np.searchsorted(c, d, side="right") for c, d in zip(cumulative, draws, strict=True)])
    return indices[0] if weights.ndim == 1 else indices


def diversity(indices: ArrayLike, bank_emb: ArrayLike | None = None) -> dict[str, Any]:
    """How varied a set of draws is: distinct items, and their spread in embedding space.

    Args:
        indices: Draws, (n,) for one query or (q, n) for several (then each row is measured and the
            result holds the mean and the per-row values).
        bank_emb: Bank embeddings (N, d), for the distances.

    Returns:
        ``n_draws``, ``n_distinct`` (16 distinct of 16 draws = no repeat; 1 = collapse onto one item),
        ``distinct_fraction``, ``effective_number`` (``exp`` of the entropy of the draw frequencies),
        and with ``bank_emb``: ``mean_pairwise_distance`` (Euclidean, over all pairs of draws, so
        repeats count as 0) and ``mean_pairwise_distance_distinct`` (over distinct items; None if
        fewer than 2). For several rows, each is the mean over rows and ``per_row`` lists them.

    Raises:
        DataError: Indices not 1-D/2-D whole numbers, or outside the bank.
    """
    idx = np.asarray(indices)
    if idx.ndim not in (1, 2) or idx.size == 0 or not np.issubdtype(idx.dtype, np.integer):
        raise DataError(f"indices: got shape {idx.shape} of {idx.dtype}, expected whole-number draws, (n,) or (q, n).")
    bank = None if bank_emb is None else as_matrix(bank_emb, "bank_emb", what=_ITEMS)
    if bank is not None and (idx.min() < 0 or idx.max() >= len(bank)):
        raise DataError(f"indices: got values in [{idx.min()}, {idx.max()}], expected positions in [0, {len(bank)}).")
    if idx.ndim == 1:
        return _row_diversity(idx, bank)
    rows = [_row_diversity(row, bank) for row in idx]
    out: dict[str, Any] = {}
    for key in rows[0]:
        values = [r[key] for r in rows if r[key] is not None]
        out[key] = float(np.mean(values)) if values else None
    out["per_row"] = rows
    return out


def _row_diversity(idx: NDArray, bank: NDArray | None) -> dict[str, Any]:
    _, counts = np.unique(idx, return_counts=True)
    freq = counts / counts.sum()
    out: dict[str, Any] = {
        "n_draws": int(idx.size),
        "n_distinct": int(counts.size),
        "distinct_fraction": float(counts.size / idx.size),
        "effective_number": float(np.exp(-np.sum(freq * np.log(freq)))),
    }
    if bank is not None:
        out["mean_pairwise_distance"] = _mean_distance(bank[idx]) if idx.size > 1 else None
        distinct = np.unique(idx)
        out["mean_pairwise_distance_distinct"] = _mean_distance(bank[distinct]) if distinct.size > 1 else None
    return out


def _mean_distance(points: NDArray) -> float:
    diff = points[:, None, :] - points[None, :, :]  # (n, n, d); n is a handful of draws
    dist = np.sqrt((diff**2).sum(axis=-1))
    n = len(points)
    return float(dist.sum() / (n * (n - 1)))


def label_evidence(
    encoder: DualEncoder,
    train: PairDataset,
    test: PairDataset,
    test_left: np.ndarray,
    test_right: np.ndarray,
    *,
    tilt: str,
    temperature: float,
    seed: int = 0,
) -> dict[str, Any] | None:
    """Zero-shot and linear-head classification of left items into labels, and conditional sampling.

    Returns None when the data has no label column.

    - Zero-shot (Algorithm 2): each test left item gets the label whose *name*, embedded by the right
      tower, scores highest under the run's tilt.
    - Linear head (eqs. 32-35): a softmax head on frozen, normalised left embeddings, trained on the
      train split's left items and scored on the test split.
    - Generation: for the first test queries, 16 draws from the learned conditional over the test
      bank of right items, softmax(S/τ); few distinct draws mean a collapsed (over-confident) conditional.
    """
    if train.label is None or test.label is None:
        return None
    labels = sorted(set(train.label) | set(test.label))
    label_emb = encoder.encode(labels, "right")
    zero_shot = zero_shot_classify(test_left, label_emb, labels, tilt=tilt, true_labels=list(test.label))
    zero_shot.pop("predictions", None)
    zero_shot.pop("scores_top", None)
    train_left = encoder.encode(train.left, "left")
    head = linear_head(train_left, list(train.label), test_left, list(test.label), seed=seed)
    head.pop("predictions", None)
    queries = test_left[:N_GENERATION_QUERIES]
    draws = sample_conditional(queries, test_right, tilt=tilt, temperature=temperature, n_samples=N_SAMPLES, seed=seed)
    spread = diversity(draws, test_right)
    spread.pop("per_row", None)
    return {
        "labels": labels,
        "zero_shot": zero_shot,
        "linear_head": head,
        "generation": {"n_queries": int(len(queries)), "n_samples": N_SAMPLES, "temperature": temperature, **spread},
    }
