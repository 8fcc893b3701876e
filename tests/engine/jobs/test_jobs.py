"""Background job queue with real worker processes and the tiny in-process model."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.errors import ConfigError
from engine.jobs import cancel_job, dead_worker_message, ensure_worker, get_job, list_jobs, submit_job, worker_running
from engine.jobs.queue import job_path, jobs_dir, result_path
from engine.runs import RunStore, atomic_write_json, read_json

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def store(tmp_path):
    root = tmp_path / "store"
    yield root
    # Workers exit on their own after the idle wait; stop any a failing test left behind.
    for lock in jobs_dir(root).glob("worker-*.lock"):
        key = lock.stem.removeprefix("worker-")
        if worker_running(root, key):
            pid = int(lock.read_text().split()[0])
            os.kill(pid, signal.SIGKILL)


def _spec(toy_csv, tiny_model_dir, **overrides):
    spec = {"data": str(toy_csv), "losses": ["clip"], "tilts": ["cosine"], "epochs": 1, "batch_size": 8,
            "learning_rate": 1e-3, "model": str(tiny_model_dir), "max_seq_length": 32, "device": "cpu",
            "analysis": False, "latent_map": "pca", "bootstrap": 200}
    return {**spec, **overrides}


def _wait(store, job_id, predicate, timeout=120.0):
    deadline = time.monotonic() + timeout
    while True:
        job = get_job(store, job_id)
        if predicate(job):
            return job
        if time.monotonic() > deadline:
            log = (jobs_dir(store) / "worker.log")
            raise AssertionError(f"timed out; job {json.dumps(job)}\n{log.read_text() if log.is_file() else ''}")
        time.sleep(0.2)


def _finished(job):
    return job["state"] in ("done", "failed", "cancelled")


def test_two_jobs_run_one_after_the_other_and_store_their_runs(store, toy_csv, tiny_model_dir):
    first = submit_job(store, _spec(toy_csv, tiny_model_dir), idle_s=1.0)
    second = submit_job(store, _spec(toy_csv, tiny_model_dir, losses=["joint", "clip"]), idle_s=1.0)
    assert get_job(store, second)["state"] == "queued"
    jobs = [_wait(store, job_id, _finished) for job_id in (first, second)]
    assert [job["state"] for job in jobs] == ["done", "done"], jobs
    # One worker, one job at a time: the second starts only after the first finished.
    assert jobs[0]["started"] < jobs[0]["finished"] <= jobs[1]["started"] < jobs[1]["finished"]
    assert jobs[0]["pid"] == jobs[1]["pid"]
    assert [j["job_id"] for j in list_jobs(store)] == [second, first]
    runs = RunStore(store)
    assert len(jobs[0]["run_ids"]) == 1 and len(jobs[1]["run_ids"]) == 2
    for job in jobs:
        comparison = read_json(result_path(store, job["job_id"]))
        assert [row["run_id"] for row in comparison["runs"]] == job["run_ids"]
        for run_id in job["run_ids"]:
            assert read_json(runs.paths(run_id).status)["state"] == "done"
            assert read_json(runs.paths(run_id).metrics)["train"]["steps"] == 8  # 64 train pairs / batch 8
    assert [read_json(runs.paths(r).config)["loss"]["name"] for r in jobs[1]["run_ids"]] == ["joint", "clip"]
    assert jobs[1]["progress"]["runs_done"] == jobs[1]["progress"]["runs_total"] == 2
    # each job has its own result file; the store's comparison.json is the latest one (Results opens it)
    assert read_json(store / "comparison.json") == read_json(result_path(store, second))
    _wait(store, first, lambda _: not worker_running(store, "cpu"), timeout=15)  # the idle worker exits


def test_cancel_a_queued_and_a_running_job(store, toy_csv, tiny_model_dir):
    running = submit_job(store, _spec(toy_csv, tiny_model_dir, epochs=300), idle_s=1.0)
    queued = submit_job(store, _spec(toy_csv, tiny_model_dir), idle_s=1.0)
    assert cancel_job(store, queued)["state"] == "cancelled"
    job = _wait(store, running, lambda j: (j["progress"] or {}).get("stage") == "train")
    assert job["state"] == "running" and 0 < job["progress"]["step"] < job["progress"]["total_steps"] == 2400
    assert job["progress"]["eta_s"] > 0 and job["progress"]["run_label"] == "clip-cosine"
    assert cancel_job(store, running)["cancel_requested"]
    job = _wait(store, running, _finished, timeout=60)
    assert job["state"] == "cancelled" and job["error"] is None
    [run_id] = job["run_ids"]
    status = read_json(RunStore(store).paths(run_id).status)
    assert status["state"] == "cancelled" and "cancelled" in status["error"]
    assert get_job(store, queued)["state"] == "cancelled" and get_job(store, queued)["started"] is None
    assert not (jobs_dir(store) / f"{running}.cancel").exists()


def test_worker_outlives_the_submitting_process(store, toy_csv, tiny_model_dir):
    spec = _spec(toy_csv, tiny_model_dir, max_rows=40)
    code = ("import json, sys; from engine.jobs import submit_job; "
            "print(submit_job(sys.argv[1], json.loads(sys.argv[2]), idle_s=1.0))")
    done = subprocess.run([sys.executable, "-c", code, str(store), json.dumps(spec)], capture_output=True, text=True,
                          cwd=REPO, timeout=60, check=True)
    job_id = done.stdout.strip().splitlines()[-1]
    job = _wait(store, job_id, _finished)
    assert job["state"] == "done", job
    config = read_json(RunStore(store).paths(job["run_ids"][0]).config)
    assert config["data"]["rows"]["all"] == 40  # max_rows: only the first 40 pairs were used


def test_a_job_whose_worker_died_is_reported_failed(store, toy_csv, tiny_model_dir):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])  # a pid that is gone (reaped)
    gone.wait()
    job = {"job_id": "20260101-000000-000000-dead", "state": "running", "pid": gone.pid, "progress": None,
           "spec": {}, "device_key": "cpu", "created": 1.0, "started": 2.0, "finished": None, "run_ids": [],
           "error": None}
    atomic_write_json(job_path(store, job["job_id"]), job)
    assert get_job(store, job["job_id"])["state"] == "failed"
    assert get_job(store, job["job_id"])["error"] == dead_worker_message(gone.pid)
    assert [j["state"] for j in list_jobs(store)] == ["failed"]
    alive = {**job, "pid": os.getpid()}
    atomic_write_json(job_path(store, job["job_id"]), alive)
    assert get_job(store, job["job_id"])["state"] == "running"


def test_a_killed_worker_fails_its_job_and_queued_jobs_survive(store, toy_csv, tiny_model_dir):
    killed = submit_job(store, _spec(toy_csv, tiny_model_dir, epochs=300), idle_s=1.0)
    waiting = submit_job(store, _spec(toy_csv, tiny_model_dir), idle_s=1.0)
    job = _wait(store, killed, lambda j: (j["progress"] or {}).get("stage") == "train")
    os.kill(job["pid"], signal.SIGKILL)  # as if the machine's OOM killer struck mid-run
    job = _wait(store, killed, _finished, timeout=15)
    assert (job["state"], job["error"]) == ("failed", dead_worker_message(job["pid"]))
    assert get_job(store, waiting)["state"] == "queued"  # nothing picks it up until a worker is started
    # The killed worker's other threads release its lock a moment after its main thread is a zombie.
    _wait(store, waiting, lambda _: not worker_running(store, "cpu"), timeout=15)
    assert ensure_worker(store, "cpu", idle_s=1.0) is not None  # e.g. the restarted dashboard
    assert _wait(store, waiting, _finished)["state"] == "done"


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ({"losses": ["clip", "nope"]}, ["loss.name", "'nope'"]),
        ({"tilts": []}, ["spec.tilts", "non-empty"]),
        ({"epochs": "3"}, ["spec.epochs", "'3'", "whole number"]),
        ({"epochs": 0}, ["train.epochs", "0"]),
        ({"learning": 1}, ["unknown key", "learning"]),
        ({"data": "/nowhere/pairs.csv"}, ["spec.data", "does not exist"]),
        ({"test_size": 1.5}, ["data.test_size", "1.5"]),
        ({"max_rows": 1}, ["spec.max_rows", "at least 2"]),
    ],
)
def test_an_invalid_spec_raises_and_writes_nothing(store, toy_csv, tiny_model_dir, override, words):
    with pytest.raises(ConfigError) as info:
        submit_job(store, _spec(toy_csv, tiny_model_dir, **override))
    for word in words:
        assert word in str(info.value)
    assert not store.exists()
