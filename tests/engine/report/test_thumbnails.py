"""A run on image pairs: the report's examples show the stored thumbnails, inline, with escaped text.

The fixture turns a copy of the shared tiny comparison into an image run: its test split's right
side (the gallery of the report's left → right direction) becomes stored pictures (a real ZIP stored through ``store_upload``), and the drill-down
texts are rewritten from the indices, as the engine writes them for image pairs.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from photo_zip import as_image_runs
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from engine.i18n import override, t
from engine.report import build_report
from engine.report.assemble import section_title
from engine.report.thumbnails import PICTURE_EXAMPLES

HOSTILE_CAPTION = "<img src=x onerror=alert(3)>"
N_PHOTOS = 12


@pytest.fixture(scope="module")
def image_store(report_store, tmp_path_factory) -> tuple[Path, list[str]]:
    store = tmp_path_factory.mktemp("image_report") / "store"
    shutil.copytree(report_store, store)
    paths = as_image_runs(store, [HOSTILE_CAPTION] + [f"caption {i}" for i in range(1, N_PHOTOS)])
    assert len(paths) == N_PHOTOS
    return store, paths


@pytest.fixture(scope="module")
def image_html(image_store, tmp_path_factory) -> str:
    store, _ = image_store
    out = tmp_path_factory.mktemp("image_html") / "report.html"
    return build_report(store, "html", "en", out, sections=["examples"]).read_text(encoding="utf-8")


def _expected_thumbnails(run: Path) -> int:
    """Per shown example (4 wins, 4 losses at most): the correct match and the tuned top 5, all pictures."""
    part = json.loads((run / "analysis" / "drilldown.json").read_text())["left_to_right"]
    shown = part["wins"][:PICTURE_EXAMPLES] + part["losses"][:PICTURE_EXAMPLES]
    return sum(1 + len(r.get("tuned_topk", [])) for r in shown)


def test_examples_show_inline_thumbnails(image_html, image_store, read_page):
    store, _ = image_store
    page = read_page(image_html)
    thumbs = [u for u in page.urls if u.startswith("data:image/jpeg;base64,")]
    runs = [store / r["run_id"] for r in json.loads((store / "comparison.json").read_text())["runs"]]
    assert len(thumbs) in {_expected_thumbnails(run) for run in runs}  # the report shows one run's examples
    assert len(thumbs) >= 6
    assert all(base64.b64decode(u.split(",", 1)[1])[:2] == b"\xff\xd8" for u in thumbs)  # JPEG bytes
    assert 'class="pictures"' in image_html
    assert t("photos_ui.REPORT_QUERY") in page.visible


def test_pictures_replace_server_paths_and_text_is_escaped(image_html, image_store):
    _, paths = image_store
    assert not any(path in image_html for path in paths)  # a server path means nothing to a reader
    assert HOSTILE_CAPTION not in image_html
    assert "&lt;img src=x onerror=alert(3)&gt;" in image_html


def test_text_run_has_no_picture_table(built_report):
    assert 'class="pictures"' not in built_report("html", "en").read_text(encoding="utf-8")


def test_slides_hold_the_thumbnails(image_store, tmp_path):
    store, _ = image_store
    deck = Presentation(str(build_report(store, "pptx", "ja", tmp_path / "r.pptx", sections=["examples"])))
    with override("ja"):
        title = t("photos_ui.SLIDE_TITLE", section=section_title("examples"))
    slides = [s for s in deck.slides if s.shapes.title is not None and s.shapes.title.text_frame.text == title]
    assert slides, "no picture slide"
    pictures = sum(shape.shape_type == MSO_SHAPE_TYPE.PICTURE for shape in slides[0].shapes)
    assert pictures >= 6  # one example: its correct match and the tuned top 5


def test_pdf_prints_the_thumbnails(image_store, tmp_path):
    store, _ = image_store
    pdf = build_report(store, "pdf", "en", tmp_path / "r.pdf", sections=["examples"])
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    small = [line for line in listing.splitlines()[2:] if line.split()[3:5] and int(line.split()[3]) <= 160]
    assert len(small) >= 6  # thumbnails are at most 160 px wide (the chart is printed far larger)
