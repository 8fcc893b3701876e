"""Turning a loaded comparison into a :class:`~engine.report.content.Report` (format-independent)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Any

from engine.charts.sides import columns_of, side_names
from engine.errors import ConfigError
from engine.i18n import format as fmt
from engine.i18n import get_language
from engine.report import (
    section_data,
    section_decision,
    section_evidence,
    section_roi,
    strings,
)
from engine.report.content import SECTIONS, Report, Section
from engine.report.context import Context
from engine.report.facts import gather_facts, labels_by_run
from engine.report.roi_part import evaluate_roi
from engine.report.source import ReportSource

logger = logging.getLogger(__name__)

BUILDERS: dict[str, Callable[[Context], Section]] = {
    "summary": section_decision.summary,
    "data": section_data.data,
    "losses": section_evidence.losses,
    "similarity": section_evidence.similarity,
    "low_rank": section_evidence.low_rank,
    "learning_curve": section_evidence.learning_curve,
    "roi": section_roi.roi,
    "examples": section_evidence.examples,
    "caveats": section_decision.caveats,
    "next_steps": section_decision.next_steps,
    "phrases": section_decision.phrases,
    "methods": section_data.methods,
}


def section_title(section_id: str) -> str:
    """The heading of a section id in the language in force."""
    return getattr(strings, f"SECTION_{section_id.upper()}")


def check_sections(sections: Sequence[str] | None) -> list[str]:
    """The requested section ids in report order; all of them for ``None``.

    Raises:
        ConfigError: An unknown id, or an empty list.
    """
    if sections is None:
        return list(SECTIONS)
    wanted = [s.strip() for s in sections if s and s.strip()]
    unknown = [s for s in wanted if s not in SECTIONS]
    if unknown or not wanted:
        raise ConfigError(strings.ERROR_SECTIONS.format(got=", ".join(unknown) or "—", allowed=", ".join(SECTIONS)))
    return [s for s in SECTIONS if s in wanted]


def _build_one(section_id: str, ctx: Context) -> Section:
    try:
        return BUILDERS[section_id](ctx)
    except Exception as exc:
        logger.exception("report section %s failed", section_id)
        return Section(section_id, section_title(section_id), empty=strings.SECTION_FAILED.format(problem=exc))


def assemble(source: ReportSource, sections: Sequence[str] | None = None, roi_inputs: Any = None,
             progress: Callable[[str, float], None] | None = None) -> Report:
    """Build every requested section from the stored evidence, in the language in force.

    Args:
        source: The loaded comparison (:func:`engine.report.source.load_source`).
        sections: Section ids (see :data:`SECTIONS`); ``None`` for all.
        roi_inputs: Passed to :func:`engine.report.roi_part.evaluate_roi`.
        progress: ``progress(message, fraction)`` with fractions in [0, 1] over this step.

    Returns:
        The format-independent report.
    """
    wanted = check_sections(sections)
    roi = evaluate_roi(source, roi_inputs)
    direction = (roi.result or {}).get("direction") or "left_to_right"
    gallery = (roi.result or {}).get("gallery") or "test"  # "catalogue": the user said production searches it all
    facts = gather_facts(source, run_id=(roi.result or {}).get("run_id"), direction=direction, gallery=gallery)
    ctx = Context(source=source, facts=facts, roi=roi, labels=labels_by_run(source))
    built = []
    # Charts name directions by the user's columns ("title → description") while this is in force.
    with side_names(columns_of(ctx.chosen_run.get("config"))):
        for i, section_id in enumerate(wanted):
            if progress:
                progress(strings.PROGRESS_SECTION.format(section=section_title(section_id)), i / len(wanted))
            built.append(_build_one(section_id, ctx))
    return Report(
        lang=get_language(),
        title=strings.REPORT_TITLE,
        subtitle=strings.REPORT_SUBTITLE.format(data=facts.data_name, runs=fmt.number(len(source.rows)),
                                                query=facts.query_name, gallery=facts.gallery_name),
        generated=strings.REPORT_GENERATED.format(date=fmt.date(dt.date.today())),
        sections=built,
    )
