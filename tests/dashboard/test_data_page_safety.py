"""Data page safety: formula-safe CSV export, the audit off the page's thread with progress and cancel,
and data that cannot train flagged before Save."""

from __future__ import annotations

import csv
import io
import threading
import time
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from conftest import csv_bytes, toy_rows
from streamlit.testing.v1 import AppTest

from dashboard import audit_runner
from dashboard.downloads import safe_csv
from engine.errors import CancelledError

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "dashboard" / "app.py")
HOSTILE = ["=HYPERLINK(\"http://evil\",\"x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def test_our_csv_neutralises_every_formula_start_and_keeps_numbers():
    frame = pd.DataFrame({"=title": HOSTILE + ["plain", "ｲ日本語"], "n": [-5, 1, 2, 3, 4, 5, 6, 7]})
    data = safe_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads the Japanese as UTF-8
    back = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert back[0] == ["'=title", "n"]
    cells = [row[0] for row in back[1:]]
    assert cells[:6] == ["'" + value for value in HOSTILE]  # =, +, -, @, tab and CR all start with '
    assert cells[6:] == ["plain", "ｲ日本語"]
    assert [row[1] for row in back[1:]] == ["-5", "1", "2", "3", "4", "5", "6", "7"]  # numbers stay numbers


def test_the_toolbar_csv_export_is_off_app_wide():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True


@pytest.fixture
def slow_audit(monkeypatch):
    """The audit replaced by one that steps until released or stopped (the real one is tested in engine/data)."""
    release = threading.Event()

    def fake(data, *, train=None, test=None, tokens=None, progress=None, should_stop=None):
        from engine.data import audit as real

        for step in range(10_000):
            if should_stop():
                raise CancelledError("stopped", stage="structure")
            progress("near_duplicates_left", min(0.9, step / 100))
            if release.is_set():
                return real(data)
            time.sleep(0.01)
        raise AssertionError("never released")

    monkeypatch.setattr(audit_runner, "audit", fake)
    yield release
    release.set()


def test_a_background_audit_reports_progress_and_can_be_cancelled(slow_audit):
    data = csv_bytes(toy_rows(40))
    task = audit_runner.start("pairs.csv", data, {}, digest="a" * 64)
    assert audit_runner.start("pairs.csv", data, {}, digest="a" * 64) is task  # a rerun finds the same task
    deadline = time.monotonic() + 30
    while task.fraction < 0.05 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert task.state == "running" and task.stage == "near_duplicates_left" and task.fraction > 0
    audit_runner.cancel(task.key)
    assert task.wait(10) and task.state == "cancelled" and task.result is None

    audit_runner.restart(task.key)
    again = audit_runner.start("pairs.csv", data, {}, digest="a" * 64)
    assert again is not task
    slow_audit.set()
    assert again.wait(30) and again.state == "done", again.error
    assert again.result["report"]["rows"] == 40 and again.result["refusal"] is None


def test_finished_audits_are_bounded():
    data = csv_bytes(toy_rows(40))
    tasks = [audit_runner.start("pairs.csv", data, {}, digest=f"{i:064x}") for i in range(audit_runner.MAX_FINISHED + 4)]
    assert all(task.wait(60) for task in tasks)
    audit_runner.start("pairs.csv", data, {}, digest="f" * 64).wait(60)
    assert len(audit_runner._tasks) <= audit_runner.MAX_FINISHED + 1


def _data_page(monkeypatch, tmp_path) -> AppTest:
    monkeypatch.setenv("TILTPILOT_STORE", str(tmp_path / "store"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/data.py").run()
    assert not at.exception, at.exception
    return at


def test_a_long_audit_shows_progress_and_a_cancel_button(monkeypatch, tmp_path, slow_audit):
    at = _data_page(monkeypatch, tmp_path)
    rows = toy_rows(40)
    rows[0]["title"] = HOSTILE[0]
    at.file_uploader(key="upload_file").upload("slow.csv", csv_bytes(rows), "text/csv").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.dataframe[0].value.shape == (20, 4)
    assert at.get("download_button"), "our formula-safe download is offered"
    assert at.get("progress"), "a long audit shows its progress"
    assert not [b for b in at.button if b.key == "save_dataset"]  # no Save before the audit ends
    at.button(key="audit_cancel").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.info and at.button(key="audit_restart") and at.button(key="save_dataset")


def test_data_that_cannot_train_is_flagged_before_save(monkeypatch, tmp_path):
    at = _data_page(monkeypatch, tmp_path)
    rows = [dict(toy_rows(1)[0], product_id=f"P{i}") for i in range(30)]  # 30 copies of one pair
    at.file_uploader(key="upload_file").upload("same.csv", csv_bytes(rows), "text/csv").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.warning and at.error, "the Save refusal is shown with the audit"
