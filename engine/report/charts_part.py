"""Calling the shared chart builders for the report: a chart with its takeaway, or why there is none."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from engine.errors import EngineError
from engine.report import strings
from engine.report.content import Chart, Section

logger = logging.getLogger(__name__)


def add_chart(section: Section, key: str, build: Callable[..., Any], takeaway: Callable[..., str] | None,
              *args: Any, **kwargs: Any) -> bool:
    """Append ``build(*args, **kwargs)`` and its takeaway to ``section``; on bad stored data, a note.

    Returns:
        Whether the chart was added.
    """
    try:
        figure = build(*args, **kwargs)
        text = takeaway(*args, **kwargs) if takeaway else ""
    except (EngineError, KeyError, TypeError, ValueError, IndexError) as exc:
        logger.warning("report chart %s skipped: %s", key, exc)
        section.paragraphs.append(strings.CHART_FAILED.format(problem=exc))
        return False
    section.charts.append(Chart(key, figure, text))
    return True
