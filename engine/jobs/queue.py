"""A file-based job queue inside a run store: ``<store>/jobs/<job_id>.json``, one file per job.

Jobs are plain files so they survive a closed browser and a dashboard restart; a detached worker
process (``python -m engine.jobs.worker``) runs them one at a time per device. Every
read-modify-write of a job file holds an exclusive ``fcntl`` lock on ``jobs/jobs.lock``, and
every write is atomic, so the dashboard and the worker never see half a file or lose an update.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import engine
from engine.errors import ConfigError
from engine.i18n import t
from engine.jobs.recovery import check_job, host_name
from engine.jobs.spec import normalise_spec, planned_runs, resume_in_store
from engine.runs import COMPARISON_FILE
from engine.runs.atomic import atomic_write_json, read_json
from engine.runs.ids import check_id, is_valid_id
from engine.runs.records import JobRecord

logger = logging.getLogger(__name__)

JOB_STATES = ("queued", "running", "done", "failed", "cancelled")
FINISHED = ("done", "failed", "cancelled")
DEFAULT_IDLE_S = 5.0


def jobs_dir(store_root: str | Path) -> Path:
    return Path(store_root) / "jobs"


# Every path built from a job id goes through check_id, so "../x" never leaves the store.
def job_path(store_root: str | Path, job_id: str) -> Path:
    return jobs_dir(store_root) / f"{check_id('job', job_id)}.json"


def result_path(store_root: str | Path, job_id: str) -> Path:
    return jobs_dir(store_root) / f"{check_id('job', job_id)}.result.json"


def cancel_flag(store_root: str | Path, job_id: str) -> Path:
    return jobs_dir(store_root) / f"{check_id('job', job_id)}.cancel"


def worker_lock_path(store_root: str | Path, device_key: str) -> Path:
    return jobs_dir(store_root) / f"worker-{_safe(device_key)}.lock"


def device_key_of(spec: dict[str, Any]) -> str:
    return spec.get("device") or "auto"


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text)


@contextlib.contextmanager
def jobs_locked(store_root: str | Path) -> Iterator[None]:
    """Hold the queue lock (short critical sections only: no training inside)."""
    folder = jobs_dir(store_root)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "jobs.lock", "a+") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _new_job_id() -> str:
    # Sortable by submission time (to the microsecond), so "oldest queued first" is a name sort.
    now = time.time()
    job_id = f"{time.strftime('%Y%m%d-%H%M%S', time.localtime(now))}-{int(now * 1e6) % 1_000_000:06d}-{secrets.token_hex(2)}"
    return check_id("job", job_id)


def submit_job(store_root: str | Path, spec: dict[str, Any], *, idle_s: float = DEFAULT_IDLE_S) -> str:
    """Validate a job request, queue it and make sure a worker is running.

    Args:
        store_root: The run store; jobs live in ``<store_root>/jobs``.
        spec: The request: a comparison (see :data:`engine.jobs.spec.SPEC_DEFAULTS`), a learning
            curve (``kind="learning_curve"``, see :data:`engine.jobs.spec.LEARNING_CURVE_DEFAULTS`) or
            the resumption of an interrupted run of this store (``kind="resume"``, ``run_id``; see
            :data:`engine.jobs.spec.RESUME_DEFAULTS`).
        idle_s: How long a newly started worker waits for more jobs before it exits.

    Returns:
        The job id.

    Raises:
        ConfigError: The spec is invalid, or the run to resume cannot be resumed; nothing is written.
    """
    full = normalise_spec(spec)
    if full["kind"] == "resume":
        full = resume_in_store(store_root, full)
    job_id = _new_job_id()
    job: JobRecord = {
        "job_id": job_id,
        "kind": full["kind"],
        "state": "queued",
        "spec": full,
        "device_key": device_key_of(full),
        "created": time.time(),
        "started": None,
        "finished": None,
        "pid": None,
        # A named stage from the first second: the card says "waiting for the worker", with the run count known.
        "progress": {"stage": "queued", "runs_done": 0, "runs_total": planned_runs(full), "updated": time.time()},
        "run_ids": [],
        "error": None,
    }
    with jobs_locked(store_root):
        atomic_write_json(job_path(store_root, job_id), job)
    logger.info("queued %s job %s", full["kind"], job_id)
    ensure_worker(store_root, device_key=job["device_key"], idle_s=idle_s)
    return job_id


def worker_running(store_root: str | Path, device_key: str = "auto") -> bool:
    """Whether a worker holds the lock for this store and device."""
    path = worker_lock_path(store_root, device_key)
    if not path.is_file():
        return False
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return False


def ensure_worker(store_root: str | Path, device_key: str = "auto", *, idle_s: float = DEFAULT_IDLE_S) -> int | None:
    """Start a detached worker for this store and device unless one is alive.

    Two callers may both start one; the second worker cannot take the lock and exits at once, so
    there is never more than one job running per device.

    Returns:
        The pid of the started worker, or None when one was already running.
    """
    if worker_running(store_root, device_key):
        return None
    folder = jobs_dir(store_root)
    folder.mkdir(parents=True, exist_ok=True)
    repo = str(Path(engine.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "engine.jobs.worker", "--store", str(Path(store_root).resolve()),
               "--device-key", device_key, "--idle", str(idle_s)]
    with open(folder / "worker.log", "ab") as log:
        # A new session: the worker is not killed with the dashboard's process group, and it does
        # not hold the dashboard's terminal.
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True, env=env, close_fds=True)
    logger.info("started job worker pid %d for %s (%s)", process.pid, store_root, device_key)
    return process.pid


def _view(store_root: str | Path, job: JobRecord) -> JobRecord:
    """The job as pages see it: a dead worker's job written failed first, its reason in the language in force."""
    job = check_job(store_root, job)
    if job.get("state") == "failed" and job.get("error_code"):
        with contextlib.suppress(KeyError, IndexError, ValueError):
            job = {**job, "error": t(job["error_code"], **(job.get("error_fields") or {}))}
    return job


