"""The evidence sections: losses side by side, similarity, low-rank fit, learning curve, examples."""

from __future__ import annotations

from typing import Any

from engine import charts
from engine.analysis import wording
from engine.charts import strings as chart_strings
from engine.charts.learning import METRIC as CURVE_METRIC
from engine.charts.low_rank import gaussianity_takeaway, is_current
from engine.i18n import format as fmt
from engine.i18n import t
from engine.report import strings
from engine.report.charts_part import add_chart
from engine.report.content import Section, Table
from engine.report.context import Context
from engine.report.facts import (
    METRIC,
    fine_tuning_effect,
    interval,
    points_range,
    share_range,
)
from engine.report.safe import neutralise_formula
from engine.report.thumbnails import picture_table

EXAMPLES_SHOWN = 5
EXAMPLE_CHARS = 140


def cell(text: Any, max_chars: int = EXAMPLE_CHARS) -> str:
    """User text for a table cell: shortened and made inert for spreadsheets (escaping is the writer's)."""
    value = "" if text is None else str(text)
    if len(value) > max_chars:
        value = value[: max_chars - 1] + "…"
    return neutralise_formula(value)


def _share_with_range(record: dict[str, Any] | None, fallback: float | None) -> str:
    value = (record or {}).get("estimate", fallback)
    text = fmt.percent(value)
    return text if not record or record.get("low") is None else f"{text} ({share_range(record)})"


def losses(ctx: Context) -> Section:
    """Recall@1 base vs tuned per loss with 95% intervals, the gain per loss and the pairwise verdicts."""
    f = ctx.facts
    section = Section("losses", strings.SECTION_LOSSES)
    rows = ctx.source.rows
    if not rows:
        section.empty = strings.LOSSES_EMPTY
        return section
    section.paragraphs.append(strings.LOSSES_INTRO.format(query=f.query_name, gallery=f.gallery_name,
                                                          test=fmt.number(f.test_pairs)))
    uncertainty = {rid: (run["analysis"] or {}).get("uncertainty") for rid, run in ctx.source.runs.items()}
    uncertainty = {rid: u for rid, u in uncertainty.items() if u}
    add_chart(section, "retrieval", charts.retrieval_bars, charts.retrieval_takeaway, rows, metric=METRIC,
              direction=f.direction, uncertainty=uncertainty)
    table = Table(list(strings.LOSSES_COLUMNS), [])
    for row in rows:
        run = ctx.source.runs[row["run_id"]]
        effect = fine_tuning_effect(run, f.direction)
        if effect is None:
            verdict = strings.GAIN_UNTESTED
        else:
            verdict = strings.GAIN_SIGNIFICANT if effect.get("significant") else strings.GAIN_NOT_PROVEN
        base = (row["base"].get(f.direction) or {}).get(METRIC)
        tuned = (row["tuned"].get(f.direction) or {}).get(METRIC)
        change = (effect or {}).get("estimate", None if base is None or tuned is None else tuned - base)
        table.rows.append([
            cell(ctx.labels.get(row["run_id"], row["run_id"])),
            _share_with_range(interval(run, "base", f.direction), base),
            _share_with_range(interval(run, "tuned", f.direction), tuned),
            strings.POINTS_WITH_RANGE.format(points=fmt.points(change, 1), range=points_range(effect)),
            verdict,
            fmt.percent((row["tuned"].get(f.direction) or {}).get("recall@5")),
            fmt.number((row["tuned"].get(f.direction) or {}).get("mrr"), 3),
        ])
    section.tables.append(table)
    for record in ctx.source.comparison.get("pairwise") or []:
        if record.get("direction") != f.direction or record.get("metric") != METRIC or record.get("which", "tuned") != "tuned":
            continue
        verdict = strings.PAIR_DIFFERENT if record.get("significant") else strings.PAIR_TIED
        section.bullets.append(strings.PAIR_LINE.format(
            a=record.get("run_a"), b=record.get("run_b"), points=fmt.points(record.get("estimate"), 1),
            range=points_range(record), verdict=verdict))
    if len(rows) > 1 and not section.bullets:
        section.bullets.append(strings.PAIRWISE_MISSING)
    return section


def similarity(ctx: Context) -> Section:
    """Score distributions of true pairs vs wrong candidates, with the suggested threshold."""
    section = Section("similarity", strings.SECTION_SIMILARITY)
    stored = (ctx.chosen_run["analysis"] or {}).get("similarity")
    if not stored:
        section.empty = strings.MISSING_PART.format(part=strings.SECTION_SIMILARITY)
        return section
    section.paragraphs.append(strings.SIMILARITY_INTRO.format(run=ctx.facts.label))
    add_chart(section, "similarity", charts.similarity_histograms, charts.similarity_takeaway, stored)
    return section


