"""Making user text safe for plotly, which renders a subset of HTML in hover, legend and tick text."""

from __future__ import annotations

import html

from engine.charts import strings

DEFAULT_MAX_CHARS = 200


def safe_text(value: object, *, max_chars: int | None = DEFAULT_MAX_CHARS) -> str:
    """Return ``value`` as display text with ``<``, ``>`` and ``&`` escaped.

    Truncation happens before escaping so an entity such as ``&lt;`` is never cut in half.

    Args:
        value: Any user-supplied value (a title, a column name, a run label).
        max_chars: Longest text kept before escaping; ``None`` keeps everything.

    Returns:
        Text that plotly shows literally instead of interpreting as markup.
    """
    text = "" if value is None else str(value)
    if max_chars is not None and len(text) > max_chars:
        text = text[: max_chars - 1] + strings.LATENT_TRUNCATION
    return html.escape(text, quote=False)
