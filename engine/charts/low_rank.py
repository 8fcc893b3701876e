"""Low-rank Gaussian fit: canonical correlation spectrum and captured-dependence curve."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go

from engine.charts import strings
from engine.charts.style import REFERENCE_COLOUR, STAGE_COLOURS, base_layout, need

logger = logging.getLogger(__name__)

STAGES = ("base", "tuned")
# 384 bars are unreadable; the leading directions carry the story.
DEFAULT_MAX_COMPONENTS = 50


def canonical_spectrum(low_rank: Mapping[str, Any], *, max_components: int | None = DEFAULT_MAX_COMPONENTS) -> go.Figure:
    """Grouped bars of the canonical correlations, base vs tuned (the first ``max_components``).

    Args:
        low_rank: ``analysis/low_rank.json`` with ``base``/``tuned`` ``canonical_correlations``.
        max_components: How many leading directions to draw; ``None`` draws all.
    """
    fig = go.Figure()
    for stage in STAGES:
        if stage not in low_rank:
            continue
        values = [float(v) for v in need(low_rank[stage], "canonical_correlations", f"low_rank.json {stage}")]
        values = values[:max_components] if max_components is not None else values
        fig.add_trace(go.Bar(name=strings.STAGE_LABELS[stage], x=list(range(1, len(values) + 1)), y=values,
                             marker_color=STAGE_COLOURS[stage]))
    base_layout(fig, title=strings.SPECTRUM_TITLE, x_title=strings.SPECTRUM_X, y_title=strings.SPECTRUM_Y)
    fig.update_layout(barmode="group")
    fig.update_yaxes(range=[0, 1])
    return fig


def spectrum_takeaway(low_rank: Mapping[str, Any]) -> str:
    """Top canonical correlation and Gaussian mutual information, tuned vs base."""
    base, tuned = need(low_rank, "base", "low_rank.json"), need(low_rank, "tuned", "low_rank.json")
    return strings.SPECTRUM_TAKEAWAY.format(
        tuned_top=float(tuned["canonical_correlations"][0]), base_top=float(base["canonical_correlations"][0]),
        tuned_bits=float(tuned["mutual_information_bits"]), base_bits=float(base["mutual_information_bits"]),
    )


def captured_dependence(low_rank: Mapping[str, Any]) -> go.Figure:
    """Cumulative share of the dependence per number of directions, the 90% line and rank markers.

    Returns:
        Per stage a line (x = 1..k, y = ``captured_dependence``) and a one-point marker at
        (``rank_for_90``, curve value there); then a ``90%`` horizontal line trace spanning 1..k.
    """
    fig = go.Figure()
    longest = 1
    for stage in STAGES:
        if stage not in low_rank:
            continue
        part = low_rank[stage]
        curve = [float(v) for v in need(part, "captured_dependence", f"low_rank.json {stage}")]
        longest = max(longest, len(curve))
        rank = int(need(part, "rank_for_90", f"low_rank.json {stage}"))
        name = strings.STAGE_LABELS[stage]
        fig.add_trace(go.Scatter(name=name, x=list(range(1, len(curve) + 1)), y=curve, mode="lines",
                                 line={"color": STAGE_COLOURS[stage]}))
        fig.add_trace(go.Scatter(name=strings.CAPTURED_MARKER.format(stage=name, rank=rank), x=[rank],
                                 y=[curve[rank - 1]], mode="markers",
                                 marker={"color": STAGE_COLOURS[stage], "size": 11, "symbol": "diamond"}))
    fig.add_trace(go.Scatter(name=strings.CAPTURED_LINE, x=[1, longest], y=[0.9, 0.9], mode="lines",
                             line={"color": REFERENCE_COLOUR, "dash": "dash"}, hoverinfo="skip"))
    base_layout(fig, title=strings.CAPTURED_TITLE, x_title=strings.CAPTURED_X, y_title=strings.CAPTURED_Y)
    fig.update_xaxes(type="log")
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%")
    return fig


def captured_takeaway(low_rank: Mapping[str, Any]) -> str:
    """Directions needed for 90% of the dependence, tuned vs base."""
    base, tuned = need(low_rank, "base", "low_rank.json"), need(low_rank, "tuned", "low_rank.json")
    return strings.CAPTURED_TAKEAWAY.format(tuned_rank=int(tuned["rank_for_90"]), base_rank=int(base["rank_for_90"]),
                                            dim=len(tuned["captured_dependence"]))


def _readout_values(readout: Mapping[str, Any]) -> list[float]:
    return [
        float(need(need(readout, "conditional", "learned_vs_optimal readout"), "relative_error", "readout.conditional")),
        float(need(need(readout, "joint", "learned_vs_optimal readout"), "relative_error", "readout.joint")),
        float(need(readout, "share_of_optimal_conditional_gain", "learned_vs_optimal readout")),
    ]


def learned_vs_optimal_chart(learned: Mapping[str, Any]) -> go.Figure:
    """Grouped bars, base vs tuned: distance to each optimum and the share of the optimal gain reached.

    Args:
        learned: ``analysis/low_rank.json`` ``learned_vs_optimal`` (its ``readout.base``/``readout.tuned``).
    """
    readout = need(learned, "readout", "learned_vs_optimal")
    fig = go.Figure()
    labels = list(strings.OPTIMUM_BARS.values())
    for stage in STAGES:
        if stage in readout:
            fig.add_trace(go.Bar(name=strings.STAGE_LABELS[stage], x=labels, y=_readout_values(readout[stage]),
                                 marker_color=STAGE_COLOURS[stage]))
    base_layout(fig, title=strings.OPTIMUM_TITLE, y_title=strings.OPTIMUM_Y)
    fig.update_layout(barmode="group")
    return fig


def learned_vs_optimal_takeaway(learned: Mapping[str, Any]) -> str:
    readout = need(learned, "readout", "learned_vs_optimal")
    base, tuned = _readout_values(readout["base"]), _readout_values(readout["tuned"])
    return strings.OPTIMUM_TAKEAWAY.format(tuned_gain=tuned[2], base_gain=base[2], tuned_dist=tuned[0], base_dist=base[0])
