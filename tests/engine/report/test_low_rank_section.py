"""The report's low-rank section: current fits in words and charts, an old run's fit withheld behind a notice."""

from __future__ import annotations

import json
import shutil

from engine.i18n import override, t
from engine.report.assemble import assemble
from engine.report.source import load_source


def _low_rank_section(store):
    return next(s for s in assemble(load_source(store)).sections if s.id == "low_rank")


def test_current_fit_has_charts_words_and_the_method(report_store):
    section = _low_rank_section(report_store)
    assert section.empty is None or section.empty == ""
    assert {c.key for c in section.charts} >= {"spectrum", "captured", "learned_vs_optimal"}
    stored = json.loads(next(report_store.glob("*/analysis/low_rank.json")).read_text())
    assert stored["method"] and stored["tuned"]["withheld"]
    assert any("half-samples" in b or "too few" in b.lower() or "at least" in b for b in section.bullets)


def test_an_old_runs_fit_is_not_printed(report_store, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(report_store, store, ignore=shutil.ignore_patterns("model", "checkpoint"))
    old = {"base": {"canonical_correlations": [0.93], "captured_dependence": [1.0], "rank_for_90": 53,
                    "mutual_information_bits": 36.4},
           "tuned": {"canonical_correlations": [0.94], "captured_dependence": [1.0], "rank_for_90": 54,
                     "mutual_information_bits": 38.6}}
    for path in store.glob("*/analysis/low_rank.json"):
        path.write_text(json.dumps(old))
    section = _low_rank_section(store)
    assert section.empty == t("analysis.LOW_RANK_OLD_FIT") and not section.charts
    with override("ja"):
        assert "旧版" in _low_rank_section(store).empty
