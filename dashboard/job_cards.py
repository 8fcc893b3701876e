"""Pure text builders for the Train page's job cards (no Streamlit): what ran, on which dataset, how far.

A card names the dataset by its stored name (never its content hash) and says what the job does
in the reader's language; its progress names the stage from the moment the job is queued (waiting
for the worker, loading the model, evaluating the base model, training run k of n, analysing, ...);
a learning curve's progress names its stage and the share of pairs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from dashboard import tables
from engine.i18n import format as fmt
from engine.i18n import message, t

AREA = "train_page"
STAGE_AREA = "job_stages"
EARLY_STAGES = ("queued", "starting")  # before the job's own code runs: every kind names them alike


def dataset_names(datasets: Iterable[Any]) -> dict[str, str]:
    """Stored data file path -> the dataset's display name (``engine.datasets.StoredDataset``)."""
    return {str(Path(d.path).resolve()): d.name for d in datasets}


def dataset_label(spec: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """The stored name of the job's dataset; the file name for data outside the store."""
    data = spec.get("data")
    if not data:
        return t(f"{AREA}.DATASET_UNKNOWN")
    return names.get(str(Path(data).resolve()), Path(data).name)


def submitted(job: Mapping[str, Any]) -> str:
    """When the job was queued: the locale's date and the time of day."""
    created = job.get("created")
    if not created:
        return fmt.MISSING
    moment = dt.datetime.fromtimestamp(float(created))
    return f"{fmt.date(moment)} {moment:%H:%M}"


def what(job: Mapping[str, Any]) -> str:
    """``comparison of clip, joint (cosine)`` or ``learning curve of clip (cosine), 4 sizes``."""
    spec = job.get("spec") or {}
    if job.get("kind", spec.get("kind")) == "resume":
        return t("recovery.WHAT_RESUME", run_id=spec.get("run_id", "?"))
    if is_robustness(job):
        return t("robustness.WHAT", losses=", ".join(spec.get("losses", [])), tilt=spec.get("tilt", "?"),
                 levels=len(spec.get("noise") or ()))
    if job.get("kind", spec.get("kind")) == "learning_curve":
        return t(f"{AREA}.WHAT_CURVE", loss=spec.get("loss", "?"), tilt=spec.get("tilt", "?"),
                 sizes=len(spec.get("fractions") or ()))
    return t(f"{AREA}.WHAT_COMPARE", losses=", ".join(spec.get("losses", [])), tilts=", ".join(spec.get("tilts", [])))


def card_title(job: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """The first line of a job card: dataset, what the job does, its state."""
    state = job.get("state", "")
    return t(f"{AREA}.CARD_TITLE", dataset=dataset_label(job.get("spec") or {}, names), what=what(job),
             state=message(f"{AREA}.STATES").get(state, state))


def card_caption(job: Mapping[str, Any]) -> str:
    return t(f"{AREA}.CARD_CAPTION", job_id=job.get("job_id", ""), when=submitted(job))


def is_curve(job: Mapping[str, Any]) -> bool:
    return job.get("kind", (job.get("spec") or {}).get("kind")) == "learning_curve"


def is_robustness(job: Mapping[str, Any]) -> bool:
    return job.get("kind", (job.get("spec") or {}).get("kind")) == "robustness"


def robustness_progress_text(job: Mapping[str, Any]) -> str:
    """A robustness job's progress: the loss and noise level in training, or its preparation."""
    progress = job.get("progress") or {}
    if progress.get("stage") != "train":
        return t("robustness.PROGRESS_PREPARING")
    return t("robustness.PROGRESS_TRAIN", loss=progress.get("loss", "?"), noise=share_label(progress.get("noise")),
             run=min((progress.get("runs_done") or 0) + 1, progress.get("runs_total") or 1),
             total=progress.get("runs_total", "?"), epoch=progress.get("epoch", "?"), epochs=progress.get("epochs", "?"),
             step=progress.get("step", "?"), steps=progress.get("total_steps", "?"),
             eta=tables.duration(progress.get("overall_eta_s")))


def stage_words(stage: str | None) -> str:
    """A progress stage in words: ``load_model`` → "Loading the model", ``analyse:latent_map`` → "Analysing ...: latent map"."""
    name, _, part = (stage or EARLY_STAGES[0]).partition(":")
    words = message(f"{STAGE_AREA}.STAGES").get(name, name)
    return words.format(part=message(f"{STAGE_AREA}.PARTS").get(part, part)) if name == "analyse" else words


def _current_stage(job: Mapping[str, Any]) -> str:
    """The job's stage; a job file without one (written before stages were recorded) by its state."""
    stage = (job.get("progress") or {}).get("stage")
    return stage or (EARLY_STAGES[0] if job.get("state") == "queued" else EARLY_STAGES[1])


def compare_progress_text(job: Mapping[str, Any]) -> str:
    """A comparison's progress: the stage before the runs (with how many follow), or run k of n and its stage."""
    progress = job.get("progress") or {}
    stage = _current_stage(job)
    total = progress.get("runs_total") or "?"
    run = min((progress.get("runs_done") or 0) + 1, progress.get("runs_total") or 1)
    label = progress.get("run_label")
    if stage == "train":
        return t(f"{STAGE_AREA}.TRAIN", run=run, total=total, label=label or "?", epoch=progress.get("epoch", "?"),
                 epochs=progress.get("epochs", "?"), step=progress.get("step", "?"),
                 steps=progress.get("total_steps", "?"), eta=tables.duration(progress.get("overall_eta_s")))
    if label is not None:
        return t(f"{STAGE_AREA}.IN_RUN", run=run, total=total, label=label, stage=stage_words(stage))
    if not progress.get("runs_done"):
        return t(f"{STAGE_AREA}.BEFORE_RUNS", stage=stage_words(stage), total=total)
    return stage_words(stage)  # after the runs: comparing them


def progress_text(job: Mapping[str, Any]) -> str:
    """The progress bar's text: a comparison's stage, run and step, or a learning curve's stage."""
    if _current_stage(job) in EARLY_STAGES or not (is_robustness(job) or is_curve(job)):
        return compare_progress_text(job)
    if is_robustness(job):
        return robustness_progress_text(job)
    progress = job.get("progress") or {}
    stage = progress.get("stage")
    if stage == "train":
        return t(f"{AREA}.CURVE_PROGRESS_TRAIN", share=share_label(progress.get("fraction")),
                 run=min((progress.get("runs_done") or 0) + 1, progress.get("runs_total") or 1),
                 total=progress.get("runs_total", "?"), epoch=progress.get("epoch", "?"),
                 epochs=progress.get("epochs", "?"), step=progress.get("step", "?"),
                 steps=progress.get("total_steps", "?"), eta=tables.duration(progress.get("overall_eta_s")))
    if stage == "fit":
        return t(f"{AREA}.CURVE_PROGRESS_FIT")
    return t(f"{AREA}.CURVE_PROGRESS_PREPARING")


def done_text(job: Mapping[str, Any]) -> str:
    n = len(job.get("run_ids") or [])
    if is_robustness(job):
        return t("robustness.DONE", n=n)
    return t(f"{AREA}.CURVE_DONE", n=n) if is_curve(job) else t(f"{AREA}.COMPARE_DONE", n=n)


def share_label(fraction: float | None) -> str:
    """A training fraction as the reader's percentage: ``12.5%`` keeps its decimal, ``50%`` has none."""
    if fraction is None:
        return fmt.MISSING
    return fmt.percent(fraction, 0 if float(fraction * 100).is_integer() else 1)


def comparison_results(jobs: Iterable[Mapping[str, Any]], names: Mapping[str, str]) -> dict[str, str]:
    """Result file -> label of every finished comparison job whose result is still on disk, newest first."""
    found = {}
    for job in jobs:
        result = job.get("result")
        if job.get("state") == "done" and not is_curve(job) and not is_robustness(job) and result and Path(result).is_file():
            found[str(result)] = t(f"{AREA}.RESULT_LABEL", dataset=dataset_label(job.get("spec") or {}, names),
                                   what=what(job), when=submitted(job))
    return found
