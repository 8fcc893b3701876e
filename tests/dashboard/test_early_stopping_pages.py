"""Early stopping on the pages: the Train page's switch turns the epochs input into a cap, and the
Results page's training section says which epoch each run kept and why."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import csv_bytes, toy_rows
from streamlit.testing.v1 import AppTest

from dashboard import state
from dashboard.notices import plain
from engine.chosen_epoch import chosen_epoch_text
from engine.i18n import t

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def _page(monkeypatch, store: Path, view: str) -> AppTest:
    monkeypatch.setenv("TILTPILOT_STORE", str(store))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(view).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_switch_makes_epochs_a_cap_and_reaches_the_spec(monkeypatch, tmp_path):
    import engine.jobs
    from engine.datasets import store_upload

    store = tmp_path / "s"
    store_upload(store, "pairs.csv", csv_bytes(toy_rows(40)))
    submitted = []
    monkeypatch.setattr(engine.jobs, "submit_job", lambda root, spec: submitted.append(spec) or "job-1")
    at = _page(monkeypatch, store, "views/train.py")
    epochs = at.number_input(key=state.TRAIN_EPOCHS)
    assert at.checkbox(key=state.TRAIN_EARLY_STOPPING).value is True
    assert (epochs.label, epochs.value) == (t("early_stopping.PAGE_MAX_EPOCHS"), 10)
    at.number_input(key=state.TRAIN_EPOCHS).set_value(4).run()
    at.checkbox(key=state.TRAIN_EARLY_STOPPING).uncheck().run()
    epochs = at.number_input(key=state.TRAIN_EPOCHS)
    assert (epochs.label, epochs.value) == (t("dashboard.TRAIN_EPOCHS"), 4)  # the value survives the new label
    at.button(key=state.TRAIN_START).click().run()
    assert not at.exception
    assert (submitted[0]["early_stopping"], submitted[0]["epochs"]) == (False, 4)


def test_results_say_which_epoch_each_run_kept(monkeypatch, tmp_path, toy_comparison_store):
    store = tmp_path / "store"
    shutil.copytree(toy_comparison_store, store)
    story = {"early_stopping": True, "max_epochs": 10, "patience": 2, "epochs_run": 5, "best_epoch": 3,
             "stopped_because": "patience", "train_groups": 64, "trained_pairs": 44,
             "validation": {"pairs": 20, "groups": 20, "metric": "mrr",
                            "curve": [{"epoch": e, "mrr": m, "recall@1": m} for e, m in
                                      enumerate([0.5, 0.6, 0.7, 0.65, 0.6], start=1)]}}
    for metrics_file in store.glob("*/metrics.json"):
        metrics = json.loads(metrics_file.read_text())
        metrics["train"].update(story)
        metrics_file.write_text(json.dumps(metrics))
    at = _page(monkeypatch, store, "views/results.py")
    at.session_state[state.RESULT_SECTION] = "technical"
    at.session_state[state.RESULT_TECHNICAL] = "training"
    at.run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    sentence = chosen_epoch_text(story)
    assert "Kept epoch 3 of at most 10" in sentence
    assert sum(plain(sentence) in c for c in captions) == 2  # one line per run
