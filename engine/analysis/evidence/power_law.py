"""Saturating power law for learning curves: how good can this get, and how much data does it take.

Model (the usual empirical learning-curve law, e.g. Hestness et al. 2017, with an asymptote):

    metric(n) = a - b * n^(-c),   b > 0, c > 0,

where ``n`` is the number of training pairs and ``a`` the metric with unlimited data (``a <= 1``
for a recall). The number of pairs needed for a target metric inverts it:

    n*(target) = (b / (a - target))^(1 / c)   when target < a, else "not reachable".

**Fitting.** Weighted least squares with ``scipy.optimize.least_squares`` (trust-region reflective,
bounds ``a <= max_asymptote``, ``b >= 0``, ``C_MIN <= c <= C_MAX``). ``n`` is divided by its largest
value first so the parameters have comparable scales. The starting point comes from a grid over
``c``: for fixed ``c`` the model is linear in ``(a, b)``, so each grid value is solved exactly and
the best one starts the non-linear fit (no dependence on a hand-picked guess).

**Uncertainty** (``result["uncertainty"]["method"]``), percentile intervals of a bootstrap of
refits, in order of preference:

1. ``"replicates"``: bootstrap replicates of the whole curve are given (``replicates``, shape
   ``(B, m)``). The learning curve passes a *paired* bootstrap over the shared test queries,
   so the correlation between points (they are scored on the same queries) is kept.
2. ``"point_se"``: per-point standard errors are given; parametric bootstrap
   ``metric_i* = fitted_i + se_i * z``.
3. ``"residuals"``: neither given and more than 3 points; parametric bootstrap with the residual
   standard error ``sqrt(weighted RSS / (m - 3))``.
4. ``"none"``: exactly 3 points and nothing else; the fit interpolates and intervals are ``None``.

Every refit's parameters are stored (``bootstrap_params``), so :func:`pairs_needed` can answer a
new target later (for example from a dashboard slider) without refitting.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import least_squares

from engine.analysis import wording
from engine.analysis.checks import check_int, check_real
from engine.analysis.wording import keyed
from engine.errors import DataError
from engine.i18n import override, t

MODEL = "metric(n) = a - b * n^(-c)"
C_MIN = 1e-3
C_MAX = 5.0  # beyond ~5 the curve is a step; the data of a learning curve cannot tell such exponents apart
PREDICTION_FACTORS = (2.0, 4.0)
_C_GRID = np.geomspace(0.02, C_MAX, 60)


def saturating_power_law(n: ArrayLike, a: float, b: float, c: float) -> NDArray[np.float64]:
    """``a - b * n^(-c)`` evaluated at ``n`` (float64)."""
    return a - b * np.power(np.asarray(n, dtype=np.float64), -c)


def _check_inputs(n: ArrayLike, metric: ArrayLike, weights: ArrayLike | None) -> tuple[NDArray, NDArray, NDArray]:
    n_arr = np.asarray(n, dtype=np.float64)
    y = np.asarray(metric, dtype=np.float64)
    if n_arr.ndim != 1 or y.shape != n_arr.shape:
        raise DataError(
            f"n and metric: got shapes {n_arr.shape} and {y.shape}, expected two 1-D arrays of equal length "
            "(one training-set size and one metric value per point)."
        )
    if not (np.all(np.isfinite(n_arr)) and np.all(np.isfinite(y))) or np.any(n_arr <= 0):
        raise DataError("n and metric: expected finite values and positive training-set sizes; got NaN, inf or n <= 0.")
    if np.unique(n_arr).size < 3:
        raise DataError(
            f"n: got {np.unique(n_arr).size} distinct training-set sizes, the power law has 3 parameters and "
            "needs at least 3 (e.g. 25%, 50% and 100% of the training data)."
        )
    if weights is None:
        w = np.ones_like(y)
    else:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != y.shape or not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise DataError(
                f"weights: got shape {w.shape}, expected {y.shape} finite positive values (e.g. 1 / variance)."
            )
    return n_arr, y, w


def _grid_start(x: NDArray, y: NDArray, sw: NDArray, max_asymptote: float | None) -> NDArray:
    """Best ``(a, beta, c)`` over a grid of ``c``, solving the linear (a, beta) problem at each."""
    best, best_cost = None, math.inf
    for c in _C_GRID:
        design = np.column_stack([np.ones_like(x), -np.power(x, -c)]) * sw[:, None]
        (a, beta), *_ = np.linalg.lstsq(design, y * sw, rcond=None)
        beta = max(beta, 0.0)
        if max_asymptote is not None:
            a = min(a, max_asymptote)
        cost = float(np.sum((sw * (y - (a - beta * np.power(x, -c)))) ** 2))
        if cost < best_cost:
            best, best_cost = np.array([a, beta, c]), cost
    return best  # type: ignore[return-value]


def _fit_scaled(
    x: NDArray, y: NDArray, sw: NDArray, max_asymptote: float | None, start: NDArray | None = None
) -> NDArray | None:
    """Fit ``(a, beta, c)`` of ``a - beta * x^(-c)`` (x = n / n_max); None if the solver fails."""
    upper_a = np.inf if max_asymptote is None else max_asymptote
    lower, upper = np.array([-np.inf, 0.0, C_MIN]), np.array([upper_a, np.inf, C_MAX])
    x0 = _grid_start(x, y, sw, max_asymptote) if start is None else start.copy()
    # least_squares wants a strictly feasible start.
    x0 = np.clip(x0, lower + 1e-9, upper - 1e-9)

    def residuals(p: NDArray) -> NDArray:
        return sw * (p[0] - p[1] * np.power(x, -p[2]) - y)

    try:
        sol = least_squares(residuals, x0, bounds=(lower, upper), method="trf", x_scale="jac")
    except (ValueError, np.linalg.LinAlgError):
        return None
    return sol.x if np.all(np.isfinite(sol.x)) else None


def _unscale(p: NDArray, n_max: float) -> tuple[float, float, float]:
    a, beta, c = (float(v) for v in p)
    return a, beta * n_max**c, c


def _interval(estimate: float | None, samples: NDArray | None, confidence: float) -> dict[str, float | None]:
    if samples is None or samples.size == 0:
        return {"estimate": estimate, "low": None, "high": None}
    tail = (1.0 - confidence) / 2.0
    # +inf ("never reaches the target") would make quantile interpolation compute inf - inf.
    big = np.finfo(np.float64).max
    low, high = np.quantile(np.minimum(samples, big), [tail, 1.0 - tail])
    # Interpolating towards the sentinel gives huge finite values; no real pair count is near them.
    low, high = (math.inf if v > 1e300 else v for v in (low, high))
    return {"estimate": estimate, "low": _finite_or_none(low), "high": _finite_or_none(high)}


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _bootstrap_sets(
    y_fit: NDArray, y: NDArray, w: NDArray, replicates: ArrayLike | None, point_se: ArrayLike | None,
    n_boot: int, seed: int,
) -> tuple[str, NDArray | None]:
    """The method name and the (B, m) curves to refit."""
    m = y.size
    if replicates is not None:
        rep = np.asarray(replicates, dtype=np.float64)
        if rep.ndim != 2 or rep.shape[1] != m or rep.shape[0] < 2 or not np.all(np.isfinite(rep)):
            raise DataError(
                f"replicates: got shape {rep.shape}, expected (B, {m}) finite values with B >= 2, one bootstrap "
                "replicate of the whole curve per row."
            )
        return "replicates", rep
    rng = np.random.default_rng(seed)
    if point_se is not None:
        se = np.asarray(point_se, dtype=np.float64)
        if se.shape != (m,) or not np.all(np.isfinite(se)) or np.any(se < 0):
            raise DataError(f"point_se: got shape {se.shape}, expected ({m},) finite non-negative standard errors.")
        return "point_se", y_fit + se * rng.standard_normal((n_boot, m))
    if m > 3:
        sigma = math.sqrt(float(np.sum(w * (y - y_fit) ** 2)) / (m - 3))
        return "residuals", y_fit + sigma / np.sqrt(w) * rng.standard_normal((n_boot, m))
    return "none", None


def fit_saturating_power_law(
    n: ArrayLike,
    metric: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    point_se: ArrayLike | None = None,
    replicates: ArrayLike | None = None,
    max_asymptote: float | None = 1.0,
    target: float | None = None,
    n_boot: int = 500,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, Any]:
    """Fit ``metric(n) = a - b n^(-c)`` and extrapolate, with bootstrap intervals.

    Args:
        n: Training-set sizes (pairs), at least 3 distinct positive values. Shape: (m,).
        metric: The metric at each size (e.g. Recall@1). Shape: (m,).
        weights: Least-squares weights (e.g. ``1 / variance``); default ``1 / point_se^2`` when
            ``point_se`` is given (zeros floored), else equal.
        point_se: Per-point standard errors, for the parametric bootstrap (method 2 above).
        replicates: Bootstrap replicates of the whole curve, shape (B, m) (method 1 above; wins
            over ``point_se``).
        max_asymptote: Upper bound of ``a`` (1.0 for a recall or accuracy); None for no bound.
        target: Also report :func:`pairs_needed` for this metric value.
        n_boot: Refits for methods 2 and 3.
        confidence: Interval coverage, e.g. 0.95.
        seed: Seed of the parametric bootstrap.

    Returns:
        JSON-serialisable dict: ``model``, ``params`` (``a``, ``b``, ``c``, each
        ``{"estimate", "low", "high"}``), ``n``, ``metric``, ``fitted``, ``residual_rms``,
        ``uncertainty`` (``method``, ``n_boot``, ``n_failed``, ``confidence``), ``predictions`` (one
        ``{"factor", "n", "estimate", "low", "high"}`` per factor 2 and 4 of the largest ``n``),
        ``bootstrap_params`` (``a``, ``b``, ``c`` lists), ``warnings`` (plain English sentences;
        ``warnings_keyed`` holds them as catalogue keys and fields, see :func:`render_fit_warnings`), and
        ``pairs_needed`` when ``target`` is given. On noiseless data from the model the estimates
        equal the true parameters to solver precision.

    Raises:
        DataError: Mismatched shapes, non-finite values, fewer than 3 distinct sizes.
        ConfigError: ``confidence`` not in (0, 1), ``n_boot`` < 2.
    """
    n_arr, y, w = _check_inputs(n, metric, weights)
    check_real(confidence, "confidence", low=0.0, high=1.0, expected="a fraction strictly between 0 and 1 (e.g. 0.95)")
    n_boot = check_int(n_boot, "n_boot", minimum=2, expected="a whole number of at least 2 (e.g. 500)")
    if weights is None and point_se is not None:
        se = np.asarray(point_se, dtype=np.float64)
        if se.shape == y.shape and np.all(np.isfinite(se)):
            # A point whose interval has zero width (R@1 of 0 or 1) would get infinite weight.
            floor = max(float(np.median(se[se > 0])) if np.any(se > 0) else 1.0, 1e-12) * 0.1
            w = 1.0 / np.maximum(se, floor) ** 2
    n_max = float(n_arr.max())
    x, sw = n_arr / n_max, np.sqrt(w / w.mean())
    scaled = _fit_scaled(x, y, sw, max_asymptote)
    if scaled is None:
        raise DataError(
            "The power law could not be fitted to these points (the solver failed); check the metric values."
        )
    a, b, c = _unscale(scaled, n_max)
    y_fit = saturating_power_law(n_arr, a, b, c)

    method, curves = _bootstrap_sets(y_fit, y, w, replicates, point_se, n_boot, seed)
    boot = np.empty((0, 3))
    n_failed = 0
    if curves is not None:
        fits = []
        for curve in curves:
            p = _fit_scaled(x, curve, sw, max_asymptote, start=scaled)
            if p is None:
                n_failed += 1
            else:
                fits.append(_unscale(p, n_max))
        boot = np.asarray(fits, dtype=np.float64).reshape(-1, 3)

    result: dict[str, Any] = {
        "model": MODEL,
        "params": {
            name: _interval(value, boot[:, i] if boot.size else None, confidence)
            for i, (name, value) in enumerate(zip("abc", (a, b, c), strict=True))
        },
        "n": n_arr.tolist(),
        "metric": y.tolist(),
        "fitted": y_fit.tolist(),
        "residual_rms": float(np.sqrt(np.mean((y - y_fit) ** 2))),
        "max_asymptote": max_asymptote,
        "uncertainty": {"method": method, "n_boot": int(boot.shape[0]), "n_failed": n_failed, "confidence": confidence},
        "bootstrap_params": {name: boot[:, i].tolist() for i, name in enumerate("abc")},
    }
    wording.store(result, "warnings", _fit_warnings(a, b, c, max_asymptote, n_failed, boot.shape[0] + n_failed))
    result["predictions"] = [
        {"factor": factor, "n": factor * n_max,
         **_interval(float(saturating_power_law(factor * n_max, a, b, c)),
                     saturating_power_law(factor * n_max, boot[:, 0], boot[:, 1], boot[:, 2]) if boot.size else None,
                     confidence)}
        for factor in PREDICTION_FACTORS
    ]
    if target is not None:
        result["pairs_needed"] = pairs_needed(result, target)
    return result


def _fit_warnings(
    a: float, b: float, c: float, max_asymptote: float | None, n_failed: int, n_total: int
) -> list[dict[str, Any]]:
    """The fit's caveats as keyed sentences (:func:`engine.analysis.wording.keyed`)."""
    warnings = []
    if b <= 1e-9:
        warnings.append(keyed("analysis.CURVE_FLAT"))
    if max_asymptote is not None and a >= max_asymptote - 1e-3 * max(abs(max_asymptote), 1.0):
        warnings.append(keyed("analysis.CURVE_CEILING_AT_BOUND", bound=float(max_asymptote)))
    if c <= C_MIN * 1.01 or c >= C_MAX * 0.99:
        warnings.append(keyed("analysis.CURVE_EXPONENT_AT_BOUND", c=float(c), c_min=C_MIN, c_max=C_MAX))
    if n_total and n_failed > 0.1 * n_total:
        warnings.append(keyed("analysis.CURVE_REFITS_FAILED", failed=int(n_failed), total=int(n_total)))
    return warnings


