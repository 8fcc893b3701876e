"""Learning curve: train on nested subsets of the training split, score all on one test split.

How much better would the model get with more pairs? :func:`run_learning_curve` answers with
evidence: one data split, nested training subsets (each contains the smaller ones, so the curve
is not confounded by *which* pairs were drawn), one fine-tuning run per subset with the same
configuration, every run scored on exactly the same test pairs against one shared base
evaluation (as :mod:`engine.compare` does), Recall@1 per point with bootstrap intervals, and a
saturating power law (:mod:`engine.analysis.power_law`) fitted to the points to predict the
metric at 2x and 4x the data and the pairs needed for a target.

**Uncertainty of the fit.** All points are scored on the same test queries, so their errors are
correlated. The fit's intervals therefore come from a *paired* bootstrap: each replicate
resamples the test queries once and recomputes every point's Recall@1 from the stored ranks, and
the power law is refitted to each replicate curve. This covers test-set noise, not the
training noise of each run (one seed per point).

Output: ``<store>/learning_curve.json`` (written atomically; schema in :func:`run_learning_curve`).
"""

from __future__ import annotations

import importlib
import logging
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from engine.analysis.power_law import describe_points, fit_saturating_power_law
from engine.config import RunConfig
from engine.data import PairDataset
from engine.errors import ConfigError, DataError
from engine.experiment import (
    BASE_TILT,
    SplitData,
    encoder_from_config,
    evaluate_encoder,
    prepare_data,
    resolved_config,
    run_experiment,
    with_chosen_model,
)
from engine.runs import LEARNING_CURVE_FILE, RunStore, atomic_write_json, read_json
from engine.train import StepInfo

logger = logging.getLogger(__name__)

DIRECTIONS = ("left_to_right", "right_to_left")
SCHEMA_VERSION = 1
_LOCAL_METRICS = {"recall@1": 1, "recall@5": 5, "recall@10": 10}


def _check_fractions(fractions: Sequence[float]) -> tuple[float, ...]:
    try:
        values = tuple(float(f) for f in fractions)
    except (TypeError, ValueError):
        raise ConfigError(f"fractions: got {fractions!r}, expected numbers such as (0.125, 0.25, 0.5, 1.0).") from None
    if len(values) < 3 or any(not 0.0 < f <= 1.0 for f in values) or len(set(values)) != len(values):
        raise ConfigError(
            f"fractions: got {list(values)}, expected at least 3 distinct fractions of the training split in (0, 1] "
            "(the power law has 3 parameters), e.g. (0.125, 0.25, 0.5, 1.0)."
        )
    return tuple(sorted(values))


def nested_train_subsets(train: PairDataset, fractions: Sequence[float], *, seed: int) -> list[list[int]]:
    """Row positions of nested training subsets, one list per fraction (ascending fractions).

    Groups (not rows) are shuffled with ``numpy.random.default_rng(seed)`` and each subset takes the
    first ``ceil(fraction * n_groups)`` of them (at least 2), with all their rows in their original
    order; so a group is never split, and each subset contains every smaller one.

    Raises:
        ConfigError: Bad fractions.
        DataError: Two fractions give the same subset (too few groups for these fractions).
    """
    ordered = _check_fractions(fractions)
    groups = list(dict.fromkeys(train.group))  # first-appearance order, so the seed alone decides
    order = [groups[i] for i in np.random.default_rng(seed).permutation(len(groups))]
    counts = [min(len(groups), max(2, math.ceil(f * len(groups)))) for f in ordered]
    if len(set(counts)) != len(counts):
        raise DataError(
            f"The training split has {len(groups)} groups, so the fractions {list(ordered)} give group counts "
            f"{counts} with repeats; use fewer, more spread-out fractions or more data."
        )
    subsets = []
    for count in counts:
        chosen = set(order[:count])
        subsets.append([i for i, g in enumerate(train.group) if g in chosen])
    return subsets


def _bootstrap_function() -> Callable[..., dict[str, Any]] | None:
    """The shared ``engine.analysis.bootstrap.bootstrap_metrics`` if that module is installed."""
    try:
        module = importlib.import_module("engine.analysis.bootstrap")
    except ImportError:
        return None
    return getattr(module, "bootstrap_metrics", None)


