"""The dashboard and its charts speak Japanese when the sidebar switch says so, and English again after."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import streamlit
from streamlit.testing.v1 import AppTest

from dashboard import state
from engine.i18n import message, override
from engine.i18n.catalogue import areas, load_area

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
VIEWS = ["views/home.py", "views/data.py", "views/train.py", "views/results.py", "views/roi.py", "views/report.py"]
# The pages whose title is a dashboard message (the others may move to their own areas).
TITLES = {"views/data.py": "DATA_TITLE", "views/train.py": "TRAIN_TITLE", "views/results.py": "RESULTS_TITLE"}
NAVIGATION = ("SECTION_START", "SECTION_DATA", "SECTION_TRAIN", "SECTION_EVIDENCE", "SECTION_BUSINESS",
              "PAGE_HOME", "PAGE_DATA", "PAGE_TRAIN", "PAGE_RESULTS")


def _japanese(text: str) -> bool:
    """Holds kana or kanji (the same test as the catalogue's own)."""
    return any("\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" for c in text)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [s for v in (value.values() if isinstance(value, dict) else value) for s in _strings(v)]


def _catalogue(lang: str) -> set[str]:
    """Every fixed text of every area in ``lang`` (messages without fields)."""
    return {s for area in areas(lang) for v in load_area(lang, area).values() for s in _strings(v) if "{" not in s}


def _shown(at: AppTest) -> list[str]:
    """The words on the page: element values and widget labels."""
    texts = [e.value for kind in ("title", "header", "subheader", "caption", "text", "info", "warning", "success",
                                  "markdown") for e in getattr(at, kind)]
    texts += [e.label for kind in ("button", "selectbox", "radio", "multiselect", "number_input", "metric",
                                   "expander") for e in getattr(at, kind)]
    texts += [e.proto.label for e in at.get("page_link")]
    return [t for t in texts if isinstance(t, str) and t]


@pytest.fixture(scope="module")
def run_store(toy_comparison_store) -> Path:
    return toy_comparison_store


@pytest.fixture
def navigation(monkeypatch) -> dict[str, list[str]]:
    """What the app hands ``st.navigation``: section label -> page titles (recorded at each run)."""
    seen: dict[str, list[str]] = {}
    original = streamlit.navigation

    def record(pages, *args, **kwargs):
        seen.clear()
        seen.update({section: [p.title for p in group] for section, group in pages.items()})
        return original(pages, *args, **kwargs)

    monkeypatch.setattr(streamlit, "navigation", record)
    return seen


def _app(monkeypatch, store: Path, lang: str) -> AppTest:
    monkeypatch.setenv("TILTPILOT_STORE", str(store))
    monkeypatch.delenv("TILTPILOT_LANG", raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if lang != "en":
        at.selectbox(key=state.LANGUAGE).select(lang).run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def _page(at: AppTest, view: str) -> AppTest:
    at.switch_page(view).run()
    assert not at.exception, (view, [e.value for e in at.exception])
    return at


def _check_language(at: AppTest, view: str, lang: str) -> None:
    """The page title comes from the ``lang`` catalogue; no fixed text of the other language shows."""
    other = "en" if lang == "ja" else "ja"
    own, foreign = _catalogue(lang), _catalogue(other) - _catalogue(lang)
    title = at.title[0].value
    from_catalogue = title in own
    assert from_catalogue, (view, lang, title)
    if view in TITLES:
        assert title == message(f"dashboard.{TITLES[view]}", lang)
    shown = _shown(at)
    assert [t for t in shown if t in foreign] == [], (view, lang)
    assert any(_japanese(t) for t in shown) == (lang == "ja"), (view, lang, shown[:5])


@pytest.mark.parametrize("view", VIEWS)
def test_every_page_speaks_japanese_on_an_empty_store(monkeypatch, tmp_path, view):
    at = _page(_app(monkeypatch, tmp_path / "empty", "ja"), view)
    _check_language(at, view, "ja")


def test_navigation_and_sidebar_are_japanese(monkeypatch, tmp_path, navigation):
    at = _app(monkeypatch, tmp_path / "empty", "ja")
    labels = set(navigation) | {title for titles in navigation.values() for title in titles}
    assert {message(f"dashboard.{key}", "ja") for key in NAVIGATION} <= labels
    assert all(_japanese(label) for label in labels), labels
    assert at.selectbox(key=state.LANGUAGE).label == message("dashboard.SIDEBAR_LANGUAGE", "ja")
    assert at.selectbox(key=state.RUN).label == message("dashboard.SIDEBAR_PICK", "ja")


def test_every_page_with_runs_speaks_japanese_then_english_again(monkeypatch, run_store, navigation):
    at = _app(monkeypatch, run_store, "ja")
    for view in VIEWS:
        _check_language(_page(at, view), view, "ja")
    at.selectbox(key=state.LANGUAGE).select("en").run()
    assert not at.exception, [e.value for e in at.exception]
    assert message("dashboard.PAGE_RESULTS", "en") in navigation[message("dashboard.SECTION_EVIDENCE", "en")]
    for view in VIEWS:
        _check_language(_page(at, view), view, "en")


def test_every_results_section_renders_in_japanese(monkeypatch, run_store):
    at = _page(_app(monkeypatch, run_store, "ja"), "views/results.py")
    assert at.get("plotly_chart"), "the first section draws the retrieval chart"
    # Sections are picked by language-neutral ids (the keys of the catalogue's section names).
    picks = [(state.RESULT_SECTION, s) for s in message("decision_screen.SECTIONS", "ja")]
    picks += [(state.RESULT_TECHNICAL, p) for p in message("decision_screen.TECHNICAL", "ja")]
    charts_seen = 0
    for key, pick in picks:
        if key == state.RESULT_TECHNICAL:
            at.session_state[state.RESULT_SECTION] = "technical"
        at.session_state[key] = pick
        at.run()
        assert not at.exception, (pick, [e.value for e in at.exception])
        assert at.session_state[key] == pick, f"section {pick!r} was not shown"
        _check_language(at, "views/results.py", "ja")
        for chart in at.get("plotly_chart"):
            title = json.loads(chart.proto.spec)["layout"]["title"]["text"]
            assert _japanese(title), (pick, title)
            charts_seen += 1
    assert charts_seen >= 6


def test_results_keep_working_when_the_language_changes_mid_session(monkeypatch, run_store):
    """Widget values picked in one language must not break the page, or lose the pick, in the other."""
    at = _page(_app(monkeypatch, run_store, "en"), "views/results.py")
    at.session_state[state.RESULT_SECTION] = "similarity"
    at.run()
    assert not at.exception
    at.selectbox(key=state.LANGUAGE).select("ja").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == message("dashboard.RESULTS_TITLE", "ja")
    assert at.session_state[state.RESULT_SECTION] == "similarity"
    assert at.get("plotly_chart") and _japanese(json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"])


# --- charts --------------------------------------------------------------------------------------

def _rows() -> list[dict]:
    metrics = {"recall@1": 0.5, "recall@5": 0.9, "mrr": 0.6, "median_rank": 2.0,
               "chance": {"recall@1": 0.25, "recall@5": 1.0}, "chance_mrr": 0.52}
    tuned = {**metrics, "recall@1": 0.75, "median_rank": 1.0}

    def both(m: dict) -> dict:
        return {"left_to_right": m, "right_to_left": m}

    return [{"run_id": "r-clip", "loss": "clip", "tilt": "cosine", "base": both(metrics), "tuned": both(tuned)}]


def _similarity_stage(threshold: float) -> dict:
    return {"bin_edges": [0.0, 0.5, 1.0], "counts": {"positive": [1, 3], "in_batch": [3, 1], "hardest": [2, 2]},
            "threshold": {"threshold": threshold, "recall": 0.75, "precision": 0.8}, "auc": {"hardest": 0.8}}


@pytest.mark.parametrize("metric", ["recall@1", "median_rank"])
def test_retrieval_chart_built_in_japanese(metric):
    from engine import charts

    with override("ja"):
        fig = charts.retrieval_bars(_rows(), metric=metric, direction="right_to_left")
        takeaway = charts.retrieval_takeaway(_rows(), metric=metric, direction="right_to_left")
    labels = message("charts.METRIC_LABELS", "ja")
    expected = message("charts.RETRIEVAL_TITLE", "ja").format(
        metric=labels[metric], direction=message("charts.DIRECTION_LABELS", "ja")["right_to_left"])
    assert fig.layout.title.text == expected and _japanese(expected)
    assert fig.layout.xaxis.title.text == message("charts.RETRIEVAL_X", "ja")
    assert fig.layout.yaxis.title.text == labels[metric]
    stages = message("charts.STAGE_LABELS", "ja")
    assert [t.name for t in fig.data][:2] == [stages["base"], stages["tuned"]]
    assert takeaway.startswith("ファインチューニング後") and "clip" in takeaway
    # Outside the block the same builder speaks English again.
    english = charts.retrieval_bars(_rows(), metric=metric, direction="right_to_left")
    assert not _japanese(english.layout.title.text) and english.layout.title.text != fig.layout.title.text


def test_similarity_chart_built_in_japanese():
    from engine import charts

    similarity = {"base": _similarity_stage(0.4), "tuned": _similarity_stage(0.6)}
    with override("ja"):
        fig = charts.similarity_histograms(similarity)
        takeaway = charts.similarity_takeaway(similarity)
    texts = {a.text for a in fig.layout.annotations}
    stages = message("charts.STAGE_LABELS", "ja")
    assert {stages["base"], stages["tuned"], "閾値 0.600"} <= texts
    assert fig.layout.title.text == message("charts.SIMILARITY_TITLE", "ja")
    assert fig.layout.xaxis.title.text == message("charts.SIMILARITY_X", "ja")
    assert fig.layout.yaxis.title.text == message("charts.SIMILARITY_Y", "ja")
    assert "AUC 0.80" in takeaway and "75%" in takeaway and _japanese(takeaway)