def get_job(store_root: str | Path, job_id: str) -> JobRecord:
    """The job file; a running job whose worker died is written ``failed`` (with its runs) first.

    Raises:
        ConfigError: No job with this id in this store.
    """
    job = read_json(job_path(store_root, job_id), default=None)
    if job is None:
        raise ConfigError(f"job '{job_id}': not found in {jobs_dir(store_root)}. Pick a job from list_jobs().")
    return _view(store_root, job)


def iter_job_files(store_root: str | Path) -> Iterator[JobRecord]:
    """Every readable job file of the store, as stored (no liveness check), in name order."""
    folder = jobs_dir(store_root)
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.json")):
        if path.name.endswith(".result.json") or not is_valid_id("job", path.stem):
            continue
        with contextlib.suppress(OSError, ValueError):
            job = read_json(path, default=None)
            if isinstance(job, dict) and "job_id" in job:
                yield job


def list_jobs(store_root: str | Path) -> list[JobRecord]:
    """Every job of the store, newest first (dead workers' jobs written failed first, as in :func:`get_job`)."""
    jobs = [_view(store_root, job) for job in iter_job_files(store_root)]
    return sorted(jobs, key=lambda j: j["job_id"], reverse=True)


def update_job(store_root: str | Path, job_id: str, **fields: Any) -> JobRecord:
    """Merge ``fields`` into a job file under the queue lock."""
    with jobs_locked(store_root):
        job = read_json(job_path(store_root, job_id))
        job.update(fields)
        atomic_write_json(job_path(store_root, job_id), job)
        return job


def cancel_job(store_root: str | Path, job_id: str) -> JobRecord:
    """Cancel a job: a queued one at once, a running one within about a second (its runner is stopped).

    Returns:
        The job after the request (a running job stays ``running`` with ``cancel_requested``
        until the worker stops it).

    Raises:
        ConfigError: No such job.
    """
    get_job(store_root, job_id)
    with jobs_locked(store_root):
        job = read_json(job_path(store_root, job_id))
        if job["state"] == "queued":
            job.update(state="cancelled", finished=time.time(), error=None)
        elif job["state"] == "running":
            cancel_flag(store_root, job_id).touch()
            job["cancel_requested"] = True
        else:
            return job
        atomic_write_json(job_path(store_root, job_id), job)
    logger.info("cancel requested for job %s (%s)", job_id, job["state"])
    return _view(store_root, job)


def claim_next(store_root: str | Path, device_key: str, pid: int) -> JobRecord | None:
    """Mark the oldest queued job of this device ``running`` and return it (None if none)."""
    folder = jobs_dir(store_root)
    with jobs_locked(store_root):
        for path in sorted(folder.glob("*.json")):
            if path.name.endswith(".result.json"):
                continue
            job = read_json(path, default=None)
            if not isinstance(job, dict) or job.get("state") != "queued" or job.get("device_key") != device_key:
                continue
            job.update(state="running", pid=pid, host=host_name(), started=time.time())
            atomic_write_json(path, job)
            return job
    return None


def find_done_job(store_root: str | Path, spec: dict[str, Any]) -> JobRecord | None:
    """The newest finished (``done``) job of the store with exactly this request, if any.

    Lets a page ask "results exist: open them?" before it trains the same thing again.

    Raises:
        ConfigError: The spec is invalid (as :func:`submit_job` would).
    """
    full = normalise_spec(spec)
    return next((job for job in list_jobs(store_root) if job["state"] == "done" and job.get("spec") == full), None)


def open_result(store_root: str | Path, job_id: str) -> Path:
    """Make a finished job's result the store's current one, the file the Results page reads.

    A comparison becomes ``<store>/comparison.json``, a learning curve ``<store>/learning_curve.json``
    (the worker records both paths in the job). Nothing is written when the file already holds it.

    Returns:
        The store's current result file.

    Raises:
        ConfigError: No such job, the job is not done, or its result file is gone.
    """
    job = get_job(store_root, job_id)
    source, current = job.get("result"), job.get("current")
    if current is None and job.get("kind") == "compare":  # jobs finished before "current" was recorded
        current = str(Path(store_root) / COMPARISON_FILE)
    if job["state"] != "done" or not source or not current:
        raise ConfigError(f"job '{job_id}': state {job['state']}, no result to open; open a finished job.")
    result = read_json(Path(source), default=None)
    if result is None:
        raise ConfigError(f"job '{job_id}': its result file {source} is missing; run the job again.")
    if read_json(Path(current), default=None) != result:
        atomic_write_json(Path(current), result)
        logger.info("job %s: its result is now %s", job_id, current)
    return Path(current)


def has_queued(store_root: str | Path, device_key: str) -> bool:
    return any(j["state"] == "queued" and j.get("device_key") == device_key for j in list_jobs(store_root))
