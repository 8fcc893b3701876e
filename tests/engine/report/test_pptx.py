"""The PowerPoint report: a title per slide, chart pictures, takeaways in the notes, East Asian fonts."""

from __future__ import annotations

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.oxml.ns import qn

from engine.i18n import override
from engine.report import SECTIONS, strings
from engine.report.assemble import section_title
from engine.report.slides import FONTS


def _deck(built_report, lang):
    return Presentation(str(built_report("pptx", lang)))


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_slide_titles_and_pictures(built_report, lang):
    deck = _deck(built_report, lang)
    titles = [slide.shapes.title.text_frame.text for slide in deck.slides]
    with override(lang):
        assert titles[1:] == [section_title(s) for s in SECTIONS]
        assert titles[0] == strings.REPORT_TITLE
    by_title = dict(zip(titles, deck.slides, strict=True))
    with override(lang):
        losses = by_title[section_title("losses")]
        roi = by_title[section_title("roi")]
    for slide in (losses, roi):
        assert any(shape.shape_type == MSO_SHAPE_TYPE.PICTURE for shape in slide.shapes)
    pictures = sum(shape.shape_type == MSO_SHAPE_TYPE.PICTURE for slide in deck.slides for shape in slide.shapes)
    assert pictures >= 5
    assert 10 <= len(deck.slides) <= 14  # about ten slides, one per section


def test_notes_carry_the_takeaways(built_report):
    deck = _deck(built_report, "en")
    losses = next(s for s in deck.slides if s.shapes.title.text_frame.text == section_title("losses"))
    notes = losses.notes_slide.notes_text_frame.text
    assert "Best after fine-tuning" in notes  # the retrieval chart's takeaway


def test_japanese_runs_have_an_east_asian_typeface(built_report):
    deck = _deck(built_report, "ja")
    runs = [r for slide in deck.slides for shape in slide.shapes if shape.has_text_frame
            for p in shape.text_frame.paragraphs for r in p.runs]
    assert runs
    latin, east_asian = FONTS["ja"]
    for run in runs:
        rpr = run._r.find(qn("a:rPr"))
        assert rpr.find(qn("a:ea")).get("typeface") == east_asian
        assert rpr.find(qn("a:latin")).get("typeface") == latin


def test_hostile_text_is_plain_text_and_cells_are_neutralised(built_report, hostile):
    deck = _deck(built_report, "en")
    texts, cells = [], []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                cells += [c.text_frame.text for row in shape.table.rows for c in row.cells]
    assert any(hostile["left"] in t for t in texts)
    assert "'" + hostile["query"] in cells and "'" + hostile["true"] in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]
