"""The ROI result in sentences: the headline and the summary lines the CLI prints.

Pages and the report can use the same sentences, so the numbers are written once.
"""

from __future__ import annotations

from typing import Any

from engine.i18n import format as fmt
from engine.i18n import message, t
from engine.roi.decision import outcome_label, render_reason
from engine.roi.inputs import INPUT_FIELDS
from engine.roi.model import OPTIONS

TORNADO_NAMED = 3
ARROW = " → "


def direction_text(result: dict[str, Any]) -> str:
    """The search direction in the user's column names ("title → description"), else the generic label."""
    direction, columns = result["direction"], result.get("columns")
    if columns:
        left, right = columns["left"], columns["right"]
        return left + ARROW + right if direction == "left_to_right" else right + ARROW + left
    return message("charts.DIRECTION_LABELS").get(direction, direction)


def payback_text(month: int | None, horizon: int) -> str:
    """"month 8" / "not within 36 months"."""
    return t("roi.PAYBACK_NEVER", horizon=horizon) if month is None else t("roi.PAYBACK_MONTH", month=month)


def headline(result: dict[str, Any]) -> str:
    """One sentence: decision, NPV of fine-tuning over base with its 90% interval, P(NPV > 0), payback."""
    currency, increment = result["currency"], result["monte_carlo"]["increment"]
    npv = increment["npv"]
    return t("roi.HEADLINE", outcome=outcome_label(result["decision"]["outcome"]),
             npv=fmt.money(npv["median"], currency), npv_low=fmt.money(npv["low"], currency),
             npv_high=fmt.money(npv["high"], currency), p=fmt.percent(increment["p_npv_positive"]),
             payback=payback_text(increment["payback_month"]["median"], result["inputs"]["horizon_months"]))


def _break_even_line(result: dict[str, Any]) -> str:
    even, k = result["break_even"], result["k"]
    if not even["reachable"]:
        return t("roi.CLI_BREAK_EVEN_UNREACHABLE", k=k)
    return t("roi.CLI_BREAK_EVEN", k=k, recall=fmt.percent(even["tuned_recall"], 1),
             delta=fmt.points(even["delta_recall"], 1), tasks=fmt.number(even["tasks_per_month"]))


def more_data_lines(result: dict[str, Any]) -> list[str]:
    """The value of 2× and 4× the pairs, the pairs needed and the forecast's caveats, as sentences."""
    more, currency = result.get("more_data"), result["currency"]
    if not more:
        return [t("roi.MORE_DATA_NONE")]
    lines = []
    for pick in more["predictions"]:
        gain = pick["gain"]
        lines.append(t("roi.MORE_DATA_PREDICTION", factor=fmt.number(pick["factor"]), pairs=fmt.number(pick["pairs"]),
                       extra_pairs=fmt.number(pick["extra_pairs"]), recall=fmt.percent(pick["recall"]["estimate"]),
                       gain=fmt.points(gain["estimate"], 1), gain_low=fmt.points(gain["low"], 1),
                       gain_high=fmt.points(gain["high"], 1), worth=fmt.money(pick["worth"]["estimate"], currency),
                       cost=fmt.money(pick["labelling_cost"], currency)))
    needed = more.get("pairs_needed")
    if needed:
        if needed.get("reached"):
            lines.append(t("roi.MORE_DATA_REACHED"))
        elif not needed.get("reachable") or needed.get("estimate") is None:
            lines.append(t("roi.MORE_DATA_NOT_REACHABLE"))
        else:
            lines.append(t("roi.MORE_DATA_PAIRS_NEEDED", pairs=fmt.number(needed["estimate"])))
    lines.extend(render_reason(note, currency) for note in more["notes"])
    return lines


def summary_lines(result: dict[str, Any]) -> list[str]:
    """The whole result as short lines: run, recall, each option, break-even, tornado, more data, decision."""
    currency, k = result["currency"], result["k"]
    recall = result["recall"]
    lines = [
        t("roi.CLI_RUN", run=result["run_id"], loss=result.get("loss") or "?",
          direction=direction_text(result), k=k, queries=result["test_queries"]),
        t("roi.CLI_RECALL", k=k, base=fmt.percent(recall["base"]["estimate"], 1),
          tuned=fmt.percent(recall["tuned"]["estimate"], 1), delta=fmt.points(recall["delta"]["estimate"], 1),
          delta_low=fmt.points(recall["delta"]["low"], 1), delta_high=fmt.points(recall["delta"]["high"], 1)),
        t("roi.FORMULA"),
    ]
    horizon = result["inputs"]["horizon_months"]
    for option in OPTIONS:
        mc = result["monte_carlo"][option]
        lines.append(t("roi.CLI_OPTION", option=t(f"roi.OPTION_{option.upper()}"),
                       saving=fmt.money(mc["monthly_saving"]["median"], currency),
                       npv=fmt.money(mc["npv"]["median"], currency), npv_low=fmt.money(mc["npv"]["low"], currency),
                       npv_high=fmt.money(mc["npv"]["high"], currency), p=fmt.percent(mc["p_npv_positive"]),
                       payback=payback_text(mc["payback_month"]["median"], horizon)))
    lines.append(_break_even_line(result))
    moving = [row for row in result["tornado"] if row["swing"] > 0][:TORNADO_NAMED]
    if moving:
        lines.append(t("roi.CLI_TORNADO", fields=t("roi.LIST_SEPARATOR").join(t(INPUT_FIELDS[row["field"]].label_key) for row in moving)))
    lines.extend(more_data_lines(result))
    lines.append(t("roi.CLI_DECISION", outcome=outcome_label(result["decision"]["outcome"])))
    lines.append(t("roi.CLI_REASONS"))
    lines.extend(f"  - {render_reason(reason, currency)}" for reason in result["decision"]["reasons"])
    lines.append(t(f"roi.NEXT_{result['decision']['outcome'].upper()}"))
    return lines
