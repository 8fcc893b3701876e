"""Bootstrap intervals for retrieval metrics and paired comparisons of runs on one test split.

Inputs are per-query first-relevant ranks as stored in a run's ``ranks.npz`` (1-based, aligned with
the test split's rows). Metrics are those of :func:`engine.evaluate.metrics_from_ranks`: ``recall@k``
(share of ranks <= k), ``mrr`` (mean of 1/rank) and ``median_rank``.

Method:
    - Intervals are percentile bootstrap intervals: resample the Q queries with replacement B times,
      recompute the metric each time, and take the (1 - c)/2 and (1 + c)/2 quantiles.
    - Comparisons are paired: both runs answered the same queries, so the query indices are resampled
      jointly and the interval is that of the difference ``a - b``. Pairing removes the between-query
      variance that two independent intervals would double-count.
    - The p-value is a paired sign-flip (randomisation) test: under the null hypothesis that, for
      every query, the two runs' ranks are exchangeable, swapping a and b on any subset of queries is
      as likely as the observed assignment. The p-value is ``(1 + #{|T*| >= |T|}) / (1 + B)`` over B
      random swaps, which is valid at any sample size (never below ``1 / (B + 1)``). For recall@k it is
      a Monte-Carlo version of McNemar's exact test.
    - A difference is called significant when the p-value is below ``1 - confidence`` **and** the
      interval excludes zero, so the verdict never contradicts either number.

Performance: each chunk of resamples is a (c, Q) matrix of counts (how often each query is drawn),
built with one ``bincount``; mean metrics are then one matrix product with the (Q, m) per-query
statistics, and the median is a weighted median over the ranks sorted once. Chunks hold at most
``_CHUNK_ELEMENTS`` counts, so memory stays bounded for any B x Q.

All results are JSON-ready dicts of plain floats, ints, strings and lists.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from engine.analysis.verdict import fine_tuning_verdict_entry, verdict_entry
from engine.errors import ConfigError, DataError

logger = logging.getLogger(__name__)

DIRECTIONS = ("left_to_right", "right_to_left")
STAGES = ("base", "tuned")
MIN_RESAMPLES = 100  # fewer resamples make the tail quantiles of a 95% interval meaningless
_CHUNK_ELEMENTS = 1 << 21  # counts per chunk (16 MiB of int64), bounds memory for any B x Q
_RECALL = re.compile(r"recall@(\d+)")


# ---------------------------------------------------------------------------------------------
# validation


def _check_ranks(ranks: Any, name: str, gallery_size: int | None = None) -> np.ndarray:
    r = np.asarray(ranks)
    if r.ndim != 1 or r.size == 0:
        raise DataError(f"{name}: got shape {r.shape}, expected a non-empty 1-D array (one rank per query).")
    if not np.issubdtype(r.dtype, np.number) or not np.all(np.isfinite(r)) or not np.all(r == np.round(r)):
        raise DataError(f"{name}: expected whole numbers (1-based ranks); got fractional or non-numeric values.")
    if r.min() < 1:
        raise DataError(f"{name}: got a smallest rank of {r.min()}, expected 1-based ranks (>= 1).")
    if gallery_size is not None and r.max() > gallery_size:
        raise DataError(f"{name}: got a rank of {r.max()}, expected ranks <= the gallery size {gallery_size}.")
    return r.astype(np.int64)


def _check_settings(n_resamples: int, confidence: float, seed: int) -> float:
    """Validate the shared settings; return alpha = 1 - confidence."""
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, (int, np.integer)) or n_resamples < MIN_RESAMPLES:
        raise ConfigError(
            f"bootstrap.n_resamples: got {n_resamples!r}, expected an integer >= {MIN_RESAMPLES} (2000 is typical)."
        )
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float, np.floating)) or not 0 < confidence < 1:
        raise ConfigError(
            f"bootstrap.confidence: got {confidence!r}, expected a number strictly between 0 and 1, e.g. 0.95."
        )
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ConfigError(f"bootstrap.seed: got {seed!r}, expected a non-negative integer, e.g. 0.")
    return 1.0 - float(confidence)


def _check_ks(ks: Sequence[int]) -> tuple[int, ...]:
    bad = [k for k in ks if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1]
    if bad or len(ks) == 0:
        raise ConfigError(
            f"bootstrap.ks: got {list(ks)}, expected a non-empty list of positive integers, e.g. [1, 5, 10]."
        )
    return tuple(int(k) for k in ks)


def _check_metric(metric: str) -> str:
    match = _RECALL.fullmatch(metric) if isinstance(metric, str) else None
    if metric in ("mrr", "median_rank") or (match and int(match.group(1)) >= 1):
        return metric
    raise ConfigError(
        f"bootstrap.metric: got {metric!r}, expected 'recall@k' (k a positive integer, e.g. 'recall@1'), "
        "'mrr' or 'median_rank'."
    )


def _check_pair(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.size != b.size:
        raise DataError(
            f"paired comparison: {name_a} has {a.size} queries but {name_b} has {b.size}; a paired comparison "
            "needs ranks of the same queries (the same test split) for both runs."
        )


# ---------------------------------------------------------------------------------------------
# resampling core


def _per_query(ranks: np.ndarray, metric: str) -> np.ndarray:
    """(Q,) float64 per-query statistic whose mean is the metric (not defined for the median)."""
    if metric == "mrr":
        return 1.0 / ranks.astype(np.float64)
    return (ranks <= int(metric.split("@")[1])).astype(np.float64)


def _resample_counts(rng: np.random.Generator, n_queries: int, n_resamples: int) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(start, counts)``: (c, Q) int64 draws of each query in resamples ``start .. start + c``."""
    rows = max(1, _CHUNK_ELEMENTS // n_queries)
    for start in range(0, n_resamples, rows):
        c = min(rows, n_resamples - start)
        idx = rng.integers(0, n_queries, size=(c, n_queries))
        idx += (np.arange(c, dtype=np.int64) * n_queries)[:, None]  # row r's draws land in bins r*Q .. r*Q+Q-1
        yield start, np.bincount(idx.ravel(), minlength=c * n_queries).reshape(c, n_queries)


class _WeightedMedian:
    """np.median of resamples given as counts, with the ranks sorted and grouped once."""

    def __init__(self, ranks: np.ndarray) -> None:
        self.order = np.argsort(ranks, kind="stable")
        self.values, self.starts = np.unique(ranks[self.order], return_index=True)
        self.n = ranks.size

    def __call__(self, counts: np.ndarray) -> np.ndarray:
        cum = np.cumsum(np.add.reduceat(counts[:, self.order], self.starts, axis=1), axis=1)  # (c, U)
        # The p-th smallest (0-based) element is the first distinct value whose cumulative count exceeds p.
        low = self.values[np.count_nonzero(cum <= (self.n - 1) // 2, axis=1)]
        high = self.values[np.count_nonzero(cum <= self.n // 2, axis=1)]
        return (low + high) / 2.0


def _quantiles(samples: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    low, high = np.quantile(samples, [alpha / 2.0, 1.0 - alpha / 2.0], axis=0)
    return low, high


def bootstrap_metrics(
    ranks: np.ndarray,
    *,
    ks: Sequence[int] = (1, 5, 10),
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
    gallery_size: int | None = None,
) -> dict[str, Any]:
    """Percentile bootstrap intervals for recall@k, MRR and median rank of one retrieval direction.

    Args:
        ranks: (Q,) 1-based rank of each query's first relevant gallery item.
        ks: Cut-offs for recall@k.
        n_resamples: B, bootstrap resamples of the queries (>= 100).
        confidence: Interval level in (0, 1).
        seed: Seed of the resampling; equal seeds give equal intervals.
        gallery_size: If given, ranks above it are rejected.

    Returns:
        ``{"recall@k": {"estimate", "low", "high"}, ..., "mrr": {...}, "median_rank": {...},
        "n_queries", "n_resamples", "confidence", "method": "percentile"}``. Estimates equal
        :func:`engine.evaluate.metrics_from_ranks` on the full test set. For a rate p on Q queries the
        interval's width is about ``2 * 1.96 * sqrt(p (1 - p) / Q)`` (e.g. +-2.1 points for p = 0.5,
        Q = 2000). Ranks are whole numbers, so the median-rank interval moves in half-rank steps and is
        often a single value (e.g. [1, 1] when most queries are answered first): read it as a range.
    """
    r = _check_ranks(ranks, "ranks", gallery_size)
    ks = _check_ks(ks)
    alpha = _check_settings(n_resamples, confidence, seed)
    names = [f"recall@{k}" for k in ks] + ["mrr"]
    stats = np.column_stack([_per_query(r, name) for name in names])  # (Q, m)
    median = _WeightedMedian(r)
    samples = np.empty((n_resamples, len(names) + 1))
    for start, counts in _resample_counts(np.random.default_rng(seed), r.size, n_resamples):
        rows = slice(start, start + counts.shape[0])
        samples[rows, :-1] = (counts @ stats) / r.size
        samples[rows, -1] = median(counts)
    low, high = _quantiles(samples, alpha)
    # Column by column, as metrics_from_ranks sums them, so estimates match it to the last bit.
    estimates = [float(np.mean(_per_query(r, name))) for name in names] + [float(np.median(r))]
    out: dict[str, Any] = {
        name: {"estimate": float(est), "low": float(lo), "high": float(hi)}
        for name, est, lo, hi in zip(names + ["median_rank"], estimates, low, high)
    }
    out.update(n_queries=int(r.size), n_resamples=int(n_resamples), confidence=float(confidence), method="percentile")
    return out


# ---------------------------------------------------------------------------------------------
# paired comparison


def _metric_values(a: np.ndarray, b: np.ndarray, metric: str) -> tuple[float, float]:
    if metric == "median_rank":
        return float(np.median(a)), float(np.median(b))
    return float(_per_query(a, metric).mean()), float(_per_query(b, metric).mean())


def _bootstrap_differences(
    a: np.ndarray, b: np.ndarray, metrics: Sequence[str], n_resamples: int, rng: np.random.Generator
) -> np.ndarray:
    """(B, M) bootstrap differences ``a - b`` with the query indices resampled jointly."""
    means = [m for m in metrics if m != "median_rank"]
    diffs = np.column_stack([_per_query(a, m) - _per_query(b, m) for m in means]) if means else np.zeros((a.size, 0))
    medians = (_WeightedMedian(a), _WeightedMedian(b)) if "median_rank" in metrics else None
    col = {m: i for i, m in enumerate(means)}
    out = np.empty((n_resamples, len(metrics)))
    for start, counts in _resample_counts(rng, a.size, n_resamples):
        rows = slice(start, start + counts.shape[0])
        mean_part = (counts @ diffs) / a.size
        median_part = medians[0](counts) - medians[1](counts) if medians else None
        for j, m in enumerate(metrics):
            out[rows, j] = median_part if m == "median_rank" else mean_part[:, col[m]]
    return out


def _sign_flip_statistics(
    a: np.ndarray, b: np.ndarray, metrics: Sequence[str], n_resamples: int, rng: np.random.Generator
) -> np.ndarray:
    """(B, M) differences ``a - b`` after swapping a and b on a random half of the queries each time."""
    out = np.zeros((n_resamples, len(metrics)))
    differ = np.flatnonzero(a != b)
    if differ.size == 0:
        return out  # every swap leaves the data unchanged
    # Only queries where the runs differ change under a swap, so only they are drawn.
    da, db = a[differ], b[differ]
    means = [j for j, m in enumerate(metrics) if m != "median_rank"]
    diffs = np.column_stack([_per_query(da, metrics[j]) - _per_query(db, metrics[j]) for j in means]) if means else None
    rows = max(1, _CHUNK_ELEMENTS // a.size)
    for start in range(0, n_resamples, rows):
        c = min(rows, n_resamples - start)
        bits = rng.integers(0, 2, size=(c, differ.size), dtype=np.int8)
        swap = bits.view(bool)
        if diffs is not None:
            # A swap flips the sign of that query's difference: sum(d) - 2 * sum(d over swapped queries).
            out[start:start + c, means] = (diffs.sum(axis=0) - 2.0 * (bits.astype(np.float64) @ diffs)) / a.size
        if "median_rank" in metrics:
            sa, sb = np.tile(a, (c, 1)), np.tile(b, (c, 1))
            sa[:, differ], sb[:, differ] = np.where(swap, db, da), np.where(swap, da, db)
            out[start:start + c, metrics.index("median_rank")] = np.median(sa, axis=1) - np.median(sb, axis=1)
    return out


def _paired_many(
    a: np.ndarray, b: np.ndarray, metrics: Sequence[str], n_resamples: int, confidence: float, seed: int
) -> list[dict[str, Any]]:
    alpha = 1.0 - confidence
    rng = np.random.default_rng(seed)
    boot = _bootstrap_differences(a, b, metrics, n_resamples, rng)
    flips = _sign_flip_statistics(a, b, metrics, n_resamples, rng)
    low, high = _quantiles(boot, alpha)
    n_different = int(np.count_nonzero(a != b))
    results = []
    for j, metric in enumerate(metrics):
        value_a, value_b = _metric_values(a, b, metric)
        estimate = value_a - value_b
        # Relative slack so a permuted statistic equal to the observed one (up to summation order) counts.
        slack = 1e-9 * max(1.0, abs(estimate))
        extreme = int(np.count_nonzero(np.abs(flips[:, j]) >= abs(estimate) - slack))
        p_value = (1 + extreme) / (1 + n_resamples)
        lo, hi = float(low[j]), float(high[j])
        results.append(
            {
                "metric": metric,
                "estimate": float(estimate),
                "low": lo,
                "high": hi,
                "p_value": float(p_value),
                "significant": bool(p_value < alpha and (lo > 0 or hi < 0)),
                "value_a": value_a,
                "value_b": value_b,
                "higher_is_better": metric != "median_rank",
                "n_queries": int(a.size),
                "n_different": n_different,
                "n_resamples": int(n_resamples),
                "confidence": float(confidence),
                "method": "paired percentile bootstrap",
                "test": "paired sign-flip randomisation",
            }
        )
    return results


def paired_difference(
    ranks_a: np.ndarray,
    ranks_b: np.ndarray,
    *,
    metric: str = "recall@1",
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, Any]:
    """Difference ``metric(a) - metric(b)`` of two runs on the same queries, its interval and p-value.

    Args:
        ranks_a: (Q,) ranks of run a, aligned with the same test rows as ``ranks_b``.
        ranks_b: (Q,) ranks of run b.
        metric: ``"recall@k"``, ``"mrr"`` or ``"median_rank"`` (lower is better for the median rank).
        n_resamples: B, used both for the bootstrap and for the sign-flip test (>= 100).
        confidence: Interval level in (0, 1); the test's level is ``1 - confidence``.
        seed: Seed of the resampling and of the random swaps.

    Returns:
        ``{"metric", "estimate", "low", "high", "p_value", "significant", "value_a", "value_b",
        "higher_is_better", "n_queries", "n_different", "n_resamples", "confidence", "method",
        "test"}``. Identical runs give estimate 0, interval [0, 0] and p-value 1. If a is better on
        every query, the p-value is ``1 / (B + 1)``, the smallest possible.
    """
    a = _check_ranks(ranks_a, "ranks_a")
    b = _check_ranks(ranks_b, "ranks_b")
    _check_pair(a, b, "ranks_a", "ranks_b")
    _check_settings(n_resamples, confidence, seed)
    return _paired_many(a, b, [_check_metric(metric)], n_resamples, float(confidence), seed)[0]


# ---------------------------------------------------------------------------------------------
# runs


def _ranks_of(
    ranks: Mapping[str, np.ndarray], stage: str, direction: str, owner: str, *, plain_ok: bool = False
) -> np.ndarray:
    """Ranks for ``stage`` and ``direction`` from a ``ranks.npz``-style mapping.

    With ``plain_ok`` a mapping keyed by direction alone is accepted too (one stage per run).
    """
    keys = (f"{stage}_{direction}", direction) if plain_ok else (f"{stage}_{direction}",)
    for key in keys:
        if key in ranks:
            return _check_ranks(ranks[key], f"{owner}[{key!r}]")
    expected = " or ".join(repr(k) for k in keys)
    raise DataError(
        f"{owner}: no ranks for {stage} {direction}; got keys {sorted(ranks)}, expected {expected} "
        "(the keys of a run's ranks.npz)."
    )


def _check_directions(directions: Sequence[str]) -> tuple[str, ...]:
    bad = [d for d in directions if d not in DIRECTIONS]
    if bad or len(directions) == 0:
        raise ConfigError(
            f"bootstrap.directions: got {list(directions)}, expected a non-empty subset of {list(DIRECTIONS)}."
        )
    return tuple(directions)


def compare_runs(
    runs: Mapping[str, Mapping[str, np.ndarray]],
    *,
    metrics: Sequence[str] = ("recall@1", "mrr"),
    directions: Sequence[str] = DIRECTIONS,
    which: str = "tuned",
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """Paired comparisons of every pair of runs scored on the same test split.

    Args:
        runs: Run name -> its ranks, keyed as in ``ranks.npz`` (``"tuned_left_to_right"`` ...) or by
            direction alone. Runs must share the test split; equal query counts are checked, the
            row alignment cannot be.
        metrics: Metrics to compare (see :func:`paired_difference`).
        directions: Retrieval directions to compare.
        which: ``"tuned"`` or ``"base"``: whose ranks to compare when keys carry the stage.
        n_resamples: Bootstrap resamples and random swaps per comparison.
        confidence: Interval level in (0, 1).
        seed: Seed; every comparison uses the same resampled query sets (common random numbers).

    Returns:
        One row per (pair of runs in the given order, direction, metric): the keys of
        :func:`paired_difference` plus ``run_a``, ``run_b``, ``direction``, ``which`` and
        ``verdict``, e.g. ``"clip beats joint on R@1 (left → right) by 3.1 points, 95% CI 0.8–5.4"``
        (English), with ``verdict_key`` and ``verdict_fields`` to write it in any language
        (:func:`engine.analysis.verdict.render_verdict`).
    """
    if which not in STAGES:
        raise ConfigError(f"bootstrap.which: got {which!r}, expected one of {list(STAGES)}.")
    if len(runs) < 2:
        raise ConfigError(f"compare_runs: got {len(runs)} run(s) ({list(runs)}), expected at least 2 to compare.")
    metrics = [_check_metric(m) for m in metrics]
    directions = _check_directions(directions)
    _check_settings(n_resamples, confidence, seed)
    rows = []
    for direction in directions:
        ranks = {name: _ranks_of(data, which, direction, f"run {name!r}", plain_ok=True) for name, data in runs.items()}
        for name_a, name_b in itertools.combinations(ranks, 2):
            _check_pair(ranks[name_a], ranks[name_b], f"run {name_a!r} ({direction})", f"run {name_b!r} ({direction})")
            for diff in _paired_many(ranks[name_a], ranks[name_b], metrics, n_resamples, float(confidence), seed):
                said = verdict_entry(name_a, name_b, diff, direction=direction)
                rows.append({"run_a": name_a, "run_b": name_b, "direction": direction, "which": which, **diff, **said})
    return rows


def fine_tuning_effect(
    ranks: Mapping[str, np.ndarray],
    *,
    metrics: Sequence[str] = ("recall@1", "mrr"),
    directions: Sequence[str] = DIRECTIONS,
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """Paired ``tuned - base`` differences of one run (its ``ranks.npz`` contents), with verdicts.

    Returns:
        One row per (direction, metric): the keys of :func:`paired_difference` plus ``direction``
        and ``verdict``, e.g. ``"fine-tuning improves R@1 (left → right) by 3.1 points, 95% CI 0.8–5.4"``
        (English), with ``verdict_key`` and ``verdict_fields`` (see :func:`compare_runs`).
    """
    metrics = [_check_metric(m) for m in metrics]
    directions = _check_directions(directions)
    _check_settings(n_resamples, confidence, seed)
    rows = []
    for direction in directions:
        tuned = _ranks_of(ranks, "tuned", direction, "ranks")
        base = _ranks_of(ranks, "base", direction, "ranks")
        _check_pair(tuned, base, f"tuned_{direction}", f"base_{direction}")
        for diff in _paired_many(tuned, base, metrics, n_resamples, float(confidence), seed):
            said = fine_tuning_verdict_entry(diff, direction=direction)
            rows.append({"direction": direction, **diff, **said})
    return rows


def run_uncertainty(
    ranks: Mapping[str, np.ndarray],
    *,
    ks: Sequence[int] = (1, 5, 10),
    metrics: Sequence[str] = ("recall@1", "mrr"),
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, Any]:
    """Everything the uncertainty view of one run needs, from its ``ranks.npz`` contents.

    Returns:
        ``{"intervals": {"base": {direction: bootstrap_metrics(...)}, "tuned": {...}},
        "fine_tuning": fine_tuning_effect(...), "n_resamples", "confidence", "seed"}``, JSON-ready.
    """
    intervals = {
        stage: {
            direction: bootstrap_metrics(
                _ranks_of(ranks, stage, direction, "ranks"), ks=ks, n_resamples=n_resamples, confidence=confidence,
                seed=seed,
            )
            for direction in DIRECTIONS
        }
        for stage in STAGES
    }
    effect = fine_tuning_effect(ranks, metrics=metrics, n_resamples=n_resamples, confidence=confidence, seed=seed)
    return {
        "intervals": intervals, "fine_tuning": effect, "n_resamples": int(n_resamples),
        "confidence": float(confidence), "seed": int(seed),
    }
