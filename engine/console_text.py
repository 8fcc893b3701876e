"""Plain-text columns that line up in a terminal, Japanese included.

``str.format`` pads by characters, but a CJK character takes two terminal cells, so a Japanese
header would push its columns out of line. Padding by display width keeps English output exactly
what ``format`` gives and aligns Japanese too.
"""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """Terminal cells ``text`` takes: 2 for wide and full-width characters, else 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def pad(text: str, width: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``width`` cells, left (``"<"``) or right (``">"``) aligned."""
    fill = " " * max(0, width - display_width(text))
    return text + fill if align == "<" else fill + text