def _resample_counts(n_queries: int, n_boot: int, seed: int) -> np.ndarray:
    """(B, Q) multinomial counts: how often each test query appears in each bootstrap replicate."""
    return np.random.default_rng(seed).multinomial(n_queries, np.full(n_queries, 1.0 / n_queries), size=n_boot)


def _local_intervals(ranks: np.ndarray, counts: np.ndarray, confidence: float) -> dict[str, dict[str, float]]:
    """Percentile bootstrap of recall@k and MRR from one resampling matrix (fallback)."""
    tail = (1.0 - confidence) / 2.0
    values = {name: (ranks <= k).astype(np.float64) for name, k in _LOCAL_METRICS.items()}
    values["mrr"] = 1.0 / ranks.astype(np.float64)
    out = {}
    for name, per_query in values.items():
        replicates = counts @ per_query / ranks.size  # (B,)
        low, high = np.quantile(replicates, [tail, 1.0 - tail])
        out[name] = {"estimate": float(per_query.mean()), "low": float(low), "high": float(high)}
    return out


def _point_intervals(
    ranks: np.ndarray, counts: np.ndarray, n_boot: int, seed: int, confidence: float
) -> tuple[dict[str, Any], str]:
    shared = _bootstrap_function()
    if shared is not None:
        try:
            intervals = shared(ranks, n_resamples=n_boot, seed=seed, confidence=confidence)
            return intervals, "engine.analysis.bootstrap.bootstrap_metrics (percentile)"
        except TypeError as exc:  # a different signature than agreed: keep going with the local bootstrap
            logger.warning("bootstrap_metrics could not be called (%s); using the local percentile bootstrap", exc)
    return _local_intervals(ranks, counts, confidence), "local percentile bootstrap (learning_curve)"


def _shared_base(config: RunConfig, split: SplitData) -> Any:
    encoder = encoder_from_config(config.model)
    base = evaluate_encoder(encoder, split.test, tilt=BASE_TILT)
    del encoder
    return base


