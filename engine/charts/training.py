"""Training loss curves from the stored per-step log (``train_log.jsonl``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from engine.charts import strings
from engine.charts.style import RUN_COLOURS, base_layout
from engine.charts.text import safe_text


def _global_steps(records: Sequence[Mapping[str, Any]]) -> list[int]:
    """Step numbers counted across epochs when the log restarts ``step`` each epoch."""
    steps = [int(r["step"]) for r in records]
    if all(b > a for a, b in zip(steps, steps[1:])):
        return steps
    return list(range(1, len(records) + 1))


def loss_curves(logs: Mapping[str, Sequence[Mapping[str, Any]]]) -> go.Figure:
    """One line per run: training loss against optimiser step.

    Args:
        logs: ``{run label: records of train_log.jsonl}`` in display order; each record has
            ``step`` and ``loss``.

    Returns:
        One ``Scatter`` per run, named by the (escaped) label, x = step, y = loss.
    """
    fig = go.Figure()
    for i, (label, records) in enumerate(logs.items()):
        name = safe_text(label, max_chars=60)
        fig.add_trace(go.Scatter(
            name=name,
            x=_global_steps(records),
            y=[float(r["loss"]) for r in records],
            mode="lines+markers" if len(records) < 30 else "lines",
            line={"color": RUN_COLOURS[i % len(RUN_COLOURS)]},
            customdata=[[name]] * len(records),
            hovertemplate=strings.LOSS_HOVER,
        ))
    return base_layout(fig, title=strings.LOSS_TITLE, x_title=strings.LOSS_X, y_title=strings.LOSS_Y)


def loss_fell(records: Sequence[Mapping[str, Any]]) -> bool | None:
    """Whether the mean loss of the last quarter of steps is below that of the first quarter.

    Quarters (at least one step each) rather than single steps, because a step's loss depends on
    its random batch. ``None`` with fewer than two steps.
    """
    losses = np.asarray([float(r["loss"]) for r in records], dtype=np.float64)
    if losses.size < 2:
        return None
    q = max(1, losses.size // 4)
    return bool(losses[-q:].mean() < losses[:q].mean())


def loss_takeaway(logs: Mapping[str, Sequence[Mapping[str, Any]]]) -> str:
    """How many runs' training loss went down, in one sentence."""
    verdicts = [loss_fell(records) for records in logs.values()]
    verdicts = [v for v in verdicts if v is not None]
    if not verdicts:
        return strings.LOSS_TAKEAWAY_EMPTY
    return strings.LOSS_TAKEAWAY.format(fell=sum(verdicts), total=len(verdicts))
