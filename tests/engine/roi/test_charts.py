"""ROI charts build from a result; titles and takeaways read in English and Japanese."""

from __future__ import annotations

import json

import pytest

from engine.charts.roi import (
    break_even_chart,
    break_even_takeaway,
    npv_distribution,
    npv_takeaway,
    roi_tornado,
    tornado_takeaway,
)
from engine.i18n import override, t
from engine.roi import INPUT_FIELDS, evaluate, preset

CHARTS = [(npv_distribution, npv_takeaway), (roi_tornado, tornado_takeaway), (break_even_chart, break_even_takeaway)]


@pytest.fixture
def result(fake_store):
    return json.loads(json.dumps(evaluate(fake_store, preset("expected"), n_draws=400)))  # as a page reads it back


@pytest.mark.parametrize(("builder", "takeaway"), CHARTS)
def test_charts_build_with_titles_and_takeaways_in_both_languages(result, builder, takeaway):
    texts = {}
    for lang in ("en", "ja"):
        with override(lang):
            fig = builder(result)
            texts[lang] = (fig.layout.title.text, takeaway(result))
        assert fig.layout.template.layout.paper_bgcolor == "white"  # plotly_white, whatever streamlit set
        assert fig.data
    for title, sentence in texts.values():
        assert title and sentence and "{" not in title + sentence
    assert any("\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" for c in texts["ja"][1])
    assert texts["en"] != texts["ja"]


def test_npv_histogram_holds_the_draws_and_the_probability(result):
    fig = npv_distribution(result)
    assert [len(trace.x) for trace in fig.data] == [400, 400]
    p = round(result["monte_carlo"]["increment"]["p_npv_positive"] * 100)
    assert f"{p}%" in fig.layout.title.text


def test_tornado_lists_the_moving_inputs_largest_on_top(result):
    fig = roi_tornado(result)
    moving = [row for row in result["tornado"] if row["swing"] > 0]
    assert len(fig.data[0].y) == min(len(moving), 8)
    top = t(INPUT_FIELDS[moving[0]["field"]].label_key)
    assert fig.data[0].y[-1] == top  # plotly draws the last category on top
    assert tornado_takeaway(result).startswith(top)
    assert moving == sorted(moving, key=lambda row: -row["swing"])


def test_break_even_marks_the_point_when_reachable(result):
    fig = break_even_chart(result)
    names = [trace.name for trace in fig.data]
    assert "break-even" in names if result["break_even"]["reachable"] else "break-even" not in names
