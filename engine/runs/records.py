"""Typed shapes of the JSON files that runs and jobs write and that pages, charts and reports read.

The on-disk contract of README "Run directory schema", as :class:`typing.TypedDict` s: they add
types for readers and checkers and change nothing on disk (a record is still a plain ``dict``, so
files written by older versions load as before). ``total=False`` marks records whose keys older
files may lack. The file names live in :mod:`engine.runs.layout`; the accessors below replace
chains of ``.get(...) or {}`` in the readers.

Metric dictionaries are keyed by names that are not Python identifiers (``"recall@1"``), so they
stay ``dict[str, ...]`` keyed by :data:`engine.names.DIRECTIONS` and the metric names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

# --- metrics.json ----------------------------------------------------------------------------------

DirectionMetrics = dict[str, Any]
"""One direction's scores: ``recall@1/5/10``, ``mrr``, ``median_rank``, ``mean_rank``, ``gallery_size``,
``n_queries``, ``chance`` (``{metric: value}``) and ``chance_mrr``."""

StageMetrics = dict[str, DirectionMetrics]
"""One model's scores per direction (``left_to_right``, ``right_to_left``)."""


class PairCounts(TypedDict):
    """``metrics.json["pairs"]``: pairs in each split."""

    train: int
    test: int


class Scoring(TypedDict):
    """``metrics.json["scoring"]``: the tilt each model is scored with."""

    base: str
    tuned: str


class TrainSummary(TypedDict, total=False):
    """``metrics.json["train"]``: what training did, with the early-stopping summary."""

    steps: int
    epochs: int
    final_loss: float
    final_temperature: float | None
    early_stopping: bool
    max_epochs: int
    patience: int | None
    epochs_run: int
    best_epoch: int
    stopped_because: str
    train_groups: int
    trained_pairs: int
    validation: dict[str, Any] | None


class CatalogueBlock(TypedDict):
    """``metrics.json["catalogue"]``: both models ranked among every item of the file."""

    gallery_size: int
    base: StageMetrics
    tuned: StageMetrics


class RunMetrics(TypedDict, total=False):
    """``<run>/metrics.json``; ``catalogue`` only with ``--gallery catalogue``."""

    base: StageMetrics
    tuned: StageMetrics
    scoring: Scoring
    pairs: PairCounts
    train: TrainSummary
    timings: dict[str, float]
    gallery: str
    catalogue: CatalogueBlock


# --- analysis/uncertainty.json ---------------------------------------------------------------------


class Interval(TypedDict, total=False):
    """A bootstrap interval of one metric."""

    estimate: float
    low: float
    high: float


class PairedTest(TypedDict, total=False):
    """A paired sign-flip comparison: a fine-tuning effect (uncertainty) or two runs (comparison)."""

    direction: str
    metric: str
    estimate: float
    low: float
    high: float
    p_value: float
    p_adjusted: float
    significant: bool
    confidence: float
    family_confidence: float
    method: str
    adjustment: str
    family_size: int
    verdict: str
    verdict_key: str
    verdict_fields: dict[str, Any]
    run_a: str  # comparison.json's pairwise rows only
    run_b: str


class Uncertainty(TypedDict, total=False):
    """``<run>/analysis/uncertainty.json``: ``intervals[stage][direction][metric]`` and the paired effects."""

    intervals: dict[str, dict[str, dict[str, Interval]]]
    fine_tuning: list[PairedTest]
    n_resamples: int
    confidence: float
    seed: int


# --- comparison.json -------------------------------------------------------------------------------


class ComparisonRow(TypedDict, total=False):
    """One run of ``comparison.json["runs"]`` (its stored metrics, no recomputation)."""

    run_id: str
    loss: str
    tilt: str
    temperature: float | None
    label: str
    base: StageMetrics
    tuned: StageMetrics
    train: TrainSummary
    catalogue: CatalogueBlock | None


class Comparison(TypedDict, total=False):
    """``<store>/comparison.json`` (or a comparison job's result file)."""

    runs: list[ComparisonRow]
    pairwise: list[PairedTest]
    wall_time_s: float
    data: str
    test_pairs: int
    train_pairs: int
    gallery: str


# --- jobs/<job_id>.json ----------------------------------------------------------------------------


class JobRecord(TypedDict, total=False):
    """A queued job (``<store>/jobs/<job_id>.json``); the worker fills in the rest as it runs."""

    job_id: str
    kind: str
    state: str
    spec: dict[str, Any]  # the normalised job spec (engine.jobs.spec)
    device_key: str
    created: float
    started: float | None
    finished: float | None
    pid: int | None
    runner_pid: int | None  # the job's runner process (engine.jobs.runner), a child of ``pid``
    progress: dict[str, Any] | None
    run_ids: list[str]
    error: str | None
    error_code: str  # a catalogue key, so the error shows in the reader's language
    error_fields: dict[str, Any]
    cancel_requested: bool
    result: str  # the job's own result file
    current: str  # the store's "latest" file it replaced (comparison.json, learning_curve.json, ...)


class JobOutcome(TypedDict, total=False):
    """What a finished job adds to its record."""

    run_ids: list[str]
    result: str
    current: str


# --- accessors -------------------------------------------------------------------------------------


def stored_interval(uncertainty: Uncertainty | Mapping[str, Any] | None, stage: str, direction: str,
                    metric: str) -> Interval | None:
    """``intervals[stage][direction][metric]`` of an uncertainty record, or None where any level is missing."""
    level: Any = (uncertainty or {}).get("intervals")
    for key in (stage, direction, metric):
        if not isinstance(level, Mapping):
            return None
        level = level.get(key)
    return level or None


def fine_tuning_effect(uncertainty: Uncertainty | Mapping[str, Any] | None, metric: str,
                       direction: str) -> PairedTest | None:
    """The first fine-tuning effect of ``metric`` in ``direction``, or None (no file, or an older one)."""
    for record in (uncertainty or {}).get("fine_tuning") or ():
        if record.get("metric") == metric and record.get("direction") == direction:
            return record
    return None


def pair_counts(pairs: PairCounts | Mapping[str, Any] | None) -> tuple[int, int]:
    """``(train, test)`` of a ``pairs`` block (``metrics.json["pairs"]``); 0 where missing."""
    pairs = pairs or {}
    return int(pairs.get("train") or 0), int(pairs.get("test") or 0)
