"""Shared look and input checks of the chart builders (colours, base layout, key lookups)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go

from engine.charts import strings
from engine.errors import DataError

# Okabe & Ito's colour-blind-safe palette (Color Universal Design, 2008): told apart with every common
# colour-vision deficiency; every builder takes its colours from the names below.
OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}
NEUTRAL_GREY = "#999999"  # base model and "no change": a neutral beside the palette's colours

STAGE_COLOURS: dict[str, str] = {"base": NEUTRAL_GREY, "tuned": OKABE_ITO["blue"]}
SERIES_COLOURS: dict[str, str] = {
    "positive": OKABE_ITO["bluish_green"],
    "in_batch": NEUTRAL_GREY,
    "hardest": OKABE_ITO["vermillion"],
    "improved": OKABE_ITO["bluish_green"],
    "unchanged": NEUTRAL_GREY,
    "worse": OKABE_ITO["vermillion"],
    "left": OKABE_ITO["blue"],
    "right": OKABE_ITO["orange"],
}
RUN_COLOURS: tuple[str, ...] = tuple(OKABE_ITO[name] for name in (
    "blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue", "black", "yellow"))
REFERENCE_COLOUR = "#555555"  # reference lines (chance, diagonal, threshold): dark enough on white


def base_layout(fig: go.Figure, *, title: str, x_title: str | None = None, y_title: str | None = None) -> go.Figure:
    """Apply the common template, title and axis titles (mutates and returns ``fig``)."""
    fig.update_layout(
        template="plotly_white",
        title={"text": title},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0.0},
        margin={"l": 60, "r": 20, "t": 80, "b": 50},
    )
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    return fig


def need(mapping: Any, key: str, where: str) -> Any:
    """``mapping[key]``, or a DataError naming the stored file part that lacks it."""
    if not isinstance(mapping, Mapping) or key not in mapping:
        got = sorted(mapping) if isinstance(mapping, Mapping) else type(mapping).__name__
        raise DataError(strings.ERROR_MISSING.format(where=where, key=key, got=got))
    return mapping[key]


def check_choice(value: str, allowed: Mapping[str, Any] | frozenset[str], name: str) -> str:
    """Return ``value`` if allowed, else a DataError listing the allowed values."""
    if value not in allowed:
        raise DataError(strings.ERROR_CHOICE.format(name=name, value=repr(value), allowed=sorted(allowed)))
    return value
