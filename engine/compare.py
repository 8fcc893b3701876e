"""Compare several losses/tilts on one split with one seed: same data, same base, same budget."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from engine.config import LossConfig, RunConfig
from engine.console_text import display_width, pad
from engine.errors import TrainingCancelled
from engine.experiment import (
    BASE_TILT,
    base_label_evidence,
    encoder_from_config,
    evaluate_catalogue,
    evaluate_encoder,
    prepare_data,
    run_experiment,
    with_chosen_model,
)
from engine.i18n import message
from engine.models.embedding_pool import embedding_pool
from engine.names import DIRECTIONS
from engine.process_memory import release_freed_memory
from engine.runs import COMPARISON_FILE, RunStore, atomic_write_json, read_json
from engine.train import StepInfo


def run_comparison(
    base_config: RunConfig,
    losses: Sequence[str],
    tilts: Sequence[str],
    out: str | Path,
    *,
    callback: Callable[[str, StepInfo], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    comparison_path: str | Path | None = None,
    on_stage: Callable[[str, str | None], None] | None = None,
) -> dict[str, Any]:
    """Train one run per (loss, tilt) and write ``comparison.json`` into ``out``.

    The data split and the base-model evaluation are computed once and shared, so every run is
    judged on exactly the same test pairs against exactly the same baseline.

    Args:
        should_stop: Polled before each run and at every training step; returning True ends the
            current run ``cancelled`` and raises :class:`engine.errors.TrainingCancelled` (a ``TrainingError``).
        comparison_path: Where to write the comparison (default ``out/comparison.json``); the
            background job queue gives each job its own file.
        on_stage: Told ``(stage, run label or None)`` as each stage starts (``load_data``, ``load_model``,
            ``evaluate_base``, ``classify_base``, each run's stages, ``compare_runs``); ``should_stop``
            is polled there too.
    """
    store = RunStore(out)
    started = time.perf_counter()
    _enter("load_data", on_stage, should_stop)
    split = prepare_data(base_config)
    base_config = with_chosen_model(base_config, split.full)
    configs = comparison_configs(base_config, losses, tilts)
    _enter("load_model", on_stage, should_stop)
    encoder = encoder_from_config(base_config.model)
    _enter("evaluate_base", on_stage, should_stop)
    with embedding_pool(encoder, base_config.evaluation.embed_processes):  # started only for a long list
        base = evaluate_encoder(encoder, split.test, tilt=BASE_TILT)
        if base_config.evaluation.gallery == "catalogue":  # the train items are encoded once for every run's base
            base.catalogue = evaluate_catalogue(encoder, split, base, tilt=BASE_TILT)
    _enter("classify_base", on_stage, should_stop)
    base.labels = base_label_evidence(encoder, split, base, base_config)  # shared by every run, like base
    del encoder  # one model in memory at a time: the runs load their own
    release_freed_memory()
    run_ids = []
    for config in configs:
        label = config.loss.label
        if should_stop is not None and should_stop():
            raise TrainingCancelled(f"Comparison was cancelled before run '{label}' started.")
        step_cb = (lambda info, _label=label: callback(_label, info)) if callback else None
        stage_cb = (lambda stage, _label=label: on_stage(stage, _label)) if on_stage else None
        run = run_experiment(config, store, split=split, base=base, callback=step_cb, should_stop=should_stop,
                             on_stage=stage_cb)
        run_ids.append(run.run_id)
    comparison = comparison_table(store, run_ids)
    if len(run_ids) > 1:
        from engine.analysis.evidence.run_analysis import pairwise_verdicts

        _enter("compare_runs", on_stage, should_stop)
        names = [f"{row['loss']}/{row['tilt']}" if len(tilts) > 1 else row["loss"] for row in comparison["runs"]]
        comparison["pairwise"] = pairwise_verdicts(
            list(zip(names, (store.paths(r) for r in run_ids))),
            n_resamples=base_config.analysis.n_resamples,
            seed=base_config.analysis.seed,
        )
    comparison["wall_time_s"] = time.perf_counter() - started
    comparison["data"] = base_config.data.path
    comparison["test_pairs"] = len(split.test)
    comparison["train_pairs"] = len(split.train)
    comparison["gallery"] = base_config.evaluation.gallery
    atomic_write_json(Path(comparison_path) if comparison_path else Path(out) / COMPARISON_FILE, comparison)
    return comparison


def _enter(stage: str, on_stage: Callable[[str, str | None], None] | None,
           should_stop: Callable[[], bool] | None) -> None:
    """Start a comparison-level stage: stop here if a cancel was asked, else tell ``on_stage``."""
    if should_stop is not None and should_stop():
        raise TrainingCancelled(f"Comparison was cancelled before its stage '{stage}'.")
    if on_stage is not None:
        on_stage(stage, None)


def comparison_configs(base_config: RunConfig, losses: Sequence[str], tilts: Sequence[str]) -> list[RunConfig]:
    """One run config per (loss, tilt), in the order the runs train (every torchrun process follows it)."""
    return [replace(base_config, loss=LossConfig(name=loss, tilt=tilt, temperature=base_config.loss.temperature,
                                                 weights=base_config.loss.weights))
            for loss in losses for tilt in tilts]


def comparison_table(store: RunStore, run_ids: Sequence[str]) -> dict[str, Any]:
    """Collect the stored metrics of several runs into one table (no recomputation)."""
    rows = []
    for run_id in run_ids:
        paths = store.paths(run_id)
        config = read_json(paths.config, default={})
        metrics = read_json(paths.metrics, default={})
        rows.append(
            {
                "run_id": run_id,
                "loss": config.get("loss", {}).get("name"),
                "tilt": config.get("loss", {}).get("tilt"),
                "temperature": config.get("loss", {}).get("temperature"),
                "base": metrics.get("base"),
                "tuned": metrics.get("tuned"),
                "train": metrics.get("train"),
                "catalogue": metrics.get("catalogue"),  # whole-file gallery; None on the test gallery
            }
        )
    return {"runs": rows}


# Column widths of format_table, in terminal cells (one home for header and rows).
_TABLE_WIDTHS = {"loss": 18, "tilt": 8, "direction": 15, "recall@1": 15, "recall@5": 15, "recall@10": 15, "mrr": 15,
                 "median_rank": 10}


def format_table(comparison: dict[str, Any], gallery: str = "test") -> str:
    """Plain-text table in the language in force: one line per run and direction, base → tuned.

    Args:
        comparison: A comparison from :func:`run_comparison`.
        gallery: ``"test"`` (the rows' ``base``/``tuned``) or ``"catalogue"`` (their ``catalogue`` block).
    """
    headers, directions = message("cli.TABLE_HEADERS"), message("cli.DIRECTIONS")
    header = "".join(pad(headers[key], width, "<" if key in ("loss", "tilt", "direction") else ">")
                     for key, width in _TABLE_WIDTHS.items())
    lines = [header, "-" * display_width(header)]
    for row in comparison["runs"]:
        scores = row if gallery == "test" else row.get("catalogue")
        if not scores:
            continue
        for direction in DIRECTIONS:
            base, tuned = scores["base"][direction], scores["tuned"][direction]
            cells = "".join(f"{base[k]:.3f}→{tuned[k]:.3f}".rjust(15) for k in ("recall@1", "recall@5", "recall@10", "mrr"))
            lines.append(
                f"{row['loss']:<18}{row['tilt']:<8}{pad(directions.get(direction, direction), 15)}{cells}"
                f"{base['median_rank']:>4g}→{tuned['median_rank']:<4g}"
            )
    return "\n".join(lines)
