"""AppTest: the photo samples on Start, a photo ZIP on the Data page, thumbnails on Results.

No model is loaded: the sample buttons' jobs are only queued (``submit_job`` is replaced). The
Results test turns a copy of the tiny stored comparison into runs on image pairs
(:func:`photo_zip.as_image_runs`), as the engine stores them.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from dashboard_app import open_app
from photo_zip import as_image_runs, photo_zip
from streamlit.testing.v1 import AppTest

from dashboard import state, thumbnails
from dashboard.notices import plain
from engine.datasets import PHOTO_SAMPLES
from engine.i18n import message, t
from engine.images.store import is_stored_images
from engine.models.packaged import MINILM, MULTILINGUAL

HOSTILE_CAPTION = "**bold** [x](http://evil.example) <b>html</b>"


@pytest.fixture(autouse=True)
def _no_startup_model(monkeypatch):
    monkeypatch.delenv("TILTPILOT_MODEL", raising=False)
    monkeypatch.setattr(sys, "argv", ["app.py"])


@pytest.fixture
def submitted(monkeypatch, tmp_path):
    """Jobs are recorded, not run; the multilingual model counts as built (a manifest-only fake)."""
    import engine.jobs
    from engine.models.e5.install import CACHE_ENV, MANIFEST, model_dir

    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    model_dir().mkdir(parents=True)
    (model_dir() / MANIFEST).write_text("{}", encoding="utf-8")
    calls: list[dict] = []
    monkeypatch.setattr(engine.jobs, "submit_job", lambda root, spec: calls.append(spec) or "job-1")
    return calls


def _images(at: AppTest) -> list:
    """Every picture on the page (``st.image`` elements, one ImageList each)."""
    return [img for element in at.get("image") for img in element.proto.imgs]


@pytest.mark.parametrize(("sample", "model"), [("fashion", MINILM), ("fashion_ja", MULTILINGUAL),
                                               ("products", MINILM), ("products_ja", MULTILINGUAL)])
def test_a_photo_sample_button_stores_pictures_and_queues_a_quick_run(monkeypatch, tmp_path, submitted, sample,
                                                                      model):
    at = open_app(monkeypatch, tmp_path / "s")
    button = at.button(key=state.LOAD_PHOTO_PREFIX + sample)
    assert button.label == message("photos_ui.PHOTO_BUTTONS")[sample]
    button.click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert len(submitted) == 1
    spec = submitted[0]
    data = Path(spec["data"])
    assert is_stored_images(data.parent)  # stored from the ZIP as an image dataset
    assert spec["epochs"] == 1 and spec["model"] == model  # the text tower reads the captions' language
    rows = sum(1 for _ in data.open(encoding="utf-8")) - 1
    assert t("photos_ui.PHOTO_STARTED", job_id="job-1", rows=rows) in [s.value for s in at.success]


def test_the_start_page_offers_text_and_photo_samples(monkeypatch, tmp_path):
    at = open_app(monkeypatch, tmp_path / "s")
    keys = {b.key for b in at.button}
    assert {state.LOAD_SAMPLE, state.LOAD_SAMPLE_JA} <= keys
    assert {state.LOAD_PHOTO_PREFIX + name for name in PHOTO_SAMPLES} <= keys


def test_a_photo_zip_is_checked_stored_and_previewed_with_thumbnails(monkeypatch, tmp_path):
    captions = [HOSTILE_CAPTION] + [f"caption number {i}" for i in range(1, 14)]
    archive = photo_zip(14, captions)
    at = open_app(monkeypatch, tmp_path / "s", "views/data.py")
    at.file_uploader(key=state.UPLOAD).upload("photos.zip", archive, "application/zip").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert t("photos_ui.ZIP_INTRO") in [i.value for i in at.info]
    assert _images(at) == []  # nothing is read before the archive is checked
    at.button(key=state.STORE_PHOTOS).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert plain(t("photos_ui.ZIP_STORED", name="photos.zip", rows=14, images=14)) in [s.value for s in at.success]
    pictures = _images(at)
    assert len(pictures) == thumbnails.PREVIEW_PAIRS  # the first 12 pairs, each with its thumbnail
    texts = [x.value for x in at.text]
    assert HOSTILE_CAPTION in texts  # user text as plain text (st.text), never Markdown
    assert all(HOSTILE_CAPTION not in p.caption for p in pictures)  # image captions are Markdown: unused
    # the same bytes again: found by their digest, shown without another click
    again = open_app(monkeypatch, tmp_path / "s", "views/data.py")
    again.file_uploader(key=state.UPLOAD).upload("copy.zip", archive, "application/zip").run()
    assert len(_images(again)) == thumbnails.PREVIEW_PAIRS and not again.info


def test_a_broken_photo_zip_is_refused_with_a_message(monkeypatch, tmp_path):
    at = open_app(monkeypatch, tmp_path / "s", "views/data.py")
    at.file_uploader(key=state.UPLOAD).upload("broken.zip", b"PK\x03\x04 not a zip", "application/zip").run()
    at.button(key=state.STORE_PHOTOS).click().run()
    assert not at.exception and at.error and not at.success
    assert not (tmp_path / "s" / "datasets").exists() or not any(
        p for p in (tmp_path / "s" / "datasets").iterdir() if not p.name.startswith("."))


@pytest.fixture(scope="module")
def image_run_store(toy_comparison_store, tmp_path_factory) -> tuple[Path, list[str]]:
    store = tmp_path_factory.mktemp("image_runs") / "store"
    shutil.copytree(toy_comparison_store, store)
    captions = [HOSTILE_CAPTION] + [f"caption number {i}" for i in range(1, 12)]
    return store, as_image_runs(store, captions)


def test_results_examples_show_thumbnails_not_paths(monkeypatch, image_run_store):
    store, paths = image_run_store
    at = open_app(monkeypatch, store, "views/results.py")
    at.session_state[state.RESULT_SECTION] = "examples"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(_images(at)) >= 6  # a text query's correct match and its top 5 are pictures
    shown = [x.value for x in at.text] + [str(d.value) for d in at.dataframe]
    assert not any(path in value for value in shown for path in paths)  # no server paths on the page
    assert t("photos_ui.EXAMPLE_TUNED_TOP") in [c.value for c in at.caption]


def test_latent_map_names_pictures_in_hovers_and_shows_a_clicked_one(monkeypatch, image_run_store):
    store, paths = image_run_store
    at = open_app(monkeypatch, store, "views/results.py")
    at.session_state[state.RESULT_SECTION] = "technical"
    at.session_state[state.RESULT_TECHNICAL] = "latent"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    hovers = [point[1] for trace in spec["data"] for point in trace.get("customdata") or []]
    assert hovers and not any(path in h for h in hovers for path in paths)
    assert any(h.startswith(t("photos_ui.PHOTO_HOVER", text="")) for h in hovers)
    assert t("photos_ui.LATENT_CLICK") in [c.value for c in at.caption]
    assert _images(at) == []
