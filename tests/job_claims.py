"""Queue a job and claim it in this process, as a worker would: job tests run it without a worker process."""

from __future__ import annotations

import os
from pathlib import Path

from engine.jobs import queue, submit_job
from engine.jobs.queue import claim_next


def claimed(store: Path, spec: dict, monkeypatch) -> dict:
    """Queue ``spec`` without starting a worker process, and claim it as this process's worker would."""
    monkeypatch.setattr(queue, "ensure_worker", lambda *args, **kwargs: None)
    job_id = submit_job(store, spec)
    job = claim_next(store, "cpu", os.getpid())
    assert job is not None and job["job_id"] == job_id
    return job
