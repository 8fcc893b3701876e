"""The HTML report: every section, offline (no external URL), plotly.js once, user text escaped."""

from __future__ import annotations

import re

import pytest

from engine.i18n import override
from engine.report import SECTIONS
from engine.report.assemble import section_title

EXTERNAL = re.compile(r"^\s*(https?:|//|ftp:|file:)", re.IGNORECASE)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_section_is_present_with_its_heading(built_report, read_page, lang):
    page = read_page(built_report("html", lang).read_text(encoding="utf-8"))
    assert page.sections == list(SECTIONS)
    with override(lang):
        titles = [section_title(s) for s in SECTIONS]
    assert all(title in page.visible for title in titles)


def test_works_offline_with_plotly_inlined_once(built_report, read_page):
    text = built_report("html", "en").read_text(encoding="utf-8")
    page = read_page(text)
    assert page.urls and all(u.startswith("#") for u in page.urls), page.urls  # only in-page links
    assert not [u for u in page.urls if EXTERNAL.match(u)]
    assert text.count("window.PlotlyConfig") == 1  # plotly.js itself, embedded with the first chart only
    assert sum("Plotly.newPlot" in s for s in page.scripts) >= 5  # every chart is interactive


def test_hostile_user_text_is_escaped_not_run(built_report, read_page, hostile):
    text = built_report("html", "en").read_text(encoding="utf-8")
    page = read_page(text)
    assert hostile["left"] not in text and hostile["right"] not in text  # never raw markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "img" not in page.tags  # the interactive variant has no <img> at all: onerror cannot fire
    assert "alert(1)" not in [s.strip() for s in page.scripts]  # what an unescaped column name would create
    assert hostile["left"] in page.visible and hostile["right"] in page.visible  # shown literally
    assert "'" + hostile["query"] in page.visible  # a table cell a spreadsheet would not run
