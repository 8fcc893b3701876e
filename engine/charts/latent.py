"""2-D latent map of both modalities; hover shows item text, ``customdata[0]`` is the pair index."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from engine.charts import strings
from engine.charts.style import REFERENCE_COLOUR, SERIES_COLOURS, base_layout, check_choice, need
from engine.charts.text import safe_text
from engine.errors import DataError
from engine.names import SIDES

# Hover boxes longer than this cover the map; the click-through panel shows the full text.
HOVER_CHARS = 160


def latent_map_scatter(
    arrays: Mapping[str, np.ndarray],
    meta: Mapping[str, Any],
    texts: Mapping[str, Sequence[str]],
    which: str = "tuned",
    *,
    show_links: bool = False,
) -> go.Figure:
    """Scatter of both sides of every mapped pair, optionally joined by thin pair links.

    Args:
        arrays: ``analysis/latent_map.npz`` arrays: ``base``/``tuned`` (P, 2), ``modality`` (P,)
            0 = left, 1 = right, ``pair`` (P,) index into the test split, ``links`` (M, 2).
        meta: ``analysis/latent_map.json`` (``method``, ``modality_labels``).
        texts: ``{"left": [...], "right": [...]}`` the test split's texts (``test_pairs.json``),
            indexed by ``pair``.
        which: ``"tuned"`` or ``"base"`` coordinates.
        show_links: Draw a line between the two sides of each pair (first trace, under points).

    Returns:
        Optional ``links`` trace, then one ``Scatter`` per side. Each point's ``customdata`` is
        ``[pair index, escaped text, escaped side label]`` so a click handler can select the pair.

    Raises:
        DataError: Unknown ``which``, or a pair index outside the given texts.
    """
    check_choice(which, {"base": 0, "tuned": 1}, "which")
    coords = np.asarray(need(arrays, which, "latent_map.npz"), dtype=np.float64)
    modality = np.asarray(need(arrays, "modality", "latent_map.npz"))
    pair = np.asarray(need(arrays, "pair", "latent_map.npz"), dtype=np.int64)
    labels = list(meta.get("modality_labels") or SIDES)
    fig = go.Figure()
    if show_links:
        links = np.asarray(need(arrays, "links", "latent_map.npz"), dtype=np.int64)
        xs: list[float | None] = []
        ys: list[float | None] = []
        for a, b in links.tolist():
            xs += [float(coords[a, 0]), float(coords[b, 0]), None]
            ys += [float(coords[a, 1]), float(coords[b, 1]), None]
        fig.add_trace(go.Scatter(name=strings.LATENT_LINKS, x=xs, y=ys, mode="lines", hoverinfo="skip",
                                 line={"color": REFERENCE_COLOUR, "width": 0.5}, opacity=0.5))
    for side_index, side in enumerate(SIDES):
        rows = np.flatnonzero(modality == side_index)
        side_texts = need(texts, side, "test pair texts")
        if rows.size and int(pair[rows].max()) >= len(side_texts):
            raise DataError(
                f"latent map: pair index {int(pair[rows].max())} but only {len(side_texts)} {side} texts; "
                "pass the texts of the same run's test_pairs.json."
            )
        label = safe_text(labels[side_index], max_chars=40)
        fig.add_trace(go.Scatter(
            name=label,
            x=coords[rows, 0].tolist(),
            y=coords[rows, 1].tolist(),
            mode="markers",
            marker={"color": SERIES_COLOURS[side], "size": 7, "opacity": 0.8},
            customdata=[[int(p), safe_text(side_texts[int(p)], max_chars=HOVER_CHARS), label] for p in pair[rows]],
            hovertemplate=strings.LATENT_HOVER,
        ))
    title = strings.LATENT_TITLE.format(stage=strings.STAGE_LABELS[which], method=str(meta.get("method", "")).upper())
    base_layout(fig, title=title, x_title=strings.LATENT_X, y_title=strings.LATENT_Y)
    fig.update_layout(clickmode="event+select")
    return fig
