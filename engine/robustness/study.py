"""Robustness to noisy pairs: train each loss with a share of its training pairs mismatched, score all on one test split.

Which loss stays useful when some pairs of a catalogue are wrong? :func:`run_robustness` answers
with evidence: one data split; per noise level, one noisy copy of the training split
(:func:`engine.robustness.mismatch.mismatch_pairs`: exactly ``round(noise × n_train)`` pairs
mispaired across groups, nested across levels, the same noisy copy for every loss); one
fine-tuning run per (noise level, loss) with otherwise identical settings; every run scored on
exactly the same, untouched test pairs against one shared base evaluation (as
:mod:`engine.compare` and :mod:`engine.learning_curve` do); Recall@1 (and the other metrics) per
point with percentile-bootstrap intervals over the test queries
(:func:`engine.analysis.evidence.bootstrap.bootstrap_metrics`); and, per loss, the change from its clean
run (noise 0) with a paired bootstrap interval (:func:`engine.analysis.evidence.bootstrap.paired_difference`).

**What the intervals cover.** They resample the test queries: test-set noise, not the training
noise of each run (one training seed per point) nor the choice of which pairs were spoiled.

With early stopping on, the validation slice is carved from the noisy training split, as it would
be from a user's own imperfect pairs; the spoiled share is exact over the whole training split.

At noise 0 a point *is* a normal run of that loss with the same seed (the training split is
passed through unchanged), so it matches ``tiltpilot train`` exactly.

Output: ``<store>/robustness.json`` (written atomically after every point, ``complete`` false
until the last; schema in :func:`run_robustness`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from engine.analysis.evidence.bootstrap import (
    MIN_RESAMPLES,
    bootstrap_metrics,
    paired_difference,
)
from engine.config import RunConfig
from engine.errors import ConfigError, DataError, TrainingCancelled
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
from engine.names import DIRECTIONS
from engine.robustness.checks import check_losses, check_noise_levels
from engine.robustness.keyed import keyed
from engine.robustness.mismatch import Mismatch, mismatch_pairs
from engine.robustness.settings import (
    DEFAULT_BOOTSTRAP,
    DEFAULT_LOSSES,
    DEFAULT_NOISE,
    METRIC,
)
from engine.runs import RunStore, atomic_write_json, read_json
from engine.runs.layout import ROBUSTNESS_FILE
from engine.train import StepInfo

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
INTERVAL_METHOD = "engine.analysis.evidence.bootstrap.bootstrap_metrics (percentile, over test queries)"


def run_label(loss_label: str, noise: float) -> str:
    """The run-id label of one point, e.g. ``clip-cosine-noise20pct``."""
    return f"{loss_label}-noise{noise * 100:g}pct"


def run_robustness(
    config: RunConfig,
    store: RunStore,
    *,
    losses: Sequence[str] = DEFAULT_LOSSES,
    noise_levels: Sequence[float] = DEFAULT_NOISE,
    callback: Callable[[str, float, StepInfo], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    seed: int | None = None,
    n_boot: int = DEFAULT_BOOTSTRAP,
    confidence: float = 0.95,
    result_path: str | Path | None = None,
) -> dict[str, Any]:
    """Train every loss at every noise level and store Recall@1 with intervals against the noise.

    Args:
        config: Data, model, training and tilt of every run; its loss name is replaced by each of ``losses``
            (temperature and weights kept).
        store: Where the runs and ``robustness.json`` go.
        losses: Loss names (:data:`engine.config.LOSS_NAMES`).
        noise_levels: Shares of training pairs to mismatch, at least two distinct values in [0, 1].
        callback: Receives ``(loss label, noise, StepInfo)`` during each run's training.
        should_stop: Polled before each run and at every step; True ends the study with
            :class:`engine.errors.TrainingCancelled` (the current run is ``cancelled``).
        seed: Seed of the mismatch and of the bootstrap; default ``config.train.seed``.
        n_boot: Bootstrap replicates per interval (at least 100).
        confidence: Interval coverage.
        result_path: Where to write the result (default ``<store>/robustness.json``).

    Returns:
        The dict written to the result file:

        - ``version``, ``created``, ``complete``, ``data`` (path), ``tilt``, ``losses``, ``noise``
          (the levels, ascending), ``seed``, ``confidence``, ``n_boot``, ``interval_method``,
          ``covers`` (``"test_queries"``), ``test_pairs``, ``train_pairs``, ``test_rows``;
        - ``base``: the pretrained model's metrics with intervals, per direction;
        - ``points``: one per (noise, loss), noise-major: ``loss`` (name), ``label``, ``noise``,
          ``mismatched`` (pairs spoiled), ``mismatched_rows`` (their 1-based source rows), ``run_id``,
          ``metrics`` (per direction, each metric ``{"estimate", "low", "high"}`` as
          :func:`~engine.analysis.evidence.bootstrap.bootstrap_metrics` returns), and ``change`` (per direction,
          the paired Recall@1 difference from the loss's noise-0 run, or None without one);
        - with the catalogue gallery (``config.evaluation.gallery == "catalogue"``), ``catalogue_base``
          and each point's ``catalogue``: the same intervals with every item of the file as candidates;
        - ``wall_time_s``.

    Raises:
        ConfigError: Bad losses, noise levels or bootstrap settings.
        DataError: A noise level cannot be realised on this training split.
        EngineError: Any run failing (its status says why).
    """
    losses, levels = check_losses(losses), check_noise_levels(noise_levels)
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < MIN_RESAMPLES:
        raise keyed(ConfigError, "robustness.ERROR_BOOTSTRAP", got=repr(n_boot), minimum=MIN_RESAMPLES)
    seed = config.train.seed if seed is None else seed
    target = Path(result_path) if result_path else store.root / ROBUSTNESS_FILE
    started = time.perf_counter()
    split = prepare_data(config)
    config = with_chosen_model(config, split.full)
    noisy = {level: mismatch_pairs(split.train, level, seed=seed) for level in levels}  # fails before any training
    encoder = encoder_from_config(config.model)
    base = evaluate_encoder(encoder, split.test, tilt=BASE_TILT)
    del encoder
    result: dict[str, Any] = {
        "version": SCHEMA_VERSION, "created": time.time(), "complete": False, "data": config.data.path,
        "tilt": config.loss.tilt, "losses": list(losses), "noise": list(levels), "seed": seed,
        "confidence": confidence, "n_boot": n_boot, "interval_method": INTERVAL_METHOD, "covers": "test_queries",
        "test_pairs": len(split.test), "train_pairs": len(split.train), "test_rows": list(split.test.row),
        "base": {d: bootstrap_metrics(base.ranks[d], n_resamples=n_boot, seed=seed, confidence=confidence)
                 for d in DIRECTIONS},
        "points": [],
    }
    clean: dict[str, dict[str, np.ndarray]] = {}
    for level in levels:
        for loss in losses:
            if should_stop is not None and should_stop():
                raise keyed(TrainingCancelled, "robustness.CANCELLED")
            loss_config = replace(config, loss=replace(config.loss, name=loss))
            ranks, point = _train_point(loss_config, store, split, base, noisy[level], level, callback, should_stop)
            point["metrics"] = {d: bootstrap_metrics(ranks[d], n_resamples=n_boot, seed=seed, confidence=confidence)
                                for d in DIRECTIONS}
            _add_catalogue(result, point, store.paths(point["run_id"]).ranks, n_boot, seed, confidence)
            if level == 0.0:
                clean[loss] = ranks
            point["change"] = _change(ranks, clean.get(loss), n_boot, seed, confidence) if level > 0.0 else None
            result["points"].append(point)
            result["wall_time_s"] = time.perf_counter() - started
            atomic_write_json(target, result)  # what has finished so far is readable while the rest trains
    result["complete"] = True
    result["wall_time_s"] = time.perf_counter() - started
    atomic_write_json(target, result)
    return result


def _add_catalogue(result: dict[str, Any], point: dict[str, Any], ranks_file: Path, n_boot: int, seed: int,
                   confidence: float) -> None:
    """With ``--gallery catalogue``: the whole-file gallery's metrics with intervals, beside the test gallery's.

    The runs store those ranks as ``catalogue_<stage>_<direction>``; the base's are the same in every run.
    """
    with np.load(ranks_file) as stored:
        found = {key: np.asarray(stored[key], dtype=np.int64) for key in stored.files if key.startswith("catalogue_")}
    if not found:
        return

    def intervals(stage: str) -> dict[str, Any]:
        return {d: bootstrap_metrics(found[f"catalogue_{stage}_{d}"], n_resamples=n_boot, seed=seed,
                                     confidence=confidence) for d in DIRECTIONS}

    point["catalogue"] = intervals("tuned")
    result.setdefault("catalogue_base", intervals("base"))


def _change(ranks: dict[str, np.ndarray], clean: dict[str, np.ndarray] | None, n_boot: int, seed: int,
            confidence: float) -> dict[str, Any] | None:
    """Recall@1 at this noise minus Recall@1 of the same loss on clean pairs, paired over the test queries."""
    if clean is None:
        return None
    out = {}
    for d in DIRECTIONS:
        diff = paired_difference(ranks[d], clean[d], metric=METRIC, n_resamples=n_boot, seed=seed,
                                 confidence=confidence)
        out[d] = {key: diff[key] for key in ("estimate", "low", "high")}
    return out


def _train_point(
    config: RunConfig,
    store: RunStore,
    split: SplitData,
    base: Any,
    noisy: Mismatch,
    noise: float,
    callback: Callable[[str, float, StepInfo], None] | None,
    should_stop: Callable[[], bool] | None,
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """One run on the noisy training split; returns its tuned ranks and its point record (no metrics yet)."""
    label = config.loss.label
    subset = SplitData(full=split.full, train=noisy.data, test=split.test)
    run = store.create_run(run_label(label, noise), resolved_config(config, subset))
    step_cb = (lambda info: callback(label, noise, info)) if callback is not None else None
    logger.info("robustness: %s at noise %g (%d pairs mismatched), run %s", label, noise, len(noisy.positions),
                run.run_id)
    run_experiment(config, store, run=run, split=subset, base=base, callback=step_cb, should_stop=should_stop)
    stored_split = read_json(run.split, default={}) or {}
    if stored_split.get("test_rows") != list(split.test.row):
        raise DataError(f"Run {run.run_id} was scored on different test rows than the robustness study's split; "
                        "this is a bug, please report it with the run directory.")
    with np.load(run.ranks) as stored:
        ranks = {d: np.asarray(stored[f"tuned_{d}"], dtype=np.int64) for d in DIRECTIONS}
    point = {"loss": config.loss.name, "label": label, "noise": noise, "mismatched": len(noisy.positions),
             "mismatched_rows": noisy.rows, "run_id": run.run_id}
    return ranks, point