def render_fit_warnings(fit: dict[str, Any]) -> list[str]:
    """The ``warnings`` of a stored fit in the language in force (stored English for old fits)."""
    return wording.render_texts(fit, "warnings")


def _needed(a: ArrayLike, b: ArrayLike, c: ArrayLike, target: float) -> NDArray[np.float64]:
    """``(b / (a - target))^(1/c)``, +inf where ``target >= a``."""
    a_arr, b_arr, c_arr = (np.asarray(v, dtype=np.float64) for v in (a, b, c))
    gap = a_arr - target
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        # Through logs: (b / gap)^(1/c) overflows for tiny gaps before it becomes meaningful.
        log_n = (np.log(np.maximum(b_arr, 1e-300)) - np.log(np.where(gap > 0, gap, 1.0))) / c_arr
        out = np.where(gap > 0, np.exp(np.minimum(log_n, 700.0)), np.inf)
    return out


def pairs_needed(fit: dict[str, Any], target: float) -> dict[str, Any]:
    """Training pairs needed to reach ``target`` under a fit from :func:`fit_saturating_power_law`.

    ``n* = (b / (a - target))^(1/c)``. The interval is the percentile interval of ``n*`` over the
    stored bootstrap refits; refits whose asymptote is at or below the target count as "never",
    so when more than the upper tail of them never reach it the upper end is ``None`` (open).

    Args:
        fit: The dict returned by :func:`fit_saturating_power_law`.
        target: The metric value to reach (e.g. 0.6 for Recall@1 = 60%).

    Returns:
        ``{"target", "reachable", "estimate", "low", "high", "share_reachable", "message"}``:
        ``estimate`` is None when the target is at or above the fitted asymptote; ``share_reachable``
        is the fraction of bootstrap refits that reach the target (None without a bootstrap);
        ``message`` says it in English (:func:`render_pairs_needed` in the language in force, from
        ``message_fields``: the fitted ``ceiling`` and the ``largest`` measured pair count).

    Raises:
        ConfigError: ``target`` is not a finite number.
    """
    target = check_real(target, "target", expected="a metric value such as 0.6 (Recall@1 of 60%)")
    a, b, c = (fit["params"][k]["estimate"] for k in "abc")
    boot = fit.get("bootstrap_params") or {"a": [], "b": [], "c": []}
    samples = _needed(boot["a"], boot["b"], boot["c"], target) if len(boot["a"]) else None
    confidence = fit["uncertainty"]["confidence"]
    reachable = target < a
    estimate = float(_needed(a, b, c, target)) if reachable else None
    interval = _interval(estimate, samples, confidence)
    share = float(np.mean(np.isfinite(samples))) if samples is not None else None
    largest = max(fit["n"])
    out = {"target": target, "reachable": bool(reachable), **interval, "share_reachable": share}
    out["message_key"] = NEEDED_KEY
    out["message_fields"] = {"ceiling": float(a), "largest": float(largest)}
    with override("en"):
        out["message"] = _needed_message(out)
    return out


