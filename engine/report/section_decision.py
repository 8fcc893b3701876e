"""The decision sections: executive summary, caveats, next steps and phrases for the meeting."""

from __future__ import annotations

from typing import Any

from engine.i18n import format as fmt
from engine.i18n import message
from engine.report import strings
from engine.report.content import KeyNumber, Section
from engine.report.context import Context
from engine.report.facts import interval_width_points, points_range, share_range

# Leakage counts in audit.json whose non-zero value makes the test numbers optimistic.
LEAK_KEYS = (("groups", "shared"), ("left", "exact_rows"), ("right", "exact_rows"), ("left", "near_rows"),
             ("right", "near_rows"))


def _estimate(record: dict[str, Any] | None) -> float | None:
    return None if not record else record.get("estimate")


def _outcome(ctx: Context) -> str | None:
    decision = ctx.roi.decision or {}
    return decision.get("outcome")


def _reasons(ctx: Context) -> list[str]:
    from engine.roi import render_reason

    return [render_reason(reason) for reason in (ctx.roi.decision or {}).get("reasons", [])]


def _increment(ctx: Context) -> dict[str, Any]:
    return ((ctx.roi.result or {}).get("monte_carlo") or {}).get("increment") or {}


def _horizon(ctx: Context) -> int | None:
    return ((ctx.roi.result or {}).get("inputs") or {}).get("horizon_months")


def payback_text(month: Any) -> str:
    """``month 7`` / ``not within the horizon``."""
    return strings.PAYBACK_NEVER if month is None else strings.PAYBACK_MONTH.format(month=fmt.number(month))


def recall_numbers(ctx: Context) -> list[KeyNumber]:
    """The evidence tiles: Recall@1 base → tuned, the gain with its interval, the test-set size."""
    f = ctx.facts
    effect = f.effect
    if effect is None:
        verdict = strings.GAIN_UNTESTED
    else:
        verdict = strings.GAIN_SIGNIFICANT if effect.get("significant") else strings.GAIN_NOT_PROVEN
    gain = None if effect is None else effect.get("estimate")
    if gain is None and f.base and f.tuned:
        gain = f.tuned["estimate"] - f.base["estimate"]
    return [
        KeyNumber(strings.NUMBER_RECALL.format(query=f.query_name, gallery=f.gallery_name),
                  strings.BASE_TO_TUNED.format(base=fmt.percent(_estimate(f.base)), tuned=fmt.percent(_estimate(f.tuned))),
                  strings.NUMBER_RECALL_NOTE.format(base=share_range(f.base), tuned=share_range(f.tuned))),
        KeyNumber(strings.NUMBER_GAIN, strings.POINTS_VALUE.format(points=fmt.points(gain, 1)),
                  strings.NUMBER_GAIN_NOTE.format(range=points_range(effect), verdict=verdict)),
        KeyNumber(strings.NUMBER_TEST_SET, strings.PAIRS_VALUE.format(pairs=fmt.number(f.test_pairs)),
                  strings.NUMBER_TEST_SET_NOTE.format(train=fmt.number(f.train_pairs), gallery=fmt.number(f.gallery_size))),
    ]


def roi_numbers(ctx: Context) -> list[KeyNumber]:
    """The money tiles of what fine-tuning adds: NPV (median, 90% interval), P(NPV > 0), payback."""
    inc = _increment(ctx)
    if not inc:
        return []
    npv = inc.get("npv") or {}
    payback = inc.get("payback_month") or {}
    return [
        KeyNumber(strings.NUMBER_NPV.format(months=fmt.number(_horizon(ctx))), ctx.money(npv.get("median")),
                  strings.NUMBER_NPV_NOTE.format(range=ctx.money_range(npv))),
        KeyNumber(strings.NUMBER_P_NPV, fmt.percent(inc.get("p_npv_positive")), strings.NUMBER_P_NPV_NOTE),
        KeyNumber(strings.NUMBER_PAYBACK, payback_text(payback.get("median")),
                  strings.NUMBER_PAYBACK_NOTE.format(share=fmt.percent(inc.get("p_payback")))),
    ]


def summary(ctx: Context) -> Section:
    """Decision, reasons and key numbers with ranges (one page)."""
    f = ctx.facts
    section = Section("summary", strings.SECTION_SUMMARY)
    outcome = _outcome(ctx)
    if outcome:
        section.tone = outcome
        section.headline = strings.DECISION_HEADLINE.format(decision=message("report.OUTCOMES")[outcome])
        section.bullets = _reasons(ctx)
    else:
        section.headline = strings.DECISION_NONE
        section.bullets = [ctx.roi.error or strings.ROI_UNAVAILABLE]
    section.paragraphs.append(strings.SUMMARY_BASIS.format(
        data=f.data_name, runs=fmt.number(len(ctx.source.rows)), run=f.label, query=f.query_name,
        gallery=f.gallery_name))
    section.numbers = recall_numbers(ctx) + roi_numbers(ctx)
    if ctx.roi.result:
        section.paragraphs.append(strings.SUMMARY_INPUTS.format(inputs=inputs_origin(ctx)))
    return section


