"""Plain-language verdicts for paired comparisons of retrieval metrics.

Every user-facing sentence is a template in :data:`TEMPLATES` (with metric and direction names in
:data:`METRIC_LABELS` and :data:`DIRECTION_LABELS`), so the CLI, the dashboard and the report all say
the same thing. This module imports only the standard library: read-only pages can use it.

Differences of recall@k and MRR are written in points (the metric x 100); median-rank differences
are written in ranks. A verdict reads the ``significant`` flag that
:func:`engine.analysis.bootstrap.paired_difference` sets (p-value below 1 - confidence and an interval
that excludes zero), so it never disagrees with the stored numbers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from engine.errors import DataError

logger = logging.getLogger(__name__)

TEMPLATES: dict[str, str] = {
    # {winner} and {loser} are run names; {size}, {low}, {high} are already formatted numbers.
    "win": "{winner} beats {loser} on {metric} by {size}, {ci} {low}–{high}",
    "tie": (
        "{a} vs {b} on {metric}: the difference ({size}, {ci} {low}–{high}) is not significant: "
        "treat them as tied on this test set"
    ),
    "tuning_better": "fine-tuning improves {metric} by {size}, {ci} {low}–{high}",
    "tuning_worse": "fine-tuning worsens {metric} by {size}, {ci} {low}–{high}",
    "tuning_tie": (
        "fine-tuning changes {metric} by {size}, {ci} {low}–{high}, which is not significant: "
        "treat base and tuned as tied on this test set"
    ),
    "interval": "{metric} {value} ({ci} {low}–{high})",
    "ci": "{confidence}% CI",
    "points": "{value} points",
    "ranks": "{value} ranks",
    "metric_in_direction": "{metric} ({direction})",
}

METRIC_LABELS: dict[str, str] = {"recall@k": "R@{k}", "mrr": "MRR", "median_rank": "median rank"}

DIRECTION_LABELS: dict[str, str] = {"left_to_right": "left → right", "right_to_left": "right → left"}

_RECALL = re.compile(r"recall@(\d+)")


def metric_display_name(metric: str, direction: str | None = None) -> str:
    """Short display name of a metric key, e.g. ``"recall@1"`` -> ``"R@1"``, optionally with its direction."""
    match = _RECALL.fullmatch(metric)
    label = METRIC_LABELS["recall@k"].format(k=match.group(1)) if match else METRIC_LABELS.get(metric, metric)
    if direction is None:
        return label
    return TEMPLATES["metric_in_direction"].format(metric=label, direction=DIRECTION_LABELS.get(direction, direction))


def _number(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    # "-0.0" reads as a sign error to a manager; a value that rounds to zero is written as zero.
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _scaled(metric: str, value: float, points: bool) -> str:
    """A metric value in display units: points (x 100) for rates, plain for ranks or ``points=False``."""
    if metric == "median_rank":
        return _number(value, 1)
    return _number(100.0 * value, 1) if points else _number(value, 3)


def _size(metric: str, value: float, points: bool) -> str:
    """A difference with its unit, e.g. ``"3.1 points"`` or ``"2.0 ranks"``."""
    text = _scaled(metric, value, points)
    if metric == "median_rank":
        return TEMPLATES["ranks"].format(value=text)
    return TEMPLATES["points"].format(value=text) if points else text


def _ci(confidence: float) -> str:
    return TEMPLATES["ci"].format(confidence=f"{100.0 * confidence:g}")


def _fields(diff: Mapping[str, Any]) -> tuple[str, float, float, float, bool, bool, float]:
    missing = [k for k in ("metric", "estimate", "low", "high", "confidence") if k not in diff]
    if missing:
        raise DataError(
            f"verdict: the difference is missing {missing}; pass a result of "
            "engine.analysis.bootstrap.paired_difference unchanged."
        )
    metric = str(diff["metric"])
    low, high = float(diff["low"]), float(diff["high"])
    significant = bool(diff.get("significant", low > 0 or high < 0))
    higher_is_better = bool(diff.get("higher_is_better", metric != "median_rank"))
    return metric, float(diff["estimate"]), low, high, significant, higher_is_better, float(diff["confidence"])


def verdict(
    name_a: str, name_b: str, diff: Mapping[str, Any], *, metric_label: str | None = None, points: bool = True
) -> str:
    """One sentence judging run ``a`` against run ``b`` on one metric.

    Args:
        name_a: Name of the first run (the difference is ``a - b``).
        name_b: Name of the second run.
        diff: A result of :func:`engine.analysis.bootstrap.paired_difference`.
        metric_label: Display name of the metric; default from :func:`metric_display_name`, e.g. ``"R@1"``.
        points: Write rate differences in points (x 100); ``False`` writes raw fractions.

    Returns:
        A significant difference names the better run first with the size of its advantage and that
        advantage's interval, e.g. ``"clip beats joint on R@1 by 3.1 points, 95% CI 0.8–5.4"``. An
        insignificant one gives the signed difference ``a - b`` and says to treat the runs as tied.
    """
    metric, estimate, low, high, significant, higher, confidence = _fields(diff)
    label = metric_label or metric_display_name(metric)
    ci = _ci(confidence)
    if not significant:
        return TEMPLATES["tie"].format(
            a=name_a, b=name_b, metric=label, size=_size(metric, estimate, points), ci=ci,
            low=_scaled(metric, low, points), high=_scaled(metric, high, points),
        )
    # The advantage of a over b, positive when a is better (ranks: lower is better).
    adv, adv_low, adv_high = (estimate, low, high) if higher else (-estimate, -high, -low)
    winner, loser = (name_a, name_b) if adv > 0 else (name_b, name_a)
    if adv < 0:
        adv, adv_low, adv_high = -adv, -adv_high, -adv_low
    return TEMPLATES["win"].format(
        winner=winner, loser=loser, metric=label, size=_size(metric, adv, points), ci=ci,
        low=_scaled(metric, adv_low, points), high=_scaled(metric, adv_high, points),
    )


def fine_tuning_verdict(diff: Mapping[str, Any], *, metric_label: str | None = None, points: bool = True) -> str:
    """One sentence on what fine-tuning did to a metric, from a ``tuned - base`` paired difference.

    Example: ``"fine-tuning improves R@1 by 3.1 points, 95% CI 0.8–5.4"``.
    """
    metric, estimate, low, high, significant, higher, confidence = _fields(diff)
    label = metric_label or metric_display_name(metric)
    ci = _ci(confidence)
    if not significant:
        return TEMPLATES["tuning_tie"].format(
            metric=label, size=_size(metric, estimate, points), ci=ci,
            low=_scaled(metric, low, points), high=_scaled(metric, high, points),
        )
    adv, adv_low, adv_high = (estimate, low, high) if higher else (-estimate, -high, -low)
    key = "tuning_better" if adv > 0 else "tuning_worse"
    if adv < 0:
        adv, adv_low, adv_high = -adv, -adv_high, -adv_low
    return TEMPLATES[key].format(
        metric=label, size=_size(metric, adv, points), ci=ci,
        low=_scaled(metric, adv_low, points), high=_scaled(metric, adv_high, points),
    )


def interval_text(metric: str, result: Mapping[str, Any], *, confidence: float = 0.95, points: bool = True) -> str:
    """A metric with its interval, e.g. ``"R@1 62.3 (95% CI 60.1–64.5)"``.

    Args:
        metric: Metric key, e.g. ``"recall@1"``.
        result: ``{"estimate", "low", "high"}``, one entry of
            :func:`engine.analysis.bootstrap.bootstrap_metrics`.
        confidence: The interval's confidence level (stored next to the intervals).
        points: Write rates in points (x 100).
    """
    return TEMPLATES["interval"].format(
        metric=metric_display_name(metric), value=_scaled(metric, float(result["estimate"]), points),
        ci=_ci(confidence), low=_scaled(metric, float(result["low"]), points),
        high=_scaled(metric, float(result["high"]), points),
    )
