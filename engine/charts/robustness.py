"""Robustness to noisy pairs: Recall@1 against the share of wrong training pairs, one line per loss with its interval band.

A pure function of the stored ``robustness.json`` (:mod:`engine.robustness.study`); wording in the
``robustness`` area of the message catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go

from engine.charts import strings
from engine.charts.style import (
    REFERENCE_COLOUR,
    RUN_COLOURS,
    base_layout,
    check_choice,
    need,
)
from engine.charts.text import safe_text
from engine.i18n import format as fmt
from engine.i18n import message, t
from engine.runs.layout import ROBUSTNESS_FILE

METRIC = "recall@1"
WHERE = ROBUSTNESS_FILE
BAND_OPACITY = 0.15


def noise_label(noise: float) -> str:
    """A noise level as the reader's percentage: ``12.5%`` keeps its decimal, ``20%`` has none."""
    return fmt.percent(noise, 0 if float(noise * 100).is_integer() else 1)


def _rgba(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def series(robustness: Mapping[str, Any], direction: str) -> dict[str, list[dict[str, float]]]:
    """Loss label -> its points ``{"noise", "estimate", "low", "high"}`` in ascending noise, from the stored file."""
    check_choice(direction, strings.DIRECTION_LABELS, "direction")
    out: dict[str, list[dict[str, float]]] = {}
    for point in need(robustness, "points", WHERE):
        stat = need(need(need(point, "metrics", WHERE), direction, WHERE), METRIC, WHERE)
        label = str(point.get("label") or point.get("loss"))
        out.setdefault(label, []).append({"noise": float(point["noise"]), "estimate": float(stat["estimate"]),
                                          "low": float(stat["low"]), "high": float(stat["high"])})
    return {label: sorted(points, key=lambda p: p["noise"]) for label, points in out.items()}


def robustness_chart(robustness: Mapping[str, Any], direction: str) -> go.Figure:
    """One line per loss (Recall@1 against the noise level) with its interval as a shaded band, and the base model.

    Args:
        robustness: The stored ``robustness.json``.
        direction: ``"left_to_right"`` or ``"right_to_left"``.

    Returns:
        Traces per loss in the stored order: its band (``fill="toself"``, not in the legend), then its line
        (name = the loss label, x = noise, y = estimate); last, ``base model`` (horizontal line) when stored.
    """
    lines = series(robustness, direction)
    fig = go.Figure()
    for index, (label, points) in enumerate(lines.items()):
        colour = RUN_COLOURS[index % len(RUN_COLOURS)]
        xs = [p["noise"] for p in points]
        fig.add_trace(go.Scatter(
            x=xs + xs[::-1], y=[p["high"] for p in points] + [p["low"] for p in points][::-1], mode="lines", fill="toself",
            fillcolor=_rgba(colour, BAND_OPACITY), line={"width": 0}, hoverinfo="skip", showlegend=False,
            name=safe_text(label),
        ))
        fig.add_trace(go.Scatter(
            name=safe_text(label), x=xs, y=[p["estimate"] for p in points], mode="lines+markers",
            line={"color": colour}, marker={"color": colour, "size": 8},
            customdata=[[p["low"], p["high"]] for p in points],
            hovertemplate=message("robustness.CHART_HOVER") + "<extra>" + safe_text(label) + "</extra>",
        ))
    base = ((robustness.get("base") or {}).get(direction) or {}).get(METRIC)
    noise = [float(v) for v in robustness.get("noise") or []] or [p["noise"] for ps in lines.values() for p in ps]
    if base is not None and noise:
        level = float(base["estimate"])
        fig.add_trace(go.Scatter(name=t("robustness.CHART_BASE"), x=[min(noise), max(noise)], y=[level, level],
                                 mode="lines", line={"color": REFERENCE_COLOUR, "dash": "dot"}))
    base_layout(fig, title=t("robustness.CHART_TITLE", direction=strings.DIRECTION_LABELS[direction]),
                x_title=t("robustness.CHART_X"), y_title=t("robustness.CHART_Y"))
    fig.update_layout(template="plotly_white")  # explicit: an export must not take streamlit's theme
    fig.update_xaxes(tickformat=".0%", tickvals=sorted(set(noise)) or None)
    fig.update_yaxes(tickformat=".0%")
    return fig


def robustness_takeaway(robustness: Mapping[str, Any], direction: str) -> str:
    """One sentence: at the highest noise measured for every loss, which loss kept the most Recall@1 and which lost most."""
    lines = series(robustness, direction)
    if not lines:
        return t("robustness.TAKEAWAY_EMPTY")
    top = min(max(p["noise"] for p in points) for points in lines.values())
    clean = {label: next((p for p in points if p["noise"] == 0.0), None) for label, points in lines.items()}
    at_top = {label: next(p for p in points if p["noise"] == top) for label, points in lines.items()}
    if top == 0.0 or any(c is None for c in clean.values()):
        best = max(at_top, key=lambda label: at_top[label]["estimate"])
        return t("robustness.TAKEAWAY_LEVEL", noise=noise_label(top), loss=best,
                 recall=fmt.percent(at_top[best]["estimate"], 0))
    drops = {label: at_top[label]["estimate"] - clean[label]["estimate"] for label in lines}  # type: ignore[index]
    best, worst = max(drops, key=drops.get), min(drops, key=drops.get)  # type: ignore[arg-type]
    return t("robustness.TAKEAWAY", noise=noise_label(top), best=best, best_recall=fmt.percent(at_top[best]["estimate"], 0),
             best_change=fmt.points(drops[best], 0), worst=worst, worst_change=fmt.points(drops[worst], 0))
