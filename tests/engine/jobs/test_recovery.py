"""Recovery: a killed worker reads failed on disk within seconds, and its run resumes without repeated steps."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from engine import cli
from engine.config import RunConfig
from engine.errors import ConfigError
from engine.experiment import run_experiment
from engine.jobs import (
    dead_worker_message,
    get_job,
    list_jobs,
    reap_dead_jobs,
    recovery,
    submit_job,
    worker_running,
)
from engine.jobs.queue import job_path, jobs_dir
from engine.jobs.recovery import HUNG, SILENT, Heartbeat, death_reason, heartbeat_path
from engine.models import load_encoder
from engine.runs import RunStore, atomic_write_json, read_json

EPOCHS = 6
STEPS = EPOCHS * 8  # 64 training pairs of the toy data, batch 8


@pytest.fixture
def store(tmp_path):
    root = tmp_path / "store"
    yield root
    for lock in jobs_dir(root).glob("worker-*.lock"):
        if worker_running(root, lock.stem.removeprefix("worker-")):
            os.kill(int(lock.read_text().split()[0]), signal.SIGKILL)


def _spec(toy_csv, tiny_model_dir, **overrides):
    return {"data": str(toy_csv), "losses": ["clip"], "tilts": ["cosine"], "epochs": EPOCHS, "batch_size": 8,
            "learning_rate": 1e-3, "model": str(tiny_model_dir), "max_seq_length": 32, "device": "cpu",
            "analysis": False, "latent_map": "pca", "bootstrap": 200, **overrides}


def _poll(predicate, timeout=120.0, every=0.02):
    deadline = time.monotonic() + timeout
    while (value := predicate()) is None or value is False:
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(every)
    return value


def _checkpointed_run(store: Path):
    """The one run folder of the store once it has saved a checkpoint (None before)."""
    for folder in store.iterdir() if store.is_dir() else ():
        if (folder / "checkpoint" / "state.pt").is_file():
            return folder
    return None


def _weights(model_dir: Path) -> torch.Tensor:
    encoder = load_encoder(str(model_dir), device="cpu", max_seq_length=32)
    return torch.cat([p.detach().flatten() for p in encoder.parameters()])


def _steps(run: Path) -> list[int]:
    return [r["step"] for r in RunStore.read_log(RunStore(run.parent).paths(run.name))]


@pytest.fixture
def job_threads():
    """This process computes with as many threads as a job's runner, so their sums agree to the last bit."""
    from engine.jobs.worker import job_threads as threads

    previous = torch.get_num_threads()
    torch.set_num_threads(threads())
    yield
    torch.set_num_threads(previous)


def test_kill_9_reads_failed_within_5_s_and_the_run_resumes_without_repeated_steps(store, toy_csv, tiny_model_dir,
                                                                                  tmp_path, job_threads):
    job_id = submit_job(store, _spec(toy_csv, tiny_model_dir), idle_s=1.0)
    run = _poll(lambda: _checkpointed_run(store), timeout=300)  # epoch 1 is done: a checkpoint to resume from
    _poll(lambda: max(_steps(run), default=0) >= 11, every=0.005)  # and steps after it, to be trained again
    job = get_job(store, job_id)
    os.kill(job["pid"], signal.SIGSTOP)  # hold it still while the test checks where it is
    assert job["state"] == "running" and heartbeat_path(store, job_id).is_file()
    os.kill(job["pid"], signal.SIGKILL)  # as the OOM killer would, mid-training
    killed = time.monotonic()
    job = _poll(lambda: (j := get_job(store, job_id))["state"] == "failed" and j)
    elapsed = time.monotonic() - killed
    print(f"\nkill -9 to failed on disk: {elapsed:.3f} s")
    assert elapsed < 5.0

    # On disk, not only in the view: the job file, the run's status and the index.
    on_disk = read_json(job_path(store, job_id))
    assert on_disk["state"] == "failed" and on_disk["error"] == dead_worker_message(job["pid"])
    assert on_disk["run_ids"] == [run.name]
    status = read_json(run / "status.json")
    assert status["state"] == "failed" and f"pid {job['pid']}" in status["error"]
    assert read_json(store / "index.json")["runs"][run.name]["state"] == "failed"
    assert not heartbeat_path(store, job_id).exists()
    logged = _steps(run)
    assert 8 < max(logged) < STEPS, "the kill must land after epoch 1 and before the end"

    # Resume the CLI way on a copy, and the dashboard's way (a resume job) on the original.
    copy = tmp_path / "copy" / run.name
    shutil.copytree(run, copy)
    assert cli.main(["train", str(toy_csv), "--resume", str(copy), "--device", "cpu"]) == 0

    _poll(lambda: not worker_running(store, "cpu"), timeout=15)  # the killed worker's lock is free
    resume_id = submit_job(store, {"kind": "resume", "run_id": run.name}, idle_s=1.0)
    resumed = _poll(lambda: (j := get_job(store, resume_id))["state"] in ("done", "failed", "cancelled") and j,
                    timeout=300)
    assert resumed["state"] == "done", resumed
    assert resumed["run_ids"] == [run.name]
    for folder in (run, copy):
        assert _steps(folder) == list(range(1, STEPS + 1))  # each step once
        assert read_json(folder / "status.json")["state"] == "done"
        assert read_json(folder / "metrics.json")["train"]["steps"] == STEPS
    assert get_job(store, job_id)["state"] == "failed"  # the killed job stays failed; its run is done now

    config = RunConfig.from_dict(read_json(run / "config.json"))
    straight = run_experiment(config, RunStore(tmp_path / "straight"))
    reference = _weights(straight.model)
    torch.testing.assert_close(_weights(run / "model"), reference)
    torch.testing.assert_close(_weights(copy / "model"), reference)


