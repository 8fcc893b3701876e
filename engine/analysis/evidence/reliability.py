"""Reliability curves and expected calibration error (ECE) of confidences against 0/1 outcomes.

Plain NumPy (no torch), so read-only dashboard pages may import it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from engine.analysis.checks import check_positive_int
from engine.errors import ConfigError, DataError

STRATEGIES = ("uniform", "quantile")


def reliability(
    confidences: ArrayLike, correct: ArrayLike, *, n_bins: int = 15, strategy: str = "uniform"
) -> dict[str, Any]:
    """Reliability curve, ECE and MCE of confidences against 0/1 outcomes.

    Bins are ``[lower, upper)``, the last one closed. ``"uniform"`` splits [0, 1] into ``n_bins``
    equal widths; ``"quantile"`` puts edges at the confidence quantiles (tied edges merge, so fewer
    bins may result). For confidences (0.9, 0.8, 0.3, 0.2) with outcomes (1, 0, 0, 1) and two
    uniform bins: gaps 0.25 and 0.35, so ECE = 0.3 and MCE = 0.35. When outcomes are drawn as
    Bernoulli(confidence) the ECE tends to 0 (about 0.01 for 20,000 draws and 15 bins).

    Args:
        confidences: (n,) predicted probabilities of being correct, in [0, 1].
        correct: (n,) outcomes (bool or 0/1).
        n_bins: Number of bins.
        strategy: ``"uniform"`` or ``"quantile"``.

    Returns:
        JSON-serialisable dict: ``n``, ``strategy``, ``accuracy``, ``mean_confidence``, ``brier``
        (mean squared gap), ``ece``, ``mce`` and ``bins`` with parallel lists ``lower``, ``upper``,
        ``count``, ``mean_confidence`` and ``accuracy`` (None for empty bins).

    Raises:
        DataError: Lengths differ, empty input, confidences outside [0, 1] or outcomes not 0/1.
        ConfigError: Bad ``n_bins`` or ``strategy``.
    """
    conf = np.asarray(confidences, dtype=np.float64).ravel()
    hit = np.asarray(correct).ravel()
    if conf.size == 0 or conf.size != hit.size:
        raise DataError(f"got {conf.size} confidences and {hit.size} outcomes; expected the same non-zero number.")
    if not np.all(np.isfinite(conf)) or conf.min() < 0 or conf.max() > 1:
        raise DataError("confidences: expected probabilities in [0, 1]; got values outside it or NaN.")
    if not np.all((hit == 0) | (hit == 1)):
        raise DataError("correct: expected booleans or 0/1 outcomes (1 = the top-1 item is relevant).")
    hit = hit.astype(np.float64)
    n_bins = check_positive_int(n_bins, "n_bins", 15)
    if strategy not in STRATEGIES:
        raise ConfigError(f"strategy: got {strategy!r}, expected one of {', '.join(STRATEGIES)}.")
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    else:
        edges = np.unique(np.quantile(conf, np.linspace(0.0, 1.0, n_bins + 1)))
        edges = np.r_[edges, edges] if edges.size == 1 else edges
    index = np.searchsorted(edges[1:-1], conf, side="right")  # bin of each prediction
    count = np.bincount(index, minlength=edges.size - 1)
    filled = count > 0
    mean_conf = np.bincount(index, conf, minlength=edges.size - 1)[filled] / count[filled]
    accuracy = np.bincount(index, hit, minlength=edges.size - 1)[filled] / count[filled]
    gaps = np.abs(accuracy - mean_conf)

    def per_bin(values: NDArray[np.float64]) -> list[float | None]:
        out: list[float | None] = [None] * count.size
        for i, v in zip(np.flatnonzero(filled), values):
            out[i] = float(v)
        return out

    return {
        "n": int(conf.size),
        "strategy": strategy,
        "accuracy": float(hit.mean()),
        "mean_confidence": float(conf.mean()),
        "brier": float(np.mean((conf - hit) ** 2)),
        "ece": float(np.sum(count[filled] * gaps) / conf.size),
        "mce": float(gaps.max()),
        "bins": {
            "lower": edges[:-1].tolist(),
            "upper": edges[1:].tolist(),
            "count": count.tolist(),
            "mean_confidence": per_bin(mean_conf),
            "accuracy": per_bin(accuracy),
        },
    }
