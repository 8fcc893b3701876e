"""The job worker: ``python -m engine.jobs.worker --store STORE [--device-key auto] [--idle 5]``.

It runs the job kinds of :mod:`engine.jobs.spec`: comparisons, learning curves, robustness studies and resumed runs.
Each job runs in a runner process of its own (:mod:`engine.jobs.runner`), which the worker watches:
a cancel reaches the runner as a signal within :data:`WATCH_S`, and a runner that does not stop
within :data:`KILL_AFTER_S` is killed and its job finished here, so a cancel takes effect in every
stage (loading, encoding, training, analysis, bootstrap), not only at the next training step.
While a job runs, a thread of its runner stamps its heartbeat (:mod:`engine.jobs.recovery`), so a
reader can tell a worker that died or hung from one that is busy.

The runner's math threads sleep at their barriers instead of spinning (``OMP_WAIT_POLICY=PASSIVE``)
and leave one core to the dashboard and the rest of the machine (:func:`job_threads`): on the
shared 2-core machine with other work running, two spinning threads made four training steps of the
sample take 54 s of wall time (and as much CPU time) against 9 s with one thread (15 s with two
passive ones). The count depends on the machine only, not on its load at the time, so a job's sums
run in the same order, and its results are the same, whatever else runs.

It holds ``jobs/worker-<device>.lock`` (``fcntl.flock``) for its whole life, so a second worker
for the same store and device exits at once. It runs the oldest queued job, then the next, and
exits after ``--idle`` seconds without work, so nothing lingers; the next submit starts a new one.
"""

from __future__ import annotations

import argparse
import fcntl
import importlib
import logging
import os
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from engine.errors import EngineError, TrainingCancelled
from engine.jobs.queue import (
    cancel_flag,
    claim_next,
    has_queued,
    job_path,
    jobs_dir,
    result_path,
    update_job,
    worker_lock_path,
)
from engine.jobs.recovery import DIED, Heartbeat, fail_dead_job, runs_of_process
from engine.jobs.runner import CANCEL_SIGNAL, finish_cancelled
from engine.jobs.spec import learning_curve_config, planned_runs, robustness_config, run_configs
from engine.learning_curve_settings import DEFAULT_SEEDS
from engine.memory_allocator import allocator_env
from engine.runs import COMPARISON_FILE, LEARNING_CURVE_FILE
from engine.runs.atomic import atomic_write_json, read_json
from engine.runs.layout import ROBUSTNESS_FILE
from engine.runs.records import JobOutcome, JobRecord

logger = logging.getLogger(__name__)

PROGRESS_EVERY_S = 1.0
POLL_S = 0.3
WATCH_S = 0.1  # how often the worker looks at its runner and the job's cancel flag
KILL_AFTER_S = 1.0  # a runner still alive this long after the cancel signal is killed


class _Progress:
    """Turns per-step training callbacks into a job-level progress record, at most once a second.

    ``sizes`` are the runs' relative sizes (training steps scale with them): a learning curve's
    later points train on more pairs, so its remaining time weighs them; a comparison's runs are equal.
    """

    def __init__(self, store_root: Path, job_id: str, runs_total: int, sizes: list[float] | None = None) -> None:
        self.store_root = store_root
        self.job_id = job_id
        self.runs_total = runs_total
        self.sizes = sizes or [1.0] * runs_total
        self.runs_done = 0
        self.label: str | None = None
        self.last_write = 0.0
        self.last_steps: dict[str, Any] | None = None  # the current run's last step and step count

    def write(self, record: dict[str, Any]) -> None:
        update_job(self.store_root, self.job_id, progress=record)
        self.last_write = time.monotonic()

    def stage(self, stage: str, **fields: Any) -> None:
        """A progress record between training steps (``preparing``, ``fit``, ``done``)."""
        self.write({"stage": stage, "runs_done": self.runs_done, "runs_total": self.runs_total,
                    "updated": time.time(), **fields})

    def on_stage(self, stage: str, label: str | None) -> None:
        """A comparison's named stage (``load_model``, ``evaluate_base``, a run's ``evaluate_tuned``, ...).

        A run's stages carry its label (and the last training step's counts, so the bar keeps its
        place); the per-second ``train`` stage is left to the step records.
        """
        if stage == "train":
            return
        if label is None and self.label is not None:
            self.runs_done = self.runs_total  # a stage after the runs (comparing them)
        if label is not None and label != self.label:
            if self.label is not None:
                self.runs_done += 1
            self.label = label
        fields: dict[str, Any] = {"run_label": label} if label is not None else {}
        if label is not None and self.last_steps is not None:
            fields |= self.last_steps
        self.stage(stage, **fields)

    def __call__(self, label: str, info: Any, **extra: Any) -> None:
        if label != self.label:
            if self.label is not None:
                self.runs_done += 1
            self.label = label
        self.last_steps = {"step": info.step, "total_steps": info.total_steps}
        final = info.step == info.total_steps
        if not final and time.monotonic() - self.last_write < PROGRESS_EVERY_S:
            return
        # Later runs take about as long as this one per unit of size (same data, same budget);
        # evaluation and analysis time is not in the estimate.
        per_run = info.elapsed_s + info.eta_s
        current = min(self.runs_done, len(self.sizes) - 1)
        remaining = sum(self.sizes[current + 1:]) / self.sizes[current]
        self.write(
            {
                "stage": "train",
                "run_label": label,
                "epoch": info.epoch,
                "epochs": info.epochs,
                "step": info.step,
                "total_steps": info.total_steps,
                "loss": info.loss,
                "eta_s": info.eta_s,
                "runs_done": self.runs_done,
                "runs_total": self.runs_total,
                "overall_eta_s": info.eta_s + remaining * per_run,
                "updated": time.time(),
                **extra,
            }
        )


