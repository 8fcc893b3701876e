"""Recall@k of base and tuned from stored per-query ranks, with a paired bootstrap.

Paired: each replicate resamples the test queries once (with replacement) and computes both
models' Recall@k on the same resampled queries, so the interval of the difference keeps the
strong correlation between them (the same hard queries are hard for both).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from engine.errors import DataError
from engine.i18n import t

RECALL_CONFIDENCE = 0.95
_CHUNK = 256  # replicates per block: memory is O(chunk × queries), not O(draws × queries)


def _hits(ranks: ArrayLike, k: int, name: str) -> NDArray[np.float64]:
    r = np.asarray(ranks)
    if r.ndim != 1 or r.size == 0 or not np.all(np.isfinite(r)) or np.any(r < 1):
        raise DataError(t("roi.ERROR_RANKS_SHAPE", name=name, shape=str(r.shape)))
    return (r <= k).astype(np.float64)


def recall_at_k(ranks: ArrayLike, k: int) -> float:
    """Share of queries whose first relevant item is within the top ``k``."""
    return float(_hits(ranks, k, "ranks").mean())


def paired_bootstrap(
    base_ranks: ArrayLike, tuned_ranks: ArrayLike, k: int, *, n_draws: int = 4000, seed: int = 0
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``n_draws`` paired bootstrap replicates of base and tuned Recall@k (two arrays, same length).

    Raises:
        DataError: Ranks that are not 1-based or of different lengths (not the same queries).
    """
    base, tuned = _hits(base_ranks, k, "base ranks"), _hits(tuned_ranks, k, "tuned ranks")
    if base.shape != tuned.shape:
        raise DataError(t("roi.ERROR_RANKS_UNPAIRED", base=base.size, tuned=tuned.size))
    rng = np.random.default_rng(seed)
    n = base.size
    out_base, out_tuned = np.empty(n_draws), np.empty(n_draws)
    for start in range(0, n_draws, _CHUNK):
        stop = min(start + _CHUNK, n_draws)
        idx = rng.integers(0, n, size=(stop - start, n))
        out_base[start:stop] = base[idx].mean(axis=1)
        out_tuned[start:stop] = tuned[idx].mean(axis=1)
    return out_base, out_tuned


def interval(estimate: float, draws: ArrayLike, confidence: float) -> dict[str, float]:
    """``{"estimate", "low", "high"}``: the point value and the percentile interval of ``draws``."""
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(np.asarray(draws, dtype=np.float64), [tail, 1.0 - tail])
    return {"estimate": float(estimate), "low": float(low), "high": float(high)}


def recall_evidence(
    base_ranks: ArrayLike, tuned_ranks: ArrayLike, k: int, *, n_draws: int = 4000, seed: int = 0,
    confidence: float = RECALL_CONFIDENCE,
) -> tuple[dict[str, Any], NDArray[np.float64], NDArray[np.float64]]:
    """Point values and paired-bootstrap intervals of base, tuned and ΔRecall@k, plus the replicates.

    Returns:
        ``({"base", "tuned", "delta"}, base_draws, tuned_draws)``; each entry ``{"estimate",
        "low", "high"}``, and ``delta["significant"]`` is True when its interval excludes 0 (the
        same percentile interval, so the test and the interval never disagree).
    """
    base_draws, tuned_draws = paired_bootstrap(base_ranks, tuned_ranks, k, n_draws=n_draws, seed=seed)
    base_point, tuned_point = recall_at_k(base_ranks, k), recall_at_k(tuned_ranks, k)
    delta = interval(tuned_point - base_point, tuned_draws - base_draws, confidence)
    delta["significant"] = bool(delta["low"] > 0 or delta["high"] < 0)
    evidence = {
        "base": interval(base_point, base_draws, confidence),
        "tuned": interval(tuned_point, tuned_draws, confidence),
        "delta": delta,
        "confidence": confidence,
        "queries": int(np.asarray(base_ranks).size),
    }
    return evidence, base_draws, tuned_draws
