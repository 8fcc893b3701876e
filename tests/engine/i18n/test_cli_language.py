"""The CLI's human-readable output in the language of --lang; --json and English output unchanged."""

from __future__ import annotations

import json

import pytest
from conftest import toy_rows, write_csv

from engine.analysis.evidence.power_law import pairs_needed, render_fit_warnings, render_pairs_needed
from engine.cli import main
from engine.compare import format_table
from engine.console_text import display_width
from engine.i18n import get_language, override


@pytest.fixture
def duplicated_csv(tmp_path):
    rows = toy_rows(40)
    rows.append({**rows[0], "product_id": "P9999"})  # the same pair again, in another group
    return write_csv(tmp_path / "dup.csv", rows)


def test_audit_prints_japanese_with_lang_ja(capsys, toy_csv):
    assert main(["--lang", "ja", "audit", str(toy_csv)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("80組、80グループ。列の割り当て：")
    assert get_language() == "en"  # the CLI's language does not leak into the caller's context


def test_audit_findings_in_japanese_and_english(capsys, duplicated_csv):
    assert main(["audit", str(duplicated_csv), "--lang", "ja"]) == 0  # --lang after the subcommand too
    ja = capsys.readouterr().out
    assert "[警告] 2行が、複数回現れる（左側, 右側）の組を繰り返しています（異なる組は1種類）。" in ja
    assert "    → 重複している行を削除してください。" in ja
    assert main(["audit", str(duplicated_csv)]) == 0
    en = capsys.readouterr().out.splitlines()
    assert en[0] == ("41 pairs, 41 groups; columns {'left': 'title', 'right': 'description', 'group': 'product_id', "
                     "'label': 'category'}")
    assert "[warning] 2 rows repeat a (left, right) pair that occurs more than once (1 distinct pairs)." in en
    assert ("    → Remove the repeated rows: they add no information and, in different groups, teach contradictory "
            "matches.") in en


def test_json_keys_stay_english_and_env_sets_the_default(capsys, toy_csv, monkeypatch):
    monkeypatch.setenv("TILTPILOT_LANG", "ja")
    assert main(["audit", str(toy_csv)]) == 0
    assert capsys.readouterr().out.startswith("80組")
    assert main(["--lang", "en", "audit", str(toy_csv)]) == 0
    assert capsys.readouterr().out.startswith("80 pairs, 80 groups")
    assert main(["--lang", "ja", "audit", str(toy_csv), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == 80


def test_errors_are_prefixed_in_the_language(capsys, tmp_path):
    assert main(["--lang", "ja", "audit", str(tmp_path / "missing.csv")]) == 2
    assert capsys.readouterr().err.startswith("エラー：")


def test_unknown_language_is_refused(capsys, toy_csv):
    with pytest.raises(SystemExit):
        main(["--lang", "fr", "audit", str(toy_csv)])
    assert "invalid choice: 'fr'" in capsys.readouterr().err


def _metrics(r1: float) -> dict:
    return {"recall@1": r1, "recall@5": 0.9, "recall@10": 0.95, "mrr": 0.8, "median_rank": 1.0}


def test_comparison_table_headers_in_both_languages_line_up():
    comparison = {"runs": [{"loss": "clip", "tilt": "cosine",
                            "base": {d: _metrics(0.5) for d in ("left_to_right", "right_to_left")},
                            "tuned": {d: _metrics(0.625) for d in ("left_to_right", "right_to_left")}}]}
    english = format_table(comparison).splitlines()
    assert english[0] == (f"{'loss':<18}{'tilt':<8}{'direction':<15}{'R@1':>15}{'R@5':>15}{'R@10':>15}{'MRR':>15}"
                          f"{'med.rank':>10}")
    assert english[2] == ("clip              cosine  left_to_right      0.500→0.625    0.900→0.900    0.950→0.950"
                          "    0.800→0.800   1→1   ")
    with override("ja"):
        japanese = format_table(comparison).splitlines()
    assert japanese[0].startswith("損失関数") and "左→右" in japanese[2]
    assert display_width(japanese[0]) == display_width(english[0]) == len(japanese[1])
    assert display_width(japanese[2]) == len(english[2])


def _fit() -> dict:
    # A fit whose ceiling a=0.9 is above the target; n* = (b / (a - target))^(1/c) = (0.5 / 0.1)^2 = 25.
    return {"params": {"a": {"estimate": 0.9}, "b": {"estimate": 0.5}, "c": {"estimate": 0.5}}, "n": [2, 5],
            "uncertainty": {"confidence": 0.95}, "bootstrap_params": None}


def test_pairs_needed_message_in_both_languages_and_old_fallback():
    needed = pairs_needed(_fit(), 0.8)
    assert needed["estimate"] == pytest.approx(25.0)
    assert needed["message"] == (
        "About 25 training pairs to reach 0.800 (no interval: the fit had no bootstrap). This is far beyond the "
        "measured range, so treat it as an order of magnitude.") == render_pairs_needed(needed)
    with override("ja"):
        assert render_pairs_needed(needed) == (
            "目標の0.800に達するには、学習用ペアが約25組必要です（ブートストラップを行っていないため、区間はありません）。"
            "測定した範囲を大きく超える外挿のため、桁の目安として扱ってください。")
        old = {k: v for k, v in needed.items() if k not in ("message_key", "message_fields")}
        assert render_pairs_needed(old) == needed["message"]
        assert render_fit_warnings({"warnings": ["Old warning."]}) == ["Old warning."]
