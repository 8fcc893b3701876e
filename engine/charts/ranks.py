"""Per-query rank movement: base rank against tuned rank of the true item."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go

from engine.charts import strings
from engine.charts.style import REFERENCE_COLOUR, SERIES_COLOURS, base_layout, need
from engine.errors import DataError

GROUPS = ("improved", "unchanged", "worse")
MAX_BUBBLE = 40.0


def rank_cells(base_rank: list[int], tuned_rank: list[int]) -> dict[str, list[tuple[int, int, int]]]:
    """Queries grouped by ``(base, tuned)`` rank cell: ``{group: [(base, tuned, count), ...]}`` sorted.

    Identical cells are merged into one bubble rather than jittered, so the picture is exact and
    deterministic even when most queries sit at rank 1 → 1.
    """
    if len(base_rank) != len(tuned_rank):
        raise DataError(f"rank movement: got {len(base_rank)} base ranks and {len(tuned_rank)} tuned ranks; "
                        "they must be the same queries.")
    cells = Counter(zip((int(b) for b in base_rank), (int(t) for t in tuned_rank), strict=True))
    out: dict[str, list[tuple[int, int, int]]] = {g: [] for g in GROUPS}
    for (b, t), n in sorted(cells.items()):
        out["improved" if t < b else "worse" if t > b else "unchanged"].append((b, t, n))
    return out


def rank_movement(drilldown_direction: Mapping[str, Any]) -> go.Figure:
    """Bubble scatter of base rank (x) vs tuned rank (y), integer linear axes, with the no-change diagonal.

    Args:
        drilldown_direction: One direction of ``analysis/drilldown.json`` (``queries.base_rank``,
            ``queries.tuned_rank``, ``direction``).

    Returns:
        The diagonal, then one trace per group (ranked higher / unchanged / ranked lower) with one
        point per distinct rank cell; ``customdata[i] = [count]``, marker size grows with count.
    """
    queries = need(drilldown_direction, "queries", "drilldown direction")
    base_rank = [int(r) for r in need(queries, "base_rank", "drilldown queries")]
    tuned_rank = [int(r) for r in need(queries, "tuned_rank", "drilldown queries")]
    cells = rank_cells(base_rank, tuned_rank)
    top = max([1, *base_rank, *tuned_rank])
    biggest = max([1, *(n for group in cells.values() for *_, n in group)])
    fig = go.Figure()
    fig.add_trace(go.Scatter(name=strings.RANK_DIAGONAL, x=[1, top], y=[1, top], mode="lines",
                             line={"color": REFERENCE_COLOUR, "dash": "dot"}, hoverinfo="skip"))
    for group in GROUPS:
        rows = cells[group]
        fig.add_trace(go.Scatter(
            name=strings.RANK_SERIES[group],
            x=[b for b, _, _ in rows],
            y=[t for _, t, _ in rows],
            mode="markers",
            cliponaxis=False,  # the big bubble at rank 1 → 1 is drawn whole, not cut at the axes
            marker={"color": SERIES_COLOURS[group], "opacity": 0.7, "sizemode": "area",
                    "size": [n for *_, n in rows], "sizeref": 2.0 * biggest / MAX_BUBBLE**2, "sizemin": 4},
            customdata=[[n] for *_, n in rows],
            hovertemplate=strings.RANK_HOVER,
        ))
    direction = strings.DIRECTION_LABELS.get(str(drilldown_direction.get("direction")), "")
    base_layout(fig, title=strings.RANK_TITLE.format(direction=direction), x_title=strings.RANK_X, y_title=strings.RANK_Y)
    # Ranks are whole positions: linear axes with integer ticks, the same scale both ways so the
    # diagonal is at 45 degrees; legend symbols at one size (the bubbles' sizes are counts).
    step = integer_step(top)
    axis = {"type": "linear", "range": [0.5, top + 0.5], "tick0": 1 if step == 1 else 0, "dtick": step, "tickformat": "d",
            "zeroline": False, "constrain": "domain"}
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis, scaleanchor="x", scaleratio=1)
    fig.update_layout(legend={"itemsizing": "constant"})
    return fig


def integer_step(top: int, max_ticks: int = 10) -> int:
    """The smallest tick step of 1, 2 or 5 times a power of ten giving at most ``max_ticks`` ticks up to ``top``."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if top / (factor * magnitude) <= max_ticks:
                return factor * magnitude
        magnitude *= 10


def rank_takeaway(drilldown_direction: Mapping[str, Any]) -> str:
    """Counts of queries whose true item moved up, down or stayed, from the stored ranks."""
    queries = need(drilldown_direction, "queries", "drilldown direction")
    cells = rank_cells(list(queries["base_rank"]), list(queries["tuned_rank"]))
    counts = {g: sum(n for *_, n in cells[g]) for g in GROUPS}
    return strings.RANK_TAKEAWAY.format(total=sum(counts.values()), **counts)
