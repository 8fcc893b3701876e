"""A damaged store: every page still renders, `tiltpilot doctor` repairs it, a damaged run shows a message.

The store is a real tiny-model comparison (as in test_views.py), copied per test and then damaged
the way a full disk or a killed writer leaves it: ``index.json`` or one run's ``metrics.json`` cut
in the middle.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
VIEWS = ["views/home.py", "views/data.py", "views/train.py", "views/results.py", "views/roi.py", "views/report.py"]
RUN_KEY = "picked_run"  # dashboard.state.RUN


@pytest.fixture(scope="module")
def pristine_store(toy_comparison_store) -> Path:
    return toy_comparison_store  # every test copies it before damaging it


def _copy(store: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(store, tmp_path / "store"))


def _truncate(path: Path) -> None:
    text = path.read_bytes()
    path.write_bytes(text[: len(text) // 2])
    with pytest.raises(json.JSONDecodeError):
        json.loads(path.read_text())


def _run_ids(store: Path) -> list[str]:
    return sorted(p.name for p in store.iterdir() if (p / "config.json").is_file())


def _app(monkeypatch, store: Path) -> AppTest:
    monkeypatch.setenv("TILTPILOT_STORE", str(store))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    return at


def _trace(at: AppTest) -> str:
    return "\n".join(f"{e.value}\n" + "\n".join(e.stack_trace) for e in at.exception)


def _failures(at: AppTest, views: list[str]) -> dict[str, str]:
    """Page -> the exception it showed, for every page that did not render cleanly."""
    failed = {}
    for view in views:
        at.switch_page(view).run()
        if at.exception:
            failed[view] = _trace(at)
    return failed


def test_every_page_renders_with_a_truncated_index(monkeypatch, pristine_store, tmp_path):
    store = _copy(pristine_store, tmp_path)
    _truncate(store / "index.json")
    at = _app(monkeypatch, store)
    # the first page says the index was rebuilt (a warning in the sidebar), as plain text
    assert any("rebuilt" in str(w.value) for w in at.sidebar.warning), [w.value for w in at.sidebar.warning]
    failed = {"first load": _trace(at)} if at.exception else {}
    failed.update(_failures(at, VIEWS))
    assert not failed, "\n\n".join(f"{view}:\n{trace}" for view, trace in failed.items())
    # the runs are still offered: the index was rebuilt from the run folders
    shown = at.selectbox(key=RUN_KEY).options  # labels such as "<run id> (done)"
    assert all(any(run_id in label for label in shown) for run_id in _run_ids(store)), shown
    assert set(json.loads((store / "index.json").read_text())["runs"]) == set(_run_ids(store))


def test_doctor_repairs_a_truncated_index(pristine_store, tmp_path, capsys):
    from engine.cli import main

    store = _copy(pristine_store, tmp_path)
    _truncate(store / "index.json")
    assert main(["doctor", "--dry-run", "--json", str(store)]) in (0, 1)
    dry = json.loads(capsys.readouterr().out)
    assert dry["index"]["status"] == "corrupt" and dry["repairs"] >= 1
    with pytest.raises(json.JSONDecodeError):  # a dry run changes nothing
        json.loads((store / "index.json").read_text())

    assert main(["doctor", str(store)]) == 0
    out = capsys.readouterr().out
    assert "index.json" in out or "index" in out.lower()
    index = json.loads((store / "index.json").read_text())
    assert set(index["runs"]) == set(_run_ids(store))
    assert all(entry.get("state") == "done" for entry in index["runs"].values())

    assert main(["doctor", "--json", str(store)]) == 0  # a second pass finds nothing to do
    again = json.loads(capsys.readouterr().out)
    assert again["index"]["status"] == "ok" and again["repairs"] == 0


def test_a_truncated_metrics_file_shows_a_message_not_a_traceback(monkeypatch, pristine_store, tmp_path):
    store = _copy(pristine_store, tmp_path)
    damaged = _run_ids(store)[0]
    _truncate(store / damaged / "metrics.json")
    at = _app(monkeypatch, store)
    failed = {"first load": _trace(at)} if at.exception else {}
    failed.update(_failures(at, VIEWS))  # the comparison view: one of its runs is damaged
    at.selectbox(key=RUN_KEY).select(damaged).run()
    failed.update({f"{view} (run {damaged} picked)": trace
                   for view, trace in _failures(at, VIEWS).items()})
    assert not failed, "\n\n".join(f"{view}:\n{trace}" for view, trace in failed.items())
    at.switch_page("views/results.py").run()
    said = " ".join(str(e.value) for kind in ("error", "warning", "info") for e in at.get(kind))
    assert said, "the Results page for a damaged run says nothing about it"


def test_a_damaged_run_leaves_the_others_readable(pristine_store, tmp_path):
    from engine.runs import RunStore

    store = _copy(pristine_store, tmp_path)
    damaged, *others = _run_ids(store)
    _truncate(store / damaged / "metrics.json")
    (store / "index.json").unlink()  # listing rebuilds it from the run folders
    runs = {r["run_id"]: r for r in RunStore(store).list_runs()}
    assert set(runs) == {damaged, *others}
    assert all(runs[o]["state"] == "done" for o in others)
