"""Noticing a dead worker: its heartbeat, and marking its job and runs failed on disk.

A running worker rewrites ``jobs/<job_id>.heartbeat`` every :data:`HEARTBEAT_EVERY_S` seconds
from a thread. Every read of the queue (``get_job``, ``list_jobs``) and of the run store
(``RunStore.list_runs`` calls :func:`reap_dead_jobs`) checks each running job:

* its worker's pid is gone (``kill -9``, the OOM killer, a reboot) — failed at once;
* its pid is alive but belongs to another program now (pids are reused) and the heartbeat is
  older than :data:`STALE_AFTER_S` (three missed beats and a second's slack) — failed;
* its worker runs on another host (a store on a shared disk), where the pid cannot be checked,
  and the heartbeat is older than :data:`STALE_AFTER_S` — failed;
* its own worker is alive here but has not beaten for :data:`HUNG_AFTER_S` — failed as hung.
  The long wait is deliberate: a live worker may be slow to beat on a loaded machine, and if it
  finishes after all, its own "done" overwrites the verdict, so a false alarm heals itself.

The verdict is written to the job file and to ``status.json`` of every run the job left
running, with the reason, so every page and command sees the same thing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from pathlib import Path
from typing import Any

from engine.i18n import t
from engine.runs import RunPaths, RunStore, atomic_write_json, read_json
from engine.runs.ids import check_id
from engine.runs.store import process_alive

logger = logging.getLogger(__name__)

HEARTBEAT_EVERY_S = 1.0
MISSED_BEATS = 3
STALE_AFTER_S = HEARTBEAT_EVERY_S * (MISSED_BEATS + 1)
HUNG_AFTER_S = 60.0
WORKER_MODULE = "engine.jobs.worker"  # what a worker's command line holds (to tell a reused pid)
# The message keys of a dead worker's reason, stored with the job so pages render it in their language.
DIED, HUNG, SILENT = "recovery.WORKER_DIED", "recovery.WORKER_HUNG", "recovery.WORKER_SILENT"


def dead_worker_message(pid: int | str) -> str:
    """The reason a job and its runs fail when their worker's process is gone, in the language in force."""
    return t(DIED, pid=pid)


def host_name() -> str:
    return socket.gethostname()


def heartbeat_path(store_root: str | Path, job_id: str) -> Path:
    return Path(store_root) / "jobs" / f"{check_id('job', job_id)}.heartbeat"


class Heartbeat:
    """A daemon thread that stamps the job's heartbeat file while the ``with`` block runs.

    Args:
        store_root: The run store.
        job_id: The job being run.
        every_s: Seconds between beats.
    """

    def __init__(self, store_root: str | Path, job_id: str, every_s: float = HEARTBEAT_EVERY_S) -> None:
        self.path = heartbeat_path(store_root, job_id)
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{job_id}", daemon=True)

    def beat(self) -> None:
        try:
            atomic_write_json(self.path, {"pid": os.getpid(), "host": host_name(), "time": time.time()})
        except OSError as exc:  # a full disk must not end the job; readers then judge by the pid
            logger.warning("heartbeat %s not written: %s", self.path.name, exc)

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self.beat()

    def __enter__(self) -> Heartbeat:
        self.beat()
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.path.unlink(missing_ok=True)


def last_beat(store_root: str | Path, job: dict[str, Any]) -> float | None:
    """When the job's worker last beat; None before its first beat (then only its pid is judged)."""
    try:
        beat = read_json(heartbeat_path(store_root, job["job_id"]), default=None)
    except (OSError, ValueError):  # a half-written or damaged file: judge by the pid this time
        return None
    if isinstance(beat, dict) and isinstance(beat.get("time"), (int, float)):
        return float(beat["time"])
    return None


def _zombie(pid: int) -> bool:
    # A worker started from this process and not yet reaped is a zombie: os.kill still succeeds.
    with contextlib.suppress(OSError, IndexError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] == "Z"
    return False


