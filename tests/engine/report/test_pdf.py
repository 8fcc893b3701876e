"""The PDF report: A4 pages, every heading in the text layer (Japanese too), a non-blank first page."""

from __future__ import annotations

import re
import subprocess

import numpy as np
import pytest
from PIL import Image

from engine.i18n import override
from engine.report import SECTIONS
from engine.report.assemble import section_title

A4_POINTS = (595, 842)


def _info(path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def _text(path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_pdf_pages_and_headings(built_report, lang):
    path = built_report("pdf", lang)
    assert path.read_bytes().startswith(b"%PDF-")
    info = _info(path)
    # Each section starts a page; the cover shares the first page with the summary.
    assert int(info["Pages"]) >= len(SECTIONS)
    width, height = (float(v) for v in re.findall(r"[\d.]+", info["Page size"])[:2])
    assert (round(width), round(height)) == A4_POINTS
    text = _text(path)
    with override(lang):
        titles = [section_title(s) for s in SECTIONS]
    assert [t for t in titles if " ".join(t.split()) not in text] == []
    if lang == "ja":
        assert "エグゼクティブサマリー" in text and "投資対効果" in text


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_first_page_renders_and_is_not_blank(built_report, tmp_path, lang):
    path = built_report("pdf", lang)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True)
    pixels = np.asarray(Image.open(next(tmp_path.glob("page*.png"))).convert("L"), dtype=np.float64)
    assert pixels.std() > 10  # text and tiles, not an empty white page
    assert (pixels < 128).mean() > 0.01


def test_charts_are_images_in_the_pdf(built_report):
    out = subprocess.run(["pdfimages", "-list", str(built_report("pdf", "en"))], capture_output=True, text=True,
                         check=True).stdout
    assert len(out.splitlines()) - 2 >= 5  # header lines, then one line per embedded chart image


def test_hostile_text_is_printed_literally(built_report, hostile):
    text = _text(built_report("pdf", "en"))
    assert hostile["left"] in text and hostile["right"] in text
    assert "'" + hostile["query"] in text
