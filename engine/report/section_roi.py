"""The ROI section: inputs used, the formula, NPV ranges per option, break-even, tornado, more data."""

from __future__ import annotations

from typing import Any

from engine.i18n import format as fmt
from engine.i18n import message, t
from engine.report import strings
from engine.report.charts_part import add_chart
from engine.report.content import KeyNumber, Section, Table
from engine.report.context import Context
from engine.report.section_decision import inputs_origin, payback_text

OPTIONS = ("tuned", "base", "increment")


def _formula_lines() -> list[str]:
    formula = message("roi.FORMULA")
    if isinstance(formula, str):
        return formula.splitlines()
    if isinstance(formula, dict):
        return [str(v) for v in formula.values()]
    return [str(line) for line in formula]


def _input_value(ctx: Context, name: str, value: float | None, money: bool) -> str:
    if value is None:
        return fmt.MISSING
    if money:
        return ctx.money(value)
    if name == "annual_discount_rate":
        return fmt.percent(value, 1)
    return fmt.number(value, 0 if float(value).is_integer() else 2)


def inputs_table(ctx: Context, inputs: dict[str, Any]) -> Table:
    """Every business input as low / likely / high with its unit."""
    from engine.roi import INPUT_FIELDS
    from engine.roi.inputs import choice_text

    rows = []
    for name, spec in INPUT_FIELDS.items():
        value = inputs.get(name)
        if value is None:
            continue
        if isinstance(value, dict):
            parts = [_input_value(ctx, name, value.get(p), spec.money) for p in ("low", "likely", "high")]
        else:
            shown = fmt.percent(value) if spec.kind == "share" else (
                choice_text(name, value) if spec.kind == "choice" else str(value))
            parts = ["", shown, ""]
        # Shares and rates are already written as percentages; a "%" unit would say it twice.
        percent_shown = spec.kind == "share" or name == "annual_discount_rate"
        unit = ctx.currency if spec.money else ("" if percent_shown else t(spec.unit_key))
        rows.append([t(spec.label_key), *parts, unit])
    return Table(list(strings.ROI_INPUT_COLUMNS), rows, strings.ROI_INPUTS_CAPTION.format(inputs=inputs_origin(ctx)))


def options_table(ctx: Context, result: dict[str, Any]) -> Table:
    """Tuned, base and what fine-tuning adds: saving, NPV median and 90% interval, P(NPV > 0), payback."""
    names = message("report.ROI_OPTIONS")
    rows = []
    for option in OPTIONS:
        mc = (result.get("monte_carlo") or {}).get(option) or {}
        npv = mc.get("npv") or {}
        rows.append([names[option], ctx.money((mc.get("monthly_saving") or {}).get("median")), ctx.money(npv.get("median")),
                     ctx.money_range(npv), fmt.percent(mc.get("p_npv_positive")),
                     payback_text((mc.get("payback_month") or {}).get("median"))])
    return Table(list(strings.ROI_OPTION_COLUMNS), rows)


def _break_even_line(ctx: Context, result: dict[str, Any]) -> str | None:
    be = result.get("break_even") or {}
    if be.get("delta_recall") is None:
        return None
    k = result.get("k", 1)
    line = strings.ROI_BREAK_EVEN.format(k=k, delta=fmt.points(be["delta_recall"], 1),
                                         recall=fmt.percent(be.get("tuned_recall")))
    if not be.get("reachable", True):
        line += strings.ROI_BREAK_EVEN_UNREACHABLE
    if be.get("tasks_per_month") is not None:
        line += strings.ROI_BREAK_EVEN_VOLUME.format(tasks=fmt.number(be["tasks_per_month"]))
    return line


def _more_data_lines(ctx: Context, result: dict[str, Any]) -> list[str]:
    from engine.roi import render_reason

    more = result.get("more_data")
    if not more:
        return [strings.ROI_NO_MORE_DATA]
    lines = []
    for pred in more.get("predictions") or []:
        gain = pred.get("gain") or {}
        worth = pred.get("net") or {}
        lines.append(strings.ROI_MORE_DATA.format(
            factor=fmt.number(pred.get("factor")), pairs=fmt.number(pred.get("pairs")),
            gain=fmt.points(gain.get("estimate"), 1), low=fmt.points(gain.get("low"), 1), high=fmt.points(gain.get("high"), 1),
            net=ctx.money(worth.get("estimate")), cost=ctx.money(pred.get("labelling_cost")))
            + (strings.ROI_FAR if pred.get("far") else ""))
    lines += [render_reason(note) for note in more.get("notes") or []]
    return lines


def _add_roi_charts(section: Section, result: dict[str, Any]) -> None:
    from engine.charts import roi as roi_charts

    add_chart(section, "npv_distribution", roi_charts.npv_distribution, roi_charts.npv_takeaway, result)
    add_chart(section, "tornado", roi_charts.roi_tornado, roi_charts.tornado_takeaway, result)
    add_chart(section, "break_even", roi_charts.break_even_chart, roi_charts.break_even_takeaway, result)


def roi(ctx: Context) -> Section:
    """What fine-tuning is worth, with its uncertainty, and which inputs it rests on."""
    section = Section("roi", strings.SECTION_ROI)
    result = ctx.roi.result
    if not result:
        section.empty = ctx.roi.error or strings.ROI_UNAVAILABLE
        return section
    inc = (result.get("monte_carlo") or {}).get("increment") or {}
    horizon = (result.get("inputs") or {}).get("horizon_months")
    section.paragraphs.append(strings.ROI_INTRO.format(inputs=inputs_origin(ctx), months=fmt.number(horizon),
                                                       k=result.get("k", 1)))
    section.code = _formula_lines()
    numbers = []
    for option in OPTIONS:
        npv = ((result.get("monte_carlo") or {}).get(option) or {}).get("npv") or {}
        numbers.append(KeyNumber(strings.ROI_NPV_OF.format(option=message("report.ROI_OPTIONS")[option]),
                                 ctx.money(npv.get("median")), strings.NUMBER_NPV_NOTE.format(range=ctx.money_range(npv))))
    numbers.append(KeyNumber(strings.NUMBER_P_NPV, fmt.percent(inc.get("p_npv_positive")), strings.NUMBER_P_NPV_NOTE))
    section.numbers = numbers
    section.tables = [options_table(ctx, result), inputs_table(ctx, result.get("inputs") or {})]
    line = _break_even_line(ctx, result)
    section.bullets = ([line] if line else []) + _more_data_lines(ctx, result)
    _add_roi_charts(section, result)
    return section
