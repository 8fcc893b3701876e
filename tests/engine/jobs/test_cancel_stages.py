"""A cancel stops a job in every stage, cleanly: in the runner (the signal raised in each stage) and in the worker.

The runner's interruption is driven in this process: the cancel signal is sent to ourselves at the
start of a stage, so the bound is counted in stages and steps, not seconds. The worker's side
(signal, then kill a runner that does not stop) runs against stub runner processes.
"""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest
from job_claims import claimed

from engine import compare, experiment
from engine.analysis.evidence import run_analysis
from engine.jobs import get_job, runner, worker
from engine.jobs.queue import cancel_flag, job_path, update_job
from engine.jobs.recovery import dead_worker_message
from engine.runs import RunStore, read_json
from engine.runs.atomic import is_temp_file


@pytest.fixture
def interrupter():
    """The runner's cancel handler installed in this (main) thread for the test, as the runner installs it."""
    handler = runner._Interrupter()
    previous = signal.signal(runner.CANCEL_SIGNAL, handler)
    yield handler
    handler.settle()  # a retry still pending must not reach the handler restored below (SIGTERM's default ends pytest)
    signal.signal(runner.CANCEL_SIGNAL, previous)


def _spec(toy_csv, tiny_model_dir, **overrides):
    spec = {"data": str(toy_csv), "losses": ["clip", "joint"], "tilts": ["cosine"], "epochs": 2, "batch_size": 8,
            "learning_rate": 1e-3, "model": str(tiny_model_dir), "max_seq_length": 32, "device": "cpu",
            "analysis": True, "latent_map": "pca", "bootstrap": 200, "early_stopping": False}
    return {**spec, **overrides}


def _cancel_now() -> None:
    """What the worker does on a cancel: the flag is there, then the signal."""
    os.kill(os.getpid(), runner.CANCEL_SIGNAL)


def _signal_before(monkeypatch, owner, name: str, calls: list[str], at: int = 1) -> None:
    """Send the cancel signal when ``owner.name`` (or ``owner[name]``) is called the ``at``-th time: inside its stage."""
    real = owner[name] if isinstance(owner, dict) else getattr(owner, name)

    def wrapped(*args, **kwargs):
        calls.append(name)
        if len(calls) == at:
            _cancel_now()
        return real(*args, **kwargs)

    if isinstance(owner, dict):
        monkeypatch.setitem(owner, name, wrapped)
    else:
        monkeypatch.setattr(owner, name, wrapped)


def _assert_cancelled_cleanly(store, job_id, *, runs: int) -> list[dict]:
    job = get_job(store, job_id)
    assert job["state"] == "cancelled" and job["error"] is None, job
    assert len(job["run_ids"]) == runs
    statuses = [read_json(RunStore(store).paths(r).status) for r in job["run_ids"]]
    assert all(s["state"] == "cancelled" for s in statuses), statuses
    assert not [p for p in store.rglob("*") if is_temp_file(p)]
    assert not cancel_flag(store, job_id).exists()
    return statuses


# (the function whose at-th call gets the signal, at, the stage the card shows then, the runs made by then)
STAGES = [
    (compare, "encoder_from_config", 1, "load_model", 0),
    (compare, "evaluate_encoder", 1, "evaluate_base", 0),
    (compare, "base_label_evidence", 1, "classify_base", 0),
    (experiment, "evaluate_encoder", 1, "evaluate_tuned", 1),
    (experiment, "label_evidence", 2, "classify_tuned", 1),  # the first call is the base model's
    (run_analysis._RUNNERS, "latent_map", 1, "analyse:latent_map", 1),
]


@pytest.mark.parametrize(("owner", "name", "at", "stage", "runs"), STAGES, ids=[s[3] for s in STAGES])
def test_a_cancel_in_each_stage_ends_the_job_cancelled_there(monkeypatch, interrupter, tmp_path, toy_csv,
                                                             tiny_model_dir, owner, name, at, stage, runs):
    store = tmp_path / "store"
    job = claimed(store, _spec(toy_csv, tiny_model_dir), monkeypatch)
    calls: list[str] = []
    _signal_before(monkeypatch, owner, name, calls, at)
    assert runner.run(store, job["job_id"]) == 0
    assert interrupter.raised and calls == [name] * at  # stopped in that stage: nothing ran after it
    _assert_cancelled_cleanly(store, job["job_id"], runs=runs)
    assert get_job(store, job["job_id"])["progress"]["stage"] == stage  # the card named the stage it stopped in


