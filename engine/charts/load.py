"""Reading one run directory into the plain dicts and arrays the chart builders take.

Kept apart from the builders so they stay pure (no file access) and can be fed from a cache.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from engine.analysis.evidence.latent_map import LATENT_MAP_NPZ
from engine.analysis.evidence.run_analysis import PARTS
from engine.runs.atomic import read_json_or
from engine.runs.layout import CLASSIFICATION_PART, COMPARISON_FILE, RunPaths
from engine.runs.records import Comparison

logger = logging.getLogger(__name__)

# The evidence parts of analysis/index.json, and the classification part written after training.
ANALYSIS_PARTS = (*PARTS, CLASSIFICATION_PART)


def read_train_log(path: str | Path) -> list[dict[str, Any]]:
    """Records of ``train_log.jsonl``; a half-written last line (run still training) is skipped."""
    path = Path(path)
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            logger.debug("skipping an incomplete line of %s", path)
    return records


# The one evidence part every overview chart needs of every run: the stored bootstrap intervals.
SUMMARY_PART = "uncertainty"


def load_run_summary(run_dir: str | Path) -> dict[str, Any]:
    """The small files of one run that an overview of many runs draws; missing parts are ``None``.

    Reads ``config.json``, ``metrics.json`` and ``analysis/uncertainty.json`` only (a few kB): never
    the heavy files (test pairs, drill-down, maps, ranks, embeddings), which only the one run shown
    in detail needs (:func:`load_run_data`).

    Returns:
        ``{"run_id", "config", "metrics", "uncertainty"}``.
    """
    run = RunPaths(Path(run_dir))
    return {
        "run_id": run.run_id,
        "config": read_json_or(run.config),
        "metrics": read_json_or(run.metrics),
        "uncertainty": read_json_or(run.analysis_file(SUMMARY_PART)),
    }


def load_run_data(run_dir: str | Path) -> dict[str, Any]:
    """Everything the charts draw for one run; missing parts are ``None``.

    Returns:
        ``{"run_id", "config", "metrics", "train_log", "test_pairs", "analysis": {part: dict|None},
        "latent_map_arrays": {name: ndarray} | None}``.
    """
    run = RunPaths(Path(run_dir))
    analysis = {part: read_json_or(run.analysis_file(part)) for part in ANALYSIS_PARTS}
    arrays = None
    npz = run.root / LATENT_MAP_NPZ
    if npz.is_file():
        with np.load(npz) as stored:
            arrays = {name: np.asarray(stored[name]) for name in stored.files}
    return {
        "run_id": run.run_id,
        "config": read_json_or(run.config),
        "metrics": read_json_or(run.metrics),
        "train_log": read_train_log(run.train_log),
        "test_pairs": read_json_or(run.test_pairs),
        "analysis": analysis,
        "latent_map_arrays": arrays,
    }


def load_comparison(store_root: str | Path) -> Comparison | None:
    """The store's ``comparison.json`` (written by ``compare``), or ``None``."""
    return read_json_or(Path(store_root) / COMPARISON_FILE)
