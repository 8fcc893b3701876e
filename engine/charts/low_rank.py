"""Low-rank Gaussian fit: canonical correlation spectrum, captured-dependence curve, learned vs optimal.

Runs analysed since the small-sample estimator (``method`` in ``low_rank.json``, see
``engine/analysis/evidence/shared_dependence.py``) store bias-corrected correlations of the directions
beyond chance, with intervals, and withhold a number with a reason code where the data cannot
support it; the charts draw only what is stated and the takeaways say in words what is withheld.
Older stored fits (no ``method``) are drawn as before; pages show them only behind a notice
(:func:`is_current`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go

from engine.charts import strings
from engine.charts.style import REFERENCE_COLOUR, STAGE_COLOURS, base_layout, need
from engine.i18n import message
from engine.names import STAGES

# 384 bars are unreadable; the leading directions carry the story.
DEFAULT_MAX_COMPONENTS = 50
# Bars of the learned-vs-optimal chart per compared optimum (stored ``optimum.targets``).
BILINEAR_TARGETS = ("conditional", "joint")


def is_current(low_rank: Mapping[str, Any] | None) -> bool:
    """Whether a stored ``low_rank.json`` comes from the small-sample estimator (else: an old fit, not to be shown)."""
    return bool(low_rank) and bool(low_rank.get("method"))


def _stages(low_rank: Mapping[str, Any]) -> list[str]:
    return [stage for stage in STAGES if isinstance(low_rank.get(stage), Mapping)]


def _reason(part: Mapping[str, Any], quantity: str) -> str:
    code = (part.get("withheld") or {}).get(quantity) or "too_few_pairs"
    return message("analysis.LOW_RANK_WITHHELD").get(code, code)


def canonical_spectrum(low_rank: Mapping[str, Any], *, max_components: int | None = DEFAULT_MAX_COMPONENTS) -> go.Figure:
    """Grouped bars of the canonical correlations, base vs tuned (the first ``max_components``).

    Current fits: the bias-corrected correlations of the directions beyond chance, with their
    95% intervals as error bars (a stage with none draws no bars).

    Args:
        low_rank: ``analysis/low_rank.json`` with ``base``/``tuned`` ``canonical_correlations``.
        max_components: How many leading directions to draw; ``None`` draws all.
    """
    fig = go.Figure()
    current = is_current(low_rank)
    for stage in STAGES:
        if stage not in low_rank:
            continue
        values = [float(v) for v in need(low_rank[stage], "canonical_correlations", f"low_rank.json {stage}")]
        values = values[:max_components] if max_components is not None else values
        error = None
        if current:
            bounds = (low_rank[stage].get("canonical_correlation_intervals") or [])[: len(values)]
            if len(bounds) == len(values):
                error = {"type": "data", "symmetric": False, "array": [hi - v for v, (_, hi) in zip(values, bounds)],
                         "arrayminus": [v - lo for v, (lo, _) in zip(values, bounds)]}
        fig.add_trace(go.Bar(name=strings.STAGE_LABELS[stage], x=list(range(1, len(values) + 1)), y=values,
                             marker_color=STAGE_COLOURS[stage], error_y=error))
    title = f"{strings.SPECTRUM_TITLE} ({strings.SPECTRUM_TITLE_NOTE})" if current else strings.SPECTRUM_TITLE
    base_layout(fig, title=title, x_title=strings.SPECTRUM_X, y_title=strings.SPECTRUM_Y)
    fig.update_layout(barmode="group")
    fig.update_yaxes(range=[0, 1])
    return fig


def _shares_line(stage: str, part: Mapping[str, Any]) -> str:
    label = strings.STAGE_LABELS[stage]
    if part.get("mutual_information_bits") is None:
        return strings.SPECTRUM_STAGE_WITHHELD.format(stage=label, reason=_reason(part, "mutual_information"))
    low, high = part["mutual_information_interval_bits"]
    return strings.SPECTRUM_STAGE_SHARES.format(stage=label, bits=float(part["mutual_information_bits"]), low=low,
                                                high=high, k=int(part["supported_directions"]), p=int(part["pca_u"]))


def spectrum_takeaway(low_rank: Mapping[str, Any]) -> str:
    """Top canonical correlation and Gaussian mutual information, tuned vs base (current fits: per stage, in words)."""
    if is_current(low_rank):
        return " ".join(_shares_line(stage, low_rank[stage]) for stage in reversed(_stages(low_rank)))
    base, tuned = need(low_rank, "base", "low_rank.json"), need(low_rank, "tuned", "low_rank.json")
    return strings.SPECTRUM_TAKEAWAY.format(
        tuned_top=float(tuned["canonical_correlations"][0]), base_top=float(base["canonical_correlations"][0]),
        tuned_bits=float(tuned["mutual_information_bits"]), base_bits=float(base["mutual_information_bits"]),
    )


def captured_dependence(low_rank: Mapping[str, Any]) -> go.Figure:
    """Cumulative share of the dependence per number of directions, the 90% line and rank markers.

    Returns:
        Per stage a line (x = 1..k, y = ``captured_dependence``) and a one-point marker at
        (``rank_for_90``, curve value there), the marker only where the rank is stated; then a
        ``90%`` horizontal line trace spanning 1..k.
    """
    fig = go.Figure()
    longest = 1
    for stage in STAGES:
        if stage not in low_rank:
            continue
        part = low_rank[stage]
        curve = [float(v) for v in need(part, "captured_dependence", f"low_rank.json {stage}")]
        if not curve:
            continue
        longest = max(longest, len(curve))
        name = strings.STAGE_LABELS[stage]
        fig.add_trace(go.Scatter(name=name, x=list(range(1, len(curve) + 1)), y=curve, mode="lines+markers",
                                 line={"color": STAGE_COLOURS[stage]}))
        rank = need(part, "rank_for_90", f"low_rank.json {stage}")
        if rank:
            rank = int(rank)
            fig.add_trace(go.Scatter(name=strings.CAPTURED_MARKER.format(stage=name, rank=rank), x=[rank],
                                     y=[curve[rank - 1]], mode="markers",
                                     marker={"color": STAGE_COLOURS[stage], "size": 11, "symbol": "diamond"}))
    fig.add_trace(go.Scatter(name=strings.CAPTURED_LINE, x=[1, longest], y=[0.9, 0.9], mode="lines",
                             line={"color": REFERENCE_COLOUR, "dash": "dash"}, hoverinfo="skip"))
    base_layout(fig, title=strings.CAPTURED_TITLE, x_title=strings.CAPTURED_X, y_title=strings.CAPTURED_Y)
    if not is_current(low_rank):
        fig.update_xaxes(type="log")
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%")
    return fig


def _rank_line(stage: str, part: Mapping[str, Any]) -> str:
    label = strings.STAGE_LABELS[stage]
    if part.get("rank_for_90") is None:
        return strings.CAPTURED_STAGE_WITHHELD.format(stage=label, reason=_reason(part, "rank_for_90"))
    low, high = part["rank_for_90_interval"]
    return strings.CAPTURED_STAGE.format(stage=label, rank=int(part["rank_for_90"]), low=low, high=high)


def captured_takeaway(low_rank: Mapping[str, Any]) -> str:
    """Directions needed for 90% of the dependence, tuned vs base (current fits: per stage, in words)."""
    if is_current(low_rank):
        return " ".join(_rank_line(stage, low_rank[stage]) for stage in reversed(_stages(low_rank)))
    base, tuned = need(low_rank, "base", "low_rank.json"), need(low_rank, "tuned", "low_rank.json")
    return strings.CAPTURED_TAKEAWAY.format(tuned_rank=int(tuned["rank_for_90"]), base_rank=int(base["rank_for_90"]),
                                            dim=len(tuned["captured_dependence"]))


def gaussianity_takeaway(low_rank: Mapping[str, Any]) -> str:
    """How far the shared directions are from Gaussian, per stage with a check, in plain words ('' if none)."""
    lines = []
    for stage in reversed(_stages(low_rank)):
        check = low_rank[stage].get("gaussianity")
        if not check:
            continue
        sentence = message("analysis.LOW_RANK_GAUSSIANITY")[check["level"]].format(
            skew=float(check["max_abs_skewness"]), kurtosis=float(check["max_abs_excess_kurtosis"]))
        lines.append(strings.GAUSSIANITY_TAKEAWAY.format(stage=strings.STAGE_LABELS[stage], sentence=sentence))
    return " ".join(lines)


def _targets(learned: Mapping[str, Any]) -> list[str]:
    return list((learned.get("optimum") or {}).get("targets") or BILINEAR_TARGETS)


def _readout_values(readout: Mapping[str, Any], targets: list[str]) -> list[float]:
    values = [float(need(need(readout, name, "learned_vs_optimal readout"), "relative_error", f"readout.{name}"))
              for name in targets]
    if targets == list(BILINEAR_TARGETS):
        values.append(float(need(readout, "share_of_optimal_conditional_gain", "learned_vs_optimal readout")))
    return values


def _form(learned: Mapping[str, Any]) -> str:
    form = (learned.get("optimum") or {}).get("form", "full")
    return message("analysis.L2_OPTIMUM_FORM").get(form, form)


def learned_vs_optimal_chart(learned: Mapping[str, Any]) -> go.Figure:
    """Grouped bars, base vs tuned: distance to the optimum of the run's tilt (and, for dot/cosine, the share of gain).

    The title names the optimum: the dot-product optima (Theorems 5.1, 5.6) for cosine and dot
    runs, the L2 optimum (Theorem 5.3, full rank or rank-r form) for L2 runs.

    Args:
        learned: ``analysis/low_rank.json`` ``learned_vs_optimal`` (its ``readout.base``/``readout.tuned``
            and, when stored, ``optimum``).
    """
    readout = need(learned, "readout", "learned_vs_optimal")
    targets = _targets(learned)
    fig = go.Figure()
    bars = message("charts.OPTIMUM_BARS")
    labels = [bars[name] for name in targets] + ([bars["gain"]] if targets == list(BILINEAR_TARGETS) else [])
    for stage in STAGES:
        if readout.get(stage):
            fig.add_trace(go.Bar(name=strings.STAGE_LABELS[stage], x=labels, y=_readout_values(readout[stage], targets),
                                 marker_color=STAGE_COLOURS[stage]))
    title = strings.OPTIMUM_TITLE_L2.format(form=_form(learned)) if targets == ["l2"] else strings.OPTIMUM_TITLE
    base_layout(fig, title=title, y_title=strings.OPTIMUM_Y)
    fig.update_layout(barmode="group")
    return fig


def learned_vs_optimal_takeaway(learned: Mapping[str, Any]) -> str:
    """Distance to the run's optimum, tuned vs base, naming which optimum."""
    readout = need(learned, "readout", "learned_vs_optimal")
    targets = _targets(learned)
    tuned = _readout_values(readout["tuned"], targets)
    base = _readout_values(readout["base"], targets) if readout.get("base") else None
    if targets == ["l2"]:
        if base is None:
            return strings.OPTIMUM_TAKEAWAY_L2_NO_BASE.format(form=_form(learned), tuned_dist=tuned[0])
        return strings.OPTIMUM_TAKEAWAY_L2.format(form=_form(learned), tuned_dist=tuned[0], base_dist=base[0])
    base = base or [float("nan")] * len(tuned)
    return strings.OPTIMUM_TAKEAWAY.format(tuned_gain=tuned[2], base_gain=base[2], tuned_dist=tuned[0], base_dist=base[0])
