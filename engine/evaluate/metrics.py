"""Retrieval metrics as pure functions of first-relevant ranks, with their chance levels.

A rank is the 1-based position of a query's best-ranked relevant gallery item (see
:func:`engine.evaluate.scoring.first_relevant_ranks`). Chance levels are exact expectations under a
uniformly random ordering of the gallery, given how many relevant items each query has.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.special import gammaln

from engine.errors import ConfigError, DataError


def _check_ranks(ranks: np.ndarray, gallery_size: int) -> np.ndarray:
    if isinstance(gallery_size, bool) or not isinstance(gallery_size, (int, np.integer)) or gallery_size < 1:
        raise DataError(f"gallery_size: got {gallery_size!r}, expected a positive integer (items ranked per query).")
    r = np.asarray(ranks)
    if r.ndim != 1 or r.size == 0:
        raise DataError(f"ranks: got shape {r.shape}, expected a non-empty 1-D array (one rank per query).")
    if not np.issubdtype(r.dtype, np.number) or not np.all(r == np.round(r)):
        raise DataError("ranks: expected whole numbers (1-based positions); got fractional or non-numeric values.")
    if r.min() < 1 or r.max() > gallery_size:
        raise DataError(
            f"ranks: got values in [{r.min()}, {r.max()}], expected 1-based ranks in [1, {gallery_size}] "
            "(the gallery size)."
        )
    return r.astype(np.int64)


def _check_ks(ks: Sequence[int]) -> tuple[int, ...]:
    bad = [k for k in ks if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1]
    if bad or len(ks) == 0:
        raise ConfigError(
            f"evaluate.ks: got {list(ks)}, expected a non-empty list of positive integers, e.g. [1, 5, 10]."
        )
    return tuple(int(k) for k in ks)


def _check_n_relevant(n_relevant: np.ndarray | int | None, n_queries: int, gallery_size: int) -> np.ndarray:
    if n_relevant is None:
        return np.ones(n_queries, dtype=np.int64)
    n = np.broadcast_to(np.asarray(n_relevant), (n_queries,)) if np.ndim(n_relevant) == 0 else np.asarray(n_relevant)
    if n.shape != (n_queries,):
        raise DataError(f"n_relevant: got shape {n.shape}, expected ({n_queries},), one count per query.")
    if n.min() < 1 or n.max() > gallery_size:
        raise DataError(
            f"n_relevant: got counts in [{n.min()}, {n.max()}], expected each query to have between 1 and "
            f"{gallery_size} (the gallery size) relevant items."
        )
    return n.astype(np.int64)


def _log_comb(n: np.ndarray | int, k: np.ndarray | int) -> np.ndarray:
    return gammaln(np.add(n, 1)) - gammaln(np.add(k, 1)) - gammaln(np.subtract(n, k) + 1)


def recall_at_k(ranks: np.ndarray, k: int) -> float:
    """Fraction of queries with a relevant item in the top ``k`` (hit rate, as in CLIP retrieval)."""
    return float(np.mean(np.asarray(ranks) <= k))


def mean_reciprocal_rank(ranks: np.ndarray) -> float:
    """Mean over queries of ``1 / rank`` of the first relevant item."""
    return float(np.mean(1.0 / np.asarray(ranks, dtype=np.float64)))


def chance_recall_at_k(gallery_size: int, k: int, n_relevant: int = 1) -> float:
    """Probability that a random ordering puts one of ``n_relevant`` items in the top ``k``.

    Equals ``1 - C(G - n, k) / C(G, k)``; for ``n = 1`` this is ``k / G``.
    """
    g, n = gallery_size, n_relevant
    if k >= g - n + 1:
        return 1.0
    return float(1.0 - np.exp(_log_comb(g - n, k) - _log_comb(g, k)))


def chance_mrr(gallery_size: int, n_relevant: int = 1) -> float:
    """Expected ``1 / rank`` of the first of ``n_relevant`` items under a random ordering.

    ``P(rank = r) = C(G - r, n - 1) / C(G, n)`` for ``r = 1 .. G - n + 1``; for ``n = 1`` the
    expectation is ``H_G / G`` (the G-th harmonic number over G).
    """
    g, n = gallery_size, n_relevant
    r = np.arange(1, g - n + 2, dtype=np.float64)
    p = np.exp(_log_comb(g - r, n - 1) - _log_comb(g, n))
    return float(np.sum(p / r))


def metrics_from_ranks(
    ranks: np.ndarray,
    *,
    gallery_size: int,
    ks: Sequence[int] = (1, 5, 10),
    n_relevant: np.ndarray | int | None = None,
) -> dict[str, Any]:
    """Recall@k, MRR and rank summaries of one retrieval direction, next to their chance levels.

    Args:
        ranks: (Q,) 1-based rank of each query's first relevant gallery item.
        gallery_size: G, the number of gallery items every query was ranked against.
        ks: Cut-offs for recall@k.
        n_relevant: (Q,) number of relevant gallery items per query (for chance levels); default 1.

    Returns:
        JSON-ready dict: ``recall@k`` for each k, ``mrr``, ``median_rank``, ``mean_rank``,
        ``n_queries``, ``gallery_size``, ``chance`` (``{"recall@k": ...}``) and ``chance_mrr``.
    """
    r = _check_ranks(ranks, gallery_size)
    ks = _check_ks(ks)
    n = _check_n_relevant(n_relevant, r.size, gallery_size)
    counts = {int(v): int(c) for v, c in zip(*np.unique(n, return_counts=True))}

    def chance_mean(fn: Any, *args: int) -> float:
        # Averaged over queries, evaluated once per distinct group size.
        return float(sum(c * fn(gallery_size, *args, v) for v, c in counts.items()) / r.size)

    out: dict[str, Any] = {f"recall@{k}": recall_at_k(r, k) for k in ks}
    out["mrr"] = mean_reciprocal_rank(r)
    out["median_rank"] = float(np.median(r))
    out["mean_rank"] = float(np.mean(r))
    out["n_queries"] = int(r.size)
    out["gallery_size"] = int(gallery_size)
    out["chance"] = {f"recall@{k}": chance_mean(chance_recall_at_k, k) for k in ks}
    out["chance_mrr"] = chance_mean(chance_mrr)
    return out
