"""Monte Carlo: zero-width inputs give the deterministic value; P(NPV > 0) moves the right way."""

from __future__ import annotations

import numpy as np
import pytest

from engine.roi import Estimate
from engine.roi.model import deterministic
from engine.roi.montecarlo import simulate, summarise, triangular


def test_zero_width_inputs_equal_the_deterministic_value(hand_inputs):
    inputs = hand_inputs(annual_discount_rate=Estimate.point(0.05), horizon_months=24)
    det = deterministic(inputs, 0.5, 0.8)
    draws = simulate(inputs, np.full(500, 0.5), np.full(500, 0.8), seed=3)
    summary = summarise(draws)
    for option in ("tuned", "base", "increment"):
        assert np.allclose(draws[option]["npv"], det[option]["npv"], rtol=1e-12)
        assert summary[option]["npv"]["median"] == pytest.approx(det[option]["npv"], rel=1e-12)
        assert summary[option]["npv"]["low"] == pytest.approx(summary[option]["npv"]["high"], rel=1e-12)
        assert summary[option]["monthly_saving"]["median"] == pytest.approx(det[option]["monthly_saving"], rel=1e-12)
        assert summary[option]["payback_month"]["median"] == det[option]["payback_month"]
        assert summary[option]["p_npv_positive"] == float(det[option]["npv"] > 0)


def _p_increment(hand_inputs, tasks: Estimate) -> float:
    inputs = hand_inputs(tasks_per_month=tasks, minutes_saved=Estimate(3, 6, 9), pilot_cost=Estimate(0.8e6, 1e6, 1.5e6))
    rng = np.random.default_rng(0)
    base = np.clip(rng.normal(0.5, 0.05, 2000), 0, 1)
    tuned = np.clip(base + rng.normal(0.2, 0.05, 2000), 0, 1)
    return summarise(simulate(inputs, base, tuned, seed=1))["increment"]["p_npv_positive"]


def test_p_npv_positive_rises_with_more_tasks_and_falls_with_fewer(hand_inputs):
    low, mid, high = (_p_increment(hand_inputs, Estimate(0.6 * s, s, 1.4 * s)) for s in (600, 1000, 1600))
    assert 0.0 < low < mid < high <= 1.0
    assert low < 0.5 < high


def test_p_npv_positive_falls_with_a_dearer_pilot(hand_inputs):
    base, tuned = np.full(1000, 0.5), np.full(1000, 0.7)
    cheap = summarise(simulate(hand_inputs(pilot_cost=Estimate(0, 0.5e6, 1.5e6)), base, tuned))
    dear = summarise(simulate(hand_inputs(pilot_cost=Estimate(0.5e6, 1.5e6, 2.5e6)), base, tuned))
    assert dear["increment"]["p_npv_positive"] < cheap["increment"]["p_npv_positive"]


def test_triangular_stays_in_range_and_centres_on_its_mean():
    draws = triangular(Estimate(1, 2, 6), 20_000, np.random.default_rng(0))
    assert draws.min() >= 1 and draws.max() <= 6
    assert draws.mean() == pytest.approx((1 + 2 + 6) / 3, abs=0.03)
    assert np.all(triangular(Estimate.point(4), 5, np.random.default_rng(0)) == 4)
