"""The pilot decision: go, extend the pilot, or stop, with the reasons in plain words.

The rule reads a plain evidence dict (so it can be tested on constructed cases) and asks four
questions, each answered by a reason:

1. Is the improvement over base significant (the paired 95% interval of ΔRecall@k excludes 0)?
2. Does the tuned Recall@k clear the target? For "go" the interval's *lower* bound must clear it.
3. What is P(NPV > 0) of fine-tuning (the increment over the free base model)?
4. Would more pairs likely change the answer (the learning curve's prediction at 4× the pairs)?

Outcome:

* **go** when 1 holds (unless the rule drops it), the target is cleared by the lower bound and
  P(NPV > 0) ≥ ``go_min_p_npv``;
* **stop** when the case is poor now (P(NPV > 0) ≤ ``stop_max_p_npv``, or even the upper bound of
  tuned Recall@k misses the target) *and* more data would not change it: the learning curve's
  optimistic end still neither clears the target nor turns NPV positive, or even a perfect
  Recall@k could not pay back within the horizon;
* **extend** otherwise, including whenever the evidence is too uncertain, or no learning curve
  says what more data would do. So the rule is never more confident than the intervals allow.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from engine.i18n import format as fmt
from engine.i18n import t
from engine.roi.inputs import RoiInputError

OUTCOMES: tuple[str, ...] = ("go", "extend", "stop")
# How render_reason writes each reason field: shares as percentages, differences in points.
_PERCENT = frozenset({"p", "threshold", "target", "estimate", "low", "high", "recall", "recall_high"})
_POINTS = frozenset({"delta", "delta_low", "delta_high", "gain", "gain_low", "gain_high"})
_COUNT = frozenset({"k", "pairs", "extra_pairs", "queries"})
_MONEY = frozenset({"npv", "npv_low", "npv_high", "worth", "cost", "net"})


@dataclass(frozen=True)
class DecisionRule:
    """The thresholds of :func:`decide`, visible and editable (pages show :meth:`to_dict`).

    Attributes:
        go_min_p_npv: "Go" needs P(NPV > 0) of fine-tuning at least this.
        stop_max_p_npv: At or below this P(NPV > 0) the case is poor now (stop if more data
            would not change it).
        require_significance: "Go" needs ΔRecall@k's interval to exclude 0.
        target_on_lower_bound: "Go" needs the interval's lower bound (not the point value) of
            tuned Recall@k to clear the target.
        more_data_factor: Which learning-curve prediction answers "would more pairs change it"
            (2 or 4 times the pairs).
    """

    go_min_p_npv: float = 0.8
    stop_max_p_npv: float = 0.2
    require_significance: bool = True
    target_on_lower_bound: bool = True
    more_data_factor: float = 4.0

    def __post_init__(self) -> None:
        for name in ("go_min_p_npv", "stop_max_p_npv"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                raise RoiInputError(t("roi.ERROR_RULE_SHARE", field=name, got=repr(value)[:40]), field=name)
        if self.stop_max_p_npv >= self.go_min_p_npv:
            raise RoiInputError(t("roi.ERROR_RULE_ORDER", stop=self.stop_max_p_npv, go=self.go_min_p_npv),
                                field="stop_max_p_npv")
        if self.more_data_factor not in (2.0, 4.0):
            raise RoiInputError(t("roi.ERROR_RULE_FACTOR", got=repr(self.more_data_factor)[:40]), field="more_data_factor")

    @staticmethod
    def field_names() -> tuple[str, ...]:
        """The editable thresholds; label ``roi.RULE_<NAME>`` and help ``roi.RULE_HELP_<NAME>``."""
        return tuple(f.name for f in fields(DecisionRule))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> DecisionRule:
        """From :meth:`to_dict`'s shape; missing keys take the defaults.

        Raises:
            RoiInputError: An unknown key or a threshold out of range.
        """
        data = dict(data or {})
        unknown = sorted(set(data) - set(cls.field_names()))
        if unknown:
            raise RoiInputError(t("roi.ERROR_UNKNOWN_FIELD", field=unknown[0], allowed=", ".join(cls.field_names())),
                                field=unknown[0])
        if "more_data_factor" in data:
            data["more_data_factor"] = float(data["more_data_factor"])
        return cls(**data)


def _reason(key: str, ok: bool, **fields_: Any) -> dict[str, Any]:
    return {"key": f"roi.{key}", "fields": fields_, "ok": bool(ok)}


def _significance(delta: dict[str, Any], k: int) -> tuple[bool, dict[str, Any]]:
    values = {"delta": delta["estimate"], "delta_low": delta["low"], "delta_high": delta["high"], "k": k}
    if delta["low"] > 0:
        return True, _reason("REASON_SIGNIFICANT", True, **values)
    if delta["high"] < 0:
        return False, _reason("REASON_WORSE", False, **values)
    return False, _reason("REASON_NOT_SIGNIFICANT", False, **values)


def _target(tuned: dict[str, Any], target: float, k: int, lower_bound: bool) -> tuple[bool, bool, dict[str, Any]]:
    """(cleared for go, clearly missed, reason)."""
    values = {"target": target, "estimate": tuned["estimate"], "low": tuned["low"], "high": tuned["high"], "k": k}
    if tuned["low"] >= target:
        return True, False, _reason("REASON_TARGET_MET", True, **values)
    if tuned["high"] < target:
        return False, True, _reason("REASON_TARGET_MISSED", False, **values)
    if tuned["estimate"] >= target:
        return not lower_bound, False, _reason("REASON_TARGET_UNPROVEN", not lower_bound, **values)
    return False, False, _reason("REASON_TARGET_BELOW", False, **values)


def _npv(p: float, rule: DecisionRule) -> dict[str, Any]:
    if p >= rule.go_min_p_npv:
        return _reason("REASON_NPV_LIKELY", True, p=p, threshold=rule.go_min_p_npv)
    if p <= rule.stop_max_p_npv:
        return _reason("REASON_NPV_UNLIKELY", False, p=p, threshold=rule.stop_max_p_npv)
    return _reason("REASON_NPV_UNCERTAIN", False, p=p, low=rule.stop_max_p_npv, high=rule.go_min_p_npv)


def _more_data(more: dict[str, Any] | None, target: float, k: int) -> tuple[bool | None, dict[str, Any]]:
    """(could more data change the answer: True/False/None for unknown, reason)."""
    if not more:
        return None, _reason("REASON_MORE_DATA_UNKNOWN", False)
    values = {"factor": more.get("factor", 4.0), "recall": more.get("recall"), "recall_high": more.get("recall_high"),
              "target": target, "k": k}
    if more.get("clears_target") or more.get("npv_positive"):
        return True, _reason("REASON_MORE_DATA_LIKELY", True, **values)
    if more.get("clears_target_high") or more.get("npv_positive_high"):
        return True, _reason("REASON_MORE_DATA_POSSIBLE", True, **values)
    return False, _reason("REASON_MORE_DATA_NO", False, **values)


def decide(evidence: dict[str, Any], rule: DecisionRule | None = None) -> dict[str, Any]:
    """Go, extend or stop, from plain evidence (see the module docstring for the rule).

    Args:
        evidence: ``k``; ``delta`` and ``tuned`` (``{"estimate", "low", "high"}`` of ΔRecall@k
            and tuned Recall@k); ``target_recall``; ``p_npv_positive`` (fine-tuning's increment
            over base); optional ``break_even_reachable`` (False when even Recall@k = 100%
            cannot pay back within the horizon); optional ``more_data``: None (no learning
            curve) or ``{"factor", "recall", "recall_high", "clears_target", "clears_target_high",
            "npv_positive", "npv_positive_high"}`` (central and optimistic reading of the prediction).
        rule: The thresholds (default :class:`DecisionRule`).

    Returns:
        ``{"outcome": "go"|"extend"|"stop", "reasons": [{"key", "fields", "ok"}, ...]}``, with
        one reason per question (plus one when break-even is out of reach); render each with
        :func:`render_reason`.
    """
    rule = rule or DecisionRule()
    k, target = int(evidence.get("k", 1)), float(evidence["target_recall"])
    significant, sig_reason = _significance(evidence["delta"], k)
    cleared, missed, target_reason = _target(evidence["tuned"], target, k, rule.target_on_lower_bound)
    p = float(evidence["p_npv_positive"])
    could_change, data_reason = _more_data(evidence.get("more_data"), target, k)
    reasons = [sig_reason, target_reason, _npv(p, rule), data_reason]
    unreachable = evidence.get("break_even_reachable") is False
    if unreachable:
        reasons.append(_reason("REASON_BREAK_EVEN_UNREACHABLE", False))
    if (significant or not rule.require_significance) and cleared and p >= rule.go_min_p_npv:
        outcome = "go"
    elif (p <= rule.stop_max_p_npv or missed) and (unreachable or could_change is False):
        outcome = "stop"
    else:
        outcome = "extend"
    return {"outcome": outcome, "reasons": reasons}


def _format_field(name: str, value: Any, currency: str) -> str:
    if value is None:
        return fmt.MISSING
    if name in _PERCENT:
        return fmt.percent(value, 0)
    if name in _POINTS:
        return fmt.points(value, 1)
    if name in _COUNT:
        return fmt.number(value, 0)
    if name in _MONEY:
        return fmt.money(value, currency)
    if name == "factor":
        return fmt.number(value, 0)
    return str(value)


def render_reason(reason: dict[str, Any], currency: str = "JPY") -> str:
    """A reason (or a note) ``{"key", "fields"}`` as a sentence in the language in force.

    Shares are written as percentages, differences as signed percentage points, money in
    ``currency``, with the locale's number format.
    """
    fields_ = {name: _format_field(name, value, currency) for name, value in (reason.get("fields") or {}).items()}
    return t(reason["key"], **fields_)


def outcome_label(outcome: str) -> str:
    """"Go" / "Extend the pilot" / "Stop" in the language in force."""
    return t(f"roi.OUTCOME_{outcome.upper()}")
