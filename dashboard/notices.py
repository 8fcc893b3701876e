"""Error and warning boxes whose text is shown as typed: user text is data, never Markdown.

``st.error`` and ``st.warning`` render their body as Markdown, so a column name such as
``![x](http://host/pixel.png)`` in an error message would make the browser fetch a remote image.
Every message that may carry user text (file names, column names, cell values, job errors) goes
through these functions, which backslash-escape Markdown's punctuation first.
"""

from __future__ import annotations

import re

import streamlit as st

from dashboard import icons
from engine.data.error_text import render_error

# CommonMark lets a backslash escape any ASCII punctuation; escaping all of it also defuses
# Streamlit's own directives (":red[...]", ":material/...:") and "$" (LaTeX).
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def plain(text: str) -> str:
    """``text`` escaped so that Streamlit's Markdown shows it literally; newlines are kept."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", str(text)).replace("\n", "  \n")


def error(problem: BaseException | str) -> None:
    """An error box: an engine error in the language in force, or a stored message, as plain text."""
    text = render_error(problem) if isinstance(problem, BaseException) else problem
    st.error(plain(text), icon=icons.ERROR)


def warning(text: str) -> None:
    st.warning(plain(text), icon=icons.WARNING)
