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


def _tested_delta(base_ranks: ArrayLike, tuned_ranks: ArrayLike, k: int, *, n_draws: int, seed: int,
                  confidence: float) -> dict[str, Any]:
    """ΔRecall@k with the interval and significance of the fine-tuning verdict's own test.

    The same procedure as ``uncertainty.json``'s ``fine_tuning`` rows (a paired sign-flip test and the
    interval that inverts it, :func:`engine.analysis.evidence.bootstrap.paired_difference`), so the decision
    and the verdict card never disagree on whether the gain is proven.
    """
    from engine.analysis.evidence.bootstrap import paired_difference

    tested = paired_difference(np.asarray(tuned_ranks), np.asarray(base_ranks), metric=f"recall@{k}",
                               n_resamples=n_draws, confidence=confidence, seed=seed)
    return {key: tested[key] for key in ("estimate", "low", "high", "significant")}


def recall_evidence(
    base_ranks: ArrayLike, tuned_ranks: ArrayLike, k: int, *, n_draws: int = 4000, seed: int = 0,
    confidence: float = RECALL_CONFIDENCE,
) -> tuple[dict[str, Any], NDArray[np.float64], NDArray[np.float64]]:
    """Point values and paired-bootstrap intervals of base, tuned and ΔRecall@k, plus the replicates.

    Returns:
        ``({"base", "tuned", "delta"}, base_draws, tuned_draws)``; each entry ``{"estimate",
        "low", "high"}``; ``delta``'s interval and ``significant`` come from the paired sign-flip test
        of the fine-tuning verdicts (significant exactly when its interval excludes 0); the base and
        tuned intervals are percentile intervals of the returned bootstrap replicates.
    """
    base_draws, tuned_draws = paired_bootstrap(base_ranks, tuned_ranks, k, n_draws=n_draws, seed=seed)
    base_point, tuned_point = recall_at_k(base_ranks, k), recall_at_k(tuned_ranks, k)
    delta = _tested_delta(base_ranks, tuned_ranks, k, n_draws=n_draws, seed=seed, confidence=confidence)
    evidence = {
        "base": interval(base_point, base_draws, confidence),
        "tuned": interval(tuned_point, tuned_draws, confidence),
        "delta": delta,
        "confidence": confidence,
        "queries": int(np.asarray(base_ranks).size),
    }
    return evidence, base_draws, tuned_draws
