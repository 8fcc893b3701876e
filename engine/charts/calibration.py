"""Reliability diagram: stated confidence against accuracy, at the training and a fitted temperature."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go

from engine.charts import strings
from engine.charts.style import REFERENCE_COLOUR, STAGE_COLOURS, base_layout, check_choice, need

CURVES = ("training", "fitted")
CURVE_STYLE = {"training": {"dash": "solid"}, "fitted": {"dash": "dash"}}
# A calibration gap under this many points of accuracy reads as "well calibrated" to a manager.
EVEN_MARGIN = 0.02


def reliability_diagram(calibration_stage: Mapping[str, Any], direction: str) -> go.Figure:
    """Diagonal plus one reliability curve per temperature (training τ, fitted τ); ECE in the names.

    Args:
        calibration_stage: One stage of ``analysis/calibration.json`` (``calibration["tuned"]`` or
            ``["base"]``), holding ``directions.<direction>.training|fitted``.
        direction: ``"left_to_right"`` or ``"right_to_left"``.

    Returns:
        Traces: the diagonal, then ``training`` and ``fitted`` curves over the non-empty bins
        (x = bin mean confidence, y = bin accuracy, customdata = [bin count, curve name]).
    """
    check_choice(direction, strings.DIRECTION_LABELS, "direction")
    part = need(need(calibration_stage, "directions", "calibration stage"), direction, "calibration directions")
    fig = go.Figure()
    fig.add_trace(go.Scatter(name=strings.CALIBRATION_DIAGONAL, x=[0.0, 1.0], y=[0.0, 1.0], mode="lines",
                             line={"color": REFERENCE_COLOUR, "dash": "dot"}, hoverinfo="skip"))
    for curve in CURVES:
        if curve not in part:
            continue
        stored = part[curve]
        bins = need(stored, "bins", f"calibration {curve}")
        keep = [i for i, c in enumerate(bins["count"]) if c and bins["mean_confidence"][i] is not None]
        name = strings.CALIBRATION_CURVE.format(which=strings.CALIBRATION_WHICH[curve],
                                                temperature=float(stored["temperature"]), ece=float(stored["ece"]))
        fig.add_trace(go.Scatter(
            name=name,
            x=[float(bins["mean_confidence"][i]) for i in keep],
            y=[float(bins["accuracy"][i]) for i in keep],
            mode="lines+markers",
            line={"color": STAGE_COLOURS["tuned"] if curve == "training" else STAGE_COLOURS["base"], **CURVE_STYLE[curve]},
            customdata=[[int(bins["count"][i]), name] for i in keep],
            hovertemplate=strings.CALIBRATION_HOVER,
        ))
    base_layout(fig, title=strings.CALIBRATION_TITLE.format(direction=strings.DIRECTION_LABELS[direction]),
                x_title=strings.CALIBRATION_X, y_title=strings.CALIBRATION_Y)
    fig.update_xaxes(range=[0, 1], tickformat=".0%")
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%")
    return fig


def calibration_takeaway(calibration_stage: Mapping[str, Any], direction: str) -> str:
    """Over- or under-confidence at the training temperature, and what the refitted τ changes."""
    check_choice(direction, strings.DIRECTION_LABELS, "direction")
    part = need(need(calibration_stage, "directions", "calibration stage"), direction, "calibration directions")
    training, fitted = part["training"], part["fitted"]
    gap = float(training["accuracy"]) - float(training["mean_confidence"])
    state = "even" if abs(gap) < EVEN_MARGIN else ("under" if gap > 0 else "over")
    return strings.CALIBRATION_TAKEAWAY.format(
        state=strings.CALIBRATION_STATES[state],
        accuracy=float(training["accuracy"]),
        confidence=float(training["mean_confidence"]),
        ece=float(training["ece"]),
        fitted=float(fitted["temperature"]),
        fitted_ece=float(fitted["ece"]),
    )
