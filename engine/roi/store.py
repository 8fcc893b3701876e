"""Where a comparison's ROI inputs live, and reading the stored run data the ROI model needs.

Inputs are stored per comparison, beside its file: ``comparison.json`` → ``comparison.roi.json``,
``jobs/<id>.result.json`` → ``jobs/<id>.result.roi.json``. Run folders sit in the store root,
which is the comparison file's folder (``<store>/comparison.json``) or its parent (job results
in ``<store>/jobs/``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import DataError
from engine.i18n import t
from engine.roi.inputs import RoiInputs
from engine.runs import (
    COMPARISON_FILE,
    LEARNING_CURVE_FILE,
    RunPaths,
    atomic_write_json,
    read_json,
    read_json_or,
)
from engine.runs.ids import check_id, is_valid_id

INPUTS_SUFFIX = ".roi.json"
INPUTS_VERSION = 1


def locate_comparison(path: str | Path) -> Path:
    """The comparison JSON file for a store folder (its ``comparison.json``) or a comparison file.

    Raises:
        DataError: Nothing there, a folder without ``comparison.json``, or a file that is not a
            comparison (no ``runs`` list).
    """
    target = Path(path)
    if target.is_dir():
        target = target / COMPARISON_FILE
        if not target.is_file():
            raise DataError(t("roi.ERROR_NO_COMPARISON_IN_FOLDER", path=str(path)))
    elif not target.is_file():
        raise DataError(t("roi.ERROR_NO_SUCH_PATH", path=str(path)))
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("runs"), list):
        raise DataError(t("roi.ERROR_NOT_A_COMPARISON", path=str(target)))
    return target


def inputs_path(comparison_file: str | Path) -> Path:
    """``<stem>.roi.json`` beside the comparison file."""
    file = Path(comparison_file)
    return file.with_name(file.stem + INPUTS_SUFFIX)


def load_inputs(comparison_file: str | Path) -> RoiInputs | None:
    """The inputs stored for this comparison, or None when none were saved.

    Raises:
        RoiInputError: The stored file holds inputs that no longer parse.
    """
    stored = read_json(inputs_path(comparison_file))
    if stored is None:
        return None
    return RoiInputs.from_dict(stored.get("inputs") if isinstance(stored, dict) and "inputs" in stored else stored)


def save_inputs(comparison_file: str | Path, inputs: RoiInputs) -> Path:
    """Store ``inputs`` beside the comparison (atomic write); returns the file written."""
    path = inputs_path(comparison_file)
    atomic_write_json(path, {"version": INPUTS_VERSION, "inputs": inputs.to_dict()})
    return path


def load_comparison(comparison_file: str | Path) -> dict[str, Any]:
    return read_json(locate_comparison(comparison_file))


def store_root(comparison_file: str | Path, comparison: dict[str, Any]) -> Path:
    """The folder holding the comparison's run folders.

    Raises:
        DataError: No run folder of the comparison is found next to it.
    """
    file = Path(comparison_file)
    run_ids = [str(row.get("run_id")) for row in comparison.get("runs", []) if is_valid_id("run", row.get("run_id"))]
    for candidate in (file.parent, file.parent.parent):
        if any((candidate / run_id).is_dir() for run_id in run_ids):
            return candidate
    raise DataError(t("roi.ERROR_NO_RUN_FOLDERS", path=str(file)))


def load_run(root: Path, run_id: str) -> dict[str, Any] | None:
    """``metrics``, ``ranks`` (dict of arrays), ``test_rows`` and ``columns`` (the user's left and right
    column names, or None) of a finished run; None if incomplete."""
    paths = RunPaths(root / check_id("run", run_id))
    metrics = read_json_or(paths.metrics)
    if metrics is None or not paths.ranks.is_file():
        return None
    with np.load(paths.ranks) as stored:
        ranks = {name: np.asarray(stored[name]) for name in stored.files}
    split = read_json_or(paths.split, default={}) or {}
    resolved = ((read_json_or(paths.config, default={}) or {}).get("data") or {}).get("columns_resolved") or {}
    columns = {side: str(resolved[side]) for side in ("left", "right")} if resolved.get("left") and resolved.get("right") else None
    return {"run_id": run_id, "metrics": metrics, "ranks": ranks, "test_rows": split.get("test_rows"), "columns": columns}


def load_learning_curve(root: Path) -> dict[str, Any] | None:
    """``<store>/learning_curve.json``, or None."""
    return read_json_or(root / LEARNING_CURVE_FILE)