NEEDED_KEY = "analysis.NEEDED"  # marks a pairs_needed entry that render_pairs_needed can write


def render_pairs_needed(needed: dict[str, Any]) -> str:
    """The ``message`` of a stored :func:`pairs_needed` result in the language in force.

    Entries stored before ``message_key`` existed give their stored English ``message``.
    """
    if needed.get("message_key") != NEEDED_KEY or not isinstance(needed.get("message_fields"), dict):
        return str(needed.get("message", ""))
    return _needed_message(needed)


def _needed_message(out: dict[str, Any]) -> str:
    """The sentence for a pairs_needed entry, in the language in force (pieces of ``analysis.NEEDED_*``)."""
    target, a, largest = out["target"], out["message_fields"]["ceiling"], out["message_fields"]["largest"]
    if not out["reachable"]:
        return t("analysis.NEEDED_UNREACHABLE", ceiling=a, target=target)
    never = None if out["share_reachable"] is None else 1.0 - out["share_reachable"]
    if out["estimate"] <= largest:
        text = t("analysis.NEEDED_REACHED", target=target, largest=largest)
        if never:
            text += t("analysis.NEEDED_REACHED_BUT", never=never)
        return text + t("analysis.NEEDED_END")
    text = t("analysis.NEEDED_ABOUT", estimate=out["estimate"], target=target)
    if out["low"] is not None and out["high"] is not None:
        text += t("analysis.NEEDED_RANGE", low=out["low"], high=out["high"])
    elif out["low"] is not None:
        text += t("analysis.NEEDED_OPEN", low=out["low"], never=never)
    else:
        text += t("analysis.NEEDED_NO_INTERVAL")
    if out["estimate"] > 4 * largest:
        text += t("analysis.NEEDED_FAR")
    return text


def describe_points(n: Sequence[float], metric: Sequence[float]) -> str:
    """One line per point, ``n -> metric``, for logs."""
    return ", ".join(f"{int(k)} -> {v:.3f}" for k, v in zip(n, metric, strict=True))
