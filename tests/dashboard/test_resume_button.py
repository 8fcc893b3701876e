"""Train page: a failed run with a checkpoint is offered for resuming, as a background job."""

from __future__ import annotations

from pathlib import Path

from conftest import toy_rows, write_csv
from streamlit.testing.v1 import AppTest

from engine.config import DataConfig, RunConfig
from engine.runs import RunStore

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def _failed_run(store: Path, data: Path, *, checkpoint: bool):
    runs = RunStore(store)
    run = runs.create_run("clip-cosine", RunConfig(data=DataConfig(path=str(data))).to_dict())
    runs.set_status(run, "failed", error="The worker process stopped unexpectedly (pid 1).")
    if checkpoint:
        run.checkpoint.mkdir()
        (run.checkpoint / "state.pt").write_bytes(b"stand-in")  # only its presence is read here
    return run


def test_a_failed_run_with_a_checkpoint_gets_a_resume_button(monkeypatch, tmp_path):
    import engine.jobs
    import engine.jobs.queue

    store, data = tmp_path / "s", write_csv(tmp_path / "pairs.csv", toy_rows(40))
    resumable = _failed_run(store, data, checkpoint=True)
    _failed_run(store, data, checkpoint=False)  # nothing to resume from: not offered
    started = []
    monkeypatch.setattr(engine.jobs.queue, "ensure_worker", lambda *a, **k: started.append(a) or None)
    monkeypatch.setattr(engine.jobs, "ensure_worker", lambda *a, **k: None)
    monkeypatch.setenv("TILTPILOT_STORE", str(store))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/train.py").run()
    assert not at.exception, [e.value for e in at.exception]
    buttons = [b.key for b in at.button if b.key and b.key.startswith("resume_")]
    assert buttons == [f"resume_{resumable.run_id}"]
    at.button(key=f"resume_{resumable.run_id}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    [job] = engine.jobs.list_jobs(store)
    assert job["kind"] == "resume" and job["spec"]["run_id"] == resumable.run_id and job["state"] == "queued"
    assert started, "the resume job asks for a worker"
    at.run()
    assert not [b for b in at.button if b.key == f"resume_{resumable.run_id}"]  # now "being resumed"
    assert any(job["job_id"] in c.value for c in at.caption)
