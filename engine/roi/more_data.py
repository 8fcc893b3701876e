"""Value of more data: what 2× and 4× the training pairs are predicted to add, and what they cost.

Reads ``<store>/learning_curve.json`` (:func:`engine.learning_curve.run_learning_curve`), whose
saturating power law ``R@1(n) = a − b·n^(−c)`` was fitted to tuned Recall@1 with a paired
bootstrap of refits (``fit.bootstrap_params``).

* **Gain.** ``gain(f) = R@1(f·n_max) − R@1(n_max)``, from the fit's own curve (so a difference
  between the curve's run and the comparison's run does not leak in), with its interval over
  the bootstrap refits.
* **k > 1.** The curve is on Recall@1 only. For ``k > 1`` the gain is scaled by the headroom
  ratio ``(1 − R@k) / (1 − R@1)`` of the chosen run: more data is assumed to remove the same
  share of the remaining misses at rank k as at rank 1. The ratio is at most 1, so this is the
  cautious reading; it is an assumption, and the result says so (``scaled``).
* **Worth.** The gain's present value at the likely inputs (annuity × value per unit of recall
  × gain), against labelling ``(f − 1)·n_max`` extra pairs at the likely cost per pair.
* **Words.** Both predictions lie beyond the largest measured training set; 4× is called far
  beyond it (the CLI's "order of magnitude" warning starts there). A fitted ceiling at its
  bound (curve not levelling off), a flat curve, another test split, data file or loss than the
  comparison's are reported as notes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from engine.analysis.evidence.power_law import (
    C_MAX,
    C_MIN,
    PREDICTION_FACTORS,
    pairs_needed,
    saturating_power_law,
)
from engine.roi import finance, model
from engine.roi.inputs import RoiInputs

FAR_FACTOR = 4.0


def _note(key: str, **fields: Any) -> dict[str, Any]:
    return {"key": f"roi.{key}", "fields": fields, "ok": True}


def _gain_samples(fit: Mapping[str, Any], n_max: float, factor: float) -> np.ndarray:
    boot = fit.get("bootstrap_params") or {}
    a, b, c = (np.asarray(boot.get(name) or [], dtype=np.float64) for name in "abc")
    if not a.size:
        return np.empty(0)
    return saturating_power_law(factor * n_max, a, b, c) - saturating_power_law(n_max, a, b, c)


def _notes(curve: Mapping[str, Any], fit: Mapping[str, Any], k: int, n_max: float,
           context: Mapping[str, Any]) -> list[dict[str, Any]]:
    a, b, c = (fit["params"][name]["estimate"] for name in "abc")
    notes = [_note("MORE_DATA_EXTRAPOLATION", pairs=int(n_max))]
    if fit.get("max_asymptote") is not None and a >= fit["max_asymptote"] - 1e-3:
        notes.append(_note("MORE_DATA_CEILING"))
    if b <= 1e-9:
        notes.append(_note("MORE_DATA_FLAT"))
    if c <= C_MIN * 1.01 or c >= C_MAX * 0.99:
        notes.append(_note("MORE_DATA_SHAPE"))
    if k > 1:
        notes.append(_note("MORE_DATA_SCALED", k=k))
    if context.get("test_rows") is not None and curve.get("test_rows") is not None \
            and list(context["test_rows"]) != list(curve["test_rows"]):
        notes.append(_note("MORE_DATA_OTHER_SPLIT"))
    if context.get("loss") and curve.get("loss") and not str(curve["loss"]).startswith(str(context["loss"])):
        notes.append(_note("MORE_DATA_OTHER_LOSS", curve_loss=str(curve["loss"]), run_loss=str(context["loss"])))
    return notes


def _pairs_for_target(fit: Mapping[str, Any], target: float, recall_tuned_k: float, scale: float, n_max: float,
                      params: tuple[float, float, float]) -> dict[str, Any] | None:
    """Training pairs to reach the target Recall@k, by the fit (k > 1: through the headroom scaling)."""
    if recall_tuned_k >= target:
        return {"target": target, "reached": True, "estimate": None, "low": None, "high": None, "reachable": True}
    if scale <= 0:
        return None
    # The Recall@1 the curve must reach so that the scaled gain lifts Recall@k to the target.
    target_r1 = float(saturating_power_law(n_max, *params)) + (target - recall_tuned_k) / scale
    if target_r1 > 1.0:
        return {"target": target, "reached": False, "estimate": None, "low": None, "high": None, "reachable": False}
    needed = pairs_needed(dict(fit), target_r1)
    return {"target": target, "reached": False, "reachable": needed["reachable"], "estimate": needed["estimate"],
            "low": needed["low"], "high": needed["high"], "share_reachable": needed["share_reachable"]}


def value_of_more_data(
    curve: Mapping[str, Any] | None,
    inputs: RoiInputs,
    *,
    recall_base_k: float,
    recall_tuned_k: float,
    recall_tuned_1: float,
    increment_npv: float,
    context: Mapping[str, Any] | None = None,
) -> dict[str, Any] | None:
    """The predicted gain of 2× and 4× the pairs and its worth; None without a usable curve.

    Args:
        curve: ``learning_curve.json`` as loaded, or None.
        inputs: The ROI inputs (direction, k, likely business values).
        recall_base_k, recall_tuned_k, recall_tuned_1: The chosen run's measured values.
        increment_npv: The deterministic NPV of fine-tuning today (likely inputs).
        context: Optional ``test_rows`` and ``loss`` of the chosen run, to flag a curve made on
            another split or with another loss.

    Returns:
        ``{"pairs_needed", "direction", "k", "scaled", "scale", "measured_pairs", "confidence",
        "base_recall", "predictions", "notes"}``; ``pairs_needed``: training pairs for the target
        Recall@k by the fit (``estimate``, ``low``, ``high``, ``reachable``; ``reached`` when the
        measured Recall@k is already there); each prediction: ``factor``, ``pairs`` (total), ``extra_pairs``,
        ``gain_r1`` and ``gain`` (at k) as ``{"estimate", "low", "high"}``, ``recall``
        (predicted tuned Recall@k, same shape, capped at 1), ``worth`` (present value of the
        gain, same shape), ``labelling_cost``, ``net`` (worth − labelling, same shape),
        ``increment_npv`` (fine-tuning's NPV with the gain and the extra labelling, same shape),
        ``far`` (far beyond the measured range). Notes are ``{"key", "fields", "ok"}`` records
        for :func:`engine.roi.render_reason`.
    """
    fit = ((curve or {}).get("fit") or {}).get(inputs.direction)
    if not fit or not fit.get("n") or not fit.get("params"):
        return None
    n_max = float(max(fit["n"]))
    a, b, c = (float(fit["params"][name]["estimate"]) for name in "abc")
    confidence = float((fit.get("uncertainty") or {}).get("confidence") or 0.95)
    tail = (1.0 - confidence) / 2.0
    k = inputs.k
    scale = 1.0 if k == 1 else ((1.0 - recall_tuned_k) / (1.0 - recall_tuned_1) if recall_tuned_1 < 1.0 else 0.0)
    values = model.likely_values(inputs)
    annuity = float(finance.annuity_factor(finance.monthly_rate(values["annual_discount_rate"]), inputs.horizon_months))
    per_hit = float(model.value_per_hit(values))
    headroom = max(0.0, 1.0 - recall_tuned_k)
    predictions = []
    for factor in PREDICTION_FACTORS:
        estimate = float(saturating_power_law(factor * n_max, a, b, c) - saturating_power_law(n_max, a, b, c))
        samples = _gain_samples(fit, n_max, factor)
        low, high = (np.quantile(samples, [tail, 1.0 - tail]).tolist() if samples.size else (None, None))
        gain_r1 = {"estimate": estimate, "low": low, "high": high}
        gain = {key: (None if v is None else min(v * scale, headroom)) for key, v in gain_r1.items()}
        extra = (factor - 1.0) * n_max
        labelling = extra * values["cost_per_pair"]
        worth = {key: (None if v is None else annuity * per_hit * v) for key, v in gain.items()}
        predictions.append({
            "factor": factor,
            "pairs": factor * n_max,
            "extra_pairs": extra,
            "gain_r1": gain_r1,
            "gain": gain,
            "recall": {key: (None if v is None else min(1.0, recall_tuned_k + v)) for key, v in gain.items()},
            "worth": worth,
            "labelling_cost": labelling,
            "net": {key: (None if v is None else v - labelling) for key, v in worth.items()},
            "increment_npv": {key: (None if v is None else increment_npv + v - labelling) for key, v in worth.items()},
            "far": factor >= FAR_FACTOR,
        })
    return {
        "pairs_needed": _pairs_for_target(fit, inputs.target_recall, recall_tuned_k, scale, n_max, (a, b, c)),
        "direction": inputs.direction,
        "k": k,
        "scaled": k > 1,
        "scale": scale,
        "measured_pairs": n_max,
        "confidence": confidence,
        "base_recall": recall_base_k,
        "predictions": predictions,
        "notes": _notes(curve or {}, fit, k, n_max, context or {}),
    }
