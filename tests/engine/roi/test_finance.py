"""Discounting, NPV and payback against hand computation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.roi import finance


def test_monthly_rate_compounds_to_the_annual_rate():
    r = float(finance.monthly_rate(0.10))
    assert (1 + r) ** 12 == pytest.approx(1.10, rel=1e-12)
    assert r == pytest.approx(0.0079741404, abs=1e-9)


def test_annuity_factor_is_the_sum_of_discount_factors():
    r = finance.monthly_rate(0.10)
    by_hand = sum(1.10 ** (-t / 12) for t in range(1, 13))
    assert float(finance.annuity_factor(r, 12)) == pytest.approx(by_hand, rel=1e-12)
    assert float(finance.annuity_factor(0.0, 12)) == 12.0


def test_npv_without_discounting():
    # −1000 now, +100 a month for 12 months: 1200 − 1000.
    assert float(finance.npv(1000, 100, 0.0, 12)) == pytest.approx(200.0)


def test_npv_with_discounting_by_hand():
    r = finance.monthly_rate(0.10)
    by_hand = -1000 + sum(100 / 1.10 ** (t / 12) for t in range(1, 13))
    assert float(finance.npv(1000, 100, r, 12)) == pytest.approx(by_hand, rel=1e-12)
    assert by_hand == pytest.approx(140.05, abs=0.01)  # ≈ 1200 × 1.1^(−0.54) − 1000


def test_payback_month_by_hand():
    assert finance.payback_month(1000, 250, 0.0, 12) == 4  # exactly 4 × 250: no rounding up to 5
    assert finance.payback_month(1000, 300, 0.0, 12) == 4  # 3 × 300 < 1000 ≤ 4 × 300
    assert finance.payback_month(1000, 100, 0.0, 9) is None  # needs 10 months
    assert finance.payback_month(0, 100, 0.0, 12) == 0
    assert finance.payback_month(1000, -5, 0.0, 120) is None


def test_payback_with_discounting_matches_the_cumulative_sum():
    r = float(finance.monthly_rate(0.10))
    cumulative, month = -1000.0, None
    for t in range(1, 25):
        cumulative += 100 / (1 + r) ** t
        if cumulative >= 0:
            month = t
            break
    assert month == 11  # 10 undiscounted months are not enough once discounted
    assert finance.payback_month(1000, 100, r, 24) == month


def test_payback_is_vectorised():
    out = finance.payback_months(np.array([1000, 1000, 0]), np.array([250, 10, 5]), 0.0, 12)
    assert out[0] == 4 and math.isinf(out[1]) and out[2] == 0