def _fake_job(store: Path, **fields) -> dict:
    job = {"job_id": "20260101-000000-000000-beef", "state": "running", "pid": os.getpid(), "progress": None,
           "spec": {}, "device_key": "cpu", "created": 1.0, "started": time.time() - 100, "finished": None,
           "run_ids": [], "error": None, **fields}
    atomic_write_json(job_path(store, job["job_id"]), job)
    return job


def _beat(store: Path, job: dict, age: float) -> None:
    atomic_write_json(heartbeat_path(store, job["job_id"]), {"pid": job["pid"], "time": time.time() - age})


def test_a_stale_heartbeat_fails_a_reused_pid_or_a_silent_remote_worker(store, monkeypatch):
    job = _fake_job(store)  # this pid is alive, but it is pytest, not a worker
    assert death_reason(store, job) is None  # no heartbeat yet: judged by the pid alone
    _beat(store, job, age=1.0)
    assert death_reason(store, job) is None  # fresh
    _beat(store, job, age=recovery.STALE_AFTER_S + 1)
    assert death_reason(store, job) == (recovery.DIED, {"pid": os.getpid()})

    remote = {**job, "host": "another-host"}
    _beat(store, remote, age=1.0)
    assert death_reason(store, remote) is None
    _beat(store, remote, age=recovery.STALE_AFTER_S + 1)
    assert death_reason(store, remote)[0] == SILENT

    monkeypatch.setattr(recovery, "_is_worker", lambda pid: True)  # our own worker, alive but silent
    _beat(store, job, age=recovery.STALE_AFTER_S + 1)
    assert death_reason(store, job) is None  # a busy worker gets time
    _beat(store, job, age=recovery.HUNG_AFTER_S + 1)
    assert death_reason(store, job)[0] == HUNG


def test_reaping_writes_the_job_and_its_runs_failed(store):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    job = _fake_job(store, pid=gone.pid)
    runs = RunStore(store)
    mine = runs.create_run("clip-cosine", {"data": {}})
    runs.set_status(mine, "running", pid=gone.pid)
    other = runs.create_run("joint-cosine", {"data": {}})
    runs.set_status(other, "running", pid=os.getpid())  # another process's live run: untouched
    assert reap_dead_jobs(store) == [job["job_id"]]
    assert read_json(job_path(store, job["job_id"]))["state"] == "failed"
    status = read_json(mine.status)
    assert status["state"] == "failed" and status["error"] == dead_worker_message(gone.pid)
    assert read_json(other.status)["state"] == "running"
    assert read_json(store / "index.json")["runs"][mine.run_id]["state"] == "failed"
    assert reap_dead_jobs(store) == []  # once only
    assert [j["state"] for j in list_jobs(store)] == ["failed"]


def test_the_heartbeat_thread_beats_and_cleans_up(store):
    jobs_dir(store).mkdir(parents=True)
    with Heartbeat(store, "20260101-000000-000000-abcd", every_s=0.05) as beat:
        first = read_json(beat.path)["time"]
        _poll(lambda: read_json(beat.path)["time"] > first, timeout=5)
        assert read_json(beat.path)["pid"] == os.getpid()
    assert not beat.path.exists()


def test_a_resume_job_is_checked_at_submit(store, toy_csv):
    with pytest.raises(ConfigError, match="run id"):
        submit_job(store, {"kind": "resume", "run_id": "../../x"})
    runs = RunStore(store)
    run = runs.create_run("clip-cosine", {"data": {"path": str(toy_csv)}})
    runs.set_status(run, "failed", error="boom")
    with pytest.raises(ConfigError, match="no checkpoint"):
        submit_job(store, {"kind": "resume", "run_id": run.run_id})
    assert list_jobs(store) == []
