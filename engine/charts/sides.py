"""The user's own names for the two sides of a pair, in force while a page or a report is drawn.

A pair has a left and a right text, but the user calls them by their column names ("title",
"description"). While :func:`side_names` is in force, every chart and takeaway that names a search
direction says "title → description" instead of the generic "left → right"
(:data:`engine.charts.strings.DIRECTION_LABELS` reads :func:`direction_labels`). Like the language
(:mod:`engine.i18n`), the names are a context variable, so the same builders serve every dataset.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from engine.charts.text import safe_text
from engine.names import DIRECTIONS

ARROW = " → "
# Column names longer than this are cut in direction labels, so a chart title stays one line.
MAX_NAME_CHARS = 40

_names: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("tiltpilot_side_names", default=None)


def columns_of(config: Mapping[str, Any] | None) -> dict[str, str] | None:
    """``{"left", "right"}`` column names from a run's ``config.json`` (``data.columns_resolved``), or None."""
    resolved = ((config or {}).get("data") or {}).get("columns_resolved") or {}
    left, right = resolved.get("left"), resolved.get("right")
    if not left or not right:
        return None
    return {"left": str(left), "right": str(right)}


def direction_text(direction: str, columns: Mapping[str, str]) -> str:
    """``"title → description"`` for ``left_to_right`` (plain, unescaped user text)."""
    left, right = (str(columns[side])[:MAX_NAME_CHARS] for side in ("left", "right"))
    return left + ARROW + right if direction == "left_to_right" else right + ARROW + left


@contextmanager
def side_names(columns: Mapping[str, str] | None) -> Iterator[None]:
    """Put the user's column names in force inside the block (``None`` keeps the generic labels)."""
    value = (str(columns["left"]), str(columns["right"])) if columns else None
    token = _names.set(value)
    try:
        yield
    finally:
        _names.reset(token)


def current_columns() -> dict[str, str] | None:
    """The column names in force, or None."""
    value = _names.get()
    return {"left": value[0], "right": value[1]} if value else None


def direction_labels() -> dict[str, str] | None:
    """Direction labels from the names in force, escaped for plotly (which renders some HTML); else None."""
    columns = current_columns()
    if columns is None:
        return None
    return {d: safe_text(direction_text(d, columns), max_chars=None) for d in DIRECTIONS}
