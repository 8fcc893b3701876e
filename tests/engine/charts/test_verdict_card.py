"""The verdict card on constructed evidence: outcome, wording, numbers, both languages; its loader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.charts import strings
from engine.charts.sides import columns_of, direction_text, side_names
from engine.charts.verdict_card import (
    best_row,
    build_verdict_card,
    evidence_outcome,
    pairs_to_prove,
    round_up_pairs,
)
from engine.charts.verdict_evidence import load_verdict_evidence
from engine.errors import DataError
from engine.i18n import override

COLUMNS = {"left": "title", "right": "description"}


def _metrics(r1: float, n: int = 78) -> dict:
    one = {"recall@1": r1, "recall@5": 0.9, "mrr": 0.8, "median_rank": 1.0, "n_queries": n}
    return {"left_to_right": one, "right_to_left": {**one, "recall@1": r1 - 0.02}}


def _row(run_id: str, loss: str, base: float, tuned: float) -> dict:
    return {"run_id": run_id, "loss": loss, "tilt": "cosine", "base": _metrics(base), "tuned": _metrics(tuned)}


def _effect(estimate: float, low: float, high: float, significant: bool, n: int = 78) -> dict:
    return {"direction": "left_to_right", "metric": "recall@1", "estimate": estimate, "low": low, "high": high,
            "significant": significant, "n_queries": n}


def _evidence(effect: dict | None, *, base: float = 0.78, tuned: float = 0.82, test: int = 78, train: int = 310,
              audit: dict | None = None, curve: dict | None = None) -> dict:
    rows = [_row("r-joint", "joint", base, tuned - 0.03), _row("r-clip", "clip", base, tuned)]
    uncertainty = {"r-clip": {"fine_tuning": [effect]} if effect else None, "r-joint": None}
    return {"rows": rows, "uncertainty": uncertainty, "columns": COLUMNS, "pairs": {"train": train, "test": test},
            "audit": audit, "learning_curve": curve}


def test_extend_when_the_gain_is_not_yet_proven():
    # half-width (0.10 - (-0.02)) / 2 = 6 points; pairs: 78 x (0.06 / 0.04)^2 = 175.5 test pairs,
    # at the test share 78 / 388 that is 175.5 x 388 / 78 = 873 pairs, rounded up to 880.
    card = build_verdict_card(_evidence(_effect(0.04, -0.02, 0.10, False)))
    assert (card.outcome, card.light, card.headline, card.basis) == ("extend", "amber", "Extend the pilot", "evidence")
    assert card.run_id == "r-clip" and card.pairs_needed == 880
    assert card.sentence == ("title → description: the right item comes first 78% → 82% of the time; not yet proven "
                             "(±6 points on 78 test pairs); next: about 880 pairs")
    assert "about 880 pairs in all (now 388)" in card.next_step


def test_go_when_the_gain_is_significant():
    card = build_verdict_card(_evidence(_effect(0.10, 0.05, 0.15, True), base=0.60, tuned=0.70))
    assert (card.outcome, card.light, card.headline) == ("go", "green", "Go")
    assert card.sentence == ("title → description: the right item comes first 60% → 70% of the time; a real improvement "
                             "(±5 points on 78 test pairs); next: check the return on the ROI page")
    assert card.pairs_needed is None


@pytest.mark.parametrize("effect", [_effect(-0.06, -0.10, -0.02, True), _effect(-0.03, -0.07, 0.0, False)],
                         ids=["significantly-worse", "no-gain-even-at-best"])
def test_stop_when_fine_tuning_does_not_help(effect):
    card = build_verdict_card(_evidence(effect, base=0.80, tuned=0.74))
    assert (card.outcome, card.light, card.headline) == ("stop", "red", "Stop")
    assert card.sentence.endswith("next: keep the base model")
    assert ("worse than the base model" in card.sentence) == effect["significant"]


def test_without_stored_intervals_the_card_says_so():
    card = build_verdict_card(_evidence(None))
    assert card.outcome == "extend" and "±" not in card.sentence
    assert card.sentence == ("title → description: the right item comes first 78% → 82% of the time; not yet checked "
                             "against chance (78 test pairs); next: train again with analysis on")


def test_japanese_card_keeps_the_column_names_and_numbers():
    with override("ja"):
        card = build_verdict_card(_evidence(_effect(0.04, -0.02, 0.10, False)))
    assert card.headline == "パイロット延長"
    assert card.sentence.startswith("title → description：")
    assert "78% → 82%" in card.sentence and "±6 ポイント" in card.sentence and "約 880 組" in card.sentence
    assert " " not in card.next_step.split("。")[-1][:1]  # sentences joined without a space


def test_other_direction_and_the_users_column_names():
    card = build_verdict_card(_evidence(_effect(0.04, -0.02, 0.10, False)), direction="right_to_left")
    assert card.sentence.startswith("description → title: the right item comes first 76% → 80%")
    assert card.sentence.endswith("next: train again with analysis on")  # no effect stored for this direction


def test_roi_decision_sets_the_light_and_gives_reasons(monkeypatch):
    monkeypatch.setattr("engine.roi.render_reason", lambda reason: f"reason {reason['key']}")
    decision = {"outcome": "go", "reasons": [{"key": "a", "fields": {}, "ok": True}]}
    card = build_verdict_card(_evidence(_effect(0.10, 0.05, 0.15, True)), decision=decision)
    assert (card.basis, card.light, card.reasons) == ("roi", "green", ("reason a",))
    assert card.sentence.endswith("next: take the report to the meeting")
    proven_but_unclear = build_verdict_card(_evidence(_effect(0.10, 0.05, 0.15, True)),
                                            decision={"outcome": "extend", "reasons": []})
    assert proven_but_unclear.light == "amber" and "ROI page" in proven_but_unclear.sentence
    money_says_stop = build_verdict_card(_evidence(_effect(0.10, 0.05, 0.15, True)),
                                         decision={"outcome": "stop", "reasons": []})
    assert money_says_stop.light == "red" and money_says_stop.next_step.startswith("Under these business inputs")


def test_sample_size_and_leakage_warnings():
    audit = {"leakage": {"groups": {"test_rows": 1}, "left": {"exact_rows": 0, "near_rows": 2},
                         "right": {"exact_rows": 0, "near_rows": 0}}}
    small = build_verdict_card(_evidence(_effect(0.04, -0.02, 0.10, False), audit=audit))
    assert small.warnings[0].startswith("Only 78 test pairs") and small.warnings[1].startswith("3 test pairs")
    large = build_verdict_card(_evidence(_effect(0.04, -0.02, 0.10, False), test=120))
    assert large.warnings == ()


def test_learning_curve_forecast_joins_the_next_step():
    curve = {"predictions": {"left_to_right": [{"factor": 2.0, "n": 620.0, "estimate": 0.83, "low": 0.73,
                                                "high": 0.90}]}}
    card = build_verdict_card(_evidence(_effect(0.04, -0.02, 0.10, False), curve=curve))
    assert card.next_step.endswith("a Recall@1 of 83% at 620 training pairs (95% interval 73%–90%).")


def test_rules_and_rounding_on_hand_cases():
    assert [round_up_pairs(n) for n in (5, 95, 100, 101, 873, 1077, 12_345)] == [5, 95, 100, 110, 880, 1100, 13_000]
    assert evidence_outcome(None) == "extend"
    assert pairs_to_prove(_effect(0.10, 0.05, 0.15, True), {"train": 10, "test": 10}) is None  # already proven
    assert pairs_to_prove(_effect(-0.01, -0.05, 0.03, False), {"train": 10, "test": 10}) is None  # nothing to prove
    # 100 test pairs, half-width 0.04 against a gain of 0.02: 4x the test pairs, 400 of 500 pairs at a 20% share -> 2,000.
    assert pairs_to_prove(_effect(0.02, -0.02, 0.06, False), {"train": 400, "test": 100}) == 2000
    rows = [_row("a", "clip", 0.5, 0.7), _row("b", "joint", 0.5, 0.7)]
    assert best_row(rows)["run_id"] == "a"  # the first of ties
    with pytest.raises(DataError, match="no finished runs"):
        best_row([])


def test_direction_labels_follow_the_column_names_in_force():
    generic = strings.DIRECTION_LABELS["left_to_right"]
    with side_names({"left": "<b>title</b>", "right": "Q&A"}):
        labels = strings.DIRECTION_LABELS
    assert labels == {"left_to_right": "&lt;b&gt;title&lt;/b&gt; → Q&amp;A", "right_to_left": "Q&amp;A → &lt;b&gt;title&lt;/b&gt;"}
    assert strings.DIRECTION_LABELS["left_to_right"] == generic == "left → right"
    assert direction_text("right_to_left", COLUMNS) == "description → title"
    assert columns_of({"data": {"columns_resolved": {"left": "t", "right": "d", "group": None}}}) == {"left": "t", "right": "d"}
    assert columns_of({}) is None


def _write(path: Path, value: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value), encoding="utf-8")


def test_loader_reads_the_stored_evidence(tmp_path):
    row = _row("r1", "clip", 0.5, 0.6)
    _write(tmp_path / "comparison.json", {"runs": [row], "data": "pairs.csv"})
    _write(tmp_path / "r1" / "config.json", {"data": {"path": "pairs.csv", "columns_resolved": COLUMNS},
                                             "loss": {"name": "clip", "tilt": "cosine"}})
    _write(tmp_path / "r1" / "metrics.json", {"base": row["base"], "tuned": row["tuned"], "pairs": {"train": 8, "test": 2}})
    _write(tmp_path / "r1" / "analysis" / "uncertainty.json", {"fine_tuning": [_effect(0.1, 0.0, 0.2, False)]})
    _write(tmp_path / "r1" / "audit.json", {"leakage": {}})
    _write(tmp_path / "learning_curve.json", {"data": "other.csv", "predictions": {}})
    evidence = load_verdict_evidence(tmp_path)
    assert [r["run_id"] for r in evidence["rows"]] == ["r1"] and evidence["columns"] == COLUMNS
    assert evidence["pairs"] == {"train": 8, "test": 2} and evidence["audit"] == {"leakage": {}}
    assert evidence["learning_curve"] is None  # another dataset's curve says nothing about this one
    assert evidence["uncertainty"]["r1"]["fine_tuning"][0]["estimate"] == 0.1
    single = load_verdict_evidence(tmp_path, ["r1"])
    assert single["rows"][0]["tuned"] == row["tuned"]
    assert load_verdict_evidence(tmp_path / "empty")["rows"] == []
