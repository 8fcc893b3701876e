"""The ROI model proper: monthly value of a model, the three options, break-even and tornado.

``value per month = tasks × Recall@k × minutes saved / 60 × hourly cost`` (minutes saved is
capped at the minutes a task takes). Three options, each with its one-off and monthly cash:

============  ===========================================  ========================================
option        one-off (month 0)                            monthly cash
============  ===========================================  ========================================
tuned         pilot + integration + extra pairs × per pair  value(tuned Recall@k) − running cost
base          integration                                  value(base Recall@k) − running cost
increment     pilot + extra pairs × per pair               value(tuned) − value(base)
============  ===========================================  ========================================

The base model is free and either deployment needs the integration and the running cost, so
they cancel in the increment: what fine-tuning adds is paid for by the pilot and the labelling.
Functions take a mapping ``field -> value`` (floats, or arrays of Monte Carlo draws).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from engine.roi import finance
from engine.roi.inputs import ESTIMATE_FIELDS, RoiInputs

OPTIONS: tuple[str, ...] = ("tuned", "base", "increment")
BREAK_EVEN_GRID = 101  # recall 0%, 1%, ..., 100% for the break-even chart


def likely_values(inputs: RoiInputs) -> dict[str, float]:
    """``field -> likely value`` of every estimate."""
    return {name: getattr(inputs, name).likely for name in ESTIMATE_FIELDS}


def value_per_hit(values: Mapping[str, Any]) -> Any:
    """Money saved per month for each unit of Recall@k: ``tasks × minutes saved / 60 × hourly cost``."""
    saved = np.minimum(values["minutes_saved"], values["minutes_per_task"])
    return values["tasks_per_month"] * saved / 60.0 * values["hourly_cost"]


def cash_flows(values: Mapping[str, Any], recall_base: Any, recall_tuned: Any) -> dict[str, dict[str, Any]]:
    """Per option (see the module table): ``one_off``, ``monthly_saving``, ``monthly_net``."""
    per_hit = value_per_hit(values)
    saving_tuned, saving_base = per_hit * recall_tuned, per_hit * recall_base
    labelling = values["extra_pairs"] * values["cost_per_pair"]
    running = values["running_cost_per_month"]
    return {
        "tuned": {"one_off": values["pilot_cost"] + values["integration_cost"] + labelling,
                  "monthly_saving": saving_tuned, "monthly_net": saving_tuned - running},
        "base": {"one_off": values["integration_cost"],
                 "monthly_saving": saving_base, "monthly_net": saving_base - running},
        "increment": {"one_off": values["pilot_cost"] + labelling,
                      "monthly_saving": saving_tuned - saving_base, "monthly_net": saving_tuned - saving_base},
    }


def appraise(values: Mapping[str, Any], recall_base: Any, recall_tuned: Any, horizon: int) -> dict[str, dict[str, Any]]:
    """:func:`cash_flows` plus ``npv`` and ``payback`` (months, ``inf`` = not within ``horizon``)."""
    rate = finance.monthly_rate(values["annual_discount_rate"])
    flows = cash_flows(values, recall_base, recall_tuned)
    for flow in flows.values():
        flow["npv"] = finance.npv(flow["one_off"], flow["monthly_net"], rate, horizon)
        flow["payback"] = finance.payback_months(flow["one_off"], flow["monthly_net"], rate, horizon)
    return flows


def deterministic(inputs: RoiInputs, recall_base: float, recall_tuned: float) -> dict[str, dict[str, Any]]:
    """Every option at the likely inputs and the measured Recall@k, as plain JSON-able numbers."""
    flows = appraise(likely_values(inputs), recall_base, recall_tuned, inputs.horizon_months)
    out = {}
    for option, flow in flows.items():
        payback = float(flow["payback"])
        out[option] = {
            "one_off": float(flow["one_off"]),
            "monthly_saving": float(flow["monthly_saving"]),
            "monthly_net": float(flow["monthly_net"]),
            "npv": float(flow["npv"]),
            "payback_month": None if np.isinf(payback) else int(payback),
        }
    return out


def break_even(inputs: RoiInputs, recall_base: float, recall_tuned: float) -> dict[str, Any]:
    """Where fine-tuning (the increment) pays back exactly at the end of the horizon, at likely inputs.

    ``ΔRecall@k* = (pilot + labelling) / (annuity × value per hit)``: the gain over base that
    makes the increment's NPV zero; the tuned Recall@k needed is ``base + ΔRecall@k*``, reachable
    when at most 100%. ``tasks* = (pilot + labelling) / (annuity × ΔRecall@k × minutes saved /
    60 × hourly cost)`` with the measured ΔRecall@k (None when that is not positive). ``curve``
    is the increment NPV against the tuned Recall@k (a straight line), for the chart.
    """
    values = likely_values(inputs)
    annuity = float(finance.annuity_factor(finance.monthly_rate(values["annual_discount_rate"]), inputs.horizon_months))
    per_hit = float(value_per_hit(values))
    cost = values["pilot_cost"] + values["extra_pairs"] * values["cost_per_pair"]
    slope = annuity * per_hit  # NPV per unit of tuned Recall@k
    delta_star = cost / slope if slope > 0 else None
    tuned_star = None if delta_star is None else recall_base + delta_star
    delta = recall_tuned - recall_base
    per_task = float(value_per_hit({**values, "tasks_per_month": 1.0}))  # money saved by one hit
    tasks_star = cost / (annuity * delta * per_task) if delta > 0 and annuity * per_task > 0 else None
    grid = np.linspace(0.0, 1.0, BREAK_EVEN_GRID)
    return {
        "delta_recall": delta_star,
        "tuned_recall": tuned_star,
        "reachable": tuned_star is not None and tuned_star <= 1.0,
        "tasks_per_month": tasks_star,
        "one_off": cost,
        "npv_per_recall": slope,
        "base_recall": recall_base,
        "measured_recall": recall_tuned,
        "curve": {"recall": grid.tolist(), "npv": (slope * (grid - recall_base) - cost).tolist()},
    }


def tornado(inputs: RoiInputs, recall_base: float, recall_tuned: float, option: str = "increment") -> list[dict[str, Any]]:
    """NPV of ``option`` with each estimate at its low and high value (the others at likely).

    Returns one row per estimate field, largest ``swing`` (|high − low| NPV) first; fields that
    do not move this option's NPV (e.g. integration cost for the increment) have swing 0.
    """
    values = likely_values(inputs)
    centre = float(appraise(values, recall_base, recall_tuned, inputs.horizon_months)[option]["npv"])
    rows = []
    for name in ESTIMATE_FIELDS:
        estimate = getattr(inputs, name)
        npvs = {}
        for part in ("low", "high"):
            changed = {**values, name: getattr(estimate, part)}
            npvs[part] = float(appraise(changed, recall_base, recall_tuned, inputs.horizon_months)[option]["npv"])
        rows.append({"field": name, "npv_low": npvs["low"], "npv_high": npvs["high"], "npv_likely": centre,
                     "swing": abs(npvs["high"] - npvs["low"])})
    rows.sort(key=lambda row: -row["swing"])
    return rows
