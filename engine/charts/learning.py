"""Learning curve: measured Recall@1 per training-set size, the fitted power law and its predictions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go

from engine.charts import strings
from engine.charts.style import REFERENCE_COLOUR, STAGE_COLOURS, base_layout, check_choice, need
from engine.i18n import format as fmt
from engine.runs.layout import LEARNING_CURVE_FILE

METRIC = "recall@1"  # the stored fit is on tuned Recall@1
CURVE_POINTS = 60


def _fit_params(fit: Mapping[str, Any] | None) -> tuple[float, float, float] | None:
    params = (fit or {}).get("params")
    if not params:
        return None
    return tuple(float(params[k]["estimate"]) for k in ("a", "b", "c"))  # type: ignore[return-value]


def fitted_curve(fit: Mapping[str, Any], n_max: float) -> tuple[list[float], list[float]] | None:
    """``a − b n^(−c)`` on a log-spaced grid from the smallest measured size to ``n_max``."""
    params = _fit_params(fit)
    if params is None:
        return None
    a, b, c = params
    n = np.geomspace(float(min(fit["n"])), float(n_max), CURVE_POINTS)
    return n.tolist(), (a - b * n ** (-c)).tolist()


def learning_curve_chart(learning_curve: Mapping[str, Any], direction: str) -> go.Figure:
    """Measured points with intervals, the fitted curve, predictions at 2×/4×, and the base level.

    Args:
        learning_curve: The stored ``learning_curve.json``.
        direction: ``"left_to_right"`` or ``"right_to_left"``.

    Returns:
        Traces in order: ``measured`` (x = train_pairs, y = estimate, asymmetric error bars from
        low/high; named for the number of training runs per point when there are several),
        ``fitted curve`` (if a fit exists), ``predicted`` (x = prediction n, error bars),
        ``base model`` (horizontal line over the x range, when stored), ``single training runs``
        (each seed's Recall@1, when the curve has several seeds per point).
    """
    check_choice(direction, strings.DIRECTION_LABELS, "direction")
    points = need(learning_curve, "points", LEARNING_CURVE_FILE)
    xs = [int(p["train_pairs"]) for p in points]
    stats = [p["metrics"][direction][METRIC] for p in points]
    y = [float(s["estimate"]) for s in stats]
    seeds = int(learning_curve.get("seeds") or 1)
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        name=strings.LEARNING_POINTS_SEEDS.format(seeds=seeds) if seeds > 1 else strings.LEARNING_POINTS,
        x=xs, y=y, mode="markers",
        marker={"color": STAGE_COLOURS["tuned"], "size": 9},
        error_y={"type": "data", "symmetric": False, "array": [float(s["high"]) - v for s, v in zip(stats, y, strict=True)],
                 "arrayminus": [v - float(s["low"]) for s, v in zip(stats, y, strict=True)]},
    ))
    fit = (learning_curve.get("fit") or {}).get(direction)
    predictions = (learning_curve.get("predictions") or {}).get(direction) or []
    x_max = max([*xs, *(float(p["n"]) for p in predictions)]) if xs else 1.0
    curve = fitted_curve(fit, x_max) if fit else None
    if curve is not None:
        fig.add_trace(go.Scatter(name=strings.LEARNING_FIT, x=curve[0], y=curve[1], mode="lines",
                                 line={"color": STAGE_COLOURS["tuned"], "dash": "dash"}))
    if predictions:
        py = [float(p["estimate"]) for p in predictions]
        fig.add_trace(go.Scatter(
            name=strings.LEARNING_PREDICTIONS, x=[float(p["n"]) for p in predictions], y=py, mode="markers",
            marker={"color": STAGE_COLOURS["tuned"], "size": 9, "symbol": "diamond-open"},
            error_y={"type": "data", "symmetric": False,
                     "array": [float(p["high"]) - v for p, v in zip(predictions, py, strict=True)],
                     "arrayminus": [v - float(p["low"]) for p, v in zip(predictions, py, strict=True)]},
        ))
    base = ((learning_curve.get("base") or {}).get(direction) or {}).get(METRIC)
    if base is not None and xs:
        level = float(base["estimate"])
        fig.add_trace(go.Scatter(name=strings.LEARNING_BASE, x=[min(xs), x_max], y=[level, level], mode="lines",
                                 line={"color": REFERENCE_COLOUR, "dash": "dot"}))
    runs = [(x, float(v)) for x, s in zip(xs, stats, strict=True) for v in s.get("seed_values") or ()]
    if seeds > 1 and runs:
        fig.add_trace(go.Scatter(name=strings.LEARNING_SEED_RUNS, x=[r[0] for r in runs], y=[r[1] for r in runs],
                                 mode="markers", marker={"color": STAGE_COLOURS["tuned"], "size": 5, "opacity": 0.45}))
    base_layout(fig, title=strings.LEARNING_TITLE.format(direction=strings.DIRECTION_LABELS[direction]),
                x_title=strings.LEARNING_X, y_title=strings.LEARNING_Y)
    fig.update_xaxes(type="log")
    fig.update_yaxes(tickformat=".0%")
    return fig


def learning_takeaway(learning_curve: Mapping[str, Any], direction: str) -> str:
    """Recall@1 at the largest subset and the predictions at 2× and 4× that size."""
    check_choice(direction, strings.DIRECTION_LABELS, "direction")
    points = need(learning_curve, "points", LEARNING_CURVE_FILE)
    last = points[-1]
    measured = float(last["metrics"][direction][METRIC]["estimate"])
    predictions = (learning_curve.get("predictions") or {}).get(direction) or []
    if len(predictions) < 2:
        return strings.LEARNING_TAKEAWAY_NO_FIT.format(pairs=fmt.number(int(last["train_pairs"])), measured=measured)
    p2, p4 = predictions[0], predictions[1]
    return strings.LEARNING_TAKEAWAY.format(
        pairs=fmt.number(int(last["train_pairs"])), measured=measured, p2=float(p2["estimate"]),
        p2_low=float(p2["low"]), p2_high=float(p2["high"]), n2=fmt.number(round(float(p2["n"]))),
        p4=float(p4["estimate"]), n4=fmt.number(round(float(p4["n"]))),
    )


def learning_interval_note(learning_curve: Mapping[str, Any]) -> str:
    """What the points' intervals cover, in one or two sentences for the page and the report.

    Curves with several training seeds per point cover test-pair and training variation; one seed,
    or a curve stored before seeds were recorded, covers the test pairs only, and the note says why.
    """
    seeds = learning_curve.get("seeds")
    if seeds is None:
        return strings.LEARNING_INTERVAL_OLD
    if int(seeds) <= 1:
        return strings.LEARNING_INTERVAL_ONE_SEED
    return strings.LEARNING_INTERVAL_BOTH.format(seeds=fmt.number(int(seeds)))
