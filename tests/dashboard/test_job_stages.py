"""AppTest: a job card names what the job does from the moment it is queued, before any training step."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import csv_bytes, toy_rows
from streamlit.testing.v1 import AppTest

from dashboard import job_cards
from engine.i18n import message, override, t

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
SPEC = {"losses": ["clip", "joint"], "tilts": ["cosine"]}


@pytest.fixture
def store(tmp_path):
    from engine.datasets import store_upload

    root = tmp_path / "s"
    store_upload(root, "pairs.csv", csv_bytes(toy_rows(40)))
    return root


def _cards(monkeypatch, store: Path, jobs: list[dict]) -> list:
    import engine.jobs

    monkeypatch.setattr(engine.jobs, "list_jobs", lambda root: jobs)
    monkeypatch.setattr(engine.jobs, "ensure_worker", lambda *args, **kwargs: None)  # no real worker
    monkeypatch.setenv("TILTPILOT_STORE", str(store))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/train.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at.get("progress")


def _stage(name: str) -> str:
    return message("job_stages.STAGES")[name]


def test_queued_and_loading_jobs_name_their_stage_before_any_step(monkeypatch, store):
    queued = {"job_id": "job-1", "state": "queued", "spec": SPEC,
              "progress": {"stage": "queued", "runs_done": 0, "runs_total": 2}}
    loading = {"job_id": "job-2", "state": "running", "spec": SPEC,
               "progress": {"stage": "load_model", "runs_done": 0, "runs_total": 2}}
    old = {"job_id": "job-3", "state": "running", "spec": SPEC, "progress": None}  # a job file from before stages
    bars = _cards(monkeypatch, store, [queued, loading, old])
    texts = [bar.proto.text for bar in bars]
    assert texts == [t("job_stages.BEFORE_RUNS", stage=_stage("queued"), total=2),
                     t("job_stages.BEFORE_RUNS", stage=_stage("load_model"), total=2),
                     t("job_stages.BEFORE_RUNS", stage=_stage("starting"), total="?")]
    assert all("?" not in text for text in texts[:2])


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_stage_of_a_comparison_reads_as_words(lang):
    progress = {"runs_done": 1, "runs_total": 2, "run_label": "joint-cosine", "step": 10, "total_steps": 10}
    with override(lang):
        analysing = job_cards.progress_text({"state": "running", "spec": SPEC,
                                             "progress": {**progress, "stage": "analyse:latent_map"}})
        assert analysing == t("job_stages.IN_RUN", run=2, total=2, label="joint-cosine",
                              stage=_stage("analyse").format(part=message("job_stages.PARTS")["latent_map"]))
        comparing = job_cards.progress_text({"state": "running", "spec": SPEC,
                                             "progress": {"stage": "compare_runs", "runs_done": 2, "runs_total": 2}})
        assert comparing == _stage("compare_runs")
        for stage in message("job_stages.STAGES"):
            text = job_cards.progress_text({"state": "running", "spec": SPEC, "progress": {**progress, "stage": stage}})
            assert stage not in text  # a name, never the code's word
