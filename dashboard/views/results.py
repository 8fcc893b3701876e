"""Results page: the stored evidence of a comparison or one run, drawn by engine.charts (read-only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from dashboard import services, state, strings, tables
from engine import charts
from engine.charts import strings as chart_strings
from engine.errors import EngineError

root = st.session_state[state.STORE]
stamp = services.store_mtime(root)
st.title(strings.RESULTS_TITLE)
done = {r["run_id"]: r for r in services.list_runs(root, stamp) if r.get("state") == "done"}
if not done:
    st.info(strings.RESULTS_EMPTY)
    st.page_link("views/train.py", label=strings.RESULTS_GO_TRAIN, icon=":material/model_training:")
    st.stop()


def load(run_id: str) -> dict[str, Any]:
    return services.load_run(str(Path(root) / run_id), services.run_mtime(root, run_id))


def show(build: Any, takeaway: Any, *args: Any, **kwargs: Any) -> None:
    """A chart and its one-line takeaway; bad stored data gives a warning, not a broken page."""
    try:
        fig, text = build(*args, **kwargs), takeaway(*args, **kwargs)
    except (EngineError, KeyError, TypeError) as exc:
        st.warning(str(exc))
        return
    st.plotly_chart(fig, width="stretch")
    st.caption(text)


picked = st.session_state.get(state.RUN, state.COMPARISON)
comparison = services.load_comparison(root, stamp) if picked == state.COMPARISON else None
if comparison:
    rows = [r for r in comparison["runs"] if r["run_id"] in done]
else:
    run_id = picked if picked in done else next(iter(done))
    rows = [r for r in [tables.comparison_row(done[run_id], load(run_id)["metrics"])] if r]
run_ids = [r["run_id"] for r in rows] or list(done)[:1]
labels = {r["run_id"]: strings.RESULTS_RUN_LABEL.format(loss=r["loss"], tilt=r["tilt"], run_id=r["run_id"]) for r in rows}

c1, c2, c3 = st.columns(3)
metric = c1.selectbox(strings.RESULTS_METRIC, list(chart_strings.METRIC_LABELS), key=state.RESULT_METRIC,
                      format_func=chart_strings.METRIC_LABELS.get)
direction = c2.radio(strings.RESULTS_DIRECTION, list(chart_strings.DIRECTION_LABELS), key=state.RESULT_DIRECTION,
                     format_func=chart_strings.DIRECTION_LABELS.get, horizontal=True)
detail = c3.selectbox(strings.RESULTS_DETAIL, run_ids, key=state.DETAIL_RUN, format_func=lambda r: labels.get(r, r),
                      help=strings.RESULTS_DETAIL_HELP)
run = load(detail)
analysis = run["analysis"]
uncertainty = {rid: load(rid)["analysis"]["uncertainty"] for rid in run_ids}
uncertainty = {rid: u for rid, u in uncertainty.items() if u}

with st.expander(strings.GLOSSARY_TITLE):
    for term, meaning in chart_strings.GLOSSARY.items():
        st.text(strings.GLOSSARY_ENTRY.format(term=term, meaning=meaning))


def missing(part: str) -> None:
    st.caption(strings.MISSING_PART.format(part=part))


# One section at a time (not st.tabs): tabs build every chart on every rerun, a picker builds one,
# which keeps the page fast with many runs.
sections = list(strings.TABS)
section = st.segmented_control(strings.RESULTS_SECTION, sections, default=sections[0], key=state.RESULT_SECTION) or sections[0]
if section == sections[0]:
    tiles = st.columns(max(len(rows), 1))
    metric_label = chart_strings.METRIC_LABELS[metric]
    for tile, row in zip(tiles, rows):
        tuned, base = row["tuned"][direction][metric], row["base"][direction][metric]
        tile.metric(strings.METRIC_TILE.format(label=labels[row["run_id"]], direction=chart_strings.DIRECTION_LABELS[direction]),
                    f"{tuned:.3f}", delta=f"{tuned - base:+.3f}", help=chart_strings.GLOSSARY.get(metric_label),
                    delta_color="inverse" if metric in chart_strings.LOWER_IS_BETTER else "normal")
    show(charts.retrieval_bars, charts.retrieval_takeaway, rows, metric=metric, direction=direction, uncertainty=uncertainty)
    st.subheader(strings.VERDICTS)
    for rid in run_ids:
        lines = tables.verdict_lines((uncertainty.get(rid) or {}).get("fine_tuning"), direction=direction)
        if lines:
            st.caption(strings.VERDICTS_FINE_TUNING.format(run=labels.get(rid, rid)))
            for line in lines:
                st.text(line)
    if comparison and comparison.get("pairwise"):
        st.caption(strings.VERDICTS_PAIRWISE)
        for line in tables.verdict_lines(comparison["pairwise"], direction=direction):
            st.text(line)
if section == sections[1]:
    if analysis["similarity"]:
        show(charts.similarity_histograms, charts.similarity_takeaway, analysis["similarity"])
    else:
        missing("similarity")
if section == sections[2]:
    if analysis["calibration"] and "tuned" in analysis["calibration"]:
        show(charts.reliability_diagram, charts.calibration_takeaway, analysis["calibration"]["tuned"], direction)
    else:
        missing("calibration")
if section == sections[3]:
    meta, arrays, pairs = analysis["latent_map"], run["latent_map_arrays"], run["test_pairs"]
    if meta and arrays is not None and pairs:
        stage = st.radio(strings.LATENT_STAGE, list(strings.LATENT_STAGE_OPTIONS), key=state.LATENT_STAGE,
                         format_func=strings.LATENT_STAGE_OPTIONS.get, horizontal=True)
        event = st.plotly_chart(charts.latent_map_scatter(arrays, meta, pairs, stage), width="stretch",
                                key=state.LATENT_SELECT, on_select="rerun", selection_mode="points")
        st.caption(meta.get("takeaway") or strings.LATENT_HINT)
        points = (event or {}).get("selection", {}).get("points", [])
        chosen = [p["customdata"][0] for p in points if p.get("customdata")]
        if chosen:
            pair = int(chosen[0])
            st.text(strings.LATENT_PAIR.format(pair=pair))
            st.text(strings.LATENT_LEFT.format(text=pairs["left"][pair]))
            st.text(strings.LATENT_RIGHT.format(text=pairs["right"][pair]))
        else:
            st.caption(strings.LATENT_HINT)
    else:
        missing("latent map")
if section == sections[4]:
    if analysis["low_rank"]:
        show(charts.canonical_spectrum, charts.spectrum_takeaway, analysis["low_rank"])
        show(charts.captured_dependence, charts.captured_takeaway, analysis["low_rank"])
        if analysis["low_rank"].get("learned_vs_optimal"):
            learned = analysis["low_rank"]["learned_vs_optimal"]
            show(charts.learned_vs_optimal_chart, charts.learned_vs_optimal_takeaway, learned)
            with st.expander(strings.LEARNED_VS_OPTIMAL):
                for note in learned.get("notes", []):
                    st.text(note)
    else:
        missing("low-rank")
if section == sections[5]:
    curve = services.load_learning_curve(root, stamp)
    if curve:
        show(charts.learning_curve_chart, charts.learning_takeaway, curve, direction)
    else:
        st.caption(strings.NO_LEARNING_CURVE)
if section == sections[6]:
    drill = (analysis["drilldown"] or {}).get(direction)
    if drill:
        show(charts.rank_movement, charts.rank_takeaway, drill)
        st.subheader(strings.EXAMPLES_WINS)
        st.dataframe(tables.example_rows(drill.get("wins", [])), hide_index=True, width="stretch")
        st.subheader(strings.EXAMPLES_LOSSES)
        st.dataframe(tables.example_rows(drill.get("losses", [])), hide_index=True, width="stretch")
    else:
        missing("examples")
if section == sections[7]:
    show(charts.loss_curves, charts.loss_takeaway, {labels.get(rid, rid): load(rid)["train_log"] for rid in run_ids})
