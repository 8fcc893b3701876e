"""evaluate() on a hand-written store: run choice, recall, consistency, value of more data, errors."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from engine.analysis.evidence.power_law import fit_saturating_power_law
from engine.errors import DataError
from engine.roi import (
    Estimate,
    RoiInputError,
    evaluate,
    headline,
    locate_comparison,
    preset,
    summary_lines,
)
from engine.roi.model import deterministic


def _curve(direction_fit):
    return {"loss": "clip-cosine", "test_rows": list(range(1, 21)), "fit": {"left_to_right": direction_fit,
                                                                            "right_to_left": direction_fit}}


def _fit(a=0.95, b=2.0, c=0.5, seed=0):
    n = np.array([10.0, 20.0, 40.0, 80.0])
    truth = a - b * n ** (-c)
    replicates = truth + np.random.default_rng(seed).normal(0, 0.01, (60, 4))
    return fit_saturating_power_law(n, truth, replicates=replicates, max_asymptote=1.0)


def test_best_run_and_its_recall(fake_store):
    result = evaluate(fake_store, preset("expected", 20), n_draws=500)
    assert result["run_id"] == "run-strong" and result["loss"] == "clip"
    assert result["recall"]["base"]["estimate"] == pytest.approx(0.5)
    assert result["recall"]["tuned"]["estimate"] == pytest.approx(0.8)
    assert result["recall"]["delta"]["significant"] is True  # tuned hits ⊇ base hits, 6 more of 20
    assert result["columns"] == {"left": "title", "right": "description"}
    assert result["gallery_size"] == 20 and result["test_queries"] == 20
    json.dumps(result, allow_nan=False)
    chosen = evaluate(fake_store, preset("expected", 20), run_id="run-weak", n_draws=200)
    assert chosen["recall"]["tuned"]["estimate"] == pytest.approx(0.6)


def test_best_run_depends_on_k(fake_store):
    result = evaluate(fake_store, preset("expected").replace(k=5), n_draws=200)
    assert result["run_id"] == "run-weak"  # within rank 5: weak 20/20, strong 18/20
    assert result["recall"]["tuned"]["estimate"] == pytest.approx(1.0)


def test_deterministic_part_matches_the_model(fake_store, hand_inputs):
    inputs = hand_inputs()
    result = evaluate(fake_store, inputs, n_draws=200)
    assert result["deterministic"] == deterministic(inputs, 0.5, 0.8)
    # ΔR = 0.3 → Δ saving 150,000 a month for 12 months against 1.2M: NPV 600,000.
    assert result["deterministic"]["increment"]["npv"] == pytest.approx(600_000)


def test_zero_width_inputs_and_constant_recall_give_the_deterministic_value(tmp_path, hand_inputs, write_run):
    root = tmp_path / "store"
    write_run(root, "run", np.full(20, 3), np.ones(20, dtype=int))  # R@1: base 0, tuned 1 on every resample
    (root / "comparison.json").write_text(json.dumps({"runs": [{"run_id": "run", "loss": "clip"}]}))
    result = evaluate(root, hand_inputs(), n_draws=300)
    for option in ("tuned", "base", "increment"):
        mc, det = result["monte_carlo"][option], result["deterministic"][option]
        assert mc["npv"]["median"] == pytest.approx(det["npv"]) == pytest.approx(mc["npv"]["low"])
        assert mc["payback_month"]["median"] == det["payback_month"]
    assert len(result["npv_draws"]["increment"]) == 300


def test_more_tasks_raise_p_npv_positive_end_to_end(fake_store, hand_inputs):
    def p(scale):
        inputs = hand_inputs(tasks_per_month=Estimate(300 * scale, 500 * scale, 800 * scale),
                             pilot_cost=Estimate(0.8e6, 1e6, 2e6))
        return evaluate(fake_store, inputs, n_draws=1000)["monte_carlo"]["increment"]["p_npv_positive"]

    assert p(0.5) < p(1.0) < p(2.0)


def test_value_of_more_data_from_a_learning_curve(fake_store, hand_inputs):
    fit = _fit()
    (fake_store / "learning_curve.json").write_text(json.dumps(_curve(fit)))
    result = evaluate(fake_store, hand_inputs(target_recall=0.9), n_draws=300)
    more = result["more_data"]
    assert more is not None and more["measured_pairs"] == 80
    four = next(p for p in more["predictions"] if p["factor"] == 4)
    a, b, c = (fit["params"][k]["estimate"] for k in "abc")
    gain = (a - b * 320 ** (-c)) - (a - b * 80 ** (-c))
    assert four["gain"]["estimate"] == pytest.approx(gain)
    assert four["gain"]["low"] <= gain <= four["gain"]["high"]
    assert four["extra_pairs"] == 240 and four["labelling_cost"] == pytest.approx(240 * 200)
    # Worth = 12 months × ¥500,000 per unit of recall × gain (no discounting in hand_inputs).
    assert four["worth"]["estimate"] == pytest.approx(12 * 500_000 * gain)
    assert four["far"] is True
    keys = {note["key"] for note in more["notes"]}
    assert "roi.MORE_DATA_EXTRAPOLATION" in keys and "roi.MORE_DATA_SCALED" not in keys
    assert result["evidence"]["more_data"]["factor"] == 4.0
    assert any("4×" in line for line in summary_lines(result))


def test_more_data_for_k_above_one_is_scaled_and_says_so(fake_store, hand_inputs):
    (fake_store / "learning_curve.json").write_text(json.dumps(_curve(_fit())))
    result = evaluate(fake_store, hand_inputs(k=2), run_id="run-strong", n_draws=200)
    more = result["more_data"]
    # Strong run: R@1 = 0.8, R@2 = 0.9, so the Recall@1 gain is scaled by (1 − 0.9) / (1 − 0.8) = 0.5.
    assert more["scale"] == pytest.approx(0.5)
    four = more["predictions"][1]
    assert four["gain"]["estimate"] == pytest.approx(0.5 * four["gain_r1"]["estimate"])
    assert "roi.MORE_DATA_SCALED" in {note["key"] for note in more["notes"]}


def test_no_learning_curve_means_unknown(fake_store):
    result = evaluate(fake_store, preset("expected"), n_draws=200)
    assert result["more_data"] is None and result["evidence"]["more_data"] is None
    assert any(r["key"] == "roi.REASON_MORE_DATA_UNKNOWN" for r in result["decision"]["reasons"])
    assert result["decision"]["outcome"] in ("go", "extend", "stop")
    assert headline(result)


def test_job_result_files_find_their_store(fake_store):
    jobs = fake_store / "jobs"
    jobs.mkdir()
    shutil.copy(fake_store / "comparison.json", jobs / "job1.result.json")
    assert locate_comparison(jobs / "job1.result.json") == jobs / "job1.result.json"
    assert evaluate(jobs / "job1.result.json", preset("expected"), n_draws=200)["run_id"] == "run-strong"


def test_errors_name_the_problem(fake_store, tmp_path):
    with pytest.raises(RoiInputError, match="k"):
        evaluate(fake_store, preset("expected").replace(k=21), n_draws=200)
    with pytest.raises(DataError, match="not a finished run"):
        evaluate(fake_store, preset("expected"), run_id="nope", n_draws=200)
    with pytest.raises(DataError, match="no comparison.json"):
        locate_comparison(tmp_path)
    with pytest.raises(DataError, match="does not exist"):
        locate_comparison(tmp_path / "missing.json")
    (tmp_path / "other.json").write_text("{}")
    with pytest.raises(DataError, match="not a comparison"):
        locate_comparison(tmp_path / "other.json")
    with pytest.raises(RoiInputError, match="n_draws"):
        evaluate(fake_store, preset("expected"), n_draws=5)