def inputs_origin(ctx: Context) -> str:
    """Which ROI inputs were used, in words."""
    return message("report.INPUT_ORIGINS").get(ctx.roi.origin or "preset", "")


def _leak_count(audit: dict[str, Any] | None) -> int | None:
    leakage = (audit or {}).get("leakage")
    if not leakage:
        return None
    return sum(int(((leakage.get(part) or {}).get(key)) or 0) for part, key in LEAK_KEYS)


def caveats(ctx: Context) -> Section:
    """Small test set, leakage, domain shift and what the numbers do not say, with this pilot's numbers."""
    f = ctx.facts
    section = Section("caveats", strings.SECTION_CAVEATS)
    width = interval_width_points(f.tuned)
    if width is not None:
        section.bullets.append(strings.CAVEAT_SMALL_TEST.format(
            pairs=fmt.number(f.test_pairs), width=fmt.number(width, 0), range=share_range(f.tuned),
            half=fmt.number(width / 2, 0)))
    else:
        section.bullets.append(strings.CAVEAT_NO_INTERVALS.format(pairs=fmt.number(f.test_pairs)))
    leaks = _leak_count(ctx.audit)
    if leaks is None:
        section.bullets.append(strings.CAVEAT_NO_AUDIT)
    elif leaks:
        leakage = ctx.audit["leakage"]
        section.bullets.append(strings.CAVEAT_LEAKAGE.format(
            groups=fmt.number((leakage.get("groups") or {}).get("shared", 0)),
            exact=fmt.number(sum(int((leakage.get(s) or {}).get("exact_rows", 0)) for s in ("left", "right"))),
            near=fmt.number(sum(int((leakage.get(s) or {}).get("near_rows", 0)) for s in ("left", "right"))),
            test=fmt.number(leakage.get("test_rows"))))
    else:
        section.bullets.append(strings.CAVEAT_NO_LEAKAGE.format(test=fmt.number(f.test_pairs)))
    section.bullets.append(strings.CAVEAT_DOMAIN_SHIFT.format(data=f.data_name))
    caveat = strings.CAVEAT_GALLERY if f.gallery == "test" else message("gallery.REPORT_CAVEAT_CATALOGUE")
    section.bullets.append(caveat.format(gallery=fmt.number(f.gallery_size), query=f.query_name, items=f.gallery_name))
    if ctx.roi.result:
        section.bullets.append(strings.CAVEAT_ROI.format(inputs=inputs_origin(ctx)))
    section.bullets.append(strings.CAVEAT_NOT_SAID)
    return section


def _pairs_for_more_data(ctx: Context) -> int | None:
    train = ctx.facts.train_pairs
    return int(train) if train else None


def next_steps(ctx: Context) -> Section:
    """What to do after the meeting, by outcome, with the pilot's numbers."""
    f = ctx.facts
    section = Section("next_steps", strings.SECTION_NEXT_STEPS)
    outcome = _outcome(ctx) or "extend"
    if not _outcome(ctx):
        section.paragraphs.append(strings.NEXT_NO_DECISION)
    pairs = _pairs_for_more_data(ctx)
    fields = {"pairs": fmt.number(pairs), "total": fmt.number(2 * pairs if pairs else None), "run": f.label,
              "test": fmt.number(f.test_pairs)}
    section.bullets = [step.format(**fields) for step in message(f"report.NEXT_{outcome.upper()}")]
    warnings = ((ctx.audit or {}).get("counts") or {}).get("warning", 0)
    if warnings:
        section.bullets.append(strings.NEXT_FIX_AUDIT.format(count=fmt.number(warnings)))
    if ctx.source.learning_curve is None:
        section.bullets.append(strings.NEXT_LEARNING_CURVE)
    return section


def phrases(ctx: Context) -> Section:
    """Three or four sentences a manager can say aloud, filled with this pilot's numbers."""
    f = ctx.facts
    section = Section("phrases", strings.SECTION_PHRASES)
    if f.base is None or f.tuned is None:
        section.empty = strings.PHRASES_EMPTY
        return section
    section.bullets.append(strings.PHRASE_RESULT.format(
        test=fmt.number(f.test_pairs), query=f.query_name, gallery=f.gallery_name,
        tuned=fmt.percent(_estimate(f.tuned)), base=fmt.percent(_estimate(f.base))))
    effect = f.effect
    if effect is not None:
        template = strings.PHRASE_GAIN_PROVEN if effect.get("significant") else strings.PHRASE_GAIN_UNPROVEN
        section.bullets.append(template.format(points=fmt.points(effect.get("estimate"), 1),
                                               low=fmt.points(effect.get("low"), 1), high=fmt.points(effect.get("high"), 1)))
    inc = _increment(ctx)
    if inc:
        section.bullets.append(strings.PHRASE_MONEY.format(
            months=fmt.number(_horizon(ctx)), npv=ctx.money((inc.get("npv") or {}).get("median")),
            chance=fmt.percent(inc.get("p_npv_positive"))))
    outcome = _outcome(ctx)
    if outcome:
        reasons = _reasons(ctx)
        section.bullets.append(message("report.PHRASE_DECISION")[outcome].format(
            reason=reasons[0] if reasons else "", pairs=fmt.number(_pairs_for_more_data(ctx))))
    return section
