"""The pilot report: a stored comparison as HTML, PDF or PowerPoint, in English or Japanese.

Built only from stored run data (``comparison.json``, each run's files, ``audit.json``,
``learning_curve.json``) and the ROI model (:mod:`engine.roi`), with the dashboard's chart
builders (:mod:`engine.charts`). Sections, in order, are :data:`SECTIONS`.

Usage::

    from engine.report import build_report
    build_report("tiltpilot_runs", "pdf", "ja", "pilot.pdf", progress=lambda msg, f: print(f"{f:.0%} {msg}"))

Layout: :mod:`~engine.report.source` reads the store, the ``section_*`` modules turn it into
format-free :mod:`~engine.report.content`, and :mod:`~engine.report.html` (jinja2, autoescaped),
:mod:`~engine.report.pdf` (headless chromium) and :mod:`~engine.report.slides` (python-pptx)
lay it out.
"""

from __future__ import annotations

from engine.report.assemble import section_title
from engine.report.build import FORMATS, build_report
from engine.report.content import SECTIONS
from engine.report.safe import neutralise_formula

__all__ = ["FORMATS", "SECTIONS", "build_report", "neutralise_formula", "section_title"]
