"""Resuming an interrupted run from its last epoch checkpoint (the CLI's ``train --resume`` and the job worker).

A run made by the CLI and one made by the dashboard's worker look the same on disk: a resolved
``config.json``, a ``status.json`` and, after each finished epoch but the last, ``checkpoint/``.
Resuming reads the settings back from ``config.json`` (so the run continues exactly as it began),
checks that the data still match the recorded fingerprint, and trains the remaining epochs in
the same run directory.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from engine.config import RunConfig
from engine.errors import ConfigError
from engine.i18n import t
from engine.runs import RunPaths, RunStore, RunUnreadableError, read_json
from engine.runs.layout import CHECKPOINT_FILE

if TYPE_CHECKING:  # the pages import this module, and engine.train imports torch
    from engine.train import StepInfo

logger = logging.getLogger(__name__)

# States a run can be resumed from: it stopped before it finished.
RESUMABLE_STATES = ("failed", "cancelled")


def has_checkpoint(run: RunPaths) -> bool:
    """Whether the run saved a checkpoint (it finished at least one epoch of several)."""
    return (run.checkpoint / CHECKPOINT_FILE).is_file()


def resume_problem(run_dir: str | Path) -> str | None:
    """Why this run cannot be resumed, in the language in force; None when it can.

    Args:
        run_dir: The run directory.
    """
    run = RunPaths(Path(run_dir))
    folder = str(run.root)
    if not run.config.is_file():
        return t("recovery.NOT_A_RUN", folder=folder)
    try:
        status = RunStore(run.root.parent).read_status(run)
    except RunUnreadableError as exc:
        return str(exc)
    state = status.get("state")
    if state == "done":
        return t("recovery.ALREADY_DONE", run_id=run.run_id)
    if state not in RESUMABLE_STATES:
        return t("recovery.STILL_ACTIVE", run_id=run.run_id, state=state or "?")
    if not has_checkpoint(run):
        return t("recovery.NO_CHECKPOINT", run_id=run.run_id)
    return None


def resumable_runs(store_root: str | Path) -> list[dict]:
    """The store's runs that stopped before they finished and have a checkpoint, newest first.

    Returns:
        Their index entries (``run_id``, ``state``, ``error``, ...), as :meth:`RunStore.list_runs` gives them.
    """
    store = RunStore(store_root)
    return [entry for entry in store.list_runs()
            if entry.get("state") in RESUMABLE_STATES and has_checkpoint(store.paths(entry["run_id"]))]


def resume_config(run: RunPaths, *, data: str | None = None, analysis: bool | None = None,
                  device: str | None = None) -> RunConfig:
    """The run's own settings, read back from its ``config.json``, with the allowed overrides.

    Args:
        run: The run to resume.
        data: The data file to read instead of the recorded path (it must hold the same pairs).
        analysis: False skips the stored evidence (``--no-analysis``); None keeps the run's setting.
        device: Train on this device instead of the recorded one; None keeps it.

    Raises:
        ConfigError: ``config.json`` is missing or does not describe a run.
    """
    raw = read_json(run.config, default=None)
    if not isinstance(raw, dict) or "data" not in raw:
        raise ConfigError(t("recovery.NOT_A_RUN", folder=str(run.root)))
    if isinstance(raw.get("train"), dict):
        # A run recorded before early stopping existed trained a fixed number of epochs; it resumes so.
        raw["train"].setdefault("early_stopping", False)
    config = RunConfig.from_dict(raw)
    if data is not None:
        config = replace(config, data=replace(config.data, path=str(data)))
    if analysis is not None:
        config = replace(config, analysis=replace(config.analysis, enabled=bool(analysis)))
    if device is not None:
        config = replace(config, model=replace(config.model, device=device))
    return config


def resume_run(
    run_dir: str | Path,
    *,
    data: str | None = None,
    analysis: bool | None = None,
    device: str | None = None,
    callback: Callable[[StepInfo], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> RunPaths:
    """Continue a failed or cancelled run after its last finished epoch, in its own directory.

    The training log keeps each step once: steps logged after the checkpoint are trained again
    and their old records are replaced. The weights equal those of an uninterrupted run.

    Args:
        run_dir: The run directory (made by ``tiltpilot train``/``compare`` or the job worker).
        data: The data file to read instead of the recorded one; it must hold the same pairs.
        analysis: False skips the stored evidence; None keeps the run's own setting.
        device: Train on this device instead of the recorded one.
        callback: Receives training progress.
        should_stop: Polled each step to cancel.

    Returns:
        The run directory, now ``done``.

    Raises:
        ConfigError: The run cannot be resumed (the message says why), or the data differ from
            the run's.
        EngineError: Training or evaluation failed again (the run is ``failed`` with the reason).
    """
    from engine.experiment import prepare_data, run_experiment
    from engine.jobs import reap_dead_jobs

    # A run made by a worker that was killed: its job is recorded failed first, so it no longer
    # reads "running" while the run goes on here.
    reap_dead_jobs(Path(run_dir).parent)
    problem = resume_problem(run_dir)
    if problem is not None:
        raise ConfigError(problem)
    run = RunPaths(Path(run_dir))
    recorded = read_json(run.config, default={})
    config = resume_config(run, data=data, analysis=analysis, device=device)
    split = prepare_data(config)
    expected = (recorded.get("data") or {}).get("fingerprint")
    if expected is not None and split.full.fingerprint() != expected:
        raise ConfigError(t("recovery.DATA_CHANGED", run_id=run.run_id, data=config.data.path))
    logger.info("resuming run %s from its checkpoint", run.run_id)
    return run_experiment(config, RunStore(run.root.parent), run=run, split=split, resume=True, callback=callback,
                          should_stop=should_stop)
