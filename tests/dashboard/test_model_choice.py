"""AppTest: the Train page preselects the text encoder from the dataset's languages and warns about a
poor or unbuilt one; the Start page's quick runs use the recommended model.

No model is loaded: jobs are only queued (``submit_job`` is replaced), and the multilingual model
counts as built when its folder holds the install manifest, which the fixtures write or leave out.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import csv_bytes, toy_rows
from dashboard_app import open_app
from streamlit.testing.v1 import AppTest

from dashboard import state
from dashboard.notices import plain
from engine.i18n import message, override, t
from engine.models.packaged import MINILM, MULTILINGUAL, recommend, render_reason

REPO = Path(__file__).resolve().parents[2]
JA_SAMPLE = REPO / "sample_data" / "catalogue_ja.csv"
# The Japanese sample's headers, mapped by hand (as the Start page does).
JA_COLUMNS = {"left": "商品名", "right": "商品説明", "group": "商品ID", "label": "カテゴリ"}
JAPANESE = {"left": "ja", "right": "ja"}
ENGLISH = {"left": "latin", "right": "latin"}


def _cache(monkeypatch, folder: Path, *, built: bool) -> None:
    """Point the model cache at ``folder``, holding a (fake, manifest-only) multilingual model or none."""
    from engine.models.e5.install import CACHE_ENV, MANIFEST, model_dir

    monkeypatch.setenv(CACHE_ENV, str(folder))
    if built:
        model_dir().mkdir(parents=True)
        (model_dir() / MANIFEST).write_text("{}", encoding="utf-8")


@pytest.fixture(autouse=True)
def _no_startup_model(monkeypatch):
    monkeypatch.delenv("TILTPILOT_MODEL", raising=False)
    monkeypatch.setattr(sys, "argv", ["app.py"])


@pytest.fixture
def built(monkeypatch, tmp_path):
    _cache(monkeypatch, tmp_path / "cache", built=True)


@pytest.fixture
def unbuilt(monkeypatch, tmp_path):
    _cache(monkeypatch, tmp_path / "empty-cache", built=False)


@pytest.fixture
def submitted(monkeypatch):
    import engine.jobs

    calls: list[dict] = []
    monkeypatch.setattr(engine.jobs, "submit_job", lambda root, spec: calls.append(spec) or "job-1")
    return calls


def _store(tmp_path: Path, *, japanese: bool = False, english: bool = False) -> Path:
    """A store with the Japanese sample and/or English toy pairs (the English one is newer: listed first)."""
    from engine.datasets import register_sample, store_upload

    root = tmp_path / "s"
    if japanese:
        register_sample(root, JA_SAMPLE, columns=JA_COLUMNS)
    if english:
        store_upload(root, "pairs.csv", csv_bytes(toy_rows(40)))
    return root


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_japanese_data_preselects_the_multilingual_model_and_says_why(monkeypatch, tmp_path, built, submitted):
    at = open_app(monkeypatch, _store(tmp_path, japanese=True), "views/train.py")
    picker = at.selectbox(key=state.TRAIN_MODEL)
    assert picker.value == MULTILINGUAL
    reason = t("models.RECOMMEND_MULTILINGUAL", left_language="Japanese", right_language="Japanese")
    assert reason in _captions(at)
    assert render_reason(recommend(JAPANESE), "models.RECOMMEND_MULTILINGUAL") == reason
    assert not at.warning and not at.error
    assert message("models.DESCRIPTION")[MULTILINGUAL] in picker.format_func(MULTILINGUAL)
    at.button(key=state.TRAIN_START).click().run()
    assert not at.exception and [spec["model"] for spec in submitted] == [MULTILINGUAL]


def test_english_data_preselects_minilm(monkeypatch, tmp_path, built, submitted):
    at = open_app(monkeypatch, _store(tmp_path, english=True), "views/train.py")
    assert at.selectbox(key=state.TRAIN_MODEL).value == MINILM
    assert t("models.RECOMMEND_ENGLISH") in _captions(at)
    assert not at.warning and not at.error
    at.button(key=state.CURVE_START).click().run()
    assert [spec["model"] for spec in submitted] == [MINILM]


def test_another_dataset_gets_its_own_preselection(monkeypatch, tmp_path, built):
    from engine.datasets import list_datasets

    store = _store(tmp_path, japanese=True, english=True)
    _english, japanese = list_datasets(store)
    at = open_app(monkeypatch, store, "views/train.py")
    assert at.selectbox(key=state.TRAIN_MODEL).value == MINILM
    at.selectbox(key=state.TRAIN_DATASET).select(japanese.digest).run()
    assert at.selectbox(key=state.TRAIN_MODEL).value == MULTILINGUAL


def test_minilm_on_japanese_data_warns_that_it_reads_japanese_poorly(monkeypatch, tmp_path, built, submitted):
    at = open_app(monkeypatch, _store(tmp_path, japanese=True), "views/train.py")
    at.selectbox(key=state.TRAIN_MODEL).select(MINILM).run()
    # One language named once, though both sides are Japanese.
    assert [w.value for w in at.warning] == [plain(t("models.NOT_COVERED", model=MINILM, languages="Japanese"))]
    assert t("train_page.MODEL_OTHER_RECOMMENDED", model=MULTILINGUAL) in _captions(at)
    at.button(key=state.TRAIN_START).click().run()
    assert [spec["model"] for spec in submitted] == [MINILM]  # a warning, not a refusal


def test_an_unbuilt_multilingual_model_shows_the_fix_and_queues_nothing(monkeypatch, tmp_path, unbuilt, submitted):
    at = open_app(monkeypatch, _store(tmp_path, japanese=True), "views/train.py")
    assert at.selectbox(key=state.TRAIN_MODEL).value == MULTILINGUAL
    assert [e.value for e in at.error] == [plain(t("models.NOT_INSTALLED", model=MULTILINGUAL))]
    assert "tiltpilot models install" in at.error[0].value
    assert at.button(key=state.TRAIN_START).disabled and at.button(key=state.CURVE_START).disabled
    assert submitted == []
    at.selectbox(key=state.TRAIN_MODEL).select(MINILM).run()
    assert not at.error and not at.button(key=state.TRAIN_START).disabled


def test_a_model_folder_is_queued_as_typed_and_a_missing_one_is_refused(monkeypatch, tmp_path, built, submitted):
    folder = tmp_path / "my *model*"
    folder.mkdir()
    at = open_app(monkeypatch, _store(tmp_path, english=True), "views/train.py")
    at.selectbox(key=state.TRAIN_MODEL).select(state.MODEL_FOLDER_CHOICE).run()
    assert at.info[0].value == t("train_page.MODEL_FOLDER_EMPTY")
    assert at.button(key=state.TRAIN_START).disabled
    missing = str(tmp_path / "[gone](http://x)")
    at.text_input(key=state.TRAIN_MODEL_FOLDER).input(missing).run()
    assert [e.value for e in at.error] == [plain(t("train_page.MODEL_FOLDER_MISSING", path=missing))]  # not Markdown
    assert at.button(key=state.TRAIN_START).disabled and submitted == []
    at.text_input(key=state.TRAIN_MODEL_FOLDER).input(str(folder)).run()
    at.button(key=state.TRAIN_START).click().run()
    assert not at.error and [spec["model"] for spec in submitted] == [str(folder)]


def test_a_model_named_at_start_up_stays_the_initial_choice(monkeypatch, tmp_path, built, submitted):
    monkeypatch.setenv("TILTPILOT_MODEL", "minilm")  # an alias of the packaged MiniLM
    at = open_app(monkeypatch, _store(tmp_path, japanese=True), "views/train.py")
    assert at.selectbox(key=state.TRAIN_MODEL).value == MINILM
    assert t("models.STARTUP_CHOICE") in _captions(at)
    assert len(at.warning) == 1  # it still reads Japanese poorly
    at.button(key=state.TRAIN_START).click().run()
    assert [spec["model"] for spec in submitted] == [MINILM]


def test_a_folder_named_at_start_up_fills_the_folder_field(monkeypatch, tmp_path, built):
    monkeypatch.setenv("TILTPILOT_MODEL", str(tmp_path))
    at = open_app(monkeypatch, _store(tmp_path, english=True), "views/train.py")
    assert at.selectbox(key=state.TRAIN_MODEL).value == state.MODEL_FOLDER_CHOICE
    assert at.text_input(key=state.TRAIN_MODEL_FOLDER).value == str(tmp_path)


def test_the_selector_speaks_japanese(monkeypatch, tmp_path, built):
    monkeypatch.setenv("TILTPILOT_LANG", "ja")
    at = open_app(monkeypatch, _store(tmp_path, japanese=True), "views/train.py")
    picker = at.selectbox(key=state.TRAIN_MODEL)
    with override("ja"):
        assert picker.label == t("train_page.MODEL")
        assert picker.format_func(state.MODEL_FOLDER_CHOICE) == t("train_page.MODEL_FOLDER_OPTION")
        assert t("models.RECOMMEND_MULTILINGUAL", left_language="日本語", right_language="日本語") in _captions(at)


@pytest.mark.parametrize(("button", "model"), [(state.LOAD_SAMPLE_JA, MULTILINGUAL), (state.LOAD_SAMPLE, MINILM)])
def test_the_quick_run_uses_the_model_recommended_for_the_sample(monkeypatch, tmp_path, built, submitted, button,
                                                                 model):
    at = open_app(monkeypatch, tmp_path / "s")
    at.button(key=button).click().run()
    assert not at.exception and not at.error
    assert [spec["model"] for spec in submitted] == [model]
    key = "models.RECOMMEND_MULTILINGUAL" if model == MULTILINGUAL else "models.RECOMMEND_ENGLISH"
    reason = render_reason(recommend(JAPANESE if model == MULTILINGUAL else ENGLISH), key)
    assert plain(t("models.CHOSEN", model=model, reason=reason)) in _captions(at)


def test_the_japanese_quick_run_needs_the_multilingual_model_built(monkeypatch, tmp_path, unbuilt, submitted):
    at = open_app(monkeypatch, tmp_path / "s")
    at.button(key=state.LOAD_SAMPLE_JA).click().run()
    assert not at.exception and submitted == []
    assert [e.value for e in at.error] == [plain(t("models.NOT_INSTALLED", model=MULTILINGUAL))]


def test_the_picker_does_not_import_torch():
    code = "import sys, dashboard.model_picker; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO, check=False).returncode == 0
