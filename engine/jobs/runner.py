"""One job in its own process, so a cancel stops it within a second in every stage.

``python -m engine.jobs.runner --store STORE --job JOB_ID --parent PID`` runs one claimed job
(:func:`engine.jobs.worker.run_job`) and exits. The worker (:mod:`engine.jobs.worker`) starts one
runner per job and, when the job's cancel flag appears, sends it :data:`CANCEL_SIGNAL`.

Why a process and a signal: a cancel flag polled at training steps and stage boundaries is not
enough, because one step, one encoding pass or one numba call can take far longer than a second on
a loaded machine, and none of them polls. The signal handler raises :class:`JobInterrupted` in the
main thread at the next Python instruction, wherever it is. It is a ``BaseException``, so the
engine's ``except Exception`` guards (one failed chart must not lose a run) let it through; the
atomic writes (:mod:`engine.runs.atomic`) remove their temporary file on it. While the main thread is
inside one of :data:`PROTECTED` (writes that are not atomic, such as saving a model folder), the
exception waits until it has left. The runner then marks the job and the runs it left running
``cancelled`` (:func:`finish_cancelled`) and exits; the process, whose state an exception at an
arbitrary point may have left odd, serves no other job. If it does not exit in time (stuck in one
long C call), the worker kills it and finishes the job itself.

The runner exits too when its worker dies (``kill -9``, the OOM killer), so no job runs unwatched.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

from engine.memory_allocator import forget_preload
from engine.parent_watch import exit_with_parent

logger = logging.getLogger(__name__)

CANCEL_SIGNAL = signal.SIGTERM
RETRY_S = 0.05  # until the cancel is caught (in a protected write, or lost in a finaliser) it comes again this often
# (module, qualified name) of functions an interruption must not cut in half: they write several
# files or append, so half of them would be a damaged run folder.
PROTECTED = frozenset({
    ("engine.models.dual_encoder", "DualEncoder.save"),
    ("engine.runs.store", "RunStore.create_run"),
    ("engine.runs.store", "RunStore.set_status"),
    ("engine.runs.store", "RunStore.update_index"),
    ("engine.runs.store", "RunStore.append_log"),
    ("engine.analysis.evidence.latent_map", "save_latent_map"),
    ("engine.jobs.runner", "finish_cancelled"),
})


class JobInterrupted(BaseException):
    """Raised in the runner's main thread when the worker cancels the job (see the module docstring)."""


class _Interrupter:
    """The :data:`CANCEL_SIGNAL` handler: raise :class:`JobInterrupted` outside protected writes until it is caught.

    A raise can be lost: the handler runs between any two bytecodes of the main thread, also inside a
    finaliser that a garbage collection calls, and Python only prints an exception raised there. So
    after raising, the signal comes again every :data:`RETRY_S` until the runner has caught the
    exception (:meth:`settle`).
    """

    def __init__(self) -> None:
        self.raised = False
        self.settled = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.settled:
            return
        self._again(signum)
        if _in_protected(frame):
            return
        self.raised = True
        raise JobInterrupted("the job was cancelled")

    def _again(self, signum: int) -> None:
        def resend() -> None:
            if not self.settled:
                os.kill(os.getpid(), signum)

        timer = threading.Timer(RETRY_S, resend)
        timer.daemon = True
        timer.start()

    def settle(self) -> None:
        """The cancel was caught: later signals (and pending retries) do nothing."""
        self.settled = True


def _settle_cancel() -> None:
    """Tell the installed cancel handler that its :class:`JobInterrupted` has been caught."""
    handler = signal.getsignal(CANCEL_SIGNAL)
    if isinstance(handler, _Interrupter):
        handler.settle()


def _in_protected(frame: FrameType | None) -> bool:
    while frame is not None:
        if (frame.f_globals.get("__name__"), frame.f_code.co_qualname) in PROTECTED:
            return True
        frame = frame.f_back
    return False


def finish_cancelled(store_root: str | Path, job: dict[str, Any], pid: int) -> dict[str, Any]:
    """Write a cancelled job's outcome when its runner could not: runs left running, then the job.

    The runs that process ``pid`` left queued or running are marked ``cancelled`` and the temporary
    files of interrupted atomic writes in them are removed; the job is marked ``cancelled`` with
    every run it made.

    Returns:
        The job as written.
    """
    from engine.i18n import t
    from engine.jobs.queue import cancel_flag, update_job
    from engine.jobs.recovery import runs_left_running, runs_of_process
    from engine.runs import RunStore
    from engine.runs.atomic import is_temp_file

    store = RunStore(store_root)
    left = runs_left_running(store_root, {**job, "pid": pid})
    for run in left:
        for path in run.root.rglob("*"):
            if is_temp_file(path) and path.is_file():
                path.unlink(missing_ok=True)
        store.set_status(run, "cancelled", error=t("job_stages.RUN_CANCELLED"))
    run_ids = runs_of_process(store_root, pid, float(job.get("started") or 0.0))
    cancel_flag(store_root, job["job_id"]).unlink(missing_ok=True)
    logger.info("job %s: cancelled (%d run(s) stopped)", job["job_id"], len(left))
    return update_job(store_root, job["job_id"], state="cancelled", finished=time.time(), error=None,
                      error_code=None, error_fields=None, run_ids=run_ids)


def will_draw_umap(job: dict[str, Any]) -> bool:
    """Whether the job's runs draw UMAP latent maps (then the runner warms UMAP up first)."""
    spec = job.get("spec") or {}
    return job.get("kind", "compare") == "compare" and spec.get("analysis") is True and spec.get("latent_map") != "pca"


def run(store_root: Path, job_id: str) -> int:
    """Run the claimed job ``job_id`` to its end in this process; returns the exit status (0)."""
    from engine.jobs.queue import get_job
    from engine.jobs.worker import import_job_modules, run_job

    job = get_job(store_root, job_id)
    try:
        import_job_modules()
        if will_draw_umap(job):  # a child process fills numba's disk cache while the job trains
            from engine.analysis.evidence.umap_process import warm_up_in_background

            warm_up_in_background(int(job["spec"].get("seed") or 0))
        run_job(store_root, job)
    except JobInterrupted:
        _settle_cancel()
        finish_cancelled(store_root, get_job(store_root, job_id), os.getpid())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine.jobs.runner", description="Run one claimed tiltpilot job.")
    parser.add_argument("--store", required=True, help="run store folder")
    parser.add_argument("--job", required=True, help="the claimed job's id")
    parser.add_argument("--parent", type=int, required=True, help="the worker's pid (the runner ends with it)")
    args = parser.parse_args(argv)
    forget_preload()  # started on the training allocator; what this runner starts keeps its own
    interrupter = _Interrupter()
    signal.signal(CANCEL_SIGNAL, interrupter)
    exit_with_parent(args.parent)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format=f"%(asctime)s [runner {os.getpid()}] %(levelname)s %(name)s: %(message)s")
    try:
        return run(Path(args.store), args.job)
    except JobInterrupted:  # cancelled before the job started: the worker writes the outcome
        _settle_cancel()
        return 1


if __name__ == "__main__":
    sys.exit(main())
