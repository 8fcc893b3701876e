"""ROI charts from the result of :func:`engine.roi.evaluate`: NPV distribution, tornado, break-even.

Pure builders: they read the result dict (already computed and JSON-able), never files, and
every word comes from the catalogue area ``roi`` in the language in force. Each chart has a
one-line takeaway function, as on Results.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go

from engine.charts.style import (
    REFERENCE_COLOUR,
    SERIES_COLOURS,
    STAGE_COLOURS,
    base_layout,
    need,
)
from engine.i18n import format as fmt
from engine.i18n import message, t
from engine.roi.inputs import INPUT_FIELDS

NPV_BINS = 40
TORNADO_ROWS = 8  # the inputs that matter fit on one slide; the rest move NPV less
ZOOM_MARGIN = 0.1  # break-even chart: Recall@k shown below the lowest point of interest
_OPTION_COLOURS = {"tuned": STAGE_COLOURS["tuned"], "increment": SERIES_COLOURS["right"]}


def _money(result: Mapping[str, Any], value: float | None) -> str:
    return fmt.money(value, str(result.get("currency", "JPY")))


def npv_distribution(result: Mapping[str, Any]) -> go.Figure:
    """Histograms of the Monte Carlo NPV of the fine-tuned model and of fine-tuning over base.

    Args:
        result: :func:`engine.roi.evaluate`'s result (``npv_draws``, ``monte_carlo``, ``inputs``).

    Returns:
        Traces ``tuned`` and ``increment`` (shares of simulations on one shared bin grid) and a
        vertical zero line; the title states P(NPV > 0) of both.
    """
    draws = need(result, "npv_draws", "ROI result")
    mc = need(result, "monte_carlo", "ROI result")
    values = {option: np.asarray(need(draws, option, "npv_draws"), dtype=np.float64) for option in ("tuned", "increment")}
    everything = np.concatenate(list(values.values()))
    low, high = (float(everything.min()), float(everything.max())) if everything.size else (0.0, 1.0)
    if high <= low:
        high = low + 1.0
    size = (high - low) / NPV_BINS
    fig = go.Figure()
    for option, series in values.items():
        fig.add_trace(go.Histogram(
            name=t(f"roi.OPTION_{option.upper()}"),
            x=series.tolist(),
            histnorm="probability",
            xbins={"start": low, "end": high + size, "size": size},
            marker_color=_OPTION_COLOURS[option],
            opacity=0.6,
            hovertemplate=message("roi.CHART_NPV_HOVER"),
        ))
    fig.add_vline(x=0.0, line={"color": REFERENCE_COLOUR, "dash": "dash"}, annotation_text=t("roi.CHART_NPV_ZERO"),
                  annotation_position="top left")
    currency = str(result.get("currency", "JPY"))
    title = t("roi.CHART_NPV_TITLE", horizon=result["inputs"]["horizon_months"],
              p_tuned=fmt.percent(mc["tuned"]["p_npv_positive"]), p_increment=fmt.percent(mc["increment"]["p_npv_positive"]))
    base_layout(fig, title=title, x_title=t("roi.CHART_NPV_X", currency=currency), y_title=t("roi.CHART_NPV_Y"))
    fig.update_layout(barmode="overlay")
    fig.update_yaxes(tickformat=".0%")
    return fig


def npv_takeaway(result: Mapping[str, Any]) -> str:
    """One sentence: the median NPV of fine-tuning over base, its 90% interval and P(NPV > 0)."""
    increment = need(need(result, "monte_carlo", "ROI result"), "increment", "monte_carlo")
    npv = increment["npv"]
    return t("roi.CHART_NPV_TAKEAWAY", median=_money(result, npv["median"]), low=_money(result, npv["low"]),
             high=_money(result, npv["high"]), p=fmt.percent(increment["p_npv_positive"]),
             horizon=result["inputs"]["horizon_months"])


def _moving_rows(result: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    rows = [row for row in need(result, "tornado", "ROI result") if row["swing"] > 0]
    return rows[:TORNADO_ROWS]


def roi_tornado(result: Mapping[str, Any]) -> go.Figure:
    """Horizontal bars: NPV of fine-tuning with each input at its low and high value, others at likely.

    Returns:
        Traces ``low`` and ``high`` (bars starting at the likely NPV), largest swing on top; a
        vertical line at the likely NPV. Inputs that do not move the NPV are left out.
    """
    rows = list(reversed(_moving_rows(result)))  # plotly draws the first category at the bottom
    labels = [t(INPUT_FIELDS[row["field"]].label_key) for row in rows]
    centre = float(rows[0]["npv_likely"]) if rows else 0.0
    fig = go.Figure()
    for part, colour in (("low", SERIES_COLOURS["left"]), ("high", SERIES_COLOURS["right"])):
        fig.add_trace(go.Bar(
            name=t(f"roi.CHART_TORNADO_{part.upper()}"),
            y=labels,
            x=[float(row[f"npv_{part}"]) - centre for row in rows],
            base=[centre] * len(rows),
            orientation="h",
            marker_color=colour,
            hovertemplate=message("roi.CHART_TORNADO_HOVER"),
        ))
    if rows:  # a legend entry rather than an annotation, which would sit on a bar
        fig.add_trace(go.Scatter(name=t("roi.CHART_TORNADO_CENTRE"), x=[centre] * len(rows), y=labels, mode="lines",
                                 line={"color": REFERENCE_COLOUR, "dash": "dot"}, hoverinfo="skip"))
    currency = str(result.get("currency", "JPY"))
    base_layout(fig, title=t("roi.CHART_TORNADO_TITLE"), x_title=t("roi.CHART_TORNADO_X", currency=currency))
    fig.update_layout(barmode="overlay", margin={"l": 220})
    return fig


def tornado_takeaway(result: Mapping[str, Any]) -> str:
    """One sentence naming the input that moves the NPV of fine-tuning most, with its NPV range."""
    rows = _moving_rows(result)
    if not rows:
        return t("roi.CHART_TORNADO_TAKEAWAY_FLAT")
    top = rows[0]
    return t("roi.CHART_TORNADO_TAKEAWAY", field=t(INPUT_FIELDS[top["field"]].label_key),
             npv_low=_money(result, top["npv_low"]), npv_high=_money(result, top["npv_high"]))


def break_even_chart(result: Mapping[str, Any]) -> go.Figure:
    """NPV of fine-tuning against the tuned Recall@k (likely inputs), the measured interval and break-even.

    The x axis starts a little below the lowest of the base Recall@k, the measured interval's low
    end and the break-even point.

    Returns:
        A line (``curve``), a shaded band for the measured 95% interval of tuned Recall@k with
        its point (``measured``), the break-even point when it lies in [0, 1], a vertical line
        at the base Recall@k and a horizontal zero line.
    """
    even = need(result, "break_even", "ROI result")
    tuned = need(need(result, "recall", "ROI result"), "tuned", "recall")
    curve = need(even, "curve", "break_even")
    k, currency = result.get("k", 1), str(result.get("currency", "JPY"))
    recall, npv = np.asarray(curve["recall"]), np.asarray(curve["npv"])
    # Show the neighbourhood of the evidence, not Recall@k = 0, which would flatten the interesting part.
    points = [float(tuned["low"]), float(even["base_recall"])]
    if even.get("reachable") and even.get("tuned_recall") is not None:
        points.append(float(even["tuned_recall"]))
    x0 = max(0.0, min(points) - ZOOM_MARGIN)
    keep = recall >= x0 - 1e-12
    recall, npv = recall[keep], npv[keep]
    fig = go.Figure()
    fig.add_vrect(x0=float(tuned["low"]), x1=float(tuned["high"]), fillcolor=STAGE_COLOURS["tuned"], opacity=0.12,
                  line_width=0)
    fig.add_trace(go.Scatter(name=t("roi.CHART_BREAK_EVEN_LINE"), x=recall.tolist(), y=npv.tolist(), mode="lines",
                             line={"color": SERIES_COLOURS["right"]}, hovertemplate=message("roi.CHART_BREAK_EVEN_HOVER")))
    measured = float(tuned["estimate"])
    fig.add_trace(go.Scatter(
        name=t("roi.CHART_BREAK_EVEN_MEASURED"), x=[measured], y=[float(np.interp(measured, recall, npv))],
        mode="markers", marker={"color": STAGE_COLOURS["tuned"], "size": 11},
        error_x={"type": "data", "symmetric": False, "array": [float(tuned["high"]) - measured],
                 "arrayminus": [measured - float(tuned["low"])]},
        hovertemplate=message("roi.CHART_BREAK_EVEN_HOVER"),
    ))
    if even.get("reachable") and even.get("tuned_recall") is not None and even["tuned_recall"] >= 0:
        fig.add_trace(go.Scatter(name=t("roi.CHART_BREAK_EVEN_POINT"), x=[float(even["tuned_recall"])], y=[0.0],
                                 mode="markers", marker={"color": REFERENCE_COLOUR, "size": 12, "symbol": "diamond"},
                                 hovertemplate=message("roi.CHART_BREAK_EVEN_HOVER")))
    fig.add_hline(y=0.0, line={"color": REFERENCE_COLOUR, "dash": "dash"})
    fig.add_vline(x=float(even["base_recall"]), line={"color": STAGE_COLOURS["base"], "dash": "dot"},
                  annotation_text=t("roi.CHART_BREAK_EVEN_BASE"), annotation_position="bottom right")
    base_layout(fig, title=t("roi.CHART_BREAK_EVEN_TITLE", k=k), x_title=t("roi.CHART_BREAK_EVEN_X", k=k),
                y_title=t("roi.CHART_BREAK_EVEN_Y", currency=currency))
    fig.update_xaxes(tickformat=".0%", range=[x0, 1.0])
    return fig


def break_even_takeaway(result: Mapping[str, Any]) -> str:
    """One sentence: the Recall@k fine-tuning needs to pay back, and where the measured value lies."""
    even = need(result, "break_even", "ROI result")
    tuned = need(need(result, "recall", "ROI result"), "tuned", "recall")
    k = result.get("k", 1)
    if not even.get("reachable"):
        return t("roi.CHART_BREAK_EVEN_TAKEAWAY_UNREACHABLE", k=k, measured=fmt.percent(tuned["estimate"]))
    needed = float(even["tuned_recall"])
    position = "ABOVE" if tuned["low"] >= needed else "BELOW" if tuned["high"] < needed else "STRADDLES"
    return t("roi.CHART_BREAK_EVEN_TAKEAWAY", k=k, recall=fmt.percent(needed, 1), measured=fmt.percent(tuned["estimate"], 1),
             low=fmt.percent(tuned["low"], 1), high=fmt.percent(tuned["high"], 1), position=t(f"roi.POSITION_{position}"))