def _data_path(store_root: Path, job: JobRecord) -> str:
    """The data file a job trains on: the original, or its first ``max_rows`` rows as a CSV."""
    spec = job["spec"]
    if spec["max_rows"] is None:
        return spec["data"]
    from engine.data.formats import read_raw

    raw = read_raw(spec["data"], limit=spec["max_rows"])
    target = jobs_dir(store_root) / f"{job['job_id']}.data.csv"
    raw.frame.to_csv(target, index=False)
    return str(target)


def _runs_of_job(store_root: Path, since: float) -> list[str]:
    """Runs this process created since ``since`` (what a failed or cancelled comparison left)."""
    return runs_of_process(store_root, os.getpid(), since)


def import_job_modules() -> None:
    """Import what every job kind runs (torch, the models, the trainer): the slow part of a job's start."""
    for module in ("engine.compare", "engine.learning_curve", "engine.resume", "engine.robustness.study"):
        importlib.import_module(module)


def _run_compare(store_root: Path, job: JobRecord, flag: Path) -> JobOutcome:
    """A comparison job; returns the job fields of its outcome."""
    from engine.compare import run_comparison

    spec = job["spec"]
    progress = _Progress(store_root, job["job_id"], len(spec["losses"]) * len(spec["tilts"]))
    progress.stage("preparing")
    base, losses, tilts = run_configs(spec, _data_path(store_root, job))
    result = result_path(store_root, job["job_id"])
    comparison = run_comparison(base, losses, tilts, store_root, callback=progress, should_stop=flag.exists,
                                comparison_path=result, on_stage=progress.on_stage)
    # The store's comparison.json is "the latest comparison", which the Results page opens by default.
    current = Path(store_root) / COMPARISON_FILE
    atomic_write_json(current, comparison)
    progress.runs_done = progress.runs_total
    progress.stage("done", overall_eta_s=0.0)
    return {"run_ids": [row["run_id"] for row in comparison["runs"]], "result": str(result), "current": str(current)}


def _run_learning_curve(store_root: Path, job: JobRecord, flag: Path) -> JobOutcome:
    """A learning-curve job (one run per fraction of the training pairs); returns its outcome fields."""
    from engine.learning_curve import run_learning_curve
    from engine.runs import RunStore

    spec = job["spec"]
    fractions = spec["fractions"]
    progress = _Progress(store_root, job["job_id"], len(fractions), sizes=list(fractions))
    progress.stage("preparing")
    config = learning_curve_config(spec, _data_path(store_root, job))

    def on_step(fraction: float, info: Any) -> None:
        # run_learning_curve has no stop hook; a TrainingError from the step callback ends the
        # current run "cancelled" (its message says so) and unwinds the whole curve.
        if flag.exists():
            raise TrainingCancelled("The learning curve was cancelled.")
        progress(f"{config.loss.label} @ {fraction:g}", info, fraction=fraction)
        if fraction == fractions[-1] and info.step == info.total_steps:
            progress.stage("fit", fraction=fraction)  # scoring the last run, then fitting the curve

    curve = run_learning_curve(config, RunStore(store_root), fractions=fractions,
                               target_recall=spec["target_recall"], callback=on_step, n_boot=spec["bootstrap"],
                               seeds=spec.get("seeds", DEFAULT_SEEDS))
    result = result_path(store_root, job["job_id"])
    atomic_write_json(result, curve)  # the job's own copy; <store>/learning_curve.json is the latest
    progress.runs_done = progress.runs_total
    progress.stage("done", overall_eta_s=0.0)
    return {"run_ids": [point["run_id"] for point in curve["points"]], "result": str(result),
            "current": str(Path(store_root) / LEARNING_CURVE_FILE)}


