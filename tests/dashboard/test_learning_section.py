"""AppTest: the Results page's learning-curve section says what its intervals cover."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest

from engine.i18n import override

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def _curve(seeds: int | None) -> dict:
    def point(n: int, values: list[float]) -> dict:
        mean = sum(values) / len(values)
        stat = {"estimate": mean, "low": mean - 0.2, "high": mean + 0.2, "seed_values": values}
        return {"train_pairs": n, "metrics": {d: {"recall@1": stat} for d in ("left_to_right", "right_to_left")}}

    curve = {"points": [point(10, [0.4, 0.5, 0.6]), point(20, [0.5, 0.6, 0.7]), point(40, [0.6, 0.7, 0.8])],
             "fit": {}, "predictions": {}}
    return curve if seeds is None else {**curve, "seeds": seeds}


def _learning_texts(monkeypatch, store: Path) -> list[str]:
    from dashboard import state

    monkeypatch.setenv("TILTPILOT_STORE", str(store))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/results.py").run()
    at.session_state[state.RESULT_SECTION] = "learning"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return [c.value for c in at.caption]


def test_learning_section_says_what_the_interval_covers(monkeypatch, tmp_path, toy_comparison_store):
    from engine import charts

    store = tmp_path / "store"
    shutil.copytree(toy_comparison_store, store)
    (store / "learning_curve.json").write_text(json.dumps(_curve(3)))
    with override("en"):
        note = charts.learning_interval_note(_curve(3))
    assert note in _learning_texts(monkeypatch, store)
    (store / "learning_curve.json").write_text(json.dumps(_curve(None)))  # a version-1 file: test pairs only
    with override("en"):
        old_note = charts.learning_interval_note(_curve(None))
    assert old_note in _learning_texts(monkeypatch, store) and "stored before" in old_note
