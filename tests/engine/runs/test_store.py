from __future__ import annotations

import json
import multiprocessing as mp

import numpy as np
import pytest

from engine.errors import ConfigError
from engine.runs import RunStore, atomic_write_json, read_json
from engine.runs.atomic import atomic_write_npz


def test_atomic_json_never_leaves_temporary_files(tmp_path):
    atomic_write_json(tmp_path / "a.json", {"x": 1, "arr": np.arange(3), "f": np.float32(0.5)})
    assert read_json(tmp_path / "a.json") == {"x": 1, "arr": [0, 1, 2], "f": 0.5}
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_atomic_json_rejects_nan_and_keeps_previous_file(tmp_path):
    path = tmp_path / "m.json"
    atomic_write_json(path, {"ok": 1})
    with pytest.raises(ValueError):
        atomic_write_json(path, {"bad": float("nan")})
    assert read_json(path) == {"ok": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def test_npz_round_trip(tmp_path):
    atomic_write_npz(tmp_path / "e.npz", a=np.ones((2, 3), np.float32))
    with np.load(tmp_path / "e.npz") as data:
        assert data["a"].shape == (2, 3)


def test_run_lifecycle_and_index(tmp_path):
    store = RunStore(tmp_path / "store")
    run = store.create_run("clip-cosine", {"loss": {"name": "clip"}})
    assert read_json(run.config)["run_id"] == run.run_id
    assert read_json(run.status)["state"] == "queued"
    store.set_status(run, "running", progress={"step": 1})
    store.append_log(run, {"step": 1, "loss": 0.5})
    with open(run.train_log, "a") as handle:
        handle.write('{"step": 2, "lo')  # a half-written last line must not break readers
    assert store.read_log(run) == [{"step": 1, "loss": 0.5}]
    store.set_status(run, "failed", error="boom")
    status = read_json(run.status)
    assert status["state"] == "failed" and status["error"] == "boom" and status["progress"] == {"step": 1}
    assert [(r["run_id"], r["state"]) for r in store.list_runs()] == [(run.run_id, "failed")]
    with pytest.raises(ConfigError, match="expected one of"):
        store.set_status(run, "exploded")


def test_list_runs_recovers_runs_missing_from_index(tmp_path):
    store = RunStore(tmp_path)
    run = store.create_run("a", {})
    store.index_path.unlink()
    assert [r["run_id"] for r in store.list_runs()] == [run.run_id]


def _hammer(root: str, worker: int) -> None:
    store = RunStore(root)
    for i in range(20):
        store.update_index(f"run-{worker}-{i}", {"state": "done"})


def test_concurrent_index_updates_lose_nothing(tmp_path):
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_hammer, args=(str(tmp_path), w)) for w in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    index = json.loads((tmp_path / "index.json").read_text())
    assert len(index["runs"]) == 60


def test_running_run_whose_process_died_reads_as_failed(tmp_path):
    import subprocess
    import sys

    store = RunStore(tmp_path)
    run = store.create_run("a", {})
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    store.set_status(run, "running", pid=dead.pid)
    assert store.read_status(run)["state"] == "failed"
    assert "stopped unexpectedly" in store.list_runs()[0]["error"]
    import os

    store.set_status(run, "running", pid=os.getpid())
    assert store.read_status(run)["state"] == "running"
