"""Monte Carlo over the business ranges and the bootstrap of Recall@k.

Draw ``i`` pairs business draw ``i`` (each estimate from ``triangular(low, likely, high)``,
independently) with bootstrap replicate ``i`` of base and tuned Recall@k. A zero-width estimate
is a constant, so with every range zero-width and constant recall the draws equal the
deterministic model exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from engine.roi import model
from engine.roi.inputs import ESTIMATE_FIELDS, Estimate, RoiInputs

INTERVAL = 0.90
MAX_STORED_DRAWS = 4000


def triangular(estimate: Estimate, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """``n`` draws of ``triangular(low, likely, high)``; a constant array when the width is zero."""
    if estimate.high <= estimate.low:
        return np.full(n, float(estimate.likely))
    return rng.triangular(estimate.low, estimate.likely, estimate.high, size=n)


def draw_inputs(inputs: RoiInputs, n: int, rng: np.random.Generator) -> dict[str, NDArray[np.float64]]:
    """``field -> n draws`` of every estimate (fields in a fixed order, so a seed reproduces them)."""
    return {name: triangular(getattr(inputs, name), n, rng) for name in ESTIMATE_FIELDS}


def simulate(
    inputs: RoiInputs, recall_base: ArrayLike, recall_tuned: ArrayLike, *, seed: int = 0
) -> dict[str, dict[str, NDArray[np.float64]]]:
    """Per option, arrays of ``monthly_saving``, ``npv`` and ``payback`` (``inf`` = beyond the horizon).

    Args:
        inputs: The business ranges.
        recall_base, recall_tuned: One Recall@k per draw (paired bootstrap replicates); their
            length is the number of draws.
        seed: Seed of the business draws.
    """
    base = np.asarray(recall_base, dtype=np.float64)
    tuned = np.asarray(recall_tuned, dtype=np.float64)
    values = draw_inputs(inputs, base.size, np.random.default_rng(seed))
    return model.appraise(values, base, tuned, inputs.horizon_months)


def _payback_summary(payback: NDArray[np.float64], tail: float) -> dict[str, Any]:
    # inf ("not within the horizon") sorts last, so quantiles of the months stay meaningful.
    low, median, high = np.quantile(payback, [tail, 0.5, 1.0 - tail], method="inverted_cdf")
    return {name: (None if np.isinf(v) else int(v)) for name, v in (("median", median), ("low", low), ("high", high))}


def summarise(draws: dict[str, dict[str, NDArray[np.float64]]], interval: float = INTERVAL) -> dict[str, Any]:
    """Median, ``interval`` percentile range, P(NPV > 0) and payback figures per option."""
    tail = (1.0 - interval) / 2.0
    out = {}
    for option, flow in draws.items():
        summary: dict[str, Any] = {}
        for key in ("monthly_saving", "npv"):
            low, median, high = np.quantile(flow[key], [tail, 0.5, 1.0 - tail])
            summary[key] = {"median": float(median), "low": float(low), "high": float(high)}
        summary["p_npv_positive"] = float(np.mean(flow["npv"] > 0))
        summary["payback_month"] = _payback_summary(flow["payback"], tail)
        summary["p_payback"] = float(np.mean(np.isfinite(flow["payback"])))
        out[option] = summary
    return out


def stored_draws(values: NDArray[np.float64], limit: int = MAX_STORED_DRAWS) -> list[float]:
    """At most ``limit`` draws (evenly thinned) as floats, for the distribution chart."""
    step = max(1, int(np.ceil(values.size / limit)))
    return [float(v) for v in values[::step]]
