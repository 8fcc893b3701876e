"""Retrieval metric per run, base against fine-tuned, with bootstrap intervals and chance level."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from engine.charts import strings
from engine.charts.style import REFERENCE_COLOUR, STAGE_COLOURS, base_layout, check_choice, need
from engine.charts.text import safe_text
from engine.errors import DataError
from engine.names import STAGES
from engine.runs.records import ComparisonRow, Uncertainty, fine_tuning_effect, stored_interval


def run_labels(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Short, unique display labels (unescaped): the loss name, then tilt, then run id to break ties."""
    labels = [str(row.get("label") or row.get("loss") or row.get("run_id", "?")) for row in rows]
    if len(set(labels)) < len(labels):
        labels = [f"{label} ({row.get('tilt', '?')})" for label, row in zip(labels, rows, strict=True)]
    if len(set(labels)) < len(labels):
        labels = [f"{label} {row.get('run_id', i)}" for i, (label, row) in enumerate(zip(labels, rows, strict=True))]
    return labels


def _chance(row: Mapping[str, Any], direction: str, metric: str) -> float | None:
    stored = row["base"][direction]
    if metric == "mrr":
        return stored.get("chance_mrr")
    return (stored.get("chance") or {}).get(metric)


def retrieval_bars(
    comparison_rows: Sequence[ComparisonRow],
    *,
    metric: str = "recall@1",
    direction: str = "left_to_right",
    uncertainty: Mapping[str, Uncertainty] | None = None,
) -> go.Figure:
    """Grouped bars of one metric, base vs tuned per run, with 95% error bars and the chance level.

    Args:
        comparison_rows: ``comparison.json["runs"]`` (or rows of the same shape built from
            ``metrics.json``): each has ``run_id``, ``loss``, ``tilt``, ``base``, ``tuned``.
        metric: A key of the stored metrics, e.g. ``"recall@1"``, ``"mrr"``, ``"median_rank"``.
        direction: ``"left_to_right"`` or ``"right_to_left"``.
        uncertainty: ``{run_id: analysis/uncertainty.json}``; runs missing here get no error bar.

    Returns:
        Traces ``base``, ``tuned`` (bars; ``error_y.array``/``arrayminus`` = high − estimate,
        estimate − low) and, when the metric has one, ``chance`` (one point per run).

    Raises:
        DataError: Unknown metric or direction, no rows, or a row without the metric.
    """
    check_choice(metric, strings.METRIC_LABELS, "metric")
    check_choice(direction, strings.DIRECTION_LABELS, "direction")
    if not comparison_rows:
        raise DataError(strings.ERROR_NO_RUNS)
    labels = [safe_text(label, max_chars=60) for label in run_labels(comparison_rows)]
    uncertainty = uncertainty or {}
    fig = go.Figure()
    for stage in STAGES:
        values, plus, minus, has_interval = [], [], [], False
        for row in comparison_rows:
            value = float(need(need(need(row, stage, "comparison row"), direction, stage), metric, direction))
            values.append(value)
            interval = stored_interval(uncertainty.get(str(row.get("run_id"))), stage, direction, metric)
            if interval is None:
                plus.append(0.0)
                minus.append(0.0)
            else:
                has_interval = True
                plus.append(float(interval["high"]) - value)
                minus.append(value - float(interval["low"]))
        stage_name = strings.STAGE_LABELS[stage]
        fig.add_trace(go.Bar(
            name=stage_name,
            x=labels,
            y=values,
            marker_color=STAGE_COLOURS[stage],
            error_y={"type": "data", "symmetric": False, "array": plus, "arrayminus": minus, "visible": has_interval},
            customdata=[[label, stage_name] for label in labels],
            hovertemplate=strings.RETRIEVAL_HOVER,
        ))
    chance = [_chance(row, direction, metric) for row in comparison_rows]
    if all(c is not None for c in chance):
        fig.add_trace(go.Scatter(
            name=strings.RETRIEVAL_CHANCE,
            x=labels,
            y=[float(c) for c in chance],
            mode="lines+markers",
            line={"color": REFERENCE_COLOUR, "dash": "dot"},
            marker={"symbol": "line-ew-open", "size": 40, "color": REFERENCE_COLOUR},
            customdata=[[label, strings.RETRIEVAL_CHANCE] for label in labels],
            hovertemplate=strings.RETRIEVAL_HOVER,
        ))
    title = strings.RETRIEVAL_TITLE.format(metric=strings.METRIC_LABELS[metric], direction=strings.DIRECTION_LABELS[direction])
    base_layout(fig, title=title, x_title=strings.RETRIEVAL_X, y_title=strings.METRIC_LABELS[metric])
    fig.update_layout(barmode="group")
    if metric in strings.PERCENT_METRICS:
        fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    return fig


def format_metric(value: float, metric: str) -> str:
    """A metric value as a manager reads it: percentages for shares, plain numbers for ranks."""
    return f"{value:.0%}" if metric in strings.PERCENT_METRICS else f"{value:.3g}"


def format_change(change: float, metric: str) -> str:
    """A signed change: percentage points for shares, plain numbers for ranks."""
    if metric in strings.PERCENT_METRICS:
        return strings.CHANGE_POINTS.format(points=f"{change * 100:+.1f}")
    return f"{change:+.3g}"


def retrieval_takeaway(
    comparison_rows: Sequence[ComparisonRow],
    *,
    metric: str = "recall@1",
    direction: str = "left_to_right",
    uncertainty: Mapping[str, Uncertainty] | None = None,
) -> str:
    """One sentence naming the best fine-tuned run, its change, and whether the change is real.

    Significance comes from the stored ``fine_tuning`` records of ``uncertainty`` (no recomputation).
    """
    check_choice(metric, strings.METRIC_LABELS, "metric")
    check_choice(direction, strings.DIRECTION_LABELS, "direction")
    if not comparison_rows:
        raise DataError(strings.ERROR_NO_RUNS)
    labels = run_labels(comparison_rows)
    tuned = [float(row["tuned"][direction][metric]) for row in comparison_rows]
    pick = min if metric in strings.LOWER_IS_BETTER else max
    best = tuned.index(pick(tuned))  # first of ties, so the sentence is deterministic
    row = comparison_rows[best]
    base_value = float(row["base"][direction][metric])
    text = strings.RETRIEVAL_TAKEAWAY.format(
        run=labels[best],
        metric=strings.METRIC_LABELS[metric],
        direction=strings.DIRECTION_LABELS[direction],
        base=format_metric(base_value, metric),
        tuned=format_metric(tuned[best], metric),
        change=format_change(tuned[best] - base_value, metric),
    )
    record = fine_tuning_effect((uncertainty or {}).get(str(row.get("run_id"))), metric, direction)
    if record is not None:
        text += strings.RETRIEVAL_SIGNIFICANT if record.get("significant") else strings.RETRIEVAL_NOT_SIGNIFICANT
    return text
