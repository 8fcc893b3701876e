"""AppTest: the ROI and Export pages, on an empty store and on a stored comparison of the tiny model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import build_comparison
from streamlit.testing.v1 import AppTest

from dashboard import roi_form, state
from engine.i18n import override, t
from engine.roi import RoiInputError, load_inputs, preset, validate_inputs

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture(scope="module")
def comparison_store(tmp_path_factory, tiny_model_dir) -> Path:
    """A store of its own holding a clip-vs-joint comparison (16 test pairs): the tests save ROI inputs in it."""
    return build_comparison(tmp_path_factory.mktemp("roi_store"), tiny_model_dir, bootstrap=200)


@pytest.fixture
def store(comparison_store, tmp_path) -> Path:
    """A private copy per test, so saved inputs and built files of one test do not leak into another."""
    import shutil

    return Path(shutil.copytree(comparison_store, tmp_path / "store"))


def _page(monkeypatch, store: Path, view: str, lang: str = "en") -> AppTest:
    monkeypatch.setenv("TILTPILOT_STORE", str(store))
    monkeypatch.setenv("TILTPILOT_LANG", lang)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(view).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _gallery(store: Path) -> int:
    comparison = json.loads((store / "comparison.json").read_text())
    return comparison["runs"][0]["tuned"]["left_to_right"]["gallery_size"]


@pytest.mark.parametrize(("view", "empty", "go"), [("views/roi.py", "roi_page.EMPTY", "roi_page.EMPTY_GO_TRAIN"),
                                                   ("views/report.py", "export_page.EMPTY", "export_page.EMPTY_GO_TRAIN")])
def test_an_empty_store_says_why_and_what_to_do(monkeypatch, tmp_path, view, empty, go):
    at = _page(monkeypatch, tmp_path / "empty", view)
    assert [i.value for i in at.info] == [t(empty)]
    assert [link.proto.label for link in at.get("page_link")] == [t(go)]
    assert not at.get("plotly_chart") and not at.button


def test_roi_shows_the_headline_charts_and_formula(monkeypatch, store):
    at = _page(monkeypatch, store, "views/roi.py")
    decision = at.subheader[0].value
    assert decision in {f":{colour}[●] {t(f'roi.OUTCOME_{o.upper()}')}" for o, colour in
                        (("go", "green"), ("extend", "orange"), ("stop", "red"))}
    assert [m.label for m in at.metric] == [t("roi_page.TILE_NPV"), t("roi_page.TILE_P"), t("roi_page.TILE_PAYBACK")]
    assert at.metric[1].value.endswith("%") and at.metric[0].value.startswith(("¥", "-¥"))
    assert len(at.get("plotly_chart")) == 3  # NPV distribution, tornado, break-even, each with a takeaway caption
    assert at.code[0].value == t("roi.FORMULA")
    texts = [x.value for x in at.text]
    assert t("roi.MORE_DATA_NONE") in texts  # no learning curve in this store: the page says how to get one
    assert t("roi_page.ORIGIN_PRESET", preset=t("roi.PRESET_EXPECTED")) in [c.value for c in at.caption]
    # the decision rule is visible and editable
    assert at.number_input(key=state.ROI_RULE_PREFIX + "go_min_p_npv").value == 0.8


def test_roi_headline_in_japanese(monkeypatch, store):
    at = _page(monkeypatch, store, "views/roi.py", lang="ja")
    assert at.title[0].value == "ROI試算"
    with override("ja"):
        assert next(m.label for m in at.metric) == t("roi_page.TILE_NPV")
        assert at.subheader[0].value.split(" ", 1)[1] in {t("roi.OUTCOME_GO"), t("roi.OUTCOME_EXTEND"), t("roi.OUTCOME_STOP")}


@pytest.mark.parametrize(("widget", "value", "field"), [
    ("k", 10_000, "k"),  # more results than the gallery holds
    ("annual_discount_rate.high", 150.0, "annual_discount_rate"),  # 150% a year
    ("tasks_per_month.low", -5.0, "tasks_per_month"),  # a negative count
])
def test_an_absurd_input_shows_the_fields_message(monkeypatch, store, widget, value, field):
    at = _page(monkeypatch, store, "views/roi.py")
    at.number_input(key=roi_form.PREFIX + widget).set_value(value)
    at.button(key=state.ROI_APPLY).click().run()
    assert not at.exception
    bad = preset("expected")
    changes = {"k": {"k": 10_000}, "annual_discount_rate": {"annual_discount_rate": (0.03, 0.05, 1.5)},
               "tasks_per_month": {"tasks_per_month": (-5, 5_000, 8_000)}}[field]
    with pytest.raises(RoiInputError) as expected:
        validate_inputs(bad.replace(**changes), _gallery(store))
    assert expected.value.field == field
    texts = [x.value for x in at.text]
    assert "⛔ " + str(expected.value) in texts  # the engine's message, naming the field and its range
    assert t("roi_page.FIX_INPUT") in texts and not at.metric and not at.get("plotly_chart")


def test_a_preset_edited_and_saved_comes_back_for_this_comparison(monkeypatch, store):
    at = _page(monkeypatch, store, "views/roi.py")
    at.button(key=state.ROI_PRESET_PREFIX + "optimistic").click().run()
    optimistic = preset("optimistic")
    assert at.number_input(key=roi_form.key("tasks_per_month", "likely")).value == optimistic.tasks_per_month.likely
    assert at.number_input(key=roi_form.key("horizon_months")).value == optimistic.horizon_months
    at.number_input(key=roi_form.key("tasks_per_month", "likely")).set_value(9_000.0)
    at.button(key=state.ROI_SAVE).click().run()
    assert not at.exception
    assert at.success[0].value == t("roi_page.SAVED", file="comparison.roi.json")
    saved = load_inputs(store / "comparison.json")
    assert saved == optimistic.replace(tasks_per_month=(5_000, 9_000, 12_000))

    again = _page(monkeypatch, store, "views/roi.py")  # a new session opens the saved inputs
    assert again.number_input(key=roi_form.key("tasks_per_month", "likely")).value == 9_000
    assert t("roi_page.ORIGIN_STORED") in [c.value for c in again.caption]


def test_export_builds_an_html_report_for_download_and_leaves_the_store_alone(monkeypatch, store):
    before = sorted(p.relative_to(store) for p in store.rglob("*"))
    at = _page(monkeypatch, store, "views/report.py")
    assert at.title[0].value == t("export_page.TITLE") == "Export report"
    from engine.report import SECTIONS
    from engine.report.assemble import section_title

    sections = at.multiselect(key=state.EXPORT_SECTIONS)
    assert sections.value == list(SECTIONS)
    assert [sections.format_func(s) for s in SECTIONS] == [section_title(s) for s in SECTIONS]
    at.radio(key=state.EXPORT_FORMAT).set_value("html")
    sections.set_value(["summary", "roi"])
    at.button(key=state.EXPORT_BUILD).click().run()
    assert not at.exception
    built = at.session_state[state.EXPORT_FILE]
    assert built["name"] == "tiltpilot-report-en.html" and built["mime"] == "text/html"
    html = built["data"].decode("utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") and section_title("roi") in html
    assert section_title("losses") not in html  # only the chosen sections
    [download] = at.get("download_button")
    assert download.proto.label == t("export_page.DOWNLOAD", name="tiltpilot-report-en.html")
    assert sorted(p.relative_to(store) for p in store.rglob("*")) == before  # built in a temporary folder


def test_export_page_in_japanese_names_sections_from_the_catalogue(monkeypatch, store):
    at = _page(monkeypatch, store, "views/report.py", lang="ja")
    from engine.report.assemble import section_title

    assert at.title[0].value == "レポート出力"
    assert at.radio(key=state.EXPORT_LANGUAGE).value == "ja"
    with override("ja"):
        labels = [at.multiselect(key=state.EXPORT_SECTIONS).format_func(s) for s in ("summary", "roi")]
        assert labels == [section_title("summary"), section_title("roi")]
    assert all(any("\u3040" <= c <= "\u9fff" for c in label) for label in labels)
