"""Audit findings stored with a key and fields, written in English and Japanese at read time."""

from __future__ import annotations

import json

from engine.data import ColumnMap, PairDataset, audit
from engine.data.audit_report import make_finding, render_finding, render_headline, render_summary
from engine.i18n import override


def _report():
    # Rows 1 and 2 share a left text across groups (with different partners); row 3 has a two-word left text.
    data = PairDataset(
        left=["red ceramic mug", "red ceramic mug", "oak desk"],
        right=["a cup for tea", "a mug for coffee", "a sturdy desk"],
        group=["A", "B", "C"],
        row=[1, 2, 3],
        columns=ColumnMap(left="title", right="description", group="sku"),
    )
    return json.loads(json.dumps(audit(data).to_dict()))


def test_stored_finding_keeps_english_and_adds_key_and_raw_fields():
    finding = next(f for f in _report()["findings"] if f["code"] == "duplicate_left")
    assert finding["message"] == (
        "2 rows share their exact left text ('title') with a row of another group (1 distinct texts).")
    assert finding["advice"].startswith("Inside a training batch every other row is treated as a wrong match")
    assert finding["key"] == "audit.DUPLICATE_TEXT"
    assert finding["fields"] == {"role": "left", "column": "title", "texts": 1}
    assert render_finding(finding) == (finding["message"], finding["advice"])


def test_japanese_finding_by_hand():
    finding = make_finding("near_leak_right", "warning", "audit.NEAR_LEAK", rows=[4, 9], count=2, role="right",
                           threshold=0.9).to_dict()
    assert finding["message"] == (
        "2 test rows have a right text nearly identical (3-gram Jaccard >= 0.9) to a training text.")
    with override("ja"):
        message, advice = render_finding(finding)
    assert message == "テスト用の2行で、右側のテキストが学習データのテキストとほぼ同一です（3-gramのJaccard係数が0.9以上）。"
    assert advice == (
        "この状態では、テスト指標の一部が学習データの記憶を測ることになり、新しいデータでの実力より良く見えてしまいます。"
        "ほぼ同一の品目には同じグループを付け、分割で同じ側に入るようにしてください。"
    )


def test_old_finding_without_key_falls_back_to_stored_english():
    old = {"code": "x", "severity": "info", "message": "Old message.", "advice": "Old advice.", "rows": [], "count": 0}
    with override("ja"):
        assert render_finding(old) == ("Old message.", "Old advice.")
        assert render_finding({**old, "key": "audit.NO_SUCH", "fields": {}}) == ("Old message.", "Old advice.")


def test_headline_and_summary_in_both_languages():
    report = _report()
    assert render_headline(report) == "3 pairs in 3 groups: 0 errors, 2 warnings, 1 note"
    with override("ja"):
        assert render_headline(report) == "3組（3グループ）：エラー0件、警告2件、参考1件"
        summary = render_summary(report)
    assert "[警告] 2行で、左側のテキスト（列「title」）が別グループの行と完全に一致しています" in summary
    assert "（例：1, 2行目）" in summary
