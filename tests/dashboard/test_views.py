"""AppTest: every dashboard page renders on an empty store and on a store with real runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import csv_bytes, toy_rows
from streamlit.testing.v1 import AppTest

from dashboard.notices import plain
from engine.models.packaged import MINILM  # preselected for the English toy pairs

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
VIEWS = ["views/home.py", "views/data.py", "views/train.py", "views/results.py", "views/roi.py", "views/report.py"]


@pytest.fixture(scope="session")
def run_store(toy_comparison_store) -> Path:
    return toy_comparison_store


def _app(monkeypatch, store: Path) -> AppTest:
    monkeypatch.setenv("TILTPILOT_STORE", str(store))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def _page(at: AppTest, view: str) -> AppTest:
    at.switch_page(view).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("view", VIEWS)
def test_every_page_renders_on_an_empty_store(monkeypatch, tmp_path, view):
    at = _page(_app(monkeypatch, tmp_path / "empty"), view)
    assert at.title, "every page has a title"


def test_every_page_renders_on_a_store_with_runs(monkeypatch, run_store):
    at = _app(monkeypatch, run_store)
    home = _page(at, "views/home.py")
    table = home.dataframe[0].value
    assert sorted(table["loss"]) == ["clip", "joint"] and set(table["state"]) == {"finished"}  # state words from the catalogue
    for view in VIEWS[1:]:
        _page(at, view)


def test_results_show_charts_intervals_and_verdicts(monkeypatch, run_store):
    at = _page(_app(monkeypatch, run_store), "views/results.py")
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    titles = [s["layout"].get("title", {}).get("text", "") for s in specs]
    bars = specs[titles.index(next(t for t in titles if t.startswith("Recall@1")))]
    # Two runs x (base, tuned) with 95% error bars from the stored bootstrap.
    assert {trace["type"] for trace in bars["data"]} >= {"bar"}
    assert any(trace.get("error_y", {}).get("array") for trace in bars["data"] if trace["type"] == "bar")
    from engine.analysis.evidence.verdict import render_verdict

    # The verdicts name the direction by the user's columns (the Results page's decision layout).
    comparison = json.loads((run_store / "comparison.json").read_text())
    expected = [render_verdict(p, direction_label="title → description") for p in comparison["pairwise"]
                if p["direction"] == "left_to_right"]
    shown = [t.value for t in at.text]
    assert expected and all(v in shown for v in expected)
    # the other sections: one picked at a time, each drawing its own charts from stored data; the
    # analyst's sections sit under "Technical details"
    from dashboard import state

    for section in ("similarity", "learning", "examples", "technical"):
        at.session_state[state.RESULT_SECTION] = section
        at.run()
        assert not at.exception, section
        specs += [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    for part in ("latent", "low_rank", "training"):
        at.session_state[state.RESULT_TECHNICAL] = part
        at.run()
        assert not at.exception, part
        specs += [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    assert len(specs) >= 8  # retrieval, similarity, calibration, map, 2 low-rank, ranks, loss curves


def test_results_for_one_picked_run(monkeypatch, run_store):
    at = _app(monkeypatch, run_store)
    run_id = sorted(p.name for p in run_store.iterdir() if (p / "config.json").is_file())[0]
    from dashboard import state

    at.selectbox(key=state.RUN).select(run_id).run()
    _page(at, "views/results.py")
    assert at.get("plotly_chart") and at.metric[0].value
    assert [m.label for m in at.metric] == [json.loads((run_store / run_id / "config.json").read_text())["loss"]["name"]]


def test_upload_shows_preview_audit_and_saves(monkeypatch, tmp_path):
    at = _page(_app(monkeypatch, tmp_path / "s"), "views/data.py")
    rows = toy_rows(40)
    rows[1]["description"] = rows[0]["description"]  # a duplicate right text: the audit must say so
    at.file_uploader(key="upload_file").upload("pairs.csv", csv_bytes(rows), "text/csv").run()
    assert not at.exception and not at.error
    assert at.dataframe[0].value.shape == (20, 4)
    assert at.selectbox(key="column_role_left").value == "title"
    texts = [t.value for t in at.text]
    assert texts[0].startswith("40 pairs") and any(t.startswith("What to do:") for t in texts)
    at.button(key="save_dataset").click().run()
    assert not at.exception and "40 pairs" in at.success[0].value
    assert len(list((tmp_path / "s" / "datasets").iterdir())) == 1


def test_malformed_upload_shows_the_engine_error(monkeypatch, tmp_path):
    at = _page(_app(monkeypatch, tmp_path / "s"), "views/data.py")
    at.file_uploader(key="upload_file").upload("bad.csv", b"only_one_column\nx\ny\n", "text/csv").run()
    assert not at.exception and at.error and at.error[0].value
    assert at.subheader[-1].value  # the stored-datasets section still renders


def test_train_submits_the_chosen_spec_and_shows_jobs(monkeypatch, tmp_path):
    import engine.jobs
    from engine.datasets import store_upload

    store = tmp_path / "s"
    entry = store_upload(store, "pairs.csv", csv_bytes(toy_rows(40)))
    submitted = []
    monkeypatch.setattr(engine.jobs, "submit_job", lambda root, spec: submitted.append(spec) or "job-1")
    running = {"job_id": "job-2", "state": "running", "spec": {"losses": ["clip"], "tilts": ["cosine"]},
               "progress": {"stage": "train", "run_label": "clip-cosine", "runs_done": 1, "runs_total": 2, "step": 5,
                            "total_steps": 10, "epoch": 1, "epochs": 1, "overall_eta_s": 75}}
    failed = {"job_id": "job-3", "state": "failed", "spec": {"losses": ["joint"], "tilts": ["l2"]}, "error": "Boom: fix X."}
    monkeypatch.setattr(engine.jobs, "list_jobs", lambda root: [running, failed])
    at = _page(_app(monkeypatch, store), "views/train.py")
    at.number_input(key="train_epochs").set_value(2).run()
    at.button(key="train_start").click().run()
    assert not at.exception
    assert submitted == [{"data": str(entry.path), "columns": entry.mapping, "losses": ["clip", "joint"],
                          "tilts": ["cosine"], "temperature": None, "epochs": 2, "early_stopping": True, "batch_size": 32, "seed": 0,
                          "max_rows": None, "model": MINILM, "gallery": "test"}]
    progress = at.get("progress")[0]
    assert progress.value == 75 and "1 min 15 s" in progress.proto.text  # (1 + 5/10) of 2 runs
    assert at.error[0].value == plain("Boom: fix X.")  # shown as typed, never as Markdown


def test_home_sample_button_registers_the_catalogue_and_starts_a_comparison(monkeypatch, tmp_path):
    import engine.jobs
    from engine.datasets import list_datasets

    submitted = []
    monkeypatch.setattr(engine.jobs, "submit_job", lambda root, spec: submitted.append(spec) or "job-1")
    store = tmp_path / "s"
    at = _app(monkeypatch, store)
    at.button(key="load_sample").click().run()
    assert not at.exception and not at.error
    stored = list_datasets(store)
    assert [d.rows for d in stored] == [388]
    assert len(submitted) == 1 and submitted[0]["data"] == str(stored[0].path)
    assert set(submitted[0]["losses"]) == {"clip", "joint"}


def test_started_with_data_the_sample_is_a_stored_dataset(monkeypatch, tmp_path):
    """`make run` passes `-- --data sample_data/catalogue.csv`: Train can use it at once."""
    import sys

    from conftest import SAMPLE_CSV

    from engine.datasets import list_datasets

    monkeypatch.setattr(sys, "argv", ["app.py", "--data", str(SAMPLE_CSV)])
    store = tmp_path / "s"
    at = _page(_app(monkeypatch, store), "views/train.py")
    assert not at.exception
    assert [d.rows for d in list_datasets(store)] == [388]
    assert "388 pairs" in at.selectbox(key="train_dataset").format_func(at.selectbox(key="train_dataset").value)
