"""Learning curve: train on nested subsets of the training split, score all on one test split.

How much better would the model get with more pairs? :func:`run_learning_curve` answers with
evidence: one data split, nested training subsets (each contains the smaller ones, so the curve
is not confounded by *which* pairs were drawn), several fine-tuning runs per subset with the same
configuration and different training seeds, every run scored on exactly the same test pairs
against one shared base evaluation (as :mod:`engine.compare` does), the seed-mean Recall@1 per
point with intervals covering test and training noise, and a
saturating power law (:mod:`engine.analysis.evidence.power_law`) fitted to the points to predict the
metric at 2x and 4x the data and the pairs needed for a target.

**Training noise.** Each point trains ``seeds`` models (default
:data:`engine.learning_curve_settings.DEFAULT_SEEDS` = 3) on the
same subset, differing only in the training seed (``config.train.seed``, ``+ 1``, ``+ 2`` ...); the
point is their mean. Its interval covers both the test sample and the spread between seeds
(:mod:`engine.analysis.evidence.training_noise`: each replicate is a paired bootstrap of the test queries
of the seed mean plus a Student-t draw of the seed mean's training noise). ``test_low`` /
``test_high`` keep the test-only interval for comparison, and ``interval_covers`` says what the
interval covers (``"test_only"`` when ``seeds`` is 1). Cost: ``len(fractions) x seeds`` training
runs; the default 4 fractions (1/8, 1/4, 1/2, all) x 3 seeds train on 3 x 1.875 = 5.6 times the
training split, about 1.4 times a 4-loss comparison.

**Uncertainty of the fit.** All points are scored on the same test queries, so their errors are
correlated. The fit's intervals therefore come from the same replicates: each resamples the test
queries once (jointly for every point and seed) and adds each point's training-noise draw, and
the power law is refitted to each replicate curve.

Output: ``<store>/learning_curve.json`` (written atomically; schema in :func:`run_learning_curve`).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from engine.analysis.evidence.bootstrap import bootstrap_metrics, resample_counts
from engine.analysis.evidence.power_law import describe_points, fit_saturating_power_law
from engine.analysis.evidence.training_noise import COVERS_BOTH, COVERS_TEST, seeds_and_test
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
from engine.learning_curve_settings import CURVE_BOOTSTRAP, DEFAULT_FRACTIONS, DEFAULT_SEEDS, MAX_SEEDS
from engine.names import DIRECTIONS
from engine.runs import LEARNING_CURVE_FILE, RunStore, atomic_write_json, read_json
from engine.train import StepInfo

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 2  # 2: several training seeds per point; intervals cover test and training noise
CURVE_METRICS = ("recall@1", "recall@5", "recall@10", "mrr")  # per point, seed mean with combined interval
FIT_METRIC = "recall@1"
INTERVAL_METHOD = (
    "seed mean; percentile interval of (paired bootstrap of the test queries + Student-t training noise "
    "between seeds), engine.analysis.evidence.training_noise"
)


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


def _shared_base(config: RunConfig, split: SplitData) -> Any:
    encoder = encoder_from_config(config.model)
    base = evaluate_encoder(encoder, split.test, tilt=BASE_TILT)
    del encoder
    return base


def _check_seeds(seeds: int) -> int:
    if isinstance(seeds, bool) or not isinstance(seeds, int) or not 1 <= seeds <= MAX_SEEDS:
        raise ConfigError(
            f"seeds: got {seeds!r}, expected a whole number of training runs per point from 1 to {MAX_SEEDS} "
            f"({DEFAULT_SEEDS} is the default; 1 leaves the training noise out of the intervals)."
        )
    return seeds


def run_learning_curve(
    config: RunConfig,
    store: RunStore,
    *,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
    target_recall: float | None = None,
    callback: Callable[[float, StepInfo], None] | None = None,
    seed: int | None = None,
    n_boot: int = CURVE_BOOTSTRAP,
    confidence: float = 0.95,
    seeds: int = DEFAULT_SEEDS,
) -> dict[str, Any]:
    """Train ``config`` on nested subsets of its training split, ``seeds`` times each, and fit a saturating power law.

    Args:
        config: The run configuration (data, loss, model, training) used for every point.
        store: Where the runs and ``learning_curve.json`` go.
        fractions: Fractions of the training split's groups, at least 3 distinct values in (0, 1].
        target_recall: Recall@1 to reach; the result then holds the pairs needed for it.
        callback: Receives ``(fraction, StepInfo)`` during each run's training (each seed in turn).
        seed: Seed of the subset permutation, the bootstrap and the training-noise draws; default
            ``config.train.seed``.
        n_boot: Bootstrap replicates, for the per-point intervals and for the fit.
        confidence: Interval coverage.
        seeds: Training runs per point (training seeds ``config.train.seed + i``), 1 to
            :data:`MAX_SEEDS`. With 1 the intervals cover test-set noise only.

    Returns:
        The dict written to ``<store>/learning_curve.json``:

        - ``version``, ``created``, ``loss`` (label), ``data`` (path), ``seed``, ``confidence``,
          ``n_boot``, ``seeds``, ``train_seeds``, ``interval_method``, ``interval_covers``
          (``"test_and_training"`` or ``"test_only"``), ``test_rows`` (the shared test split,
          1-based rows), ``test_pairs``, ``train_pairs_total``, ``target_recall``, ``wall_time_s``;
        - ``base``: the base model's metrics with intervals, per direction (no training: test noise only);
        - ``points``: one per fraction, ascending: ``fraction``, ``train_pairs``, ``train_groups``,
          ``run_id`` (the first seed's run), ``run_ids``, ``train_rows``, ``seeds`` (per seed:
          ``seed``, ``run_id``, ``metrics`` per direction as
          :func:`engine.analysis.evidence.bootstrap.bootstrap_metrics`), ``metrics`` (per direction, each of
          :data:`CURVE_METRICS`: ``{"estimate"`` (seed mean), ``"low", "high"`` (test and
          training noise), ``"test_low", "test_high", "seed_values", "seed_sd", "covers"}``);
        - ``fit``: per direction, the output of
          :func:`engine.analysis.evidence.power_law.fit_saturating_power_law` on (train pairs, seed-mean
          Recall@1) with the same replicates as the point intervals;
        - ``predictions``: per direction, the fit's predictions at 2x and 4x the largest subset;
        - ``pairs_needed``: per direction, or None without ``target_recall``.

    Raises:
        ConfigError: Bad fractions, seeds, target or bootstrap settings.
        DataError: The data cannot be split into distinct nested subsets.
        EngineError: Any run failing (its status says why).
    """
    ordered = _check_fractions(fractions)
    seeds = _check_seeds(seeds)
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
    counts = resample_counts(len(split.test), n_boot, seed)  # one matrix: every point and seed paired
    train_seeds = [config.train.seed + i for i in range(seeds)]
    points, replicates = [], {d: [] for d in DIRECTIONS}
    for index, (fraction, indices) in enumerate(zip(ordered, subsets, strict=True)):
        point, ranks = _train_point(config, store, split, base, fraction, indices, train_seeds, callback)
        for record, seed_ranks in zip(point["seeds"], ranks, strict=True):
            record["metrics"] = {d: bootstrap_metrics(seed_ranks[d], n_resamples=n_boot, seed=seed,
                                                      confidence=confidence) for d in DIRECTIONS}
        rng = np.random.default_rng([seed, index])  # the training-noise draws of this point
        for direction in DIRECTIONS:
            point["metrics"][direction] = {}
            for metric in CURVE_METRICS:
                summary, reps = seeds_and_test([r[direction] for r in ranks], metric, counts, rng, confidence)
                point["metrics"][direction][metric] = summary
                if metric == FIT_METRIC:
                    replicates[direction].append(reps)
        points.append(point)

    n_pairs = [p["train_pairs"] for p in points]
    fits = {}
    for direction in DIRECTIONS:
        r1 = [p["metrics"][direction][FIT_METRIC]["estimate"] for p in points]
        logger.info("learning curve %s R@1: %s", direction, describe_points(n_pairs, r1))
        fits[direction] = fit_saturating_power_law(
            n_pairs, r1, replicates=np.column_stack(replicates[direction]), target=target_recall,
            confidence=confidence, seed=seed,
        )
    base_metrics = {d: bootstrap_metrics(base.ranks[d], n_resamples=n_boot, seed=seed, confidence=confidence)
                    for d in DIRECTIONS}
    result = {
        "version": SCHEMA_VERSION,
        "created": time.time(),
        "loss": config.loss.label,
        "data": config.data.path,
        "seed": seed,
        "confidence": confidence,
        "n_boot": n_boot,
        "seeds": seeds,
        "train_seeds": train_seeds,
        "interval_method": INTERVAL_METHOD,
        "interval_covers": COVERS_BOTH if seeds > 1 else COVERS_TEST,
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
    train_seeds: Sequence[int],
    callback: Callable[[float, StepInfo], None] | None,
) -> tuple[dict[str, Any], list[dict[str, np.ndarray]]]:
    """One run per training seed on the subset; returns the point record (metrics filled in later) and tuned ranks per seed."""
    subset = SplitData(full=split.full, train=split.train.subset(indices), test=split.test)
    step_cb = (lambda info: callback(fraction, info)) if callback is not None else None
    records, ranks = [], []
    for train_seed in train_seeds:
        seeded = replace(config, train=replace(config.train, seed=train_seed))
        label = f"{config.loss.label}-lc{fraction * 100:g}pct-s{train_seed}"
        run = store.create_run(label, resolved_config(seeded, subset))
        logger.info("learning curve: %g of the training groups, %d pairs, training seed %d (run %s)", fraction,
                    len(indices), train_seed, run.run_id)
        run_experiment(seeded, store, run=run, split=subset, base=base, callback=step_cb)
        stored_split = read_json(run.split, default={}) or {}
        if stored_split.get("test_rows") != list(split.test.row):
            raise DataError(f"Run {run.run_id} was scored on different test rows than the learning curve's split; "
                            "this is a bug, please report it with the run directory.")
        with np.load(run.ranks) as stored:
            ranks.append({d: np.asarray(stored[f"tuned_{d}"], dtype=np.int64) for d in DIRECTIONS})
        records.append({"seed": train_seed, "run_id": run.run_id})
    point = {
        "fraction": fraction,
        "train_pairs": len(subset.train),
        "train_groups": len(set(subset.train.group)),
        "run_id": records[0]["run_id"],
        "run_ids": [r["run_id"] for r in records],
        "train_rows": list(subset.train.row),
        "seeds": records,
        "metrics": {},
    }
    return point, ranks