def _run_robustness(store_root: Path, job: JobRecord, flag: Path) -> JobOutcome:
    """A robustness job (one run per noise level and loss); returns its outcome fields."""
    from engine.robustness.study import run_robustness
    from engine.runs import RunStore

    spec = job["spec"]
    losses, noise = spec["losses"], spec["noise"]
    progress = _Progress(store_root, job["job_id"], len(losses) * len(noise))
    progress.stage("preparing")
    config = robustness_config(spec, _data_path(store_root, job))
    result = result_path(store_root, job["job_id"])
    study = run_robustness(config, RunStore(store_root), losses=losses, noise_levels=noise, n_boot=spec["bootstrap"],
                           callback=lambda label, level, info: progress(f"{label} @ {level:g}", info, loss=label,
                                                                        noise=level),
                           should_stop=flag.exists)
    atomic_write_json(result, study)  # the job's own copy; <store>/robustness.json is the latest
    progress.runs_done = progress.runs_total
    progress.stage("done", overall_eta_s=0.0)
    return {"run_ids": [point["run_id"] for point in study["points"]], "result": str(result),
            "current": str(Path(store_root) / ROBUSTNESS_FILE)}


def _run_resume(store_root: Path, job: JobRecord, flag: Path) -> JobOutcome:
    """A resume job: one interrupted run of the store continued from its checkpoint."""
    from engine.resume import resume_run
    from engine.runs import RunStore

    spec = job["spec"]
    run_id = spec["run_id"]
    progress = _Progress(store_root, job["job_id"], 1)
    progress.stage("preparing")
    run = resume_run(RunStore(store_root).paths(run_id).root, analysis=spec["analysis"], device=spec["device"],
                     callback=lambda info: progress(run_id, info), should_stop=flag.exists)
    progress.runs_done = 1
    progress.stage("done", overall_eta_s=0.0)
    return {"run_ids": [run.run_id]}


_RUNNERS = {"compare": _run_compare, "learning_curve": _run_learning_curve, "resume": _run_resume,
            "robustness": _run_robustness}


def run_job(store_root: Path, job: JobRecord) -> JobRecord:
    """Run one claimed job to its end and record the outcome in its job file."""
    job_id = job["job_id"]
    flag = cancel_flag(store_root, job_id)
    logger.info("job %s (%s): started", job_id, job.get("kind", "compare"))
    try:
        with Heartbeat(store_root, job_id):
            fields = _RUNNERS[job.get("kind", "compare")](store_root, job, flag)
    except EngineError as exc:
        cancelled = flag.exists()
        logger.info("job %s: %s", job_id, "cancelled" if cancelled else f"failed: {exc}")
        outcome = {"state": "cancelled" if cancelled else "failed", "error": None if cancelled else str(exc),
                   "run_ids": _runs_of_job(store_root, job["started"])}
    except Exception as exc:  # any crash must end the job, not the worker
        logger.error("job %s: internal error\n%s", job_id, traceback.format_exc())
        outcome = {"state": "failed", "error": f"Internal error: {type(exc).__name__}: {exc} (traceback in jobs/worker.log)",
                   "run_ids": _runs_of_job(store_root, job["started"])}
    else:
        logger.info("job %s: done", job_id)
        outcome = {"state": "done", "error": None, **fields}
    finally:
        flag.unlink(missing_ok=True)
    if job.get("kind") == "resume" and not outcome.get("run_ids"):
        outcome["run_ids"] = [job["spec"]["run_id"]]  # a resumed run keeps its old "created" time
    # error_code/error_fields belong to a reader's "worker died" verdict; the worker's own word replaces it.
    return update_job(store_root, job_id, finished=time.time(), error_code=None, error_fields=None, **outcome)


