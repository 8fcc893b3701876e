"""The three options, break-even and tornado on a hand-computed case (see conftest.hand_inputs)."""

from __future__ import annotations

import pytest

from engine.roi import Estimate
from engine.roi.model import break_even, deterministic, tornado


def test_options_by_hand(hand_inputs):
    # Value per unit of recall: 1000 tasks × 6 min / 60 × ¥5,000 = ¥500,000 a month; no discounting, 12 months.
    out = deterministic(hand_inputs(), recall_base=0.5, recall_tuned=0.7)
    tuned, base, inc = out["tuned"], out["base"], out["increment"]
    assert tuned["monthly_saving"] == pytest.approx(350_000)
    assert tuned["one_off"] == pytest.approx(1_000_000 + 2_000_000 + 1000 * 200)
    assert tuned["npv"] == pytest.approx(12 * 300_000 - 3_200_000)  # 400,000
    assert tuned["payback_month"] == 11  # 3.2M / 300k = 10.7
    assert base["npv"] == pytest.approx(12 * 200_000 - 2_000_000)
    assert base["payback_month"] == 10
    # Fine-tuning over base: Δ saving 100,000 a month against pilot + labelling = 1.2M → NPV 0, payback month 12.
    assert inc["monthly_saving"] == pytest.approx(100_000)
    assert inc["one_off"] == pytest.approx(1_200_000)
    assert inc["npv"] == pytest.approx(0.0, abs=1e-6)
    assert inc["payback_month"] == 12
    assert inc["npv"] == pytest.approx(tuned["npv"] - base["npv"], abs=1e-6)


def test_minutes_saved_is_capped_at_minutes_per_task(hand_inputs):
    capped = deterministic(hand_inputs(minutes_saved=Estimate.point(6), minutes_per_task=Estimate.point(3)), 0.5, 0.7)
    assert capped["tuned"]["monthly_saving"] == pytest.approx(1000 * 0.7 * 3 / 60 * 5000)


def test_integration_and_running_cost_do_not_change_the_increment(hand_inputs):
    a = deterministic(hand_inputs(), 0.5, 0.7)["increment"]
    b = deterministic(hand_inputs(integration_cost=Estimate.point(9e6), running_cost_per_month=Estimate.point(9e5)),
                      0.5, 0.7)["increment"]
    assert a == b


def test_break_even_by_hand(hand_inputs):
    even = break_even(hand_inputs(), recall_base=0.5, recall_tuned=0.7)
    # ΔR* = 1.2M / (12 months × 500,000) = 0.2, so tuned Recall@k 0.7; tasks* = 1.2M / (12 × 0.2 × 6/60 × 5000) = 1000.
    assert even["delta_recall"] == pytest.approx(0.2)
    assert even["tuned_recall"] == pytest.approx(0.7)
    assert even["reachable"] is True
    assert even["tasks_per_month"] == pytest.approx(1000)
    curve = even["curve"]
    at = min(range(len(curve["recall"])), key=lambda i: abs(curve["recall"][i] - 0.7))
    assert curve["npv"][at] == pytest.approx(0.0, abs=1e-6)
    assert curve["npv"][0] == pytest.approx(12 * 500_000 * (0.0 - 0.5) - 1_200_000)


def test_break_even_out_of_reach_and_without_gain(hand_inputs):
    even = break_even(hand_inputs(pilot_cost=Estimate.point(50_000_000)), 0.5, 0.5)
    assert even["reachable"] is False and even["tuned_recall"] > 1
    assert even["tasks_per_month"] is None  # no gain over base: no volume pays the pilot back


def test_tornado_by_hand(hand_inputs):
    inputs = hand_inputs(tasks_per_month=Estimate(500, 1000, 1500), pilot_cost=Estimate(500_000, 1_000_000, 1_500_000))
    rows = tornado(inputs, 0.5, 0.7)
    assert [row["field"] for row in rows[:2]] == ["tasks_per_month", "pilot_cost"]
    tasks, pilot = rows[0], rows[1]
    # Increment NPV = 12 × 0.2 × tasks × 500 − 1.2M
    assert tasks["npv_low"] == pytest.approx(-600_000) and tasks["npv_high"] == pytest.approx(600_000)
    assert tasks["swing"] == pytest.approx(1_200_000)
    assert pilot["npv_low"] == pytest.approx(500_000) and pilot["npv_high"] == pytest.approx(-500_000)
    assert all(row["swing"] == 0 for row in rows[2:])
