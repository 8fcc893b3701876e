"""What a pilot is worth: the ROI model with its uncertainty, and the go / extend / stop rule.

Pure functions over stored run data (``comparison.json``, ``<run>/metrics.json``,
``<run>/ranks.npz``, ``<store>/learning_curve.json``); nothing is retrained or re-scored. The
formulas are in ``docs/roi.md`` and, for pages and reports, in the catalogue (``roi.FORMULA``).

**Model.** The value per month of a model is
``tasks × Recall@k × minutes saved / 60 × hourly cost``. The base model is a free alternative,
so three options are valued: ``tuned`` and ``base`` (each against doing nothing: both pay the
integration and the running cost) and the ``increment`` (tuned − base, what fine-tuning adds:
its monthly value is the difference of savings, its one-off cost is the pilot plus the labelling
of extra pairs). NPV discounts monthly cash flows at the monthly rate
``(1 + annual)^(1/12) − 1`` over the horizon; the payback month is the first month the
cumulative discounted cash flow reaches zero.

**Uncertainty.** Recall@k of base and tuned comes from a paired bootstrap of the stored per-query
ranks (the same resampled queries for both); the business inputs are drawn from
``triangular(low, likely, high)``; Monte Carlo gives medians, 90% intervals and P(NPV > 0).

Usage::

    from engine.roi import evaluate, locate_comparison, preset, load_inputs
    comparison = locate_comparison("tiltpilot_runs")
    inputs = load_inputs(comparison) or preset("expected", gallery_size=78)
    result = evaluate(comparison, inputs)
    result["decision"]["outcome"]          # "go" | "extend" | "stop"
    [render_reason(r, result["currency"]) for r in result["decision"]["reasons"]]
    headline(result)                       # one sentence for a verdict card or the report

The result of :func:`evaluate` (JSON-able; amounts in ``inputs.currency``; shares in [0, 1]):

- ``version``, ``comparison`` (path), ``run_id``, ``loss``, ``tilt``, ``direction``, ``columns``
  (the user's ``{"left", "right"}`` column names, or None), ``k``,
  ``gallery`` (``inputs.gallery``: ``test`` or ``catalogue``, whose ranks were valued), ``gallery_size``, ``test_queries``, ``train_pairs``, ``currency``, ``inputs`` (``RoiInputs.to_dict``),
  ``rule`` (``DecisionRule.to_dict``), ``settings`` (``n_draws``, ``seed``, ``recall_confidence``
  0.95, ``interval`` 0.90);
- ``recall``: ``base``, ``tuned`` (``estimate``, ``low``, ``high``: paired bootstrap, 95%) and
  ``delta`` (the same plus ``significant``: the interval excludes 0);
- ``deterministic``: per option ``tuned``/``base``/``increment``: ``monthly_saving``,
  ``monthly_net``, ``one_off``, ``npv``, ``payback_month`` (None = not within the horizon), at the
  likely inputs and the measured Recall@k;
- ``monte_carlo``: per option: ``monthly_saving`` and ``npv`` as ``{median, low, high}`` (90%),
  ``p_npv_positive``, ``payback_month`` ``{median, low, high}`` (None = beyond the horizon) and
  ``p_payback`` (share of draws paying back within the horizon);
- ``npv_draws``: ``{"tuned": [...], "increment": [...]}``, at most 4000 floats each (histogram);
- ``break_even``: ``delta_recall`` (the ΔRecall@k over base at which fine-tuning pays back within
  the horizon), ``tuned_recall`` (base Recall@k + that), ``reachable`` (≤ 100%),
  ``tasks_per_month`` (volume at which it pays back with the measured Recall@k; None if ΔRecall@k ≤ 0),
  ``curve`` (``recall`` grid and increment ``npv`` at the likely inputs, for the chart);
- ``tornado``: increment-NPV swing per input, largest first: ``field``, ``npv_low``,
  ``npv_high`` (NPV with that input at its low / high value, others at likely), ``swing``;
- ``more_data``: None without a learning curve, else the value of 2× and 4× the pairs (see
  :func:`engine.roi.more_data.value_of_more_data`);
- ``evidence`` (the plain dict :func:`decide` reads) and ``decision``
  (``{"outcome", "reasons"}``).
"""

from __future__ import annotations

from engine.roi.decision import (
    OUTCOMES,
    DecisionRule,
    decide,
    outcome_label,
    render_reason,
)
from engine.roi.describe import headline, more_data_lines, payback_text, summary_lines
from engine.roi.evaluate import evaluate
from engine.roi.inputs import (
    ESTIMATE_FIELDS,
    INPUT_FIELDS,
    Estimate,
    FieldSpec,
    RoiInputError,
    RoiInputs,
    validate_inputs,
)
from engine.roi.model import OPTIONS
from engine.roi.presets import DEFAULT_PRESET, PRESETS, preset
from engine.roi.store import inputs_path, load_inputs, locate_comparison, save_inputs

__all__ = [
    "DEFAULT_PRESET",
    "ESTIMATE_FIELDS",
    "INPUT_FIELDS",
    "OPTIONS",
    "OUTCOMES",
    "PRESETS",
    "DecisionRule",
    "Estimate",
    "FieldSpec",
    "RoiInputError",
    "RoiInputs",
    "decide",
    "evaluate",
    "headline",
    "inputs_path",
    "load_inputs",
    "locate_comparison",
    "more_data_lines",
    "outcome_label",
    "payback_text",
    "preset",
    "render_reason",
    "save_inputs",
    "summary_lines",
    "validate_inputs",
]
