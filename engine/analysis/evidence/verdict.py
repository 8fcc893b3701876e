"""Plain-language verdicts for paired comparisons of retrieval metrics, in English and Japanese.

Every user-facing word is in the message catalogue (area ``verdicts``), so the CLI, the dashboard and
the report all say the same thing. A verdict is stored three ways next to its numbers: ``verdict``
(the English sentence, as always), ``verdict_key`` (the catalogue key of its template) and
``verdict_fields`` (the raw numbers and names that fill it). :func:`render_verdict` writes the
sentence again from key and fields in the language in force; stores written before the key existed
fall back to their English sentence.

Differences of recall@k and MRR are written in points (the metric x 100); median-rank differences
are written in ranks. A verdict reads the ``significant`` flag that :mod:`engine.analysis.evidence.bootstrap`
sets; there the interval, the p-value and the flag come from one paired sign-flip test (the interval
excludes zero exactly when the difference is significant), so a verdict never disagrees with the
numbers it quotes.

A difference that carries its test (``p_value`` and ``adjustment``, as every row the bootstrap module
writes does) gets a ``*_TESTED`` template that names the method and quotes the p-value: Holm-adjusted
with the family's size for a pairwise comparison, the raw p-value for a fine-tuning
effect. The method's words are glossary terms (``charts.GLOSSARY``: "paired sign-flip test", "Holm's
correction", "adjusted p-value"). Entries stored before tests were stated keep their old keys and
render as they always did.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from engine.errors import DataError
from engine.i18n import message, override, t

logger = logging.getLogger(__name__)

AREA = "verdicts"
# The stored keys of a verdict entry next to its English sentence.
VERDICT_KEY = "verdict_key"
VERDICT_FIELDS = "verdict_fields"

_RECALL = re.compile(r"recall@(\d+)")


def metric_display_name(metric: str, direction: str | None = None) -> str:
    """Short display name of a metric key, e.g. ``"recall@1"`` -> ``"R@1"``, optionally with its direction.

    In the language in force; the direction label is the charts' (``charts.DIRECTION_LABELS``).
    """
    match = _RECALL.fullmatch(metric)
    if match:
        label = t("verdicts.METRIC_RECALL", k=match.group(1))
    else:
        label = message("verdicts.METRIC_LABELS").get(metric, metric)
    if direction is None:
        return label
    return t("verdicts.METRIC_IN_DIRECTION", metric=label, direction=_direction_label(direction))


def _direction_label(direction: str) -> str:
    return message("charts.DIRECTION_LABELS").get(direction, direction)


def _number(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    # "-0.0" reads as a sign error to a manager; a value that rounds to zero is written as zero.
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _scaled(metric: str, value: float, points: bool) -> str:
    """A metric value in display units: points (x 100) for rates, plain for ranks or ``points=False``."""
    if metric == "median_rank":
        return _number(value, 1)
    return _number(100.0 * value, 1) if points else _number(value, 3)


def _size(metric: str, value: float, points: bool) -> str:
    """A difference with its unit, e.g. ``"3.1 points"`` or ``"2.0 ranks"``."""
    text = _scaled(metric, value, points)
    if metric == "median_rank":
        return t("verdicts.RANKS", value=text)
    return t("verdicts.POINTS", value=text) if points else text


def _ci(confidence: float) -> str:
    # Holm's levels are not round (1 - 0.05/24 = 99.79%): two decimals at most, no trailing zeros.
    return t("verdicts.CI", confidence=f"{100.0 * confidence:.2f}".rstrip("0").rstrip("."))


def _p_text(p: float, n_resamples: int) -> tuple[str, bool]:
    """A p-value as written and whether it is a bound: ``("0.012", False)`` or ``("0.001", True)`` for "< 0.001".

    A bootstrap of B resamples cannot resolve p-values below about 1/B, so those are written as a bound.
    """
    floor = max(0.001, 1.0 / max(int(n_resamples), 1))
    if p < floor:
        return f"{floor:.3g}", True
    return f"{p:.3f}".rstrip("0").rstrip("."), False


def _method(fields: Mapping[str, Any]) -> str:
    """How the difference was tested, with its p-value, e.g. "paired sign-flip test: p = 0.004"."""
    value, below = _p_text(float(fields["p"]), int(fields.get("n_resamples", 1000)))
    if fields.get("adjustment") == "holm":
        key = "verdicts.METHOD_HOLM_BELOW" if below else "verdicts.METHOD_HOLM"
        return t(key, p=value, tests=int(fields["tests"]))
    return t("verdicts.METHOD_SINGLE_BELOW" if below else "verdicts.METHOD_SINGLE", p=value)


def _fields(diff: Mapping[str, Any]) -> tuple[str, float, float, float, bool, bool, float]:
    missing = [k for k in ("metric", "estimate", "low", "high", "confidence") if k not in diff]
    if missing:
        raise DataError(
            f"verdict: the difference is missing {missing}; pass a result of "
            "engine.analysis.evidence.bootstrap.paired_difference unchanged."
        )
    metric = str(diff["metric"])
    low, high = float(diff["low"]), float(diff["high"])
    significant = bool(diff.get("significant", low > 0 or high < 0))
    higher_is_better = bool(diff.get("higher_is_better", metric != "median_rank"))
    return metric, float(diff["estimate"]), low, high, significant, higher_is_better, float(diff["confidence"])


def render_verdict(entry: Mapping[str, Any], *, direction_label: str | None = None) -> str:
    """The verdict sentence of a stored verdict entry, in the language in force.

    Args:
        entry: A row of ``uncertainty.json``'s ``fine_tuning`` or ``comparison.json``'s ``pairwise``
            (anything holding ``verdict_key`` and ``verdict_fields``, or at least ``verdict``).
        direction_label: Replaces the search direction's generic label ("left → right"), e.g. with
            the user's column names ("title → description").

    Returns:
        The sentence from key and fields; the stored English ``verdict`` for entries written before
        keys were stored (or with a key this catalogue does not know); ``""`` when there is neither.
    """
    key, fields = entry.get(VERDICT_KEY), entry.get(VERDICT_FIELDS)
    if not key or not isinstance(fields, Mapping):
        return str(entry.get("verdict") or "")
    try:
        return _render(key, fields, direction_label)
    except (KeyError, TypeError, ValueError) as exc:
        logger.warning("verdict %s could not be rendered (%s); showing the stored English", key, exc)
        return str(entry.get("verdict") or "")


def _render(key: str, fields: Mapping[str, Any], direction_label: str | None = None) -> str:
    metric, points = str(fields["metric"]), bool(fields.get("points", True))
    direction = fields.get("direction")
    if fields.get("metric_label") is not None:
        label = str(fields["metric_label"])
    elif direction_label is not None:
        label = t("verdicts.METRIC_IN_DIRECTION", metric=metric_display_name(metric), direction=direction_label)
    else:
        label = metric_display_name(metric, direction)
    names = {k: str(fields[k]) for k in ("winner", "loser", "a", "b") if k in fields}
    if "adjustment" in fields:
        names["method"] = _method(fields)
    return t(
        key, **names, metric=label, size=_size(metric, float(fields["size"]), points), ci=_ci(float(fields["confidence"])),
        low=_scaled(metric, float(fields["low"]), points), high=_scaled(metric, float(fields["high"]), points),
    )


def _entry(key: str, fields: dict[str, Any]) -> dict[str, Any]:
    """``{"verdict", "verdict_key", "verdict_fields"}``; the stored sentence is always English."""
    with override("en"):
        text = _render(key, fields)
    return {"verdict": text, VERDICT_KEY: key, VERDICT_FIELDS: fields}


def _label_fields(metric: str, direction: str | None, metric_label: str | None, points: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {"metric": metric, "points": points}
    if direction is not None:
        fields["direction"] = direction
    if metric_label is not None:
        fields["metric_label"] = metric_label
    return fields


def _test_fields(diff: Mapping[str, Any]) -> dict[str, Any]:
    """The test behind a difference, for the ``*_TESTED`` templates; ``{}`` for a difference without one.

    ``p`` is the p-value the decision used: Holm-adjusted within a family, the raw one otherwise.
    """
    if "p_value" not in diff or "adjustment" not in diff:
        return {}
    holm = diff["adjustment"] == "holm"
    return {
        "p": float(diff["p_adjusted"] if holm else diff["p_value"]), "adjustment": str(diff["adjustment"]),
        "tests": int(diff.get("family_size", 1)), "n_resamples": int(diff.get("n_resamples", 1000)),
    }


def _key(name: str, tested: Mapping[str, Any]) -> str:
    return f"verdicts.{name}_TESTED" if tested else f"verdicts.{name}"


def verdict_entry(
    name_a: str, name_b: str, diff: Mapping[str, Any], *, direction: str | None = None,
    metric_label: str | None = None, points: bool = True,
) -> dict[str, Any]:
    """The verdict of run ``a`` against run ``b`` on one metric, as stored (see :func:`verdict`).

    Args:
        name_a: Name of the first run (the difference is ``a - b``).
        name_b: Name of the second run.
        diff: A result of :func:`engine.analysis.evidence.bootstrap.paired_difference`.
        direction: Search direction, shown after the metric and translated at render time.
        metric_label: A fixed display name of the metric (not translated); default from
            :func:`metric_display_name`.
        points: Write rate differences in points (x 100); ``False`` writes raw fractions.

    Returns:
        ``{"verdict": <English sentence>, "verdict_key": "verdicts.WIN" | "verdicts.TIE",
        "verdict_fields": {"metric", "points", ["direction"], ["metric_label"], "size", "low", "high",
        "confidence", and "winner"/"loser" or "a"/"b"}}``; numbers are raw (fractions for rates).
        A difference that carries its test gets ``verdicts.WIN_TESTED`` / ``TIE_TESTED`` and the
        fields ``p`` (the p-value decided on: Holm-adjusted in a family), ``adjustment``, ``tests``
        (the family's size) and ``n_resamples``.
    """
    metric, estimate, low, high, significant, higher, confidence = _fields(diff)
    fields, tested = _label_fields(metric, direction, metric_label, points), _test_fields(diff)
    fields.update(tested)
    if not significant:
        fields.update(a=name_a, b=name_b, size=estimate, low=low, high=high, confidence=confidence)
        return _entry(_key("TIE", tested), fields)
    # The advantage of a over b, positive when a is better (ranks: lower is better).
    adv, adv_low, adv_high = (estimate, low, high) if higher else (-estimate, -high, -low)
    winner, loser = (name_a, name_b) if adv > 0 else (name_b, name_a)
    if adv < 0:
        adv, adv_low, adv_high = -adv, -adv_high, -adv_low
    fields.update(winner=winner, loser=loser, size=adv, low=adv_low, high=adv_high, confidence=confidence)
    return _entry(_key("WIN", tested), fields)


def verdict(
    name_a: str, name_b: str, diff: Mapping[str, Any], *, metric_label: str | None = None, points: bool = True
) -> str:
    """One English sentence judging run ``a`` against run ``b`` on one metric.

    Args:
        name_a: Name of the first run (the difference is ``a - b``).
        name_b: Name of the second run.
        diff: A result of :func:`engine.analysis.evidence.bootstrap.paired_difference`.
        metric_label: Display name of the metric; default from :func:`metric_display_name`, e.g. ``"R@1"``.
        points: Write rate differences in points (x 100); ``False`` writes raw fractions.

    Returns:
        A significant difference names the better run first with the size of its advantage and that
        advantage's interval, e.g. ``"clip beats joint on R@1 by 3.1 points, 95% CI 0.8–5.4"``. An
        insignificant one gives the signed difference ``a - b`` and says to treat the runs as tied.
    """
    return verdict_entry(name_a, name_b, diff, metric_label=metric_label, points=points)["verdict"]


def fine_tuning_verdict_entry(
    diff: Mapping[str, Any], *, direction: str | None = None, metric_label: str | None = None, points: bool = True
) -> dict[str, Any]:
    """What fine-tuning did to a metric, from a ``tuned - base`` paired difference, as stored.

    Returns:
        As :func:`verdict_entry`, with the key ``verdicts.TUNING_BETTER``, ``TUNING_WORSE`` or
        ``TUNING_TIE`` and no run names in the fields.
    """
    metric, estimate, low, high, significant, higher, confidence = _fields(diff)
    fields, tested = _label_fields(metric, direction, metric_label, points), _test_fields(diff)
    fields.update(tested)
    if not significant:
        fields.update(size=estimate, low=low, high=high, confidence=confidence)
        return _entry(_key("TUNING_TIE", tested), fields)
    adv, adv_low, adv_high = (estimate, low, high) if higher else (-estimate, -high, -low)
    key = _key("TUNING_BETTER" if adv > 0 else "TUNING_WORSE", tested)
    if adv < 0:
        adv, adv_low, adv_high = -adv, -adv_high, -adv_low
    fields.update(size=adv, low=adv_low, high=adv_high, confidence=confidence)
    return _entry(key, fields)


def fine_tuning_verdict(diff: Mapping[str, Any], *, metric_label: str | None = None, points: bool = True) -> str:
    """One English sentence on what fine-tuning did to a metric, from a ``tuned - base`` paired difference.

    Example: ``"fine-tuning improves R@1 by 3.1 points, 95% CI 0.8–5.4"``.
    """
    return fine_tuning_verdict_entry(diff, metric_label=metric_label, points=points)["verdict"]


def interval_text(metric: str, result: Mapping[str, Any], *, confidence: float = 0.95, points: bool = True) -> str:
    """A metric with its interval in the language in force, e.g. ``"R@1 62.3 (95% CI 60.1–64.5)"``.

    Args:
        metric: Metric key, e.g. ``"recall@1"``.
        result: ``{"estimate", "low", "high"}``, one entry of
            :func:`engine.analysis.evidence.bootstrap.bootstrap_metrics`.
        confidence: The interval's confidence level (stored next to the intervals).
        points: Write rates in points (x 100).
    """
    return t(
        "verdicts.INTERVAL", metric=metric_display_name(metric), value=_scaled(metric, float(result["estimate"]), points),
        ci=_ci(confidence), low=_scaled(metric, float(result["low"]), points),
        high=_scaled(metric, float(result["high"]), points),
    )
