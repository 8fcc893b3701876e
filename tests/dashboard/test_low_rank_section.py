"""Results page, Technical details → Low-rank: current fits draw; an old run's fit shows a notice, not numbers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
OLD = {"base": {"canonical_correlations": [0.93], "captured_dependence": [1.0], "rank_for_90": 53,
                "mutual_information_bits": 36.4},
       "tuned": {"canonical_correlations": [0.94], "captured_dependence": [1.0], "rank_for_90": 54,
                 "mutual_information_bits": 38.6}}


def _low_rank_page(monkeypatch, store: Path) -> AppTest:
    from dashboard import state

    monkeypatch.setenv("TILTPILOT_STORE", str(store))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/results.py").run()
    at.session_state[state.RESULT_SECTION] = "technical"
    at.session_state[state.RESULT_TECHNICAL] = "low_rank"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _titles(at: AppTest) -> list[str]:
    return [json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "") for c in at.get("plotly_chart")]


def test_current_fit_draws_and_says_what_is_withheld(monkeypatch, toy_comparison_store):
    at = _low_rank_page(monkeypatch, toy_comparison_store)
    titles = _titles(at)
    assert any(t.startswith("Canonical correlations") for t in titles)
    assert any("optimum" in t for t in titles)
    texts = " ".join(x.value for x in at.text)
    assert "fine-tuned:" in texts


def test_an_old_runs_fit_shows_a_notice_and_no_numbers(monkeypatch, toy_comparison_store, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(toy_comparison_store, store, ignore=shutil.ignore_patterns("model", "checkpoint"))
    for path in store.glob("*/analysis/low_rank.json"):
        path.write_text(json.dumps(OLD))
    at = _low_rank_page(monkeypatch, store)
    assert not any(t.startswith("Canonical correlations") for t in _titles(at))
    assert any("older version" in i.value for i in at.info)
    assert "36.4" not in " ".join(x.value for x in at.text)
