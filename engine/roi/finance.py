"""Discounting, NPV and payback month: pure, vectorised over Monte Carlo draws.

Conventions: one-off costs are paid at month 0 (not discounted); a constant monthly cash flow
arrives at the end of each month ``t = 1 … H`` and is discounted by ``(1 + r_m)^(−t)``, with the
monthly rate ``r_m = (1 + annual)^(1/12) − 1`` (the same yearly growth, compounded monthly).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

# Floating-point slack for "the cumulative cash flow has reached zero": a hand-computed
# break-even month (e.g. 1000 / 250 = 4) must not become 5 through rounding.
_EPS = 1e-9


def monthly_rate(annual_rate: ArrayLike) -> NDArray[np.float64]:
    """``(1 + annual)^(1/12) − 1``: 10% a year is about 0.797% a month."""
    return np.power(1.0 + np.asarray(annual_rate, dtype=np.float64), 1.0 / 12.0) - 1.0


def annuity_factor(rate: ArrayLike, months: int) -> NDArray[np.float64]:
    """Present value of 1 per month for ``months`` months: ``Σ_{t=1..H} (1 + r)^(−t)``.

    Equals ``(1 − (1 + r)^(−H)) / r``, and ``H`` when ``r = 0``.
    """
    r = np.asarray(rate, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        closed = (1.0 - np.power(1.0 + r, -float(months))) / r
    return np.where(np.abs(r) < 1e-12, float(months), closed)


def npv(one_off: ArrayLike, monthly_cash: ArrayLike, rate: ArrayLike, months: int) -> NDArray[np.float64]:
    """``−one_off + monthly_cash × annuity_factor(rate, months)``."""
    return -np.asarray(one_off, dtype=np.float64) + np.asarray(monthly_cash, dtype=np.float64) * annuity_factor(rate, months)


def payback_months(one_off: ArrayLike, monthly_cash: ArrayLike, rate: ArrayLike, months: int) -> NDArray[np.float64]:
    """First month ``t`` in ``0 … months`` at which the cumulative discounted cash flow is ≥ 0.

    Month 0 when there is nothing to pay back; ``inf`` when it does not happen within the
    horizon. Solves ``monthly × annuity_factor(r, t) ≥ one_off`` for the smallest whole ``t``:
    ``t = ⌈−ln(1 − r · one_off / monthly) / ln(1 + r)⌉`` (``⌈one_off / monthly⌉`` when ``r = 0``).
    """
    c0 = np.asarray(one_off, dtype=np.float64)
    m = np.asarray(monthly_cash, dtype=np.float64)
    r = np.asarray(rate, dtype=np.float64)
    c0, m, r = np.broadcast_arrays(c0, m, r)
    out = np.full(c0.shape, np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(m > 0, c0 / m, np.inf)  # months of undiscounted cash to cover the cost
        inside = 1.0 - r * ratio
        discounted = np.where(inside > 0, -np.log(np.where(inside > 0, inside, 1.0)) / np.log1p(np.where(r > 0, r, 1.0)),
                              np.inf)
        needed = np.where(np.abs(r) < 1e-12, ratio, discounted)
    t = np.ceil(needed - _EPS)
    out = np.where((m > 0) & (t <= months), np.maximum(t, 0.0), out)
    return np.where(c0 <= 0, 0.0, out)


def payback_month(one_off: float, monthly_cash: float, rate: float, months: int) -> int | None:
    """:func:`payback_months` for one case: a whole month, or None when not within the horizon."""
    value = float(payback_months(one_off, monthly_cash, rate, months))
    return None if math.isinf(value) else int(value)
