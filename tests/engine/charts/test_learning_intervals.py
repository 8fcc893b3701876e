"""The learning-curve chart and page say what each point's interval covers (seeds and test pairs)."""

from __future__ import annotations

import pytest

from engine import charts
from engine.charts import strings
from engine.i18n import override


def _curve(seeds: int | None) -> dict:
    def point(n: int, values: list[float]) -> dict:
        mean = sum(values) / len(values)
        return {"train_pairs": n, "metrics": {"left_to_right": {"recall@1": {
            "estimate": mean, "low": mean - 0.2, "high": mean + 0.2, "test_low": mean - 0.1, "test_high": mean + 0.1,
            "seed_values": values}}}}

    curve = {"points": [point(10, [0.4, 0.5, 0.6]), point(20, [0.5, 0.6, 0.7]), point(40, [0.6, 0.7, 0.8])],
             "fit": {}, "predictions": {}}
    if seeds is not None:
        curve["seeds"] = seeds
    return curve


def test_chart_names_the_seed_mean_and_draws_every_training_run() -> None:
    fig = charts.learning_curve_chart(_curve(3), "left_to_right")
    measured, runs = fig.data
    assert measured.name == "mean of 3 training runs (95% interval)"
    assert list(measured.error_y.array) == pytest.approx([0.2] * 3)
    assert runs.name == strings.LEARNING_SEED_RUNS
    assert list(runs.x) == [10, 10, 10, 20, 20, 20, 40, 40, 40]
    assert list(runs.y) == pytest.approx([0.4, 0.5, 0.6, 0.5, 0.6, 0.7, 0.6, 0.7, 0.8])
    # an old single-seed curve keeps its single trace and name
    assert [t.name for t in charts.learning_curve_chart(_curve(None), "left_to_right").data] == [strings.LEARNING_POINTS]


def test_interval_note_says_what_the_interval_covers_in_both_languages() -> None:
    assert "3 training runs" in charts.learning_interval_note(_curve(3))
    assert "how much training runs vary" in charts.learning_interval_note(_curve(3))
    assert "only which test pairs" in charts.learning_interval_note(_curve(1))
    assert "stored before" in charts.learning_interval_note(_curve(None))
    with override("ja"):
        assert "3回の学習の平均" in charts.learning_interval_note(_curve(3))
        assert "テストペアが選ばれたかによるばらつきだけ" in charts.learning_interval_note(_curve(1))