def run_learning_curve(
    config: RunConfig,
    store: RunStore,
    *,
    fractions: Sequence[float] = (0.125, 0.25, 0.5, 1.0),
    target_recall: float | None = None,
    callback: Callable[[float, StepInfo], None] | None = None,
    seed: int | None = None,
    n_boot: int = 500,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Train ``config`` on nested subsets of its training split and fit a saturating power law.

    Args:
        config: The run configuration (data, loss, model, training) used for every point.
        store: Where the runs and ``learning_curve.json`` go.
        fractions: Fractions of the training split's groups, at least 3 distinct values in (0, 1].
        target_recall: Recall@1 to reach; the result then holds the pairs needed for it.
        callback: Receives ``(fraction, StepInfo)`` during each run's training.
        seed: Seed of the subset permutation and the bootstrap; default ``config.train.seed``.
        n_boot: Bootstrap replicates, for the per-point intervals and for the fit.
        confidence: Interval coverage.

    Returns:
        The dict written to ``<store>/learning_curve.json``:

        - ``version``, ``created``, ``loss`` (label), ``data`` (path), ``seed``, ``confidence``,
          ``n_boot``, ``interval_method``, ``test_rows`` (the shared test split, 1-based rows),
          ``test_pairs``, ``train_pairs_total``, ``target_recall``;
        - ``base``: the base model's metrics with intervals, per direction;
        - ``points``: one per fraction, ascending: ``fraction``, ``train_pairs``, ``train_groups``,
          ``run_id``, ``train_rows``, ``metrics`` (per direction, each metric
          ``{"estimate", "low", "high"}``);
        - ``fit``: per direction, the output of
          :func:`engine.analysis.power_law.fit_saturating_power_law` on (train pairs, tuned
          Recall@1) with the paired-bootstrap replicates;
        - ``predictions``: per direction, the fit's predictions at 2x and 4x the largest subset;
        - ``pairs_needed``: per direction, or None without ``target_recall``.

    Raises:
        ConfigError: Bad fractions, target or bootstrap settings.
        DataError: The data cannot be split into distinct nested subsets.
        EngineError: Any run failing (its status says why).
    """
    ordered = _check_fractions(fractions)
    if target_recall is not None and not (isinstance(target_recall, (int, float)) and 0.0 < target_recall <= 1.0):
        raise ConfigError(f"target_recall: got {target_recall!r}, expected a Recall@1 in (0, 1], e.g. 0.6.")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 100:
        raise ConfigError(f"n_boot: got {n_boot!r}, expected at least 100 bootstrap replicates (e.g. 500).")
    seed = config.train.seed if seed is None else seed
    started = time.perf_counter()
    split = prepare_data(config)
    config = with_chosen_model(config, split.full)
    subsets = nested_train_subsets(split.train, ordered, seed=seed)
    base = _shared_base(config, split)
    counts = _resample_counts(len(split.test), n_boot, seed)
    points, tuned_ranks = [], {d: [] for d in DIRECTIONS}
    for fraction, indices in zip(ordered, subsets, strict=True):
        point, ranks = _train_point(config, store, split, base, fraction, indices, callback)
        for direction in DIRECTIONS:
            tuned_ranks[direction].append(ranks[direction])
            point["metrics"][direction], method = _point_intervals(ranks[direction], counts, n_boot, seed, confidence)
        points.append(point)

    n_pairs = [p["train_pairs"] for p in points]
    fits = {}
    for direction in DIRECTIONS:
        hits = np.stack([r <= 1 for r in tuned_ranks[direction]]).astype(np.float64)  # (m, Q)
        replicates = counts @ hits.T / hits.shape[1]  # (B, m), paired over the shared test queries
        r1 = [p["metrics"][direction]["recall@1"]["estimate"] for p in points]
        logger.info("learning curve %s R@1: %s", direction, describe_points(n_pairs, r1))
        fits[direction] = fit_saturating_power_law(
            n_pairs, hits.mean(axis=1), replicates=replicates, target=target_recall, confidence=confidence, seed=seed
        )
    base_metrics = {d: _point_intervals(base.ranks[d], counts, n_boot, seed, confidence)[0] for d in DIRECTIONS}
    result = {
        "version": SCHEMA_VERSION,
        "created": time.time(),
        "loss": config.loss.label,
        "data": config.data.path,
        "seed": seed,
        "confidence": confidence,
        "n_boot": n_boot,
        "interval_method": method,
        "test_rows": list(split.test.row),
        "test_pairs": len(split.test),
        "train_pairs_total": len(split.train),
        "target_recall": target_recall,
        "base": base_metrics,
        "points": points,
        "fit": fits,
        "predictions": {d: fits[d]["predictions"] for d in DIRECTIONS},
        "pairs_needed": {d: fits[d].get("pairs_needed") for d in DIRECTIONS} if target_recall is not None else None,
        "wall_time_s": time.perf_counter() - started,
    }
    atomic_write_json(store.root / LEARNING_CURVE_FILE, result)
    return result


def _train_point(
    config: RunConfig,
    store: RunStore,
    split: SplitData,
    base: Any,
    fraction: float,
    indices: list[int],
    callback: Callable[[float, StepInfo], None] | None,
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """One run on the subset; returns its point record (metrics filled in later) and tuned ranks."""
    subset = SplitData(full=split.full, train=split.train.subset(indices), test=split.test)
    label = f"{config.loss.label}-lc{fraction * 100:g}pct"
    run = store.create_run(label, resolved_config(config, subset))
    step_cb = (lambda info: callback(fraction, info)) if callback is not None else None
    logger.info("learning curve: %g of the training groups, %d pairs (run %s)", fraction, len(indices), run.run_id)
    run_experiment(config, store, run=run, split=subset, base=base, callback=step_cb)
    stored_split = read_json(run.split, default={}) or {}
    if stored_split.get("test_rows") != list(split.test.row):
        raise DataError(f"Run {run.run_id} was scored on different test rows than the learning curve's split; "
                        "this is a bug, please report it with the run directory.")
    with np.load(run.ranks) as stored:
        ranks = {d: np.asarray(stored[f"tuned_{d}"], dtype=np.int64) for d in DIRECTIONS}
    point = {
        "fraction": fraction,
        "train_pairs": len(subset.train),
        "train_groups": len(set(subset.train.group)),
        "run_id": run.run_id,
        "train_rows": list(subset.train.row),
        "metrics": {},
    }
    return point, ranks
