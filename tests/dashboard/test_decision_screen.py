"""Start and Results read as a decision screen: verdict card, loss-named tiles, Technical details, empty states."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import build_comparison, toy_rows
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from dashboard import state
from engine.i18n import message

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
# Column names with Markdown in them: the page must show them as they are, never format them.
LEFT, RIGHT = "Item *name*", "Spec [sheet]"
DIRECTION = f"{LEFT} → {RIGHT}"
CARD = "-verdict-card"  # the end of the card container's id (its CSS class is st-key-verdict-card)


@pytest.fixture(scope="module")
def decision_store(tmp_path_factory, tiny_model_dir) -> Path:
    rows = [{"product_id": r["product_id"], LEFT: r["title"], RIGHT: r["description"]} for r in toy_rows()]
    return build_comparison(tmp_path_factory.mktemp("decision_store"), tiny_model_dir, rows=rows,
                            extra_args=("--left-column", LEFT, "--right-column", RIGHT, "--group-column", "product_id"))


def _app(monkeypatch, store: Path, view: str, lang: str = "en") -> AppTest:
    monkeypatch.setenv("TILTPILOT_STORE", str(store))
    monkeypatch.setenv("TILTPILOT_LANG", lang)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(view).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _blocks(node):
    if isinstance(node, Block):
        yield node
        for child in node.children.values():
            yield from _blocks(child)


def _card(at: AppTest) -> Block:
    """The verdict card container (found by its key, as a browser test finds its CSS class)."""
    cards = [b for b in _blocks(at.main) if str(getattr(b.proto, "id", "")).endswith(CARD)]
    assert len(cards) == 1, "exactly one verdict card"
    return cards[0]


def _card_texts(at: AppTest) -> list[str]:
    return [e.value for e in _card(at).get("text")]


def _run_ids(store: Path) -> list[str]:
    return [r["run_id"] for r in json.loads((store / "comparison.json").read_text())["runs"]]


@pytest.mark.parametrize("view", ["views/home.py", "views/results.py"])
def test_verdict_card_on_start_and_results(monkeypatch, decision_store, view):
    at = _app(monkeypatch, decision_store, view)
    texts = _card_texts(at)
    sentence = texts[0]
    assert sentence.startswith(f"{DIRECTION}: the right item comes first ") and " of the time; " in sentence
    assert "%" in sentence and "test pairs); next: " in sentence
    light = next(h.value for h in _card(at).get("subheader"))  # a coloured icon and a fixed word
    assert any(light.endswith(f" {word}]") for word in message("decision_screen.OUTCOMES").values()), light
    # The column names reach the page only as plain text: no Markdown element holds them.
    assert not [m.value for m in at.markdown if LEFT in m.value or "*name*" in m.value]


def test_japanese_card(monkeypatch, decision_store):
    at = _app(monkeypatch, decision_store, "views/home.py", lang="ja")
    sentence = _card_texts(at)[0]
    assert sentence.startswith(f"{DIRECTION}：正しい相手が検索結果の1位に来る割合は")


def test_results_tiles_are_named_by_loss_in_percent(monkeypatch, decision_store):
    at = _app(monkeypatch, decision_store, "views/results.py")
    run_ids = _run_ids(decision_store)
    labels = [m.label for m in at.metric]
    assert sorted(labels) == ["clip", "joint"]
    assert not [label for label in labels for rid in run_ids if rid in label]
    assert all(m.value.endswith("%") for m in at.metric)
    assert all(m.proto.delta.endswith(" points") for m in at.metric)
    assert at.selectbox(key=state.RESULT_DIRECTION).format_func("left_to_right") == DIRECTION
    assert not [s for s in at.selectbox if any(rid in str(s.format_func(o)) for o in s.options for rid in run_ids)]


def test_technical_details_group_holds_the_analyst_sections(monkeypatch, decision_store):
    at = _app(monkeypatch, decision_store, "views/results.py")
    at.session_state[state.RESULT_SECTION] = "technical"
    at.run()
    assert not at.exception
    names = message("decision_screen.TECHNICAL")
    texts = [t.value for t in at.text]
    # Calibration (the first technical part) names the split it scores on.
    assert any("split by group" in t and "fit the post-hoc temperature" in t for t in texts), texts
    charts = 0
    for part in names:
        at.session_state[state.RESULT_TECHNICAL] = part
        at.run()
        assert not at.exception, (part, [e.value for e in at.exception])
        charts += len(at.get("plotly_chart"))
    assert charts >= 5  # calibration, latent map, two low-rank, training
    # A direction's titles use the user's column names.
    at.session_state[state.RESULT_TECHNICAL] = "calibration"
    at.run()
    title = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
    assert "Item *name* → Spec [sheet]" in title


def test_examples_use_integer_linear_rank_axes(monkeypatch, decision_store):
    at = _app(monkeypatch, decision_store, "views/results.py")
    at.session_state[state.RESULT_SECTION] = "examples"
    at.run()
    assert not at.exception
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    assert spec["xaxis"]["type"] == spec["yaxis"]["type"] == "linear" and spec["xaxis"]["tickformat"] == "d"


def test_example_rows_put_integer_ranks_first():
    from dashboard import tables

    record = {"query_text": "red mug", "true_text": "a mug", "base_rank": 3.0, "tuned_rank": 1,
              "base_topk_texts": ["x", "y"], "tuned_topk_texts": ["a mug"]}
    row = tables.example_rows([record], query_name=LEFT, target_name=RIGHT)[0]
    assert list(row) == ["rank, base model", "rank, fine-tuned", f"{LEFT} (searched)", f"{RIGHT} (to find)",
                         "base model top 5", "fine-tuned top 5"]
    assert row["rank, base model"] == 3 and isinstance(row["rank, base model"], int)
    assert row["base model top 5"] == "x | y"


def test_loss_labels_never_use_the_run_id():
    from dashboard import tables

    rows = [{"run_id": "r1", "loss": "clip", "tilt": "cosine"}, {"run_id": "r2", "loss": "clip", "tilt": "dot"},
            {"run_id": "r3", "loss": "joint", "tilt": "cosine"}, {"run_id": "r4", "loss": "joint", "tilt": "cosine"}]
    assert tables.loss_labels(rows) == {"r1": "clip · cosine", "r2": "clip · dot", "r3": "joint · cosine (1)",
                                        "r4": "joint · cosine (2)"}
    assert tables.loss_labels(rows[2:3]) == {"r3": "joint"}
    assert tables.metric_change(-0.0384, "recall@1") == "-3.8 points"  # ASCII minus: Streamlit colours it red
    assert tables.metric_text(0.8206, "mrr") == "82.1%" and tables.metric_text(2.0, "median_rank") == "2.0"


def test_an_empty_section_says_why_and_what_to_do(monkeypatch, decision_store):
    at = _app(monkeypatch, decision_store, "views/results.py")
    at.session_state[state.RESULT_SECTION] = "learning"  # the store has no learning curve
    at.run()
    assert [i.value for i in at.info] == [message("decision_screen.EMPTY")["learning"]]


def test_small_test_split_is_warned_about_on_the_page(monkeypatch, decision_store):
    at = _app(monkeypatch, decision_store, "views/results.py")
    assert any(w.value.startswith("Only ") and "test pairs" in w.value for w in at.warning)


def test_empty_store_says_why(monkeypatch, tmp_path):
    at = _app(monkeypatch, tmp_path / "empty", "views/home.py")
    assert _card_texts(at) == [message("decision_screen.CARD_EMPTY")]
    at.switch_page("views/results.py").run()
    assert [i.value for i in at.info] == [message("dashboard.RESULTS_EMPTY")]


def test_chart_hygiene_legend_labels_and_palette():
    from engine import charts
    from engine.charts.ranks import integer_step
    from engine.charts.style import (
        OKABE_ITO,
        RUN_COLOURS,
        SERIES_COLOURS,
        STAGE_COLOURS,
    )

    stage = {"bin_edges": [0.0, 0.5, 1.0], "counts": {"positive": [1, 3], "in_batch": [3, 1], "hardest": [2, 2]},
             "threshold": {"threshold": 0.5, "recall": 0.75, "precision": 0.8}, "auc": {"hardest": 0.8}}
    layout = charts.similarity_histograms({"base": stage, "tuned": stage}).to_dict()["layout"]
    assert layout["legend"]["y"] < 0  # below the panels, away from the panel titles
    thresholds = [a for a in layout["annotations"] if a["text"].startswith("threshold")]
    titles = [a for a in layout["annotations"] if not a["text"].startswith("threshold")]
    assert len(thresholds) == 2 and all(a["yanchor"] == "top" for a in thresholds)  # inside the panel
    assert all(a["yanchor"] == "bottom" for a in titles)  # above it
    assert [integer_step(n) for n in (5, 11, 78, 101, 2500)] == [1, 2, 10, 20, 500]
    colours = {*STAGE_COLOURS.values(), *SERIES_COLOURS.values(), *RUN_COLOURS}
    assert colours - set(OKABE_ITO.values()) == {"#999999"}  # the palette plus one neutral grey
