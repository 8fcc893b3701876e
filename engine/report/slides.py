"""The report as an editable PowerPoint deck (python-pptx): one slide per section, charts as images.

Every text run gets a Latin and an East Asian typeface (``a:latin`` and ``a:ea``), so Japanese
shows in a proper Japanese font in PowerPoint on Windows instead of a fallback.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from engine.i18n import t
from engine.report import strings
from engine.report.content import KeyNumber, Report, Section, Table
from engine.report.figures import IMAGE_HEIGHT, IMAGE_WIDTH
from engine.report.thumbnails import PictureTable

SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)
TITLE_LAYOUT, TITLE_ONLY_LAYOUT = 0, 5
# Typefaces per language: (Latin, East Asian). Meiryo ships with every Windows since Vista.
FONTS: Mapping[str, tuple[str, str]] = {"ja": ("Meiryo", "Meiryo"), "en": ("Calibri", "Meiryo")}
INK, MUTED = RGBColor(0x1F, 0x23, 0x28), RGBColor(0x59, 0x63, 0x6E)
TONES: Mapping[str, RGBColor] = {"go": RGBColor(0x1A, 0x7F, 0x37), "extend": RGBColor(0x9A, 0x67, 0x00),
                                 "stop": RGBColor(0xCF, 0x22, 0x2E)}
# Sections whose table says more in a meeting than their chart (the chart's takeaway goes to the notes).
TABLE_FIRST = frozenset({"examples"})
MAX_BULLETS = 6
MAX_BULLETS_CROWDED = 3
TILE_HEIGHT = Inches(1.05)
MAX_NUMBERS = 6
MAX_TABLE_ROWS = 8
MAX_CELL_CHARS = 90
MARGIN = Inches(0.5)
IMAGE_RATIO = IMAGE_HEIGHT / IMAGE_WIDTH
TOP = Inches(1.45)
TITLE_TOP = Inches(0.35)
# The examples' picture slide: rows of thumbnails, each with a short text below it.
PICTURE_ROWS = 4
PICTURE_SIDE = Inches(0.9)
PICTURE_TEXT_HEIGHT = Inches(0.4)


def _style_run(run, lang: str, size: int, *, bold: bool = False, colour: RGBColor = INK) -> None:
    latin, east_asian = FONTS.get(lang, FONTS["en"])
    font = run.font
    font.size, font.bold, font.name = Pt(size), bold, latin
    font.color.rgb = colour
    rpr = run._r.get_or_add_rPr()
    for old in rpr.findall(qn("a:ea")):
        rpr.remove(old)
    ea = rpr.makeelement(qn("a:ea"), {"typeface": east_asian})
    rpr.find(qn("a:latin")).addnext(ea)  # schema order: latin, ea, cs


def _add_paragraph(frame, text: str, lang: str, size: int, *, first: bool = False, bold: bool = False,
                   colour: RGBColor = INK, level: int = 0) -> None:
    paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
    paragraph.level = level
    run = paragraph.add_run()
    run.text = text
    _style_run(run, lang, size, bold=bold, colour=colour)


def _title(slide, text: str, lang: str, top: Emu = TITLE_TOP) -> None:
    shape = slide.shapes.title
    # The default template is 4:3; stretch the placeholder over the 16:9 slide.
    shape.left, shape.top, shape.width, shape.height = MARGIN, top, SLIDE_WIDTH - 2 * MARGIN, Inches(1.0)
    shape.text_frame.clear()
    _add_paragraph(shape.text_frame, text, lang, 28, first=True, bold=True)


def _text_box(slide, left: Emu, top: Emu, width: Emu, height: Emu):
    frame = slide.shapes.add_textbox(left, top, width, height).text_frame
    frame.word_wrap = True
    return frame


def _numbers_grid(slide, numbers: list[KeyNumber], left: Emu, top: Emu, width: Emu, lang: str) -> Emu:
    """Key numbers as tiles (value, label, note), 3 per row on a full-width slide, else 2; returns the bottom."""
    per_row = 3 if width > Inches(8) else 2
    tile_width = (width - Inches(0.15) * (per_row - 1)) // per_row
    for i, number in enumerate(numbers[:MAX_NUMBERS]):
        x = left + (i % per_row) * (tile_width + Inches(0.15))
        y = top + (i // per_row) * (TILE_HEIGHT + Inches(0.1))
        frame = _text_box(slide, x, y, tile_width, TILE_HEIGHT)
        _add_paragraph(frame, number.label, lang, 10, first=True, colour=MUTED)
        _add_paragraph(frame, number.value, lang, 20, bold=True)
        if number.note:
            _add_paragraph(frame, number.note, lang, 9, colour=MUTED)
    rows = -(-min(len(numbers), MAX_NUMBERS) // per_row)
    return top + rows * (TILE_HEIGHT + Inches(0.1))


def _write_body(slide, section: Section, lang: str, width: Emu, crowded: bool) -> None:
    """Headline, number tiles, then bullets (or the first paragraph) in the left column."""
    top = TOP
    if section.headline:
        frame = _text_box(slide, MARGIN, top, SLIDE_WIDTH - 2 * MARGIN, Inches(0.6))
        _add_paragraph(frame, section.headline, lang, 24, first=True, bold=True,
                       colour=TONES.get(section.tone or "", INK))
        top += Inches(0.7)
    if section.numbers:
        top = _numbers_grid(slide, section.numbers, MARGIN, top, width, lang)
    texts = section.bullets or section.paragraphs[:1]
    texts = texts[: MAX_BULLETS_CROWDED if crowded else MAX_BULLETS]
    if texts:
        frame = _text_box(slide, MARGIN, top + Inches(0.05), width, SLIDE_HEIGHT - top - Inches(0.35))
        frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE  # long Japanese sentences shrink instead of spilling
        for i, text in enumerate(texts):
            _add_paragraph(frame, "• " + text, lang, 12 if crowded else 14, first=i == 0)


def _cell_text(value: str) -> str:
    return value if len(value) <= MAX_CELL_CHARS else value[: MAX_CELL_CHARS - 1] + "…"


def _add_table(slide, table: Table, lang: str, left: Emu, top: Emu, width: Emu) -> None:
    rows = table.rows[:MAX_TABLE_ROWS]
    shape = slide.shapes.add_table(len(rows) + 1, len(table.columns), left, top, width, Inches(0.3) * (len(rows) + 1))
    grid = shape.table
    for j, column in enumerate(table.columns):
        frame = grid.cell(0, j).text_frame
        frame.clear()
        _add_paragraph(frame, column, lang, 10, first=True, bold=True)
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row):
            frame = grid.cell(i, j).text_frame
            frame.clear()
            _add_paragraph(frame, _cell_text(value), lang, 9, first=True)


def _notes(slide, section: Section, lang: str) -> None:
    lines = [c.takeaway for c in section.charts if c.takeaway] + section.paragraphs + section.bullets
    if section.empty:
        lines = [section.empty]
    frame = slide.notes_slide.notes_text_frame
    frame.clear()
    for i, line in enumerate(lines):
        _add_paragraph(frame, line, lang, 12, first=i == 0)


def _section_slide(deck, section: Section, lang: str, images: Mapping[int, bytes]) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY_LAYOUT])
    _title(slide, section.title, lang)
    width = SLIDE_WIDTH - 2 * MARGIN
    height = SLIDE_HEIGHT - TOP - Inches(0.3)
    if section.empty:
        frame = _text_box(slide, MARGIN, TOP, width, height)
        _add_paragraph(frame, strings.EMPTY_LABEL + " " + section.empty, lang, 16, first=True, colour=MUTED)
        _notes(slide, section, lang)
        return
    pictures = [] if section.id in TABLE_FIRST and section.tables else [
        images[id(c)] for c in section.charts if id(c) in images][:2]
    side = pictures or section.tables
    text_width = Inches(5.0) if side else width
    _write_body(slide, section, lang, text_width, crowded=bool(side))
    right = MARGIN + text_width + Inches(0.2)
    right_width = SLIDE_WIDTH - right - MARGIN
    if pictures:
        each = height // len(pictures)
        pic_height = min(each, int(right_width * IMAGE_RATIO))
        for i, png in enumerate(pictures):
            slide.shapes.add_picture(io.BytesIO(png), right, TOP + i * each, width=int(pic_height / IMAGE_RATIO),
                                     height=pic_height)
    elif section.tables:
        _add_table(slide, section.tables[0], lang, right, TOP, right_width)
    _notes(slide, section, lang)


def _pictures_slide(deck, section_title: str, table: PictureTable, lang: str) -> None:
    """Examples as a grid: one row per query (ranks, query, correct match, top 5), thumbnails with their text."""
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY_LAYOUT])
    _title(slide, t("photos_ui.SLIDE_TITLE", section=section_title), lang)
    width = SLIDE_WIDTH - 2 * MARGIN
    _add_paragraph(_text_box(slide, MARGIN, TOP - Inches(0.35), width, Inches(0.35)), table.caption, lang, 11,
                   first=True, colour=MUTED)
    column_width = width // max(len(table.columns), 1)
    for j, column in enumerate(table.columns):
        _add_paragraph(_text_box(slide, MARGIN + j * column_width, TOP, column_width, Inches(0.3)), column, lang, 9,
                       first=True, bold=True)
    rows = table.rows[:PICTURE_ROWS]
    row_height = (SLIDE_HEIGHT - TOP - Inches(0.6)) // max(len(rows), 1)
    side = min(PICTURE_SIDE, row_height - PICTURE_TEXT_HEIGHT, column_width - Inches(0.1))
    for i, row in enumerate(rows):
        top = TOP + Inches(0.35) + i * row_height
        for j, cell in enumerate(row):
            left = MARGIN + j * column_width
            text_top = top
            if cell.image is not None:
                with Image.open(io.BytesIO(cell.image)) as picture:  # fit the longest side, keep the shape
                    scale = side / max(picture.size)
                    pic_width, pic_height = int(picture.width * scale), int(picture.height * scale)
                slide.shapes.add_picture(io.BytesIO(cell.image), left + (column_width - pic_width) // 2, top,
                                         width=pic_width, height=pic_height)
                text_top = top + side
            frame = _text_box(slide, left, text_top, column_width, PICTURE_TEXT_HEIGHT)
            _add_paragraph(frame, _cell_text(cell.text), lang, 8, first=True, colour=TONES["go"] if cell.relevant
                           else INK)


def write_pptx(report: Report, images: Mapping[int, bytes]) -> bytes:
    """The deck as bytes: a title slide, then one slide per section.

    Args:
        report: The assembled report.
        images: ``{id(chart): PNG bytes}`` (kaleido, white template).
    """
    deck = Presentation()
    deck.slide_width, deck.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    lang = report.lang
    cover = deck.slides.add_slide(deck.slide_layouts[TITLE_LAYOUT])
    _title(cover, report.title, lang, top=Inches(2.2))
    placeholder = cover.placeholders[1]
    placeholder.left, placeholder.top = MARGIN, Inches(3.4)
    placeholder.width, placeholder.height = SLIDE_WIDTH - 2 * MARGIN, Inches(1.6)
    subtitle = placeholder.text_frame
    subtitle.clear()
    _add_paragraph(subtitle, report.subtitle, lang, 18, first=True, colour=MUTED)
    _add_paragraph(subtitle, report.generated, lang, 14, colour=MUTED)
    for section in report.sections:
        _section_slide(deck, section, lang, images)
        for table in section.pictures:  # a run on image pairs: its examples as thumbnails
            _pictures_slide(deck, section.title, table, lang)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
