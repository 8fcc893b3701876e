"""Bootstrap intervals for retrieval metrics and paired comparisons of runs on one test split.

Inputs are per-query first-relevant ranks as stored in a run's ``ranks.npz`` (1-based, aligned with
the test split's rows). Metrics are those of :func:`engine.evaluate.metrics_from_ranks`: ``recall@k``
(share of ranks <= k), ``mrr`` (mean of 1/rank) and ``median_rank``.

Intervals of one run's metric (:func:`bootstrap_metrics`) are percentile bootstrap intervals:
resample the Q queries with replacement B times, recompute the metric each time, and take the
(1 - c)/2 and (1 + c)/2 quantiles.

Comparisons of two runs on the same queries (:func:`paired_difference`, :func:`compare_runs`,
:func:`fine_tuning_effect`) use one procedure for everything they say, so the interval, the p-value
and "significant" can never disagree:

    - The test is a paired sign-flip (randomisation) test of the mean per-query difference
      ``d_i = stat(a_i) - stat(b_i)`` (recall@k: hit or miss; MRR: 1/rank). Under the null hypothesis
      that, for every query, the two runs' results are exchangeable, flipping the sign of any subset
      of the d_i is as likely as the data. Over B random flips s, the p-value is
      ``(1 + #{|mean(s d)| >= |mean(d)|}) / (1 + B)``: valid at any sample size, never below
      ``1 / (B + 1)``. (The percentile bootstrap was tried for this and found too liberal at the small
      levels Holm's correction needs: 7.7% family-wise errors at 60 test queries, 10.7% at 30.)
    - The interval is the test inverted: every shift delta that the same flips, applied to
      ``d_i - delta``, do not reject at the interval's level. For each flip b the shifts where it is
      at least as extreme form an interval [r1_b, r2_b] around the estimate (a quadratic inequality),
      so the p-value falls monotonically away from the estimate and the kept shifts form an interval
      whose ends are order statistics of the r1_b and r2_b. Zero lies outside it exactly when
      p <= level. The median rank has no such test and is not compared between runs.
    - A pairwise comparison of runs is one family: every pair of runs x search direction x metric
      shown (6 pairs x 2 directions x 2 metrics = 24 tests for 4 runs). Holm's step-down correction
      (:mod:`engine.analysis.evidence.multiplicity`) keeps the chance of any false "X beats Y" in the family
      at most ``1 - confidence``; each row stores its raw ``p_value`` and its Holm ``p_adjusted``,
      and its interval inverts the test at the level the test was decided at (``confidence`` of the
      row, e.g. 99.79% for the first of 24 tests; ``family_confidence`` is the nominal 95%), so a
      significant row's interval excludes zero and a tied row's interval contains it. B is raised to
      at least ``2 m / (1 - confidence)`` for a family of m tests so that every level is reachable.
    - The fine-tuning effect of one run (tuned vs base) is not adjusted: each (direction, metric) is
      its own question, and the decision rule (:mod:`engine.roi`) reads exactly one of them (Recall@k
      in its chosen direction). Its rows say ``"adjustment": "none"``.

Performance: each chunk of resamples is a (c, Q) matrix of counts (how often each query is drawn),
built with one ``bincount``; mean metrics are then one matrix product with the (Q, m) per-query
statistics, and the median is a weighted median over the ranks sorted once. Chunks hold at most
``_CHUNK_ELEMENTS`` counts, so memory stays bounded for any B x Q.

All results are JSON-ready dicts of plain floats, ints, strings and lists.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from engine.analysis.checks import check_int, check_real, is_integer
from engine.analysis.evidence.multiplicity import holm
from engine.analysis.evidence.verdict import fine_tuning_verdict_entry, verdict_entry
from engine.errors import ConfigError, DataError
from engine.names import DIRECTIONS, STAGES

MIN_RESAMPLES = 100  # fewer resamples make the tail quantiles of a 95% interval meaningless
_CHUNK_ELEMENTS = 1 << 21  # counts per chunk (16 MiB of int64), bounds memory for any B x Q
_RECALL = re.compile(r"recall@(\d+)")
_ZERO = 1e-12  # shifts and coefficients smaller than this are zero (summation noise of equal sums)
METHOD = "paired sign-flip test"  # the one procedure behind every stored comparison's interval, p-value and verdict
# The families stored rows belong to (what Holm's correction controls, or that nothing is adjusted).
FAMILY_PAIRWISE = "pairs x directions x metrics"
FAMILY_FINE_TUNING = "one test per direction and metric (not adjusted)"


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
    check_int(n_resamples, "bootstrap.n_resamples", minimum=MIN_RESAMPLES,
              expected=f"an integer >= {MIN_RESAMPLES} (2000 is typical)")
    confidence = check_real(confidence, "bootstrap.confidence", low=0.0, high=1.0,
                            expected="a number strictly between 0 and 1, e.g. 0.95")
    check_int(seed, "bootstrap.seed", minimum=0, expected="a non-negative integer, e.g. 0")
    return 1.0 - confidence


def _check_ks(ks: Sequence[int]) -> tuple[int, ...]:
    bad = [k for k in ks if not is_integer(k) or k < 1]
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


def _check_paired_metric(metric: str) -> str:
    if _check_metric(metric) == "median_rank":
        raise ConfigError(
            "bootstrap.metric: 'median_rank' cannot be compared between runs (a median has no paired "
            "sign-flip test with an interval); compare 'recall@k' or 'mrr'."
        )
    return metric


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


def per_query(ranks: np.ndarray, metric: str) -> np.ndarray:
    """(Q,) per-query statistic whose mean is ``metric`` (``"recall@k"``: hit or miss, ``"mrr"``: 1/rank).

    Raises:
        ConfigError: Another metric (the median rank is not a mean).
        DataError: Ranks that are not 1-based whole numbers.
    """
    return _per_query(_check_ranks(ranks, "ranks"), _check_paired_metric(metric))


def resample_counts(n_queries: int, n_resamples: int, seed: int) -> np.ndarray:
    """(B, Q) how often each of Q queries is drawn in each of B bootstrap resamples (seeded).

    The same draws as :func:`bootstrap_metrics` with the same seed, so callers that share one matrix
    (e.g. all points of a learning curve) resample the test queries jointly.
    """
    out = np.empty((n_resamples, n_queries), dtype=np.int64)
    for start, counts in _resample_counts(np.random.default_rng(seed), n_queries, n_resamples):
        out[start:start + counts.shape[0]] = counts
    return out


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


def _sign_sums(diffs: np.ndarray, n_resamples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random sign flips of per-query differences: ``(A, C)`` with ``A[b] = mean_i s_bi d_i`` (B, T), ``C[b] = mean_i s_bi``.

    One stream of signs serves every column (common random numbers); chunks bound the memory.
    """
    q = diffs.shape[0]
    rng = np.random.default_rng(seed)
    a, c = np.empty((n_resamples, diffs.shape[1])), np.empty(n_resamples)
    rows = max(1, _CHUNK_ELEMENTS // q)
    for start in range(0, n_resamples, rows):
        n = min(rows, n_resamples - start)
        signs = 2.0 * rng.integers(0, 2, size=(n, q), dtype=np.int8) - 1.0
        a[start:start + n], c[start:start + n] = signs @ diffs / q, signs.mean(axis=1)
    return a, c


def _extreme_ranges(mean: float, a: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per sign flip b, the shifts delta where ``|A_b - delta C_b| >= |mean - delta|`` (flip b is as extreme).

    It is the quadratic ``(C^2 - 1) delta^2 + 2 (mean - A C) delta + A^2 - mean^2 >= 0``; with |C| < 1 it
    opens downwards and holds at delta = mean, so the set is an interval ``[r1_b, r2_b]`` around the
    mean. All signs equal (|C| = 1) makes every shift as extreme: (-inf, inf).
    """
    quad, lin, const = c * c - 1.0, 2.0 * (mean - a * c), a * a - mean * mean
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.sqrt(np.maximum(lin * lin - 4.0 * quad * const, 0.0))
        r1, r2 = (-lin + root) / (2.0 * quad), (-lin - root) / (2.0 * quad)
    flat = np.abs(quad) < _ZERO
    r1, r2 = np.where(flat, -np.inf, np.minimum(r1, mean)), np.where(flat, np.inf, np.maximum(r2, mean))
    # A flip exactly as extreme as the data at delta = 0 must count (summation noise would drop it).
    r1[np.abs(r1) < _ZERO], r2[np.abs(r2) < _ZERO] = 0.0, 0.0
    return np.sort(r1), np.sort(r2)


def _paired_test(a: np.ndarray, b: np.ndarray, metric: str, flips_a: np.ndarray, flips_c: np.ndarray) -> dict[str, Any]:
    """Estimate, the flips' extreme ranges and the sign-flip p-value of ``a - b`` on one metric.

    ``p = (1 + #{flips as extreme as the data}) / (1 + B)``, a valid Monte Carlo p-value at any size.
    """
    stat_a, stat_b = _per_query(a, metric), _per_query(b, metric)
    mean = float(np.mean(stat_a - stat_b))  # = metric(a) - metric(b); the estimate the interval is built around
    mean = 0.0 if abs(mean) < _ZERO else mean  # equal sums in another order are equal
    r1, r2 = _extreme_ranges(mean, flips_a, flips_c)
    n_resamples = flips_c.size
    # r1 <= mean <= r2 always, so only one side of the ranges can miss zero.
    extreme = n_resamples if mean == 0 else int(np.count_nonzero(r1 <= 0) if mean > 0 else np.count_nonzero(r2 >= 0))
    return {
        "metric": metric, "value_a": float(stat_a.mean()), "value_b": float(stat_b.mean()), "estimate": mean,
        "r1": r1, "r2": r2, "p": Fraction(1 + extreme, 1 + n_resamples), "n_queries": int(a.size),
        "n_different": int(np.count_nonzero(a != b)),
    }


def _accept_count(n_resamples: int, level: Fraction) -> int:
    """K: a shift is kept in the interval when at least K flips are as extreme, i.e. when p > level."""
    return math.floor((n_resamples + 1) * level - 1) + 1


def _interval(test: Mapping[str, Any], n_resamples: int, level: Fraction) -> tuple[float, float]:
    """The test-inversion interval at ``1 - level``: every shift the sign-flip test keeps at that level."""
    k = _accept_count(n_resamples, level)
    if k < 1:  # too few flips to ever reject at this level (min_resamples prevents it)
        return -math.inf, math.inf
    return float(test["r1"][k - 1]), float(test["r2"][n_resamples - k])


def min_resamples(n_tests: int, confidence: float) -> int:
    """Sign flips needed so the smallest Holm level, (1 - confidence) / n_tests, can be reached twice over.

    The smallest p-value is 1 / (B + 1); B + 1 >= 2 n / alpha keeps every interval finite.
    """
    return math.ceil(2 * n_tests / (1 - Fraction(confidence)))


def _decide(
    tests: Sequence[dict[str, Any]], confidence: float, n_resamples: int, *, holm_family: bool
) -> list[dict[str, Any]]:
    """Rows of tested differences: interval, p-values and ``significant`` from one procedure.

    With ``holm_family`` the tests are one family under Holm's correction
    (:func:`engine.analysis.evidence.multiplicity.holm`); otherwise each test stands alone at ``1 - confidence``.
    Each interval inverts the test at the level the test was decided at, so it excludes zero exactly
    when the difference is significant.
    """
    alpha = 1 - Fraction(confidence)
    if holm_family:
        result = holm([t["p"] for t in tests], alpha)
        adjusted, significant, levels = result.adjusted, result.significant, result.levels
    else:
        adjusted = tuple(t["p"] for t in tests)
        significant = tuple(t["p"] <= alpha for t in tests)
        levels = (alpha,) * len(tests)
    rows = []
    for test, p_adj, sig, level in zip(tests, adjusted, significant, levels, strict=True):
        low, high = _interval(test, n_resamples, level)
        rows.append({
            "metric": test["metric"], "estimate": test["estimate"], "low": low, "high": high,
            "p_value": float(test["p"]), "p_adjusted": float(p_adj), "significant": bool(sig),
            "value_a": test["value_a"], "value_b": test["value_b"], "higher_is_better": True,
            "n_queries": test["n_queries"], "n_different": test["n_different"], "n_resamples": int(n_resamples),
            "confidence": float(1 - level), "family_confidence": float(confidence), "method": METHOD,
            "adjustment": "holm" if holm_family else "none", "family_size": len(tests) if holm_family else 1,
        })
    return rows


def _tests(pairs: Sequence[tuple[np.ndarray, np.ndarray]], metrics: Sequence[str], n_resamples: int,
           seed: int) -> list[dict[str, Any]]:
    """One test per (pair, metric), in that order, all pairs flipped with the same signs."""
    diffs = np.column_stack([_per_query(a, m) - _per_query(b, m) for a, b in pairs for m in metrics])
    flips_a, flips_c = _sign_sums(diffs, n_resamples, seed)
    labels = [(a, b, m) for a, b in pairs for m in metrics]
    return [_paired_test(a, b, m, flips_a[:, j], flips_c) for j, (a, b, m) in enumerate(labels)]


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

    One procedure gives all three (see the module docstring): the paired sign-flip test's p-value,
    the interval that inverts it, and ``significant`` = p <= 1 - confidence = the interval excludes 0.

    Args:
        ranks_a: (Q,) ranks of run a, aligned with the same test rows as ``ranks_b``.
        ranks_b: (Q,) ranks of run b.
        metric: ``"recall@k"`` or ``"mrr"``.
        n_resamples: B, random sign flips (>= 100).
        confidence: Interval level in (0, 1); the test's level is ``1 - confidence``.
        seed: Seed of the sign flips.

    Returns:
        ``{"metric", "estimate", "low", "high", "p_value", "p_adjusted" (= p_value: a family of one),
        "significant", "value_a", "value_b", "higher_is_better", "n_queries", "n_different",
        "n_resamples", "confidence", "family_confidence", "method", "adjustment": "none",
        "family_size": 1}``. Identical runs give estimate 0, interval [0, 0] and p-value 1. If a is
        better on every query, the p-value is ``1 / (B + 1)``, the smallest possible.

    Raises:
        ConfigError: ``"median_rank"`` or an unknown metric, bad settings.
        DataError: Ranks that are not 1-based whole numbers, or of different lengths.
    """
    a = _check_ranks(ranks_a, "ranks_a")
    b = _check_ranks(ranks_b, "ranks_b")
    _check_pair(a, b, "ranks_a", "ranks_b")
    _check_settings(n_resamples, confidence, seed)
    n_resamples = max(int(n_resamples), min_resamples(1, confidence))  # only a very high confidence raises it
    test = _tests([(a, b)], [_check_paired_metric(metric)], n_resamples, seed)[0]
    return _decide([test], float(confidence), n_resamples, holm_family=False)[0]


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
    """Paired comparisons of every pair of runs scored on the same test split, as one Holm family.

    Args:
        runs: Run name -> its ranks, keyed as in ``ranks.npz`` (``"tuned_left_to_right"`` ...) or by
            direction alone. Runs must share the test split; equal query counts are checked, the
            row alignment cannot be.
        metrics: Metrics to compare (see :func:`paired_difference`).
        directions: Retrieval directions to compare.
        which: ``"tuned"`` or ``"base"``: whose ranks to compare when keys carry the stage.
        n_resamples: Random sign flips, one stream shared by every pair (raised to
            :func:`min_resamples` of the family when smaller).
        confidence: 1 - the family-wise error rate that Holm's correction controls, in (0, 1).
        seed: Seed of the sign flips.

    Returns:
        One row per (pair of runs in the given order, direction, metric): the keys of
        :func:`paired_difference` plus ``run_a``, ``run_b``, ``direction``, ``which``, ``family``
        and ``verdict``, e.g. ``"clip beats joint on R@1 (left → right) by 3.1 points, 99.8% CI
        0.8–5.4 (paired sign-flip test with Holm's correction over 24 tests: adjusted p = 0.012)"``
        (English), with ``verdict_key`` and ``verdict_fields`` to write it in any language
        (:func:`engine.analysis.evidence.verdict.render_verdict`). The family is every row returned:
        ``adjustment`` is ``"holm"``, ``family_size`` the number of rows, ``p_adjusted`` the Holm
        p-value, ``confidence`` the level of the row's interval (the level its test was decided at)
        and ``family_confidence`` the nominal level.
    """
    if which not in STAGES:
        raise ConfigError(f"bootstrap.which: got {which!r}, expected one of {list(STAGES)}.")
    if len(runs) < 2:
        raise ConfigError(f"compare_runs: got {len(runs)} run(s) ({list(runs)}), expected at least 2 to compare.")
    metrics = [_check_paired_metric(m) for m in metrics]
    directions = _check_directions(directions)
    _check_settings(n_resamples, confidence, seed)
    n_tests = len(directions) * len(runs) * (len(runs) - 1) // 2 * len(metrics)
    n_resamples = max(int(n_resamples), min_resamples(n_tests, confidence))
    labels, tests = [], []
    for direction in directions:
        ranks = {name: _ranks_of(data, which, direction, f"run {name!r}", plain_ok=True) for name, data in runs.items()}
        pairs = list(itertools.combinations(ranks, 2))
        for name_a, name_b in pairs:
            _check_pair(ranks[name_a], ranks[name_b], f"run {name_a!r} ({direction})", f"run {name_b!r} ({direction})")
        labels += [(name_a, name_b, direction) for name_a, name_b in pairs for _ in metrics]
        tests += _tests([(ranks[x], ranks[y]) for x, y in pairs], metrics, n_resamples, seed)
    rows = []
    for (name_a, name_b, direction), diff in zip(labels, _decide(tests, float(confidence), n_resamples,
                                                                 holm_family=True), strict=True):
        said = verdict_entry(name_a, name_b, diff, direction=direction)
        rows.append({"run_a": name_a, "run_b": name_b, "direction": direction, "which": which,
                     "family": FAMILY_PAIRWISE, **diff, **said})
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

    Each row is its own test at ``1 - confidence`` (``"adjustment": "none"``; see the module
    docstring for why), with interval, p-value and ``significant`` from one paired sign-flip test.

    Returns:
        One row per (direction, metric): the keys of :func:`paired_difference` plus ``direction``,
        ``family`` and ``verdict``, e.g. ``"fine-tuning improves R@1 (left → right) by 3.1 points,
        95% CI 0.8–5.4 (paired sign-flip test: p = 0.004)"`` (English), with ``verdict_key`` and
        ``verdict_fields`` (see :func:`compare_runs`).
    """
    metrics = [_check_paired_metric(m) for m in metrics]
    directions = _check_directions(directions)
    _check_settings(n_resamples, confidence, seed)
    rows = []
    for direction in directions:
        tuned = _ranks_of(ranks, "tuned", direction, "ranks")
        base = _ranks_of(ranks, "base", direction, "ranks")
        _check_pair(tuned, base, f"tuned_{direction}", f"base_{direction}")
        n_resamples = max(int(n_resamples), min_resamples(1, confidence))
        tests = _tests([(tuned, base)], metrics, n_resamples, seed)
        for diff in _decide(tests, float(confidence), n_resamples, holm_family=False):
            said = fine_tuning_verdict_entry(diff, direction=direction)
            rows.append({"direction": direction, "family": FAMILY_FINE_TUNING, **diff, **said})
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
