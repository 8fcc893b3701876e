"""Pure table builders: stored records in, display rows out (no engine calls, no Streamlit).

Kept out of the views so pages stay thin and the formatting is unit-testable.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from dashboard import strings

TOPK_SEPARATOR = " | "


def _r1(entry: Mapping[str, Any], key: str) -> str:
    pair = entry.get(key) or {}
    if pair.get("base") is None or pair.get("tuned") is None:
        return ""
    return f"{pair['base']:.1%} → {pair['tuned']:.1%}"


def run_rows(entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per index entry: id, state, loss, tilt and Recall@1 base → tuned both ways."""
    c = strings.RUN_COLUMNS
    return [
        {
            c["run"]: e.get("run_id", ""),
            c["state"]: e.get("state", ""),
            c["loss"]: e.get("loss", ""),
            c["tilt"]: e.get("tilt", ""),
            c["r1_l2r"]: _r1(e, "r1_left_to_right"),
            c["r1_r2l"]: _r1(e, "r1_right_to_left"),
        }
        for e in entries
    ]


def dataset_rows(datasets: Sequence[Any]) -> list[dict[str, Any]]:
    """One row per stored dataset (``engine.datasets.StoredDataset``)."""
    c = strings.DATASET_COLUMNS
    return [
        {
            c["id"]: d.digest[:8],
            c["name"]: d.name,
            c["rows"]: d.rows,
            c["size"]: round(d.size_bytes / 1024, 1),
            c["columns"]: ", ".join(d.columns),
            c["stored"]: time.strftime("%Y-%m-%d %H:%M", time.localtime(d.created)),
        }
        for d in datasets
    ]


def example_rows(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Drill-down wins or losses (``analysis/drilldown.json``) as rows with both top-5 lists."""
    c = strings.EXAMPLE_COLUMNS
    return [
        {
            c["query"]: r.get("query_text", ""),
            c["true"]: r.get("true_text", ""),
            c["base_rank"]: r.get("base_rank"),
            c["tuned_rank"]: r.get("tuned_rank"),
            c["base_top5"]: TOPK_SEPARATOR.join(r.get("base_topk_texts") or []),
            c["tuned_top5"]: TOPK_SEPARATOR.join(r.get("tuned_topk_texts") or []),
        }
        for r in records
    ]


def verdict_lines(records: Sequence[Mapping[str, Any]] | None, *, direction: str) -> list[str]:
    """Stored verdict sentences for one search direction, in stored order."""
    return [r["verdict"] for r in records or () if r.get("direction") == direction and r.get("verdict")]


def comparison_row(entry: Mapping[str, Any], metrics: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A ``comparison.json``-shaped row for a single run (from its index entry and ``metrics.json``)."""
    if not metrics or "base" not in metrics or "tuned" not in metrics:
        return None
    return {"run_id": entry["run_id"], "loss": entry.get("loss", ""), "tilt": entry.get("tilt", ""),
            "base": metrics["base"], "tuned": metrics["tuned"]}


def job_fraction(job: Mapping[str, Any]) -> float:
    """Share of a job done, in [0, 1], from its stored progress record."""
    if job.get("state") == "done":
        return 1.0
    progress = job.get("progress") or {}
    total = progress.get("runs_total") or 0
    if not total:
        return 0.0
    within = (progress.get("step") or 0) / progress["total_steps"] if progress.get("total_steps") else 0.0
    return min(max(((progress.get("runs_done") or 0) + within) / total, 0.0), 1.0)


def duration(seconds: float | None) -> str:
    """``"1 min 05 s"`` style; ``"?"`` when unknown."""
    if seconds is None:
        return "?"
    seconds = max(int(round(seconds)), 0)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def job_progress_text(job: Mapping[str, Any]) -> str:
    progress = job.get("progress") or {}
    run = min((progress.get("runs_done") or 0) + 1, progress.get("runs_total") or 1)
    if progress.get("stage") == "train":
        return strings.JOB_PROGRESS.format(
            stage=progress.get("run_label", "train"), run=run, total=progress.get("runs_total", "?"),
            epoch=progress.get("epoch", "?"), epochs=progress.get("epochs", "?"), step=progress.get("step", "?"),
            steps=progress.get("total_steps", "?"), eta=duration(progress.get("overall_eta_s")),
        )
    return strings.JOB_PROGRESS_SHORT.format(stage=progress.get("stage", job.get("state", "")), run=run,
                                             total=progress.get("runs_total", "?"))


def job_header(job: Mapping[str, Any]) -> str:
    spec = job.get("spec") or {}
    return strings.JOB_HEADER.format(job_id=job.get("job_id", ""), state=job.get("state", ""),
                                     losses=", ".join(spec.get("losses", [])), tilts=", ".join(spec.get("tilts", [])))
