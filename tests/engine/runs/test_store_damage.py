"""A store that survives damage: corrupt index, damaged run files, full disk, no permission, hostile ids."""

from __future__ import annotations

import csv
import errno
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import toy_rows

from engine.errors import ConfigError, EngineError
from engine.i18n import override
from engine.runs import RunStore, read_json
from engine.runs.ids import check_id, is_valid_id
from engine.runs.index_entries import UNREADABLE
from engine.runs.store import new_run_id
from engine.runs.store_errors import RunUnreadableError, StoreWriteError


@pytest.fixture(scope="module")
def trained_store(tmp_path_factory, tiny_model_dir) -> Path:
    """A store written by the real pipeline: one finished run (``tiltpilot train``), one failed, one queued."""
    from engine.cli import main

    folder = tmp_path_factory.mktemp("damage")
    data = folder / "pairs.csv"
    rows = toy_rows(40)
    with open(data, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    store = folder / "store"
    assert main(["train", str(data), "--epochs", "1", "--model", str(tiny_model_dir), "--max-seq-length", "32",
                 "--batch-size", "8", "--device", "cpu", "--no-analysis", "--out", str(store)]) == 0
    runs = RunStore(store)
    failed = runs.create_run("joint-cosine", {"loss": {"name": "joint", "tilt": "cosine"}})
    runs.set_status(failed, "failed", error="boom")
    runs.create_run("clip-dot", {"loss": {"name": "clip", "tilt": "dot"}})
    return store


@pytest.fixture()
def store(trained_store, tmp_path) -> RunStore:
    copy = tmp_path / "store"
    shutil.copytree(trained_store, copy)
    return RunStore(copy)


def _done_run(store: RunStore) -> str:
    return next(r["run_id"] for r in store.list_runs() if r["state"] == "done")


@pytest.mark.parametrize(
    "damage",
    [b'{"version": 1, "runs": {"2026', b"", b"\xff\xfe\x00garbage", b"[1, 2, 3]", b'{"version": 1, "runs": {"a": 5}}'],
    ids=["truncated", "empty", "binary", "not-an-index", "bad-entry"],
)
def test_damaged_index_is_rebuilt_from_the_run_folders(store, damage, caplog):
    original = read_json(store.index_path)
    store.index_path.write_bytes(damage)
    with caplog.at_level(logging.WARNING, logger="engine.runs.store"):
        runs = store.list_runs()
    assert sorted(r["run_id"] for r in runs) == sorted(original["runs"])
    assert read_json(store.index_path) == original  # every field, including the finished run's summary
    assert [r["kind"] for r in store.repairs] == ["index_rebuilt"] and store.repairs[0]["runs"] == 3
    assert any("rebuilt from the run folders (3 runs)" in rec.getMessage() for rec in caplog.records)
    assert store.list_runs() == runs and len(store.repairs) == 1  # repaired once, then read normally


def test_a_store_where_the_lock_cannot_be_taken_still_lists(store):
    (store.root / "index.lock").unlink(missing_ok=True)
    (store.root / "index.lock").mkdir()  # opening the lock file fails, as in a read-only store
    store.index_path.write_text("{")
    assert len(store.list_runs()) == 3 and store.repairs[0]["kind"] == "index_rebuilt"


def test_writing_to_a_store_with_a_truncated_index_keeps_every_run(store):
    before = {r["run_id"] for r in store.list_runs()}
    store.index_path.write_text(store.index_path.read_text()[:40])
    run = store.create_run("clip-cosine", {"loss": {"name": "clip"}})  # `train --out` crashed here before
    assert set(read_json(store.index_path)["runs"]) == before | {run.run_id}
    assert store.repairs and store.repairs[0]["kind"] == "index_rebuilt"


def test_rebuild_warning_is_in_japanese_too(store):
    store.index_path.write_text("{")
    with override("ja"):
        store.list_runs()
    assert "作り直しました" in store.repairs[0]["message"]


@pytest.mark.parametrize("file", ["status.json", "config.json", "metrics.json"])
def test_a_damaged_run_file_marks_only_that_run_unreadable(store, file):
    run_id = _done_run(store)
    path = store.paths(run_id).root / file
    path.write_text(path.read_text()[:25])
    runs = {r["run_id"]: r for r in store.list_runs()}
    assert len(runs) == 3
    damaged = runs[run_id]
    assert damaged["state"] == UNREADABLE and damaged["unreadable"]["file"] == file
    assert run_id in damaged["error"] and file in damaged["error"] and "tiltpilot doctor" in damaged["error"]
    assert sorted(r["state"] for r in runs.values() if r["run_id"] != run_id) == ["failed", "queued"]


def test_reading_a_damaged_metrics_file_raises_the_engines_error(store):
    run_id = _done_run(store)
    assert store.read_run_json(run_id, "metrics.json")["train"]["steps"] > 0
    metrics = store.paths(run_id).metrics
    metrics.write_bytes(metrics.read_bytes()[:30])
    with pytest.raises(RunUnreadableError) as caught:
        store.read_run_json(run_id, "metrics.json")
    assert isinstance(caught.value, EngineError) and caught.value.file == "metrics.json"
    assert store.read_run_json(run_id, "missing.json") is None
    with pytest.raises(ConfigError):
        store.read_run_json(run_id, "../index.json")


def test_a_damaged_status_is_overwritten_by_the_next_status(store):
    run_id = _done_run(store)
    run = store.paths(run_id)
    run.status.write_text('{"state": "do')
    store.set_status(run, "failed", error="stopped")
    assert store.read_status(run)["state"] == "failed"


def _fail_with(errno_code: int):
    def fail(*args, **kwargs):
        raise OSError(errno_code, os.strerror(errno_code))

    return fail


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.ENOSPC, "The disk is full"), (errno.EACCES, "No permission to write"), (errno.EROFS, "read-only"),
     (errno.EIO, "could not write")],
)
def test_a_failed_write_raises_a_clear_engine_error_and_keeps_the_old_file(store, monkeypatch, code, words):
    run = store.paths(_done_run(store))
    before = run.status.read_bytes()
    monkeypatch.setattr(os, "fsync", _fail_with(code))
    with pytest.raises(StoreWriteError) as caught:
        store.set_status(run, "failed", error="x")
    assert isinstance(caught.value, EngineError) and isinstance(caught.value, OSError)
    assert words in str(caught.value) and str(run.status) in str(caught.value)
    assert run.status.read_bytes() == before
    assert not [p for p in run.root.iterdir() if p.name.endswith(".tmp")]


