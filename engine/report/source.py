"""Reading everything a report draws from a store folder or a comparison file (never recomputing)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.charts.load import load_run_data
from engine.charts.verdict_evidence import run_row
from engine.errors import ConfigError
from engine.report import strings
from engine.runs import COMPARISON_FILE, LEARNING_CURVE_FILE, RunPaths
from engine.runs.atomic import read_json, read_json_or
from engine.runs.ids import is_valid_id

logger = logging.getLogger(__name__)


@dataclass
class ReportSource:
    """The stored evidence of one comparison.

    Attributes:
        store: The run store folder (run directories and ``learning_curve.json`` live here).
        comparison_file: The comparison JSON, or ``None`` when the rows were collected from the
            runs' ``metrics.json`` (a store without a comparison).
        comparison: ``comparison.json`` (``runs``, ``pairwise``, ``data``, ``test_pairs``, ...).
        runs: ``{run_id: engine.charts.load.load_run_data(...)}`` for every row with a folder.
        audits: ``{run_id: audit.json or None}``.
        learning_curve: ``<store>/learning_curve.json`` or ``None``.
    """

    store: Path
    comparison_file: Path | None
    comparison: dict[str, Any]
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    audits: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    learning_curve: dict[str, Any] | None = None

    @property
    def rows(self) -> list[dict[str, Any]]:
        """Comparison rows whose run folder was found, in stored order."""
        return [row for row in self.comparison.get("runs", []) if row.get("run_id") in self.runs]


def _run_root(start: Path, run_ids: list[str]) -> Path:
    """The folder holding the run directories: the comparison's folder or one above it.

    Background jobs write their comparison to ``<store>/jobs/<job>.result.json``; ``compare``
    writes ``<store>/comparison.json``.
    """
    for folder in (start, start.parent):
        if any(RunPaths(folder / run_id).config.is_file() for run_id in run_ids):
            return folder
    return start


def _rows_from_runs(store: Path) -> list[dict[str, Any]]:
    """Comparison-shaped rows from every finished run's ``metrics.json`` (a store without a comparison)."""
    rows = []
    for folder in sorted(p for p in store.iterdir() if p.is_dir()):
        paths = RunPaths(folder)
        config = read_json_or(paths.config)
        row = run_row(folder.name, read_json_or(paths.metrics), config) if config else None
        if row is not None:
            rows.append(row)
    return rows


def locate(path: str | Path) -> tuple[Path, Path | None, dict[str, Any]]:
    """``(store, comparison_file, comparison)`` for a store folder or a comparison file.

    Raises:
        ConfigError: The path does not exist, is not a comparison, or holds no finished run.
    """
    path = Path(path)
    if path.is_file():
        comparison = read_json(path)
        if not isinstance(comparison, dict) or not isinstance(comparison.get("runs"), list):
            raise ConfigError(strings.ERROR_NOT_COMPARISON.format(path=path))
        run_ids = [str(r.get("run_id")) for r in comparison["runs"] if is_valid_id("run", r.get("run_id"))]
        return _run_root(path.parent, run_ids), path, comparison
    if path.is_dir():
        if (path / COMPARISON_FILE).is_file():
            return locate(path / COMPARISON_FILE)
        rows = _rows_from_runs(path)
        if rows:
            return path, None, {"runs": rows, "pairwise": []}
    raise ConfigError(strings.ERROR_NO_SOURCE.format(path=path))


def load_source(path: str | Path) -> ReportSource:
    """Read a comparison and every stored part of its runs.

    Args:
        path: A run store folder (uses its ``comparison.json``, else its finished runs) or a
            comparison JSON file.

    Returns:
        The :class:`ReportSource`; run folders that are gone are left out (logged).

    Raises:
        ConfigError: Nothing to report on at ``path``.
    """
    store, comparison_file, comparison = locate(path)
    source = ReportSource(store=store, comparison_file=comparison_file, comparison=comparison)
    for row in comparison["runs"]:
        if not is_valid_id("run", row.get("run_id")):  # a crafted comparison never leads outside the store
            logger.warning("comparison row with an invalid run id %r left out of the report", row.get("run_id"))
            continue
        run_dir = store / str(row.get("run_id"))
        if not RunPaths(run_dir).config.is_file():
            logger.warning("run folder %s is missing; left out of the report", run_dir)
            continue
        source.runs[run_dir.name] = load_run_data(run_dir)
        source.audits[run_dir.name] = read_json_or(RunPaths(run_dir).audit)
    if not source.runs:
        raise ConfigError(strings.ERROR_NO_RUNS.format(path=path))
    source.learning_curve = read_json_or(store / LEARNING_CURVE_FILE)
    return source
