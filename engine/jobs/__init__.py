"""Background jobs: comparisons queued as files and run by a detached worker process.

The dashboard submits a comparison and polls it; the work survives a page refresh, a closed
browser and a dashboard restart because the queue is files in ``<store>/jobs`` and the worker is
its own process (one job at a time per device).
"""

from __future__ import annotations

from engine.jobs.queue import (
    DEAD_WORKER,
    JOB_STATES,
    cancel_job,
    ensure_worker,
    get_job,
    list_jobs,
    result_path,
    submit_job,
    worker_running,
)
from engine.jobs.spec import SPEC_DEFAULTS, normalise_spec, run_configs

__all__ = [
    "DEAD_WORKER",
    "JOB_STATES",
    "SPEC_DEFAULTS",
    "cancel_job",
    "ensure_worker",
    "get_job",
    "list_jobs",
    "normalise_spec",
    "result_path",
    "run_configs",
    "submit_job",
    "worker_running",
]
