"""Shared look and input checks of the chart builders (colours, base layout, key lookups)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go

from engine.errors import DataError

STAGE_COLOURS: dict[str, str] = {"base": "#9aa5b1", "tuned": "#1f6feb"}
SERIES_COLOURS: dict[str, str] = {
    "positive": "#1a7f37",
    "in_batch": "#9aa5b1",
    "hardest": "#cf222e",
    "improved": "#1a7f37",
    "unchanged": "#9aa5b1",
    "worse": "#cf222e",
    "left": "#1f6feb",
    "right": "#bf8700",
}
RUN_COLOURS: tuple[str, ...] = ("#1f6feb", "#bf8700", "#1a7f37", "#cf222e", "#8250df", "#0a7d8c", "#6e7781")
REFERENCE_COLOUR = "#6e7781"


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
        raise DataError(
            f"{where}: missing '{key}' (got {got}). The stored run data is incomplete or from another "
            "version; train the run again to rewrite it."
        )
    return mapping[key]


def check_choice(value: str, allowed: Mapping[str, Any] | frozenset[str], name: str) -> str:
    """Return ``value`` if allowed, else a DataError listing the allowed values."""
    if value not in allowed:
        raise DataError(f"{name}: got {value!r}, expected one of {sorted(allowed)}.")
    return value
