"""Figures for export: the white template, a font that writes Japanese, HTML divs and PNG images.

Charts come from :mod:`engine.charts` (the dashboard's builders). Export copies get
``template="plotly_white"`` explicitly, because ``import streamlit`` makes plotly's default
template draw near-black placeholder colours in exported files.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import plotly.graph_objects as go
import plotly.io as pio

# Noto Sans CJK JP is what Debian's fonts-noto-cjk installs (PDF, kaleido images); Yu Gothic and
# Meiryo are what a Windows PC in a Japanese meeting room has when it opens the HTML.
FONT_STACK = '"Noto Sans CJK JP", "Noto Sans JP", "Yu Gothic", "Meiryo", "Hiragino Sans", "DejaVu Sans", sans-serif'
IMAGE_WIDTH = 1000
IMAGE_HEIGHT = 520
IMAGE_SCALE = 2
HTML_HEIGHT = "480px"
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}

# kaleido's sync server is one per process; two reports built at once must take turns.
_KALEIDO_LOCK = threading.Lock()


def export_figure(figure: go.Figure) -> go.Figure:
    """A copy of ``figure`` with the white template and a CJK-capable font (the original is untouched)."""
    fig = go.Figure(figure)
    fig.update_layout(template="plotly_white", font={"family": FONT_STACK}, paper_bgcolor="white")
    return fig


def figure_div(figure: go.Figure, *, include_js: bool) -> str:
    """An interactive chart as an HTML fragment; plotly.js is inlined only when ``include_js``.

    The fragment is plotly's own markup: data goes in as JSON, and user text in it was already
    escaped by the chart builders (:func:`engine.charts.text.safe_text`).
    """
    return pio.to_html(export_figure(figure), full_html=False, include_plotlyjs=bool(include_js),
                       include_mathjax=False, config=PLOTLY_CONFIG, default_width="100%",
                       default_height=HTML_HEIGHT)


class ImageRenderer:
    """Renders figures to PNG through one kaleido browser (see :func:`image_renderer`)."""

    def png(self, figure: go.Figure, width: int = IMAGE_WIDTH, height: int = IMAGE_HEIGHT) -> bytes:
        with warnings.catch_warnings():
            # plotly passes browser options kaleido's shared server cannot take; the defaults are what we want.
            warnings.filterwarnings("ignore", message="The kopts argument is ignored")
            return export_figure(figure).to_image(format="png", width=width, height=height, scale=IMAGE_SCALE)


@contextmanager
def image_renderer() -> Iterator[ImageRenderer]:
    """A PNG renderer backed by kaleido's sync server: the first image starts a browser, later ones reuse it.

    The server is stopped on exit unless it was already running (e.g. started by the dashboard),
    so no browser process outlives the report.
    """
    import kaleido
    from kaleido._sync_server import GlobalKaleidoServer

    with _KALEIDO_LOCK:
        started = not GlobalKaleidoServer().is_running()
        if started:
            kaleido.start_sync_server(silence_warnings=True)
        try:
            yield ImageRenderer()
        finally:
            if started:
                kaleido.stop_sync_server(silence_warnings=True)
