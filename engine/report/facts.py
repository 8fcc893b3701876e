"""The few numbers every part of the report repeats: the chosen run, its Recall@1 and the gain over base.

Read from the stored evidence only (``analysis/uncertainty.json``, ``metrics.json``,
``config.json``), so the summary, the caveats and the meeting phrases quote the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from engine.charts.retrieval import run_labels
from engine.i18n import format as fmt
from engine.names import DIRECTIONS
from engine.report import strings
from engine.report.source import ReportSource
from engine.runs.records import Interval, PairedTest, Uncertainty, stored_interval
from engine.runs.records import fine_tuning_effect as stored_effect

METRIC = "recall@1"


@dataclass
class Facts:
    """Headline evidence of the chosen run in the business's search direction.

    ``base``, ``tuned`` and ``effect`` are the stored ``{estimate, low, high}`` records (``effect``
    also has ``significant``); any of them is ``None`` when the run stored no intervals.
    """

    run_id: str
    label: str
    direction: str
    query_name: str
    gallery_name: str
    test_pairs: int | None
    train_pairs: int | None
    gallery_size: int | None
    base: dict[str, Any] | None
    tuned: dict[str, Any] | None
    effect: dict[str, Any] | None
    data_name: str
    gallery: str = "test"  # what each search ranked: the test pairs, or the whole catalogue (ROI input)


def side_names(config: dict[str, Any] | None) -> tuple[str, str]:
    """The user's own column names for the left and right side (fallback: "left" / "right")."""
    resolved = ((config or {}).get("data") or {}).get("columns_resolved") or {}
    return str(resolved.get("left") or strings.SIDE_LEFT), str(resolved.get("right") or strings.SIDE_RIGHT)


def labels_by_run(source: ReportSource) -> dict[str, str]:
    """Display label per run id, the same the charts use (loss name, tilt only if needed)."""
    rows = source.rows
    return {row["run_id"]: label for row, label in zip(rows, run_labels(rows), strict=True)}


def _uncertainty(run: dict[str, Any]) -> Uncertainty | None:
    return (run.get("analysis") or {}).get("uncertainty")


def interval(run: dict[str, Any], stage: str, direction: str, metric: str = METRIC) -> Interval | None:
    """The stored bootstrap interval of one metric, or ``None``."""
    return stored_interval(_uncertainty(run), stage, direction, metric)


def fine_tuning_effect(run: dict[str, Any], direction: str, metric: str = METRIC) -> PairedTest | None:
    """The stored paired base → tuned effect of one metric, or ``None``."""
    return stored_effect(_uncertainty(run), metric, direction)


def best_run(source: ReportSource, direction: str) -> str:
    """The run with the highest tuned Recall@1 in ``direction`` (first of ties)."""
    rows = source.rows
    scores = [float(((row.get("tuned") or {}).get(direction) or {}).get(METRIC, float("-inf"))) for row in rows]
    return rows[scores.index(max(scores))]["run_id"]


def _point(row: dict[str, Any], stage: str, direction: str) -> dict[str, Any] | None:
    value = ((row.get(stage) or {}).get(direction) or {}).get(METRIC)
    return None if value is None else {"estimate": float(value), "low": None, "high": None}


def gather_facts(source: ReportSource, *, run_id: str | None = None, direction: str = "left_to_right",
                 gallery: str = "test") -> Facts:
    """The headline evidence for ``run_id`` (default: the best tuned Recall@1) in ``direction``.

    With ``gallery="catalogue"`` (the deployment searches the whole catalogue) and a run that
    stored it, the numbers are those of every test query ranked among all items of the file.
    """
    direction = direction if direction in DIRECTIONS else "left_to_right"
    run_id = run_id if run_id in source.runs else best_run(source, direction)
    run = source.runs[run_id]
    row = next(r for r in source.rows if r["run_id"] == run_id)
    left, right = side_names(run.get("config"))
    query, searched = (left, right) if direction == "left_to_right" else (right, left)
    metrics = run.get("metrics") or {}
    pairs = metrics.get("pairs") or {}
    stored = ((metrics.get("tuned") or {}).get(direction)) or {}
    data = ((run.get("config") or {}).get("data") or {}).get("path") or source.comparison.get("data") or ""
    facts = Facts(
        run_id=run_id,
        label=labels_by_run(source).get(run_id, run_id),
        direction=direction,
        query_name=query,
        gallery_name=searched,
        test_pairs=source.comparison.get("test_pairs") or pairs.get("test"),
        train_pairs=source.comparison.get("train_pairs") or pairs.get("train"),
        gallery_size=stored.get("gallery_size"),
        base=interval(run, "base", direction) or _point(row, "base", direction),
        tuned=interval(run, "tuned", direction) or _point(row, "tuned", direction),
        effect=fine_tuning_effect(run, direction),
        data_name=Path(str(data)).name,
    )
    if gallery == "catalogue" and metrics.get("catalogue"):
        facts = _on_catalogue(facts, source.store / run_id, metrics["catalogue"])
    return facts


def _on_catalogue(facts: Facts, run_dir: Path, block: dict[str, Any]) -> Facts:
    """``facts`` with the whole-catalogue Recall@1 and its paired-bootstrap intervals (from the stored ranks)."""
    import numpy as np

    from engine.roi.recall import recall_evidence
    from engine.runs import RunPaths

    with np.load(RunPaths(run_dir).ranks) as stored:
        base, tuned = (stored[f"catalogue_{stage}_{facts.direction}"] for stage in ("base", "tuned"))
    # The same paired percentile bootstrap as the ROI's, so the report and the ROI quote one interval.
    evidence, _, _ = recall_evidence(base, tuned, 1)
    return replace(facts, gallery="catalogue", gallery_size=int(block["gallery_size"]), base=evidence["base"],
                   tuned=evidence["tuned"], effect=evidence["delta"])


def share_range(record: dict[str, Any] | None) -> str:
    """``69–87%`` for a stored interval of a share; ``–`` when there is none."""
    if not record or record.get("low") is None or record.get("high") is None:
        return fmt.MISSING
    return strings.RANGE_PERCENT.format(low=fmt.number(100 * record["low"]), high=fmt.number(100 * record["high"]))


def points_range(record: dict[str, Any] | None) -> str:
    """``−2.6 to +10.3 points`` for a stored interval of a difference of shares."""
    if not record or record.get("low") is None or record.get("high") is None:
        return fmt.MISSING
    return strings.RANGE_POINTS.format(low=fmt.points(record["low"], 1), high=fmt.points(record["high"], 1))


def interval_width_points(record: dict[str, Any] | None) -> float | None:
    """Width of a stored share interval in percentage points, or ``None``."""
    if not record or record.get("low") is None or record.get("high") is None:
        return None
    return 100 * (float(record["high"]) - float(record["low"]))
