"""Evidence for one finished run, computed once in the job process and stored in ``<run>/analysis/``.

Pages and reports only read these files; nothing here is recomputed on display. Each part is
independent: a part that fails records its error in ``analysis/index.json`` and the others still
run, because a missing chart must not throw away a finished training run.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.errors import CancelledError
from engine.names import DIRECTIONS
from engine.runs import RunPaths, atomic_write_json, read_json

logger = logging.getLogger(__name__)

PARTS = ("uncertainty", "similarity", "calibration", "low_rank", "latent_map", "drilldown")


@dataclass(frozen=True)
class AnalysisSettings:
    n_resamples: int = 2000  # bootstrap resamples; 2000 keeps 95% interval ends stable to ~0.1 point
    seed: int = 0
    latent_method: str = "auto"  # "umap" | "pca" | "auto" (UMAP unless it cannot run)
    parts: tuple[str, ...] = PARTS


@dataclass
class RunInputs:
    """What a finished run stored, loaded once for all analyses."""

    config: dict[str, Any]
    metrics: dict[str, Any]
    embeddings: dict[str, np.ndarray]
    ranks: dict[str, np.ndarray]
    test_pairs: dict[str, Any]

    @property
    def tilt(self) -> str:
        return self.config["loss"]["tilt"]

    @property
    def base_tilt(self) -> str:
        return self.config.get("base_scoring", "cosine")

    @property
    def temperature(self) -> float:
        final = self.metrics.get("train", {}).get("final_temperature")
        if final is not None:
            return float(final)
        value = self.config["loss"]["temperature"]
        return float(value) if not isinstance(value, str) else 0.05

    @property
    def groups(self) -> list[str]:
        return [str(g) for g in self.embeddings["test_groups"]]


def load_run_inputs(run: RunPaths) -> RunInputs:
    with np.load(run.embeddings) as emb, np.load(run.ranks) as ranks:
        return RunInputs(
            config=read_json(run.config),
            metrics=read_json(run.metrics),
            embeddings={k: emb[k] for k in emb.files},
            ranks={k: ranks[k] for k in ranks.files},
            test_pairs=read_json(run.test_pairs, default={}) or {},
        )


def _uncertainty(inputs: RunInputs, settings: AnalysisSettings, run: RunPaths) -> dict[str, Any]:
    from engine.analysis.evidence.bootstrap import run_uncertainty

    return run_uncertainty(inputs.ranks, n_resamples=settings.n_resamples, seed=settings.seed)


def _similarity(inputs: RunInputs, settings: AnalysisSettings, run: RunPaths) -> dict[str, Any]:
    from engine.analysis.evidence.similarity import compare_distributions, similarity_distributions

    batch = int(inputs.config.get("train", {}).get("batch_size", 32))
    emb = inputs.embeddings
    base = similarity_distributions(emb["base_left"], emb["base_right"], inputs.groups, tilt=inputs.base_tilt,
                                    batch_size=batch, seed=settings.seed)
    tuned = similarity_distributions(emb["tuned_left"], emb["tuned_right"], inputs.groups, tilt=inputs.tilt,
                                     batch_size=batch, seed=settings.seed)
    return {"base": base, "tuned": tuned, "comparison": compare_distributions(base, tuned)}


def _calibration(inputs: RunInputs, settings: AnalysisSettings, run: RunPaths) -> dict[str, Any]:
    from engine.analysis.evidence.calibration import calibration_report

    emb = inputs.embeddings
    return {
        "base": calibration_report(emb["base_left"], emb["base_right"], inputs.groups, tilt=inputs.base_tilt,
                                   temperature=0.05 if inputs.base_tilt == "cosine" else 1.0, seed=settings.seed),
        "tuned": calibration_report(emb["tuned_left"], emb["tuned_right"], inputs.groups, tilt=inputs.tilt,
                                    temperature=inputs.temperature, seed=settings.seed),
    }


def _low_rank(inputs: RunInputs, settings: AnalysisSettings, run: RunPaths) -> dict[str, Any]:
    from engine.analysis.evidence.low_rank import low_rank_analysis

    return low_rank_analysis(inputs.embeddings, tilt=inputs.tilt, base_tilt=inputs.base_tilt,
                             loss=inputs.config["loss"].get("name"), seed=settings.seed)


def _latent_map(inputs: RunInputs, settings: AnalysisSettings, run: RunPaths) -> dict[str, Any]:
    from engine.analysis.evidence.latent_map import latent_map, save_latent_map

    emb = inputs.embeddings
    result = latent_map(emb["base_left"], emb["base_right"], emb["tuned_left"], emb["tuned_right"],
                        method=settings.latent_method, seed=settings.seed)
    save_latent_map(result, run.root)
    return None  # stored by save_latent_map as analysis/latent_map.{npz,json}


def _drilldown(inputs: RunInputs, settings: AnalysisSettings, run: RunPaths) -> dict[str, Any]:
    from engine.analysis.evidence.drilldown import attach_texts, drilldown

    emb, pairs = inputs.embeddings, inputs.test_pairs
    result = {}
    for direction in DIRECTIONS:
        drill = drilldown(emb["base_left"], emb["base_right"], emb["tuned_left"], emb["tuned_right"], inputs.groups,
                          tilt_base=inputs.base_tilt, tilt_tuned=inputs.tilt, direction=direction)
        if pairs.get("left") is not None:
            drill = attach_texts(drill, pairs["left"], pairs["right"], pairs["rows"])
        result[direction] = drill
    return result


_RUNNERS: dict[str, Callable[[RunInputs, AnalysisSettings, RunPaths], dict[str, Any] | None]] = {
    "uncertainty": _uncertainty,
    "similarity": _similarity,
    "calibration": _calibration,
    "low_rank": _low_rank,
    "latent_map": _latent_map,
    "drilldown": _drilldown,
}


def analyse_run(run: RunPaths, settings: AnalysisSettings | None = None,
                on_part: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Compute every analysis part of a finished run and store it under ``<run>/analysis/``.

    Args:
        run: The finished run.
        settings: What to compute (default: every part).
        on_part: Told each part's name before it starts; it may raise
            :class:`engine.errors.CancelledError` to stop between parts (a job's cancel).

    Returns:
        The contents of ``analysis/index.json``: per part its file, seconds, and error if any.

    Raises:
        CancelledError: ``on_part`` or a part stopped because the job was cancelled; the parts
            finished so far stay stored and listed in the index.
    """
    settings = settings or AnalysisSettings()
    inputs = load_run_inputs(run)
    run.analysis.mkdir(exist_ok=True)
    index: dict[str, Any] = {"parts": {}, "settings": vars(settings) | {"parts": list(settings.parts)}}
    for part in settings.parts:
        if on_part is not None:
            on_part(part)
        started = time.perf_counter()
        entry: dict[str, Any] = {"file": run.analysis_file(part).relative_to(run.root).as_posix(), "error": None}
        try:
            result = _RUNNERS[part](inputs, settings, run)
            if result is not None:
                atomic_write_json(run.analysis_file(part), result)
        except CancelledError:
            raise  # a cancel is not a failed chart: the job stops here
        except Exception as exc:  # one failed chart must not lose the run; the error is stored and shown
            logger.warning("Analysis part %s failed: %s", part, exc)
            entry["error"] = f"{type(exc).__name__}: {exc}"
            entry["traceback"] = traceback.format_exc(limit=5)
        entry["seconds"] = round(time.perf_counter() - started, 3)
        index["parts"][part] = entry
        atomic_write_json(run.analysis_index, index)
    return index


def pairwise_verdicts(runs: Sequence[tuple[str, RunPaths]], *, n_resamples: int = 2000, seed: int = 0) -> list[dict]:
    """Paired comparisons of every pair of runs on the same test split (tuned models), with verdicts.

    The rows are one family (every pair x direction x metric) under Holm's correction; each row's
    interval, p-values and ``significant`` come from one paired sign-flip test
    (:func:`engine.analysis.evidence.bootstrap.compare_runs`).
    """
    from engine.analysis.evidence.bootstrap import compare_runs

    ranks = {}
    for name, paths in runs:
        with np.load(paths.ranks) as stored:
            ranks[name] = {k: stored[k] for k in stored.files}
    return compare_runs(ranks, n_resamples=n_resamples, seed=seed)