def _is_worker(pid: int) -> bool:
    """Whether ``pid`` runs a job worker (True where /proc cannot tell)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True
    return WORKER_MODULE.encode() in command


def death_reason(store_root: str | Path, job: dict[str, Any], now: float | None = None) -> tuple[str, dict] | None:
    """Why a ``running`` job's worker counts as dead: (message key, fields), or None while it lives.

    Args:
        store_root: The run store.
        job: The job file's content.
        now: The time to judge at (default: now).
    """
    if job.get("state") != "running":
        return None
    now = time.time() if now is None else now
    beat = last_beat(store_root, job)
    age = None if beat is None else max(0.0, now - beat)
    stale = age is not None and age > STALE_AFTER_S
    pid = job.get("pid")
    if job.get("host") not in (None, host_name()):
        return (SILENT, {"host": job["host"], "seconds": round(age or 0.0)}) if stale else None
    if not pid or not process_alive(pid) or _zombie(pid):
        return DIED, {"pid": pid or "?"}
    if stale and not _is_worker(pid):
        return DIED, {"pid": pid}
    if age is not None and age > HUNG_AFTER_S:
        return HUNG, {"pid": pid, "seconds": round(age)}
    return None


def _job_run_statuses(store_root: str | Path, pids: set[int], since: float) -> list[tuple[RunPaths, dict]]:
    """(run, status) of every run that one of ``pids`` made since ``since``, in name order."""
    root = Path(store_root)
    found = []
    for child in sorted(root.iterdir()) if root.is_dir() else ():
        if not child.is_dir() or child.name == "jobs":
            continue
        with contextlib.suppress(OSError, ValueError):
            status = read_json(RunPaths(child).status, default=None)
            if (isinstance(status, dict) and status.get("pid") in pids
                    and float(status.get("created") or 0.0) >= since - 1):
                found.append((RunPaths(child), status))
    return found


def runs_left_running(store_root: str | Path, job: dict[str, Any]) -> list[RunPaths]:
    """The job's runs still marked queued or running: those its worker or its runner made since the job started.

    A job runs in a runner process (``runner_pid``, :mod:`engine.jobs.runner`) started by its worker
    (``pid``); jobs run in the worker itself have no runner.
    """
    pids = {pid for pid in (job.get("pid"), job.get("runner_pid")) if pid}
    return [run for run, status in _job_run_statuses(store_root, pids, float(job.get("started") or 0.0))
            if status.get("state") in ("queued", "running")]


def runs_of_process(store_root: str | Path, pid: int, since: float) -> list[str]:
    """The ids of the runs process ``pid`` made since ``since`` (what a failed or cancelled job left)."""
    return [run.run_id for run, _ in _job_run_statuses(store_root, {pid}, since)]


def fail_job_runs(store_root: str | Path, job: dict[str, Any], reason: tuple[str, dict]) -> list[str]:
    """Mark the runs a dead job left running ``failed`` on disk (status and index), with the reason.

    Returns:
        The run ids marked.
    """
    store = RunStore(store_root)
    key, fields = reason
    marked = []
    for run in runs_left_running(store_root, job):
        try:
            store.set_status(run, "failed", error=t(key, **fields), error_code=key, error_fields=fields)
        except OSError as exc:  # a read-only store still lists; the view says failed anyway
            logger.warning("run %s not marked failed: %s", run.run_id, exc)
            continue
        marked.append(run.run_id)
    return marked


def fail_dead_job(store_root: str | Path, job: dict[str, Any], reason: tuple[str, dict]) -> dict[str, Any]:
    """Write a dead job as ``failed`` (job file, then its runs), unless it changed meanwhile.

    Returns:
        The job as it is now on disk.
    """
    from engine.jobs.queue import job_path, jobs_locked  # the queue imports this module

    path = job_path(store_root, job["job_id"])
    key, fields = reason
    with jobs_locked(store_root):
        current = read_json(path, default=None)
        if not isinstance(current, dict) or current.get("state") != "running" or current.get("pid") != job.get("pid"):
            return current if isinstance(current, dict) else job
        runs = [r.run_id for r in runs_left_running(store_root, current)]
        current.update(state="failed", finished=time.time(), error=t(key, **fields), error_code=key,
                       error_fields=fields, run_ids=sorted(set(current.get("run_ids") or []) | set(runs)))
        atomic_write_json(path, current)
    logger.warning("job %s: %s", job["job_id"], current["error"])
    fail_job_runs(store_root, current, reason)
    heartbeat_path(store_root, job["job_id"]).unlink(missing_ok=True)
    return current


def check_job(store_root: str | Path, job: dict[str, Any]) -> dict[str, Any]:
    """The job, written ``failed`` first if its worker is dead (see the module docstring).

    A store that cannot be written (read-only disk) still reads right: the job is returned as
    failed without being written.
    """
    reason = death_reason(store_root, job)
    if reason is None:
        return job
    try:
        return fail_dead_job(store_root, job, reason)
    except OSError as exc:
        logger.warning("job %s: not marked failed on disk: %s", job.get("job_id"), exc)
        key, fields = reason
        return {**job, "state": "failed", "error": t(key, **fields), "error_code": key, "error_fields": fields}


def reap_dead_jobs(store_root: str | Path) -> list[str]:
    """Mark every running job of the store whose worker is dead ``failed``, with its runs.

    Cheap when nothing runs (one directory listing); the run store's ``list_runs`` calls it so
    a killed worker's runs read failed on every page, not only on the Train page.

    Returns:
        The ids of the jobs marked failed now.
    """
    from engine.jobs.queue import iter_job_files  # the queue imports this module

    marked = []
    for job in iter_job_files(store_root):
        if job.get("state") == "running" and check_job(store_root, job).get("state") == "failed":
            marked.append(job["job_id"])
    return marked
