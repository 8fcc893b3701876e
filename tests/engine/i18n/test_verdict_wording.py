"""Verdicts stored with a key and fields, written in English and Japanese at read time."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.analysis.evidence.bootstrap import compare_runs, fine_tuning_effect
from engine.analysis.evidence.verdict import fine_tuning_verdict_entry, render_verdict, verdict_entry
from engine.i18n import override

SIGNIFICANT = {"metric": "recall@1", "estimate": 0.031, "low": 0.008, "high": 0.054, "confidence": 0.95,
               "significant": True}
TIED = {"metric": "mrr", "estimate": -0.0384, "low": -0.1025, "high": 0.0256, "confidence": 0.95, "significant": False}
RANKS = {"metric": "median_rank", "estimate": 2.0, "low": 0.5, "high": 3.5, "confidence": 0.9, "significant": True,
         "higher_is_better": False}


def test_stored_entry_keeps_english_and_adds_key_and_raw_numbers():
    entry = verdict_entry("clip", "joint", SIGNIFICANT, direction="left_to_right")
    assert entry["verdict"] == "clip beats joint on R@1 (left → right) by 3.1 points, 95% CI 0.8–5.4"
    assert entry["verdict_key"] == "verdicts.WIN"
    assert entry["verdict_fields"] == {"metric": "recall@1", "points": True, "direction": "left_to_right",
                                       "winner": "clip", "loser": "joint", "size": 0.031, "low": 0.008,
                                       "high": 0.054, "confidence": 0.95}
    assert json.loads(json.dumps(entry)) == entry


def test_japanese_verdicts_by_hand():
    win = verdict_entry("clip", "joint", SIGNIFICANT, direction="left_to_right")
    tie = verdict_entry("clip", "joint", TIED, direction="right_to_left")
    # Median rank: b (2 ranks lower) wins; the advantage is written positive.
    ranks = fine_tuning_verdict_entry(RANKS)
    with override("ja"):
        assert render_verdict(win) == "左 → 右のR@1ではclipがjointより3.1ポイント優れています（95%信頼区間：0.8～5.4）"
        assert render_verdict(tie) == (
            "右 → 左のMRRにおけるclipとjointの差（-3.8ポイント、95%信頼区間：-10.2～2.6）は有意ではありません。"
            "このテストセットでは同等とみなしてください"
        )
        assert render_verdict(ranks) == "ファインチューニングにより順位の中央値が2.0位分悪化しました（90%信頼区間：0.5～3.5）"
        assert render_verdict(win, direction_label="タイトル → 説明").startswith("タイトル → 説明のR@1では")
    assert render_verdict(ranks) == ranks["verdict"] == "fine-tuning worsens median rank by 2.0 ranks, 90% CI 0.5–3.5"


def test_old_entry_without_key_falls_back_to_stored_english():
    old = {"metric": "recall@1", "direction": "left_to_right", "verdict": "fine-tuning improves R@1 by 3.1 points"}
    with override("ja"):
        assert render_verdict(old) == "fine-tuning improves R@1 by 3.1 points"
        assert render_verdict({"verdict_key": "verdicts.NO_SUCH", "verdict_fields": {}, "verdict": "kept"}) == "kept"
        assert render_verdict({}) == ""


@pytest.fixture
def ranks():
    rng = np.random.default_rng(0)
    base = rng.integers(1, 6, size=60)
    tuned = np.maximum(1, base - rng.integers(0, 3, size=60))
    return {"base_left_to_right": base, "tuned_left_to_right": tuned,
            "base_right_to_left": base[::-1].copy(), "tuned_right_to_left": tuned[::-1].copy()}


def test_bootstrap_rows_carry_keys_and_render_back_to_their_english(ranks):
    rows = fine_tuning_effect(ranks, n_resamples=200)
    rows += compare_runs({"a": {k.split("_", 1)[1]: v for k, v in ranks.items() if k.startswith("tuned")},
                          "b": {k.split("_", 1)[1]: v for k, v in ranks.items() if k.startswith("base")}},
                         n_resamples=200)
    assert rows and all(row["verdict_key"].startswith("verdicts.") for row in rows)
    for row in rows:
        assert render_verdict(row) == row["verdict"]
        with override("ja"):
            japanese = render_verdict(row)
        assert japanese != row["verdict"] and ("左 → 右" in japanese or "右 → 左" in japanese)
