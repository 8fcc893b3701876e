"""Learning-curve jobs: the spec of the new kind, and the worker function running one end to end."""

from __future__ import annotations

import itertools

import pytest
from job_claims import claimed

from engine.errors import ConfigError
from engine.jobs import (
    LEARNING_CURVE_DEFAULTS,
    SPEC_DEFAULTS,
    find_done_job,
    get_job,
    normalise_spec,
    open_result,
    result_path,
    submit_job,
)
from engine.jobs.queue import cancel_flag
from engine.jobs.worker import run_job
from engine.runs import RunStore, read_json


def _curve_spec(data, model=None, **overrides):
    spec = {"kind": "learning_curve", "data": str(data), "loss": "clip", "tilt": "cosine",
            "fractions": [1.0, 0.25, 0.5], "target_recall": 0.5, "epochs": 1, "batch_size": 8,
            "learning_rate": 1e-3, "model": str(model) if model else None, "max_seq_length": 32, "device": "cpu",
            "bootstrap": 100, "seeds": 1}
    return {**spec, **overrides}


def test_a_learning_curve_spec_gets_its_own_defaults(toy_csv):
    full = normalise_spec({"kind": "learning_curve", "data": str(toy_csv)})
    assert set(full) == set(LEARNING_CURVE_DEFAULTS)
    assert full["fractions"] == [0.125, 0.25, 0.5, 1.0] and full["loss"] == "clip" and full["target_recall"] is None
    assert "losses" not in full and "fractions" not in SPEC_DEFAULTS
    # fractions come back sorted and without repeats; the comparison kind is still the default
    assert normalise_spec(_curve_spec(toy_csv, fractions=[1, 0.5, 0.25, 0.5]))["fractions"] == [0.25, 0.5, 1.0]
    assert normalise_spec({"data": str(toy_csv)})["kind"] == "compare"


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ({"kind": "sweep"}, ["spec.kind", "'sweep'", "learning_curve"]),
        ({"losses": ["clip"]}, ["unknown key", "losses", "'learning_curve'"]),
        ({"fractions": [0.5, 1.0]}, ["spec.fractions", "at least 3"]),
        ({"fractions": [0.25, 0.5, 1.5]}, ["spec.fractions", "(0, 1]"]),
        ({"fractions": "0.25,0.5,1"}, ["spec.fractions", "list of numbers"]),
        ({"target_recall": 1.5}, ["spec.target_recall", "1.5", "(0, 1]"]),
        ({"target_recall": True}, ["spec.target_recall"]),
        ({"bootstrap": 50}, ["spec.bootstrap", "at least 100"]),
        ({"loss": "nope"}, ["loss.name", "'nope'"]),
        ({"tilt": ["cosine"]}, ["spec.tilt", "one name"]),
    ],
)
def test_an_invalid_learning_curve_spec_raises_and_writes_nothing(tmp_path, toy_csv, override, words):
    store = tmp_path / "store"
    with pytest.raises(ConfigError) as info:
        submit_job(store, _curve_spec(toy_csv, **override))
    for word in words:
        assert word in str(info.value)
    assert not store.exists()


def test_a_learning_curve_job_runs_through_the_worker(tmp_path, toy_csv, tiny_model_dir, monkeypatch):
    store = tmp_path / "store"
    spec = _curve_spec(toy_csv, tiny_model_dir)
    job = run_job(store, claimed(store, spec, monkeypatch))

    assert job["state"] == "done" and job["error"] is None, job
    assert job["progress"]["stage"] == "done" and job["progress"]["runs_done"] == job["progress"]["runs_total"] == 3
    curve = read_json(store / "learning_curve.json")  # where the Results page reads the curve
    assert read_json(result_path(store, job["job_id"])) == curve and job["current"] == str(store / "learning_curve.json")
    points = curve["points"]
    assert [p["fraction"] for p in points] == [0.25, 0.5, 1.0]
    # 80 toy pairs, 20% test: 64 training pairs, each point a nested subset of the next
    assert [p["train_pairs"] for p in points] == [16, 32, 64] and curve["test_pairs"] == 16
    assert all(set(a["train_rows"]) < set(b["train_rows"]) for a, b in itertools.pairwise(points))
    assert job["run_ids"] == [p["run_id"] for p in points]
    for run_id in job["run_ids"]:
        status = read_json(RunStore(store).paths(run_id).status)
        assert status["state"] == "done"
    assert curve["target_recall"] == 0.5 and set(curve["pairs_needed"]) == {"left_to_right", "right_to_left"}
    assert curve["n_boot"] == 100 and curve["loss"] == "clip-cosine"

    # The same request again: the queue finds the finished job, and "open" restores its result.
    assert find_done_job(store, spec)["job_id"] == job["job_id"]
    assert find_done_job(store, {**spec, "fractions": [0.25, 0.5, 0.75, 1.0]}) is None
    (store / "learning_curve.json").write_text('{"points": []}')
    assert open_result(store, job["job_id"]) == store / "learning_curve.json"
    assert read_json(store / "learning_curve.json") == curve


def test_a_cancelled_learning_curve_stops_at_its_first_step(tmp_path, toy_csv, tiny_model_dir, monkeypatch):
    store = tmp_path / "store"
    job = claimed(store, _curve_spec(toy_csv, tiny_model_dir), monkeypatch)
    cancel_flag(store, job["job_id"]).touch()  # as cancel_job does for a running job
    job = run_job(store, job)
    assert job["state"] == "cancelled" and job["error"] is None
    [run_id] = job["run_ids"]  # the first point started and was stopped; no later point ran
    assert read_json(RunStore(store).paths(run_id).status)["state"] == "cancelled"
    assert not (store / "learning_curve.json").exists() and not cancel_flag(store, job["job_id"]).exists()
    with pytest.raises(ConfigError, match="no result to open"):
        open_result(store, job["job_id"])


def test_a_crash_fails_the_job_not_the_worker(tmp_path, toy_csv, monkeypatch):
    import engine.learning_curve

    def crash(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(engine.learning_curve, "run_learning_curve", crash)
    store = tmp_path / "store"
    job = run_job(store, claimed(store, _curve_spec(toy_csv), monkeypatch))
    assert job["state"] == "failed" and job["error"].startswith("Internal error: RuntimeError: disk on fire")
    assert get_job(store, job["job_id"])["state"] == "failed" and job["run_ids"] == []
