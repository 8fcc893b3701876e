"""The go / extend / stop rule on constructed evidence."""

from __future__ import annotations

import pytest

from engine.i18n import override
from engine.roi import DecisionRule, RoiInputError, decide, render_reason


def evidence(**changes):
    base = {
        "k": 1,
        "delta": {"estimate": 0.08, "low": 0.03, "high": 0.13},
        "tuned": {"estimate": 0.88, "low": 0.83, "high": 0.92},
        "target_recall": 0.8,
        "p_npv_positive": 0.9,
        "break_even_reachable": True,
        "more_data": None,
    }
    base.update(changes)
    return base


NO_HELP = {"factor": 4.0, "recall": 0.6, "recall_high": 0.65, "clears_target": False, "clears_target_high": False,
           "npv_positive": False, "npv_positive_high": False}


def test_go_when_significant_target_cleared_and_npv_likely():
    out = decide(evidence())
    assert out["outcome"] == "go"
    assert [r["ok"] for r in out["reasons"][:3]] == [True, True, True]


def test_stop_when_poor_and_more_data_would_not_help():
    out = decide(evidence(p_npv_positive=0.05, tuned={"estimate": 0.55, "low": 0.5, "high": 0.6},
                          delta={"estimate": 0.0, "low": -0.04, "high": 0.04}, more_data=NO_HELP))
    assert out["outcome"] == "stop"
    assert {r["key"] for r in out["reasons"]} >= {"roi.REASON_NOT_SIGNIFICANT", "roi.REASON_TARGET_MISSED",
                                                  "roi.REASON_NPV_UNLIKELY", "roi.REASON_MORE_DATA_NO"}


def test_extend_when_the_evidence_is_uncertain():
    out = decide(evidence(p_npv_positive=0.5, delta={"estimate": 0.04, "low": -0.02, "high": 0.1}))
    assert out["outcome"] == "extend"


def test_no_stop_without_knowing_what_more_data_would_do():
    poor = evidence(p_npv_positive=0.05, tuned={"estimate": 0.55, "low": 0.5, "high": 0.6})
    assert decide(poor)["outcome"] == "extend"
    assert decide({**poor, "break_even_reachable": False})["outcome"] == "stop"  # even 100% recall would not pay
    optimistic_end = {**NO_HELP, "clears_target_high": True}
    assert decide({**poor, "more_data": optimistic_end})["outcome"] == "extend"


def test_go_needs_the_lower_bound_to_clear_the_target():
    unproven = evidence(tuned={"estimate": 0.85, "low": 0.75, "high": 0.92}, p_npv_positive=0.95)
    assert decide(unproven)["outcome"] == "extend"
    assert decide(unproven, DecisionRule(target_on_lower_bound=False))["outcome"] == "go"


def test_go_needs_significance_unless_the_rule_drops_it():
    flat = evidence(delta={"estimate": 0.02, "low": -0.01, "high": 0.05})
    assert decide(flat)["outcome"] == "extend"
    assert decide(flat, DecisionRule(require_significance=False))["outcome"] == "go"


def test_thresholds_are_editable_and_checked():
    assert decide(evidence(p_npv_positive=0.7), DecisionRule(go_min_p_npv=0.6))["outcome"] == "go"
    assert decide(evidence(p_npv_positive=0.7))["outcome"] == "extend"
    rule = DecisionRule(go_min_p_npv=0.9, stop_max_p_npv=0.1, more_data_factor=2)
    assert DecisionRule.from_dict(rule.to_dict()) == rule
    with pytest.raises(RoiInputError, match="stop threshold"):
        DecisionRule(go_min_p_npv=0.3, stop_max_p_npv=0.4)
    with pytest.raises(RoiInputError, match="go_min_p_npv"):
        DecisionRule(go_min_p_npv=1.5)
    with pytest.raises(RoiInputError, match="more_data_factor"):
        DecisionRule(more_data_factor=3)


def test_reasons_render_in_both_languages():
    out = decide(evidence(more_data=NO_HELP, p_npv_positive=0.5))
    english = [render_reason(r) for r in out["reasons"]]
    assert "+8.0 points" in english[0] and "83%" in english[1]
    with override("ja"):
        japanese = [render_reason(r) for r in out["reasons"]]
    assert all(any("\u3040" <= c <= "\u30ff" for c in text) for text in japanese)
    assert "{" not in "".join(english + japanese)
