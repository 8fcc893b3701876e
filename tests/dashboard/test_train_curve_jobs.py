"""AppTest: the Train page queues a learning curve, names datasets on job cards, and asks before repeating a job."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pytest
from conftest import toy_rows
from streamlit.testing.v1 import AppTest

from dashboard import state
from dashboard.notices import plain
from engine.i18n import message, t
from engine.models.packaged import MINILM  # preselected for the English toy pairs

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def _csv_bytes(rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.fixture
def store(tmp_path):
    from engine.datasets import store_upload

    root = tmp_path / "s"
    store_upload(root, "pilot pairs.csv", _csv_bytes(toy_rows(40)))
    return root


@pytest.fixture
def submitted(monkeypatch):
    import engine.jobs

    calls = []
    monkeypatch.setattr(engine.jobs, "submit_job", lambda root, spec: calls.append(spec) or "job-1")
    return calls


def _train(monkeypatch, store: Path) -> AppTest:
    monkeypatch.setenv("TILTPILOT_STORE", str(store))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/train.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_learning_curve_button_queues_its_own_spec(monkeypatch, store, submitted):
    from engine.datasets import list_datasets
    from engine.jobs import LEARNING_CURVE_DEFAULTS, normalise_spec

    at = _train(monkeypatch, store)
    assert at.multiselect(key=state.CURVE_FRACTIONS).value == LEARNING_CURVE_DEFAULTS["fractions"]
    assert at.selectbox(key=state.CURVE_LOSS).value == LEARNING_CURVE_DEFAULTS["loss"]
    assert at.number_input(key=state.CURVE_SEEDS).value == LEARNING_CURVE_DEFAULTS["seeds"] == 3
    at.selectbox(key=state.CURVE_LOSS).select("joint")
    at.multiselect(key=state.CURVE_FRACTIONS).set_value([1.0, 0.25, 0.5])
    at.number_input(key=state.CURVE_TARGET).set_value(70.0)
    at.button(key=state.CURVE_START).click().run()
    assert not at.exception and not at.error
    [entry] = list_datasets(store)
    assert submitted == [{"kind": "learning_curve", "data": str(entry.path), "columns": entry.mapping,
                          "temperature": None, "epochs": 10, "early_stopping": True, "batch_size": 32, "seed": 0,
                          "max_rows": None,
                          "model": MINILM, "gallery": "test", "loss": "joint", "fractions": [0.25, 0.5, 1.0], "target_recall": 0.7,
                          "seeds": LEARNING_CURVE_DEFAULTS["seeds"]}]
    assert normalise_spec(submitted[0])["kind"] == "learning_curve"  # a valid request of the new kind
    assert at.success[0].value == t("train_page.CURVE_STARTED", job_id="job-1")


def _done_job(store: Path, spec: dict, *, result: dict, job_id: str = "20260101-000000-000001-abcd") -> dict:
    """A finished comparison job on disk, as the worker leaves it."""
    from engine.jobs import normalise_spec
    from engine.jobs.queue import job_path, result_path
    from engine.runs import atomic_write_json

    full = normalise_spec(spec)
    atomic_write_json(result_path(store, job_id), result)
    job = {"job_id": job_id, "kind": full["kind"], "state": "done", "spec": full, "device_key": "auto",
           "created": time.time() - 3600, "started": 1.0, "finished": 2.0, "pid": None, "progress": None,
           "run_ids": ["run-a"], "error": None, "result": str(result_path(store, job_id)),
           "current": str(store / "comparison.json")}
    atomic_write_json(job_path(store, job_id), job)
    return job


def _page_spec(store: Path) -> dict:
    from engine.datasets import list_datasets

    [entry] = list_datasets(store)
    return {"data": str(entry.path), "columns": entry.mapping, "losses": ["clip", "joint"], "tilts": ["cosine"],
            "temperature": None, "epochs": 10, "early_stopping": True, "batch_size": 32, "seed": 0, "max_rows": None,
            "model": MINILM, "gallery": "test"}


def test_job_cards_name_the_dataset_not_its_hash(monkeypatch, store, submitted):
    from engine.datasets import list_datasets

    _done_job(store, _page_spec(store), result={"runs": []})
    at = _train(monkeypatch, store)
    [entry] = list_datasets(store)
    cards = [x.value for x in at.text]
    assert cards == [t("train_page.CARD_TITLE", dataset="pilot-pairs.csv",
                       what=t("train_page.WHAT_COMPARE", losses="clip, joint", tilts="cosine"),
                       state=message("train_page.STATES")["done"])]
    assert entry.digest[:8] not in cards[0] and "data.csv" not in cards[0]
    assert plain(t("train_page.COMPARE_DONE", n=1)) in [c.value for c in at.caption]  # shown as typed


def test_repeating_a_finished_job_asks_first_and_can_start_anyway(monkeypatch, store, submitted):
    _done_job(store, _page_spec(store), result={"runs": []})
    at = _train(monkeypatch, store)
    at.button(key=state.TRAIN_START).click().run()
    assert not at.exception and submitted == []  # nothing queued yet: the page asks
    assert at.warning[0].value.startswith(plain(t("train_page.EXISTS", dataset="pilot-pairs.csv", when="@",
                                                  what="@").split("@")[0]))
    assert at.button(key=state.PENDING_OPEN).label == t("train_page.EXISTS_OPEN")
    at.button(key=state.PENDING_START).click().run()
    assert not at.exception and submitted == [_page_spec(store)]
    assert state.TRAIN_PENDING not in at.session_state


def test_repeating_a_finished_job_can_open_its_results(monkeypatch, store, submitted):
    result = {"runs": [], "test_pairs": 8, "marker": "the earlier comparison"}
    _done_job(store, _page_spec(store), result=result)
    (store / "comparison.json").write_text(json.dumps({"runs": [], "marker": "a later comparison"}))
    at = _train(monkeypatch, store)
    at.button(key=state.TRAIN_START).click().run()
    at.button(key=state.PENDING_OPEN).click().run()
    assert not at.exception and submitted == []
    # the finished job's comparison is the store's current one again, and Results is open
    assert json.loads((store / "comparison.json").read_text()) == result
    assert at.title[0].value == t("dashboard.RESULTS_TITLE")
