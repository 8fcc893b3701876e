"""Intervals of a metric that cover both the test sample and the training noise between seeds.

A learning-curve point trains S models that differ only in their training seed and scores each on
the same Q test queries. Its estimate is the mean metric over the seeds. Two things make a repeat
of the whole experiment come out differently, and the interval covers both:

* **which test queries were drawn**: a bootstrap of the queries, resampled jointly for every seed
  (and for every point of the curve when the caller passes one ``counts`` matrix), of the
  seed-mean metric;
* **which training run you got**: the spread between the seeds. With s the standard deviation of
  the metric over the S seeds (on all test queries), the seed mean's training noise is drawn as
  ``s / sqrt(S) * T`` with ``T ~ Student t(S - 1)``, the usual interval of a mean of S runs.

Each replicate is the sum of one draw of each, so their variances add (the two sources are taken
as independent); the interval is the percentile interval of the sums. The query bootstrap alone
gives ``test_low`` / ``test_high``, stored next to it for comparison. With a single seed there is
no spread to measure, the training-noise draw is zero and the interval covers test noise only
(``covers`` says which).

With S = 3 the t quantile is 4.30 (against 1.96 for a normal), so a real spread between seeds
widens the interval noticeably: that is the honest price of three training runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

from engine.analysis.evidence.bootstrap import per_query
from engine.errors import DataError

COVERS_BOTH = "test_and_training"  # the interval covers test-sample and seed-to-seed training noise
COVERS_TEST = "test_only"  # one seed: nothing measures the training noise


def seed_noise(values: Sequence[float], n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """(B,) draws of the training noise of the mean of ``values`` (one metric value per seed).

    ``s / sqrt(S) * T``, T ~ t(S - 1); zeros for a single seed.
    """
    v = np.asarray(values, dtype=np.float64)
    if v.size < 2:
        return np.zeros(n_resamples)
    return float(np.std(v, ddof=1)) / np.sqrt(v.size) * stats.t.rvs(v.size - 1, size=n_resamples, random_state=rng)


def seeds_and_test(
    ranks_per_seed: Sequence[np.ndarray],
    metric: str,
    counts: np.ndarray,
    rng: np.random.Generator,
    confidence: float,
) -> tuple[dict[str, Any], np.ndarray]:
    """One metric of one point: the seed mean with its combined and test-only intervals, and the replicates.

    Args:
        ranks_per_seed: (Q,) 1-based ranks of each seed's model on the shared test queries.
        metric: ``"recall@k"`` or ``"mrr"``.
        counts: (B, Q) how often each test query is drawn in each bootstrap replicate.
        rng: Draws the training noise.
        confidence: Interval level in (0, 1).

    Returns:
        ``({"estimate", "low", "high", "test_low", "test_high", "seed_values", "seed_sd", "covers"},
        replicates (B,))``; the replicates (test draw + training draw) are what a curve fit resamples.

    Raises:
        DataError: No seeds, or seeds scored on different numbers of queries.
    """
    if not ranks_per_seed or len({np.asarray(r).size for r in ranks_per_seed}) != 1:
        raise DataError(
            f"training noise: got {len(ranks_per_seed)} seed(s) with query counts "
            f"{sorted({np.asarray(r).size for r in ranks_per_seed})}; every seed must be scored on the same test queries."
        )
    hits = np.stack([per_query(np.asarray(r), metric) for r in ranks_per_seed])  # (S, Q)
    values = hits.mean(axis=1)
    test = counts @ hits.mean(axis=0) / hits.shape[1]  # (B,) query bootstrap of the seed mean
    # Recall@k and MRR live in [0, 1]; the t draw of few seeds (t(1) has no variance) can push a sum
    # outside, which no repeat of the experiment could give, so the replicates are held to the range.
    both = np.clip(test + seed_noise(values, counts.shape[0], rng), 0.0, 1.0)
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(both, [tail, 1.0 - tail])
    test_low, test_high = np.quantile(test, [tail, 1.0 - tail])
    summary = {
        "estimate": float(values.mean()), "low": float(low), "high": float(high), "test_low": float(test_low),
        "test_high": float(test_high), "seed_values": [float(v) for v in values],
        "seed_sd": float(np.std(values, ddof=1)) if values.size > 1 else 0.0,
        "covers": COVERS_BOTH if values.size > 1 else COVERS_TEST,
    }
    return summary, both