def supervise(store_root: Path, job: JobRecord) -> JobRecord:
    """Run one claimed job in a runner process (:mod:`engine.jobs.runner`) and see it to its end.

    The runner gets :data:`~engine.jobs.runner.CANCEL_SIGNAL` within :data:`WATCH_S` of the job's
    cancel flag appearing, and is killed when it is still alive :data:`KILL_AFTER_S` later.

    Returns:
        The job as it ended (``done``, ``failed`` or ``cancelled``).
    """
    job_id = job["job_id"]
    flag = cancel_flag(store_root, job_id)
    update_job(store_root, job_id, progress={"stage": "starting", "runs_done": 0,
                                             "runs_total": planned_runs(job["spec"]), "updated": time.time()})
    runner = subprocess.Popen(runner_command(store_root, job_id), stdin=subprocess.DEVNULL,  # it logs where we do
                              env=runner_env())
    update_job(store_root, job_id, runner_pid=runner.pid)
    logger.info("job %s: runner %d started", job_id, runner.pid)
    signalled = None
    while True:
        try:
            runner.wait(timeout=WATCH_S)
            break
        except subprocess.TimeoutExpired:
            pass
        if signalled is None and flag.exists():
            runner.send_signal(CANCEL_SIGNAL)
            signalled = time.monotonic()
        elif signalled is not None and time.monotonic() - signalled > KILL_AFTER_S:
            logger.warning("job %s: runner %d did not stop within %.1f s; killing it", job_id, runner.pid, KILL_AFTER_S)
            runner.kill()
    return _settle(store_root, job_id, runner, cancelled=signalled is not None or flag.exists())


def job_threads(cores: int | None = None) -> int:
    """Math threads for a job's runner: every core but one (kept for the dashboard and the OS), at least one.

    Args:
        cores: The machine's cores (default: all of them).
    """
    return max(1, (cores or os.cpu_count() or 1) - 1)


def runner_env() -> dict[str, str]:
    """The runner's environment: the training allocator (:mod:`engine.memory_allocator`), math threads that do
    not fight other work (a thread setting given here wins)."""
    env = allocator_env(os.environ)
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    env.setdefault("OMP_NUM_THREADS", str(job_threads()))
    return env


def runner_command(store_root: Path, job_id: str) -> list[str]:
    """The command line of the runner process of job ``job_id`` (:mod:`engine.jobs.runner`)."""
    return [sys.executable, "-m", "engine.jobs.runner", "--store", str(store_root), "--job", job_id,
            "--parent", str(os.getpid())]


def _settle(store_root: Path, job_id: str, runner: subprocess.Popen, *, cancelled: bool) -> JobRecord:
    """The job once its runner has exited: as the runner wrote it, or finished here when it could not."""
    current = read_json(job_path(store_root, job_id))
    if current.get("state") == "running":
        if cancelled:
            current = finish_cancelled(store_root, current, runner.pid)
        else:
            logger.error("job %s: runner %d exited with status %s before the job ended", job_id, runner.pid,
                         runner.returncode)
            current = fail_dead_job(store_root, current, (DIED, {"pid": runner.pid}))
    cancel_flag(store_root, job_id).unlink(missing_ok=True)
    return current


def _try_lock(path: Path) -> Any:
    handle = open(path, "a+")  # held open for the worker's life
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def serve(store_root: Path, device_key: str, idle_s: float) -> int:
    """Run queued jobs until the queue has been empty for ``idle_s`` seconds.

    Returns:
        The number of jobs run (0 also when another worker already holds the lock).
    """
    jobs_dir(store_root).mkdir(parents=True, exist_ok=True)
    lock_path = worker_lock_path(store_root, device_key)
    lock = _try_lock(lock_path)
    if lock is None:
        logger.info("another worker holds %s; exiting", lock_path.name)
        return 0
    logger.info("worker %d serving %s (%s)", os.getpid(), store_root, device_key)
    count = 0
    idle_since = time.monotonic()
    while True:
        job = claim_next(store_root, device_key, os.getpid())
        if job is not None:
            supervise(store_root, job)
            count += 1
            idle_since = time.monotonic()
            continue
        if time.monotonic() - idle_since < idle_s:
            time.sleep(POLL_S)
            continue
        lock.close()  # releases the flock
        # A job submitted while we held the lock found a worker and started none: look once more
        # after releasing, and carry on if we can take the lock back.
        if has_queued(store_root, device_key):
            lock = _try_lock(lock_path)
            if lock is not None:
                idle_since = time.monotonic()
                continue
        logger.info("worker %d: queue empty, exiting after %d job(s)", os.getpid(), count)
        return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine.jobs.worker", description="Run queued tiltpilot jobs.")
    parser.add_argument("--store", required=True, help="run store folder (jobs are in STORE/jobs)")
    parser.add_argument("--device-key", default="auto", help="run only jobs queued for this device")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds to wait for new jobs before exiting")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format=f"%(asctime)s [worker {os.getpid()}] %(levelname)s %(name)s: %(message)s")
    serve(Path(args.store), args.device_key, args.idle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
