"""``tiltpilot doctor STORE``: checks and repairs a store, and says what it did."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.cli import main
from engine.errors import ConfigError
from engine.i18n import override
from engine.runs import RunStore, atomic_write_json, read_json
from engine.runs.doctor import check_store, report_lines
from engine.runs.index_entries import index_summary

_RECALL = {"left_to_right": {"recall@1": 0.5}, "right_to_left": {"recall@1": 0.25}}
_CONFIG = {"data": {"path": "pairs.csv"}, "loss": {"name": "clip", "tilt": "cosine", "weights": None},
           "train": {"epochs": 1, "seed": 0}}


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.fixture()
def store(tmp_path) -> RunStore:
    """Two finished runs, one run still (really) running, and one whose process died."""
    runs = RunStore(tmp_path / "store")
    for label in ("clip-cosine", "joint-cosine"):
        run = runs.create_run(label, _CONFIG)
        metrics = {"base": _RECALL, "tuned": _RECALL, "train": {"steps": 4}}
        atomic_write_json(run.metrics, metrics)
        runs.set_status(run, "done")
        runs.update_index(run.run_id, index_summary(read_json(run.config), metrics))
    alive = runs.create_run("alive", _CONFIG)
    runs.set_status(alive, "running", pid=os.getpid())
    dead = runs.create_run("dead", _CONFIG)
    runs.set_status(dead, "running", pid=_dead_pid())
    return runs


def _run_id(store: RunStore, label: str) -> str:
    # Run ids are "<YYYYmmdd-HHMMSS>-<label>-<4 hex>".
    return next(p.name for p in store.root.iterdir() if p.is_dir() and p.name[16:-5] == label)


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_doctor_repairs_a_damaged_store_and_reports_it(store):
    dead_id, alive_id = _run_id(store, "dead"), _run_id(store, "alive")
    done_id = _run_id(store, "joint-cosine")
    expected_index = read_json(store.index_path)
    store.index_path.write_text(store.index_path.read_text()[:50])
    stale = store.paths(done_id).root / ".metrics.json.k3j2.tmp"
    stale.write_text("{")
    _age(stale, 3600)
    legacy = store.paths(done_id).root / "checkpoint" / "state.pt.tmp"
    legacy.parent.mkdir()
    legacy.write_bytes(b"half a checkpoint")
    _age(legacy, 3600)
    fresh = store.root / ".index.json.a1b2.tmp"  # a write may be in progress: left alone
    fresh.write_text("{")

    report = check_store(store.root)

    assert report["index"]["status"] == "corrupt" and report["index"]["repaired"]
    assert [(d["run_id"], d["repaired"]) for d in report["dead_runs"]] == [(dead_id, True)]
    assert sorted(f["path"] for f in report["temp_files"]) == sorted([str(stale), str(legacy)])
    assert not stale.exists() and not legacy.exists() and fresh.exists()
    assert report["unreadable"] == [] and report["runs"] == 4 and report["repairs"] == 4
    status = read_json(store.paths(dead_id).status)
    assert status["state"] == "failed" and "stopped unexpectedly" in status["error"]
    assert read_json(store.paths(alive_id).status)["state"] == "running"  # its process is alive: untouched
    index = read_json(store.index_path)
    assert index["runs"][dead_id]["state"] == "failed"
    assert {k: v for k, v in index["runs"].items() if k != dead_id} == {
        k: v for k, v in expected_index["runs"].items() if k != dead_id
    }
    again = check_store(store.root)
    assert again["repairs"] == 0 and again["index"]["status"] == "ok"
    assert report_lines(again)[-1] == "Nothing needed repairing."


def test_dry_run_changes_nothing_but_says_what_it_would_do(store):
    store.index_path.write_text("")
    stale = store.root / ".index.json.zz.tmp"
    stale.write_text("{")
    _age(stale, 3600)
    before = _snapshot(store.root)
    report = check_store(store.root, repair=False)
    assert _snapshot(store.root) == before
    assert report["dry_run"] and report["repairs"] == 3  # index, dead run, temporary file
    assert not report["index"]["repaired"] and not report["dead_runs"][0]["repaired"]
    lines = report_lines(report)
    assert "Dry run: nothing was changed." in lines
    assert any(line.startswith("Index: cannot be read") and "Would be rebuilt" in line for line in lines)


def test_an_index_out_of_step_with_the_folders_is_rebuilt(store):
    done_id, dead_id = _run_id(store, "clip-cosine"), _run_id(store, "dead")
    check_store(store.root)  # marks the dead run failed: a clean start
    index = read_json(store.index_path)
    index["runs"].pop(done_id)
    index["runs"]["20260101-000000-gone-0000"] = {"run_id": "20260101-000000-gone-0000", "state": "done"}
    index["runs"][dead_id]["state"] = "running"
    atomic_write_json(store.index_path, index)
    report = check_store(store.root)
    assert report["index"] | {"detail": None} == {"status": "out_of_sync", "detail": None, "added": [done_id],
                                                  "dropped": ["20260101-000000-gone-0000"], "changed": [dead_id],
                                                  "repaired": True}
    rebuilt = read_json(store.index_path)["runs"]
    assert done_id in rebuilt and "20260101-000000-gone-0000" not in rebuilt and rebuilt[dead_id]["state"] == "failed"


def test_unreadable_runs_are_listed_and_left_alone(store):
    done_id = _run_id(store, "clip-cosine")
    metrics = store.paths(done_id).metrics
    metrics.write_text('{"base": ')
    report = check_store(store.root)
    assert [(u["run_id"], u["file"]) for u in report["unreadable"]] == [(done_id, "metrics.json")]
    assert metrics.read_text() == '{"base": '
    assert any(done_id in line and "metrics.json" in line for line in report_lines(report))


def test_a_folder_that_is_not_a_store_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ConfigError, match="not a run store folder"):
        check_store(tmp_path)
    with pytest.raises(ConfigError, match="not a run store folder"):
        check_store(tmp_path / "missing")


def test_cli_prints_json_and_exit_codes(store, capsys):
    store.index_path.write_text("{")
    assert main(["doctor", str(store.root), "--dry-run", "--json"]) == 1  # repairs pending
    report = json.loads(capsys.readouterr().out)
    assert report["index"]["status"] == "corrupt" and report["dry_run"]
    assert main(["doctor", str(store.root)]) == 0
    out = capsys.readouterr().out
    assert "Index: cannot be read" in out and "Rebuilt from the run folders." in out
    assert main(["doctor", str(store.root / "nope")]) == 2
    assert "not a run store folder" in capsys.readouterr().err


def test_report_in_japanese(store):
    store.index_path.write_text("{")
    with override("ja"):
        lines = report_lines(check_store(store.root))
    assert lines[1].startswith("索引：読み込めません") and "作り直しました" in lines[1]
    assert any("失敗として記録しました" in line for line in lines)