def test_a_cancel_in_training_stops_within_one_step(monkeypatch, interrupter, tmp_path, toy_csv, tiny_model_dir):
    store = tmp_path / "store"
    job = claimed(store, _spec(toy_csv, tiny_model_dir), monkeypatch)
    real = worker._Progress.__call__

    def on_step(self, label, info, **extra):
        real(self, label, info, **extra)
        if info.step == 3:
            _cancel_now()

    monkeypatch.setattr(worker._Progress, "__call__", on_step)
    runner.run(store, job["job_id"])
    _assert_cancelled_cleanly(store, job["job_id"], runs=1)
    run = RunStore(store).paths(get_job(store, job["job_id"])["run_ids"][0])
    assert [record["step"] for record in RunStore(store).read_log(run)] == [1, 2, 3]  # not one step more


def test_a_cancel_during_the_bootstrap_of_the_comparison(monkeypatch, interrupter, tmp_path, toy_csv, tiny_model_dir):
    store = tmp_path / "store"
    job = claimed(store, _spec(toy_csv, tiny_model_dir, epochs=1, analysis=False), monkeypatch)
    calls: list[str] = []
    _signal_before(monkeypatch, run_analysis, "pairwise_verdicts", calls)
    runner.run(store, job["job_id"])
    job = get_job(store, job["job_id"])
    # Both runs had finished (they stay done); the comparison itself is not written.
    assert job["state"] == "cancelled" and job["progress"]["stage"] == "compare_runs"
    assert [read_json(RunStore(store).paths(r).status)["state"] for r in job["run_ids"]] == ["done", "done"]
    assert not worker.result_path(store, job["job_id"]).exists()
    assert not [p for p in store.rglob("*") if is_temp_file(p)]


def test_a_cancel_while_the_model_is_saved_waits_for_the_save(monkeypatch, interrupter, tmp_path, toy_csv,
                                                             tiny_model_dir):
    from sentence_transformers import SentenceTransformer

    store = tmp_path / "store"
    job = claimed(store, _spec(toy_csv, tiny_model_dir, losses=["clip"], epochs=1), monkeypatch)
    real = SentenceTransformer.save
    saved = []

    def save(self, path, *args, **kwargs):
        _cancel_now()  # arrives inside DualEncoder.save (protected): held until the folder is complete
        real(self, path, *args, **kwargs)
        saved.append(path)

    monkeypatch.setattr(SentenceTransformer, "save", save)
    runner.run(store, job["job_id"])
    assert len(saved) == 1 and interrupter.raised  # the save ran to its end, then the cancel took effect
    [status] = _assert_cancelled_cleanly(store, job["job_id"], runs=1)
    model = RunStore(store).paths(get_job(store, job["job_id"])["run_ids"][0]).model
    assert (model / "modules.json").is_file()


def _stub_runner(monkeypatch, code: str) -> None:
    """Make the worker start ``python -c code`` as the job's runner."""
    monkeypatch.setattr(worker, "runner_command", lambda store_root, job_id: [sys.executable, "-c", code])


def test_the_worker_kills_a_runner_that_ignores_the_cancel(monkeypatch, tmp_path, toy_csv, tiny_model_dir):
    store = tmp_path / "store"
    job = claimed(store, _spec(toy_csv, tiny_model_dir), monkeypatch)
    _stub_runner(monkeypatch, "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(120)")
    cancel_flag(store, job["job_id"]).touch()
    update_job(store, job["job_id"], cancel_requested=True)
    started = time.monotonic()
    ended = worker.supervise(store, get_job(store, job["job_id"]))
    # Signalled at the first look, killed KILL_AFTER_S later: a few looks of slack, not the 120 s sleep.
    assert time.monotonic() - started < worker.KILL_AFTER_S + 20 * worker.WATCH_S + 2.0
    assert ended["state"] == "cancelled" and read_json(job_path(store, job["job_id"]))["state"] == "cancelled"
    assert not cancel_flag(store, job["job_id"]).exists()


def test_a_runner_that_dies_fails_its_job(monkeypatch, tmp_path, toy_csv, tiny_model_dir):
    store = tmp_path / "store"
    job = claimed(store, _spec(toy_csv, tiny_model_dir), monkeypatch)
    _stub_runner(monkeypatch, "import os; os._exit(3)")
    ended = worker.supervise(store, get_job(store, job["job_id"]))
    assert ended["state"] == "failed" and ended["error"] == dead_worker_message(ended["runner_pid"])


def test_a_queued_job_names_its_stage_and_run_count_at_once(monkeypatch, tmp_path, toy_csv, tiny_model_dir):
    from dashboard import job_cards
    from engine.i18n import message, t

    job = claimed(tmp_path / "store", _spec(toy_csv, tiny_model_dir, tilts=["cosine", "dot"]), monkeypatch)
    assert job["progress"]["stage"] == "queued" and job["progress"]["runs_total"] == 4
    text = job_cards.progress_text({**job, "state": "queued"})
    assert text == t("job_stages.BEFORE_RUNS", stage=message("job_stages.STAGES")["queued"], total=4)
    assert "?" not in text
