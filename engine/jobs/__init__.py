"""Background jobs: comparisons, learning curves and robustness studies queued as files and run by a detached worker process.

The dashboard submits a job and polls it; the work survives a page refresh, a closed
browser and a dashboard restart because the queue is files in ``<store>/jobs`` and the worker is
its own process (one job at a time per device). Each job runs in a runner process of its own
(:mod:`engine.jobs.runner`), so a cancel stops it within about a second in any stage.
"""

from __future__ import annotations

from engine.jobs.queue import (
    JOB_STATES,
    cancel_job,
    ensure_worker,
    find_done_job,
    get_job,
    list_jobs,
    open_result,
    result_path,
    submit_job,
    worker_running,
)
from engine.jobs.recovery import HEARTBEAT_EVERY_S, STALE_AFTER_S, dead_worker_message, reap_dead_jobs
from engine.jobs.spec import (
    JOB_KINDS,
    KIND_DEFAULTS,
    LEARNING_CURVE_DEFAULTS,
    ROBUSTNESS_DEFAULTS,
    SPEC_DEFAULTS,
    learning_curve_config,
    normalise_spec,
    robustness_config,
    run_configs,
)

__all__ = [
    "HEARTBEAT_EVERY_S",
    "JOB_KINDS",
    "JOB_STATES",
    "KIND_DEFAULTS",
    "LEARNING_CURVE_DEFAULTS",
    "ROBUSTNESS_DEFAULTS",
    "SPEC_DEFAULTS",
    "STALE_AFTER_S",
    "cancel_job",
    "dead_worker_message",
    "ensure_worker",
    "find_done_job",
    "get_job",
    "learning_curve_config",
    "list_jobs",
    "normalise_spec",
    "open_result",
    "reap_dead_jobs",
    "result_path",
    "robustness_config",
    "run_configs",
    "submit_job",
    "worker_running",
]
