"""Pure table builders: stored records in, display rows out (no engine calls, no Streamlit).

Kept out of the views so pages stay thin and the formatting is unit-testable.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dashboard import strings
from engine.charts.strings import LOWER_IS_BETTER, PERCENT_METRICS
from engine.i18n import format as fmt
from engine.i18n import message, t

TOPK_SEPARATOR = " | "


def _r1(entry: Mapping[str, Any], key: str) -> str:
    pair = entry.get(key) or {}
    if pair.get("base") is None or pair.get("tuned") is None:
        return ""
    return f"{fmt.percent(pair['base'], 1)} → {fmt.percent(pair['tuned'], 1)}"


def run_rows(entries: Sequence[Mapping[str, Any]], *, direction_names: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """One row per index entry: id, state, loss, tilt and Recall@1 base → tuned both ways.

    Args:
        entries: Index entries of the store.
        direction_names: ``{"left_to_right": "title → description", ...}`` when every run uses the
            same columns; the Recall@1 headers then say so instead of "left → right".
    """
    c = strings.RUN_COLUMNS
    r1 = {"r1_l2r": c["r1_l2r"], "r1_r2l": c["r1_r2l"]}
    if direction_names:
        r1 = {key: t("decision_screen.RUNS_R1", direction=direction_names[d])
              for key, d in (("r1_l2r", "left_to_right"), ("r1_r2l", "right_to_left"))}
    return [
        {
            c["run"]: e.get("run_id", ""),
            c["state"]: state_label(e.get("state")),
            c["loss"]: e.get("loss", ""),
            c["tilt"]: e.get("tilt", ""),
            r1["r1_l2r"]: _r1(e, "r1_left_to_right"),
            r1["r1_r2l"]: _r1(e, "r1_right_to_left"),
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


def example_rows(records: Sequence[Mapping[str, Any]], *, query_name: str | None = None,
                 target_name: str | None = None) -> list[dict[str, Any]]:
    """Drill-down wins or losses (``analysis/drilldown.json``) as rows: both ranks first, then the texts.

    Args:
        records: The stored ``wins`` or ``losses`` of one direction.
        query_name: The user's column name of the searched side (e.g. "title"); headers name it.
        target_name: The column name of the side to be found (e.g. "description").
    """
    c = message("decision_screen.EXAMPLE_COLUMNS")
    query = c["query"].format(side=query_name) if query_name else strings.EXAMPLE_COLUMNS["query"]
    target = c["true"].format(side=target_name) if target_name else strings.EXAMPLE_COLUMNS["true"]
    return [
        {
            c["base_rank"]: _rank(r.get("base_rank")),
            c["tuned_rank"]: _rank(r.get("tuned_rank")),
            query: r.get("query_text", ""),
            target: r.get("true_text", ""),
            c["base_top5"]: TOPK_SEPARATOR.join(r.get("base_topk_texts") or []),
            c["tuned_top5"]: TOPK_SEPARATOR.join(r.get("tuned_topk_texts") or []),
        }
        for r in records
    ]


def _rank(value: Any) -> int | None:
    return None if value is None else int(value)


def loss_labels(rows: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Run id → a label a manager reads: the loss, the tilt only when several tilts are compared,
    and a number only when two runs still share a label. Never the run id.
    """
    several_tilts = len({row.get("tilt") for row in rows}) > 1
    labels = [f"{row.get('loss', '')} · {row.get('tilt', '')}" if several_tilts else str(row.get("loss", ""))
              for row in rows]
    seen: dict[str, int] = {}
    out = {}
    for row, label in zip(rows, labels, strict=True):
        seen[label] = seen.get(label, 0) + 1
        out[str(row["run_id"])] = label if labels.count(label) == 1 else f"{label} ({seen[label]})"
    return out


def metric_text(value: float, metric: str) -> str:
    """A metric as a tile shows it: shares as percentages, ranks as plain numbers."""
    return fmt.percent(value, 1) if metric in PERCENT_METRICS else fmt.number(value, 1)


def metric_change(change: float, metric: str) -> str:
    """A signed change for a tile's delta: points for shares, plain numbers for ranks.

    The sign is ASCII, because Streamlit colours a delta by whether it starts with "-".
    """
    sign = "-" if change < 0 else "+"
    if metric in PERCENT_METRICS:
        return t("decision_screen.TILE_POINTS", change=sign + fmt.number(abs(change) * 100, 1))
    return sign + fmt.number(abs(change), 1)


def delta_colour(metric: str) -> str:
    return "inverse" if metric in LOWER_IS_BETTER else "normal"


def verdict_lines(records: Sequence[Mapping[str, Any]] | None, *, direction: str,
                  render: Callable[[Mapping[str, Any]], str] | None = None) -> list[str]:
    """Verdict sentences for one search direction, in stored order.

    Args:
        records: Stored verdict entries (``fine_tuning`` or ``pairwise``).
        direction: The search direction to keep.
        render: Writes an entry's sentence (e.g. in the language in force); default the stored one.
    """
    lines = []
    for r in records or ():
        if r.get("direction") == direction:
            text = render(r) if render else r.get("verdict")
            if text:
                lines.append(text)
    return lines


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
    """``"1 min 05 s"`` / ``"1分05秒"`` in the language in force."""
    if seconds is None:
        return strings.DURATION_UNKNOWN
    seconds = max(round(seconds), 0)
    if seconds >= 60:
        return strings.DURATION_MIN.format(minutes=seconds // 60, seconds=seconds % 60)
    return strings.DURATION_S.format(seconds=seconds)


def state_label(state: str | None) -> str:
    """A run or job state (``done``, ``running``, ...) in the language in force."""
    return message("train_page.STATES").get(state or "", state or "")


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
