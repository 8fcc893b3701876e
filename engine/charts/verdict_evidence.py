"""Reading the verdict card's evidence from a run store (kept apart so the card builder stays pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypedDict

from engine.charts.sides import columns_of
from engine.runs.atomic import read_json_or
from engine.runs.ids import check_id, is_valid_id
from engine.runs.layout import COMPARISON_FILE, LEARNING_CURVE_FILE, RunPaths
from engine.runs.records import Comparison, ComparisonRow, PairCounts, RunMetrics, Uncertainty


class VerdictEvidence(TypedDict):
    """What :func:`engine.charts.verdict_card.build_verdict_card` judges (all read from the store)."""

    rows: list[ComparisonRow]  # the runs judged, comparison.json-shaped
    uncertainty: dict[str, Uncertainty | None]  # run id -> analysis/uncertainty.json
    columns: dict[str, str] | None  # the user's names of the two sides
    pairs: PairCounts | None
    audit: dict[str, Any] | None
    learning_curve: dict[str, Any] | None  # only a curve of the same data
    data: str | None


def run_row(run_id: str, metrics: RunMetrics | None, config: Mapping[str, Any] | None) -> ComparisonRow | None:
    """A ``comparison.json``-shaped row for one run from its ``metrics.json`` and ``config.json``."""
    if not metrics or "base" not in metrics or "tuned" not in metrics:
        return None
    loss = (config or {}).get("loss") or {}
    return {"run_id": run_id, "loss": loss.get("name", ""), "tilt": loss.get("tilt", ""),
            "base": metrics["base"], "tuned": metrics["tuned"]}


def _same_data(curve: Mapping[str, Any] | None, data_path: str | None) -> bool:
    # A learning curve of another dataset says nothing about this one.
    return bool(curve) and (data_path is None or curve.get("data") in (None, data_path))


def load_verdict_evidence(store_root: str | Path, run_ids: Sequence[str] | None = None) -> VerdictEvidence:
    """The evidence :func:`engine.charts.verdict_card.build_verdict_card` takes.

    Args:
        store_root: The run store.
        run_ids: Runs to judge; None = the runs of the store's ``comparison.json``.

    Returns:
        ``{"rows", "uncertainty", "columns", "pairs", "audit", "learning_curve", "data"}``; ``rows``
        is empty when nothing is finished yet.
    """
    root = Path(store_root)
    comparison: Comparison = read_json_or(root / COMPARISON_FILE) or {}
    stored = {r["run_id"]: r for r in comparison.get("runs") or [] if is_valid_id("run", r.get("run_id"))}
    ids = list(stored) if run_ids is None else list(run_ids)
    rows: list[ComparisonRow] = []
    uncertainty: dict[str, Uncertainty | None] = {}
    first = None
    for run_id in ids:
        paths = RunPaths(root / check_id("run", run_id))
        config = read_json_or(paths.config)
        metrics = read_json_or(paths.metrics)
        row = stored.get(run_id) or run_row(run_id, metrics, config)
        if row is None:
            continue
        rows.append(row)
        uncertainty[run_id] = read_json_or(paths.analysis_file("uncertainty"))
        if first is None:
            first = (paths, config, metrics)
    if first is None:
        return {"rows": [], "uncertainty": {}, "columns": None, "pairs": None, "audit": None,
                "learning_curve": None, "data": None}
    paths, config, metrics = first
    data_path = ((config or {}).get("data") or {}).get("path")
    curve = read_json_or(root / LEARNING_CURVE_FILE)
    return {
        "rows": rows,
        "uncertainty": uncertainty,
        "columns": columns_of(config),
        "pairs": (metrics or {}).get("pairs"),
        "audit": read_json_or(paths.audit),
        "learning_curve": curve if _same_data(curve, data_path) else None,
        "data": data_path,
    }