def low_rank(ctx: Context) -> Section:
    """Canonical correlations and how many directions carry the shared information."""
    section = Section("low_rank", strings.SECTION_LOW_RANK)
    stored = (ctx.chosen_run["analysis"] or {}).get("low_rank")
    if not stored:
        section.empty = strings.MISSING_PART.format(part=strings.SECTION_LOW_RANK)
        return section
    if not is_current(stored):  # an old run's plain CCA overstates the dependence: say so, print no number
        section.empty = t("analysis.LOW_RANK_OLD_FIT")
        return section
    section.paragraphs.append(strings.LOW_RANK_INTRO.format(run=ctx.facts.label))
    add_chart(section, "spectrum", charts.canonical_spectrum, charts.spectrum_takeaway, stored)
    add_chart(section, "captured", charts.captured_dependence, charts.captured_takeaway, stored)
    gaussian = gaussianity_takeaway(stored)
    if gaussian:
        section.bullets.append(gaussian)
    section.bullets.extend(wording.render_texts(stored.get("tuned") or {}, "notes"))
    learned = stored.get("learned_vs_optimal")
    if learned:
        add_chart(section, "learned_vs_optimal", charts.learned_vs_optimal_chart, charts.learned_vs_optimal_takeaway,
                  learned)
    return section


def _prediction_lines(curve: dict[str, Any], direction: str) -> list[str]:
    points = curve.get("points") or []
    measured = max((int(p.get("train_pairs", 0)) for p in points), default=0)
    lines = []
    for pred in (curve.get("predictions") or {}).get(direction) or []:
        lines.append(strings.CURVE_PREDICTION.format(
            pairs=fmt.number(pred.get("n")), factor=fmt.number(pred.get("factor")), value=fmt.percent(pred.get("estimate")),
            range=share_range(pred), measured=fmt.number(measured)))
    needed = (curve.get("pairs_needed") or {}).get(direction)
    if needed:
        if not needed.get("reachable"):
            lines.append(strings.CURVE_UNREACHABLE.format(target=fmt.percent(needed.get("target"))))
        else:
            lines.append(strings.CURVE_NEEDED.format(target=fmt.percent(needed.get("target")),
                                                     pairs=fmt.number(needed.get("estimate")),
                                                     low=fmt.number(needed.get("low")), high=fmt.number(needed.get("high"))))
            if needed.get("estimate") and measured and needed["estimate"] > 4 * measured:
                lines.append(strings.CURVE_FAR)
    return lines


def learning_curve(ctx: Context) -> Section:
    """Recall@1 against training pairs, the fitted curve and the pairs needed."""
    section = Section("learning_curve", strings.SECTION_LEARNING_CURVE)
    curve = ctx.source.learning_curve
    if not curve or not curve.get("points"):
        section.empty = strings.CURVE_EMPTY
        return section
    direction = ctx.facts.direction
    section.paragraphs.append(strings.CURVE_INTRO.format(loss=curve.get("loss", ""),
                                                        metric=chart_strings.METRIC_LABELS[CURVE_METRIC]))
    add_chart(section, "learning_curve", charts.learning_curve_chart, charts.learning_takeaway, curve, direction)
    section.bullets = _prediction_lines(curve, direction)
    return section


def _example_table(records: list[dict[str, Any]], ctx: Context, caption: str) -> Table:
    f = ctx.facts
    columns = [c.format(query=f.query_name, gallery=f.gallery_name) for c in strings.EXAMPLE_COLUMNS]
    rows = [[cell(r.get("query_text")), cell(r.get("true_text")), fmt.number(r.get("base_rank")),
             fmt.number(r.get("tuned_rank")), cell((r.get("tuned_topk_texts") or [""])[0])]
            for r in records[:EXAMPLES_SHOWN]]
    return Table(columns, rows, caption)


def examples(ctx: Context) -> Section:
    """Rank movement per query and the biggest wins and losses, base vs tuned."""
    section = Section("examples", strings.SECTION_EXAMPLES)
    drill = ((ctx.chosen_run["analysis"] or {}).get("drilldown") or {}).get(ctx.facts.direction)
    if not drill:
        section.empty = strings.MISSING_PART.format(part=strings.SECTION_EXAMPLES)
        return section
    section.paragraphs.append(strings.EXAMPLES_INTRO.format(run=ctx.facts.label))
    add_chart(section, "ranks", charts.rank_movement, charts.rank_takeaway, drill)
    for key, caption in (("wins", strings.EXAMPLES_WINS), ("losses", strings.EXAMPLES_LOSSES)):
        records = drill.get(key) or []
        # A run on image pairs shows its items as thumbnails (its texts there are server paths).
        pictures = picture_table(records, drill, ctx.chosen_run.get("test_pairs"), caption)
        if pictures is not None:
            section.pictures.append(pictures)
        elif records:
            section.tables.append(_example_table(records, ctx, caption))
        else:
            section.bullets.append(strings.EXAMPLES_NONE.format(what=caption))
    return section
