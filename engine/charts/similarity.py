"""Similarity score distributions (true pairs vs wrong candidates) with the recommended threshold."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.charts import strings
from engine.charts.style import REFERENCE_COLOUR, SERIES_COLOURS, base_layout, need
from engine.names import STAGES

SERIES = ("positive", "in_batch", "hardest")


def histogram_shares(counts: list[int] | np.ndarray) -> list[float]:
    """Counts as shares of their total, so 78 true pairs and 2,000 negatives share one axis."""
    arr = np.asarray(counts, dtype=np.float64)
    total = arr.sum()
    return (arr / total).tolist() if total > 0 else arr.tolist()


def similarity_histograms(similarity: Mapping[str, Any]) -> go.Figure:
    """Base (left panel) and tuned (right panel) histograms on each stage's stored bin grid.

    Args:
        similarity: ``analysis/similarity.json``: ``base`` and ``tuned`` each with ``bin_edges``,
            ``counts`` (``positive``, ``in_batch``, ``hardest``) and ``threshold.threshold``.

    Returns:
        Six ``Bar`` traces in the order base positive, in_batch, hardest, then tuned ones; x = bin
        centres, width = bin widths, y = share of the series' scores (customdata holds the counts).
        One vertical line shape per panel at the recommended threshold.
    """
    stages = [s for s in STAGES if s in similarity]
    if not stages:
        need(similarity, "tuned", "similarity.json")
    fig = make_subplots(rows=1, cols=len(stages), shared_yaxes=True,
                        subplot_titles=[strings.STAGE_LABELS[s] for s in stages])
    for col, stage in enumerate(stages, start=1):
        part = similarity[stage]
        edges = np.asarray(need(part, "bin_edges", f"similarity.json {stage}"), dtype=np.float64)
        centres = ((edges[:-1] + edges[1:]) / 2).tolist()
        widths = np.diff(edges).tolist()
        counts = need(part, "counts", f"similarity.json {stage}")
        for series in SERIES:
            raw = [int(c) for c in counts[series]]
            name = strings.SIMILARITY_SERIES[series]
            fig.add_trace(go.Bar(
                name=name,
                legendgroup=series,
                showlegend=col == 1,
                x=centres,
                y=histogram_shares(raw),
                width=widths,
                opacity=0.6,
                marker_color=SERIES_COLOURS[series],
                customdata=[[name, c] for c in raw],
                hovertemplate=strings.SIMILARITY_HOVER,
            ), row=1, col=col)
        threshold = float(need(need(part, "threshold", f"similarity.json {stage}"), "threshold", stage))
        # The threshold label sits inside the panel, just right of its line, so it never meets the
        # panel title above the plot.
        fig.add_vline(x=threshold, row=1, col=col, line={"color": REFERENCE_COLOUR, "dash": "dash"},
                      annotation_text=strings.SIMILARITY_THRESHOLD.format(threshold=threshold),
                      annotation_position="top right",
                      annotation={"yanchor": "top", "xanchor": "left", "bgcolor": "rgba(255,255,255,0.8)",
                                  "font": {"color": REFERENCE_COLOUR}})
    base_layout(fig, title=strings.SIMILARITY_TITLE, x_title=strings.SIMILARITY_X)
    fig.update_yaxes(title_text=strings.SIMILARITY_Y, tickformat=".0%", row=1, col=1)
    # The legend goes below the panels: above them it collided with the panel titles.
    fig.update_layout(barmode="overlay", bargap=0,
                      legend={"orientation": "h", "yanchor": "top", "y": -0.18, "xanchor": "center", "x": 0.5},
                      margin={"b": 100})
    return fig


def similarity_takeaway(similarity: Mapping[str, Any]) -> str:
    """Separation from the closest wrong item (AUC) and what the tuned threshold achieves."""
    tuned = need(similarity, "tuned", "similarity.json")
    base = need(similarity, "base", "similarity.json")
    threshold = need(tuned, "threshold", "similarity.json tuned")
    return strings.SIMILARITY_TAKEAWAY.format(
        tuned_auc=float(tuned["auc"]["hardest"]),
        base_auc=float(base["auc"]["hardest"]),
        threshold=float(threshold["threshold"]),
        recall=float(threshold["recall"]),
        precision=float(threshold["precision"]),
    )
