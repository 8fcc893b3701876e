"""``build_report``: a stored comparison in, one HTML, PDF or PowerPoint file out."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from engine.errors import ConfigError
from engine.i18n import check_language, override
from engine.report import strings
from engine.report.assemble import assemble
from engine.report.content import Report
from engine.report.figures import image_renderer
from engine.report.html import render_html
from engine.report.pdf import print_pdf
from engine.report.slides import write_pptx
from engine.report.source import load_source
from engine.runs.atomic import atomic_write_bytes

logger = logging.getLogger(__name__)

FORMATS: tuple[str, ...] = ("html", "pdf", "pptx")
Progress = Callable[[str, float], None]

# Share of the progress bar each stage ends at (images dominate PDF and PPTX time).
_LOADED, _ASSEMBLED, _IMAGES = 0.1, 0.35, 0.85


def _silent(_message: str, _fraction: float) -> None:
    return None


def _images(report: Report, progress: Progress) -> dict[int, bytes]:
    charts = [c for s in report.sections for c in s.charts]
    images: dict[int, bytes] = {}
    if not charts:
        return images
    with image_renderer() as renderer:
        for i, chart in enumerate(charts):
            progress(strings.PROGRESS_IMAGE.format(done=i + 1, total=len(charts)),
                     _ASSEMBLED + (_IMAGES - _ASSEMBLED) * i / len(charts))
            images[id(chart)] = renderer.png(chart.figure)
    return images


def _render(report: Report, fmt: str, progress: Progress) -> bytes:
    if fmt == "html":
        progress(strings.PROGRESS_HTML, _IMAGES)
        return render_html(report).encode("utf-8")
    images = _images(report, progress)
    if fmt == "pptx":
        progress(strings.PROGRESS_PPTX, _IMAGES)
        return write_pptx(report, images)
    progress(strings.PROGRESS_PDF, _IMAGES)
    return print_pdf(render_html(report, images))


def build_report(source: str | Path, fmt: str, lang: str, out: str | Path, *, sections: Sequence[str] | None = None,
                 roi_inputs: Any = None, progress: Progress | None = None) -> Path:
    """Write the pilot report of a stored comparison.

    Everything comes from stored run data (comparison, metrics, analysis parts, audit, learning
    curve) and the ROI model; nothing is retrained. Charts are the dashboard's builders.

    Args:
        source: A run store folder or a comparison JSON file.
        fmt: ``"html"`` (self-contained, interactive, offline), ``"pdf"`` (A4, chromium) or
            ``"pptx"`` (editable slides).
        lang: ``"en"`` or ``"ja"``; every word, number and chart is written in it.
        out: The file to write (folders are created).
        sections: Section ids to include (see :data:`engine.report.SECTIONS`); ``None`` for all.
        roi_inputs: ``RoiInputs``, their dict or a JSON path; ``None`` uses the inputs stored
            with the comparison, else the expected preset (the report says which).
        progress: Called as ``progress(stage_message, fraction)`` at each stage.

    Returns:
        ``out`` as a :class:`~pathlib.Path`.

    Raises:
        ConfigError: Unknown format, language or section, or nothing to report on.
        EngineError: The PDF printer is missing or failed; ROI inputs given but invalid.
    """
    check_language(lang)
    if fmt not in FORMATS:
        raise ConfigError(f"format: got {fmt!r}; expected one of {', '.join(FORMATS)}.")
    progress = progress or _silent
    started = time.perf_counter()
    with override(lang):
        progress(strings.PROGRESS_LOADING, 0.0)
        loaded = load_source(source)
        progress(strings.PROGRESS_ROI, _LOADED)
        report = assemble(loaded, sections, roi_inputs,
                          progress=lambda message, f: progress(message, _LOADED + (_ASSEMBLED - _LOADED) * f))
        data = _render(report, fmt, progress)
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(out, data)
        progress(strings.PROGRESS_DONE, 1.0)
    logger.info("report %s (%s, %s) written in %.1f s", out, fmt, lang, time.perf_counter() - started)
    return out
