"""Robustness jobs: the spec of the new kind, the worker running one end to end, and cancelling it."""

from __future__ import annotations

import pytest
from job_claims import claimed

from engine.errors import ConfigError
from engine.jobs import (
    ROBUSTNESS_DEFAULTS,
    find_done_job,
    normalise_spec,
    open_result,
    result_path,
    submit_job,
)
from engine.jobs.queue import cancel_flag
from engine.jobs.worker import run_job
from engine.robustness.settings import DEFAULT_LOSSES, DEFAULT_NOISE
from engine.runs import RunStore, read_json
from engine.runs.layout import ROBUSTNESS_FILE


def _spec(data, model=None, **overrides):
    spec = {"kind": "robustness", "data": str(data), "losses": ["clip", "joint"], "tilt": "cosine",
            "noise": [0.25, 0.0], "epochs": 1, "early_stopping": False, "batch_size": 8, "learning_rate": 1e-3,
            "model": str(model) if model else None, "max_seq_length": 32, "device": "cpu", "bootstrap": 100}
    return {**spec, **overrides}


def test_a_robustness_spec_gets_its_own_defaults(toy_csv):
    full = normalise_spec({"kind": "robustness", "data": str(toy_csv)})
    assert set(full) == set(ROBUSTNESS_DEFAULTS)
    assert full["noise"] == list(DEFAULT_NOISE) and full["losses"] == list(DEFAULT_LOSSES) and full["tilt"] == "cosine"
    # levels come back sorted; repeated losses dropped in order
    assert normalise_spec(_spec(toy_csv, noise=[0.4, 0, 0.1], losses=["joint", "clip", "joint"]))["noise"] == [0, 0.1, 0.4]
    assert normalise_spec(_spec(toy_csv, losses=["joint", "clip", "joint"]))["losses"] == ["joint", "clip"]


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ({"noise": [0.1]}, ["at least two"]),
        ({"noise": [0.0, 1.5]}, ["1.5", "0 to 1"]),
        ({"noise": "0,0.1"}, ["spec.noise", "list of shares"]),
        ({"losses": ["clip", "nope"]}, ["nope", "clip"]),
        ({"losses": "clip"}, ["spec.losses"]),
        ({"tilt": "sideways"}, ["loss.tilt", "'sideways'"]),
        ({"bootstrap": 50}, ["spec.bootstrap", "at least 100"]),
        ({"fractions": [0.5, 1.0]}, ["unknown key", "fractions", "'robustness'"]),
    ],
)
def test_an_invalid_robustness_spec_raises_and_writes_nothing(tmp_path, toy_csv, override, words):
    store = tmp_path / "store"
    with pytest.raises(ConfigError) as info:
        submit_job(store, _spec(toy_csv, **override))
    for word in words:
        assert word in str(info.value)
    assert not store.exists()


def test_a_robustness_job_runs_through_the_worker(tmp_path, toy_csv, tiny_model_dir, monkeypatch):
    store = tmp_path / "store"
    spec = _spec(toy_csv, tiny_model_dir)
    job = run_job(store, claimed(store, spec, monkeypatch))

    assert job["state"] == "done" and job["error"] is None, job
    assert job["progress"]["runs_done"] == job["progress"]["runs_total"] == 4
    study = read_json(store / ROBUSTNESS_FILE)  # where the Results page reads it
    assert read_json(result_path(store, job["job_id"])) == study and job["current"] == str(store / ROBUSTNESS_FILE)
    assert study["complete"] and study["noise"] == [0.0, 0.25] and job["run_ids"] == [p["run_id"] for p in study["points"]]
    # 80 toy pairs, 20% test: 64 training pairs, 16 of them mismatched at 25%
    assert study["train_pairs"] == 64 and [p["mismatched"] for p in study["points"]] == [0, 0, 16, 16]
    assert all(read_json(RunStore(store).paths(r).status)["state"] == "done" for r in job["run_ids"])

    assert find_done_job(store, spec)["job_id"] == job["job_id"]
    (store / ROBUSTNESS_FILE).write_text('{"points": []}')
    assert open_result(store, job["job_id"]) == store / ROBUSTNESS_FILE
    assert read_json(store / ROBUSTNESS_FILE) == study


def test_a_cancelled_robustness_job_trains_nothing(tmp_path, toy_csv, tiny_model_dir, monkeypatch):
    store = tmp_path / "store"
    job = claimed(store, _spec(toy_csv, tiny_model_dir), monkeypatch)
    cancel_flag(store, job["job_id"]).touch()  # as cancel_job does for a running job
    job = run_job(store, job)
    assert job["state"] == "cancelled" and job["error"] is None and job["run_ids"] == []
    assert not (store / ROBUSTNESS_FILE).exists()