def test_no_permission_in_japanese_names_the_path(store, monkeypatch):
    monkeypatch.setattr(tempfile, "mkstemp", _fail_with(errno.EACCES))
    run = store.paths(_done_run(store))
    with override("ja"), pytest.raises(StoreWriteError, match="書き込み権限がありません") as caught:
        store.set_status(run, "failed")
    assert str(run.status) in str(caught.value)


def test_a_full_disk_while_creating_a_run_leaves_no_orphan_folder(store, monkeypatch):
    before = sorted(p.name for p in store.root.iterdir())
    monkeypatch.setattr(os, "fsync", _fail_with(errno.ENOSPC))
    with pytest.raises(StoreWriteError, match="disk is full"):
        store.create_run("clip-cosine", {})
    monkeypatch.undo()
    assert sorted(p.name for p in store.root.iterdir()) == before


@pytest.mark.parametrize("bad", ["../../x", "..", "a/b", "/etc/passwd", ".hidden", "", "x" * 129, "run\x00id",
                                 "実行", "a.b", None, 7])
def test_hostile_run_ids_are_refused_at_the_api(store, bad):
    with pytest.raises(ConfigError) as caught:
        store.paths(bad)
    assert "run id" in str(caught.value) and "letters, digits" in str(caught.value)
    with pytest.raises(ConfigError):
        store.update_index(bad, {"state": "done"})
    with pytest.raises(ConfigError):
        store.read_run_json(bad, "metrics.json")
    assert not (store.root.parent / "x").exists()


def test_the_ids_the_engine_makes_pass_the_check():
    assert check_id("run", new_run_id("weighted(1.5,0.5)-cosine")) .endswith(tuple("0123456789abcdef"))
    assert is_valid_id("run", new_run_id("日本語ラベル"))  # non-ASCII letters become '-'
    assert check_id("job", "20261128-201500-123456-3f2a") == "20261128-201500-123456-3f2a"
    assert check_id("dataset", "3f2a9c01") == "3f2a9c01"
    with pytest.raises(ConfigError, match="hexadecimal"):
        check_id("dataset", "../3f2a")
    with override("ja"), pytest.raises(ConfigError, match="ジョブID"):
        check_id("job", "../../x")


def test_a_folder_with_a_bad_name_is_not_listed(store):
    stray = store.root / "not.a.run"
    stray.mkdir()
    (stray / "config.json").write_text(json.dumps({"run_id": "not.a.run"}))
    assert "not.a.run" not in {r["run_id"] for r in store.list_runs()}
