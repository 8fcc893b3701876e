"""Results page: the verdict first, then the stored evidence of a comparison or one run (read-only).

Layout: the verdict card (dashboard.verdict), the metric / direction / run pickers, then one section
at a time: Retrieval, Similarity, Learning curve, Examples, and "Technical details" (calibration,
latent map, low-rank, training). Sections are dispatched by name through :data:`SECTIONS`.
Directions are named by the user's own columns ("title → description"): the page runs inside
:func:`engine.charts.sides.side_names`, so chart titles and takeaways say so too.

With many stored runs the page stays light: the overview reads each shown run's small files only
(config, metrics, stored intervals: :func:`dashboard.services.run_summary`); the heavy ones (test
pairs, drill-down, maps) are read for the run picked in detail, by the sections that draw them.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import streamlit as st

from dashboard import icons, notices, services, state, strings, tables, thumbnails
from dashboard.robustness_section import results_section as robustness_results
from dashboard.verdict import verdict_card
from engine import charts
from engine.analysis import wording
from engine.charts import strings as chart_strings
from engine.charts.sides import columns_of, direction_text, side_names
from engine.charts.thumbnails import has_picture_items, has_pictures, hover_texts
from engine.charts.verdict_card import SMALL_TEST_PAIRS
from engine.chosen_epoch import chosen_epoch_text
from engine.config import GALLERIES
from engine.errors import EngineError
from engine.i18n import message, t

root = st.session_state[state.STORE]
stamp = services.store_mtime(root)
st.title(strings.RESULTS_TITLE)
done = {r["run_id"]: r for r in services.list_runs(root, stamp) if r.get("state") == "done"}
if not done:
    st.info(strings.RESULTS_EMPTY)
    st.page_link("views/train.py", label=strings.RESULTS_GO_TRAIN, icon=icons.TRAIN)
    st.stop()


def summary(run_id: str) -> dict[str, Any]:
    """A run's config, metrics and stored intervals: all the overview needs of every run (a few kB)."""
    return services.run_summary(str(Path(root) / run_id), services.run_mtime(root, run_id))


def load(run_id: str) -> dict[str, Any]:
    """Every stored file of a run, heavy ones included: only for the run shown in detail."""
    return services.load_run(str(Path(root) / run_id), services.run_mtime(root, run_id))


def empty(section: str) -> None:
    """Why a section is empty and what to do about it."""
    st.info(message("decision_screen.EMPTY")[section], icon=icons.INFO)


def show(build: Any, takeaway: Any, *args: Any, **kwargs: Any) -> None:
    """A chart and its one-line takeaway; bad stored data gives a warning, not a broken page.

    Takeaways may name the user's columns (escaped for plotly), so they are unescaped and shown
    as plain text, never as Markdown.
    """
    try:
        fig, text = build(*args, **kwargs), takeaway(*args, **kwargs)
    except (EngineError, KeyError, TypeError) as exc:
        notices.warning(str(exc))
        return
    st.plotly_chart(fig, width="stretch")
    st.text(html.unescape(text))


picked = st.session_state.get(state.RUN, state.COMPARISON)
comparison = services.load_comparison(root, stamp) if picked == state.COMPARISON else None
if comparison:
    rows = [r for r in comparison["runs"] if r["run_id"] in done]
else:
    run_id = picked if picked in done else next(iter(done))
    rows = [r for r in [tables.comparison_row(done[run_id], summary(run_id)["metrics"])] if r]
run_ids = [r["run_id"] for r in rows] or list(done)[:1]
labels = tables.loss_labels(rows) if rows else {rid: done[rid].get("loss", "") for rid in run_ids}
columns = columns_of(summary(run_ids[0])["config"])


def catalogue_of(row: dict[str, Any]) -> dict[str, Any] | None:
    """The run's whole-catalogue scores (metrics.json ``catalogue``); None if scored on the test pairs only."""
    return row.get("catalogue") or (summary(row["run_id"])["metrics"] or {}).get("catalogue")


catalogues = {row["run_id"]: catalogue_of(row) for row in rows}
has_catalogue = bool(rows) and all(catalogues.values())


def direction_name(direction: str) -> str:
    """Plain text (for widgets and st.text): the user's columns, else the generic label."""
    return direction_text(direction, columns) if columns else message("charts.DIRECTION_LABELS")[direction]


card_slot = st.container()  # filled once the direction is picked below, but shown first
c1, c2, c3 = st.columns(3)
metric = c1.selectbox(strings.RESULTS_METRIC, list(chart_strings.METRIC_LABELS), key=state.RESULT_METRIC,
                      format_func=chart_strings.METRIC_LABELS.get)
# A selectbox, not a radio: its option labels are plain text, and they hold the user's column names.
direction = c2.selectbox(strings.RESULTS_DIRECTION, list(chart_strings.DIRECTION_LABELS), key=state.RESULT_DIRECTION,
                         format_func=direction_name)
detail = c3.selectbox(strings.RESULTS_DETAIL, run_ids, key=state.DETAIL_RUN, format_func=lambda r: labels.get(r, r),
                      help=strings.RESULTS_DETAIL_HELP)
with card_slot:
    verdict_card(root, None if comparison else run_ids, direction=direction, loss_labels=labels)
    if has_catalogue:  # the card's numbers come from the test pairs; say so next to the catalogue's
        st.caption(t("gallery.CARD_NOTE", items=rows[0]["tuned"][direction]["gallery_size"]))
uncertainty = {rid: summary(rid)["uncertainty"] for rid in run_ids}
uncertainty = {rid: u for rid, u in uncertainty.items() if u}

with st.expander(strings.GLOSSARY_TITLE):  # one element, not 21: each one costs the browser time on every load
    st.text("\n".join(strings.GLOSSARY_ENTRY.format(term=term, meaning=meaning)
                      for term, meaning in chart_strings.GLOSSARY.items()))


def render_verdict_lines(records: Any) -> list[str]:
    """Stored verdicts of this direction, written in the language in force with the user's column names."""
    try:
        from engine.analysis.evidence.verdict import render_verdict
    except ImportError:  # an engine without re-rendering: the stored sentences
        return tables.verdict_lines(records, direction=direction)
    render = partial(render_verdict, direction_label=direction_name(direction)) if columns else render_verdict
    return tables.verdict_lines(records, direction=direction, render=render)


def gallery_rows(gallery: str) -> list[dict[str, Any]]:
    """``rows`` with ``base``/``tuned`` scored on ``gallery`` (``"test"`` or ``"catalogue"``)."""
    if gallery == "test":
        return rows
    return [{**row, "base": catalogues[row["run_id"]]["base"], "tuned": catalogues[row["run_id"]]["tuned"]}
            for row in rows]


def both_galleries() -> None:
    """One table: each run's base → fine-tuned value on the test pairs and on the whole catalogue."""
    st.subheader(t("gallery.BOTH_TITLE"))
    st.caption(t("gallery.BOTH_CAPTION", metric=chart_strings.METRIC_LABELS[metric], direction=direction_name(direction)))
    names, heads = message("gallery.NAMES"), message("gallery.BOTH_COLUMNS")
    table = []
    for gallery in GALLERIES:
        for row in gallery_rows(gallery):
            base, tuned = row["base"][direction], row["tuned"][direction]
            table.append([labels.get(row["run_id"], row["run_id"]), names[gallery], str(tuned["gallery_size"]),
                          tables.metric_text(base[metric], metric), tables.metric_text(tuned[metric], metric),
                          tables.metric_change(tuned[metric] - base[metric], metric)])
    st.dataframe({heads[key]: [line[i] for line in table] for i, key in enumerate(heads)}, hide_index=True,
                 width="stretch")


def retrieval() -> None:
    gallery = "test"
    if has_catalogue:
        gallery = st.selectbox(t("gallery.PICK"), GALLERIES, key=state.RESULT_GALLERY,
                               format_func=message("gallery.NAMES").get, help=t("gallery.PICK_HELP"))
    shown = gallery_rows(gallery)
    st.text(t("decision_screen.TILES_CAPTION", metric=chart_strings.METRIC_LABELS[metric],
              direction=direction_name(direction)))
    caption = "gallery.CAPTION_TEST" if gallery == "test" else "gallery.CAPTION_CATALOGUE"
    if shown:
        st.caption(t(caption, items=shown[0]["tuned"][direction]["gallery_size"]))
    tiles = st.columns(max(len(shown), 1))
    for tile, row in zip(tiles, shown):
        tuned, base = row["tuned"][direction][metric], row["base"][direction][metric]
        tile.metric(labels[row["run_id"]], tables.metric_text(tuned, metric), delta=tables.metric_change(tuned - base, metric),
                    # the glossary is keyed by the English term, in every language
                    help=chart_strings.GLOSSARY.get(message("charts.METRIC_LABELS", "en")[metric]),
                    delta_color=tables.delta_colour(metric))
    # The stored intervals and verdicts are of the test pairs; catalogue bars go without them.
    show(charts.retrieval_bars, charts.retrieval_takeaway, shown, metric=metric, direction=direction,
         uncertainty=uncertainty if gallery == "test" else None)
    if gallery == "catalogue":
        st.caption(t("gallery.CATALOGUE_NO_INTERVALS"))
    if has_catalogue:
        both_galleries()
    elif comparison:
        st.caption(t("gallery.CATALOGUE_MISSING"))
    st.subheader(strings.VERDICTS)
    shown = False
    for rid in run_ids:
        lines = render_verdict_lines((uncertainty.get(rid) or {}).get("fine_tuning"))
        if lines:
            shown = True
            st.caption(strings.VERDICTS_FINE_TUNING.format(run=labels.get(rid, rid)))
            for line in lines:
                st.text(line)
    if comparison and comparison.get("pairwise"):
        shown = True
        st.caption(strings.VERDICTS_PAIRWISE)
        for line in render_verdict_lines(comparison["pairwise"]):
            st.text(line)
    if not shown:
        empty("verdicts")


def similarity() -> None:
    analysis = load(detail)["analysis"]
    if analysis["similarity"]:
        show(charts.similarity_histograms, charts.similarity_takeaway, analysis["similarity"])
    else:
        empty("similarity")


def learning() -> None:
    curve = services.load_learning_curve(root, stamp)
    if curve:
        show(charts.learning_curve_chart, charts.learning_takeaway, curve, direction)
        st.caption(charts.learning_interval_note(curve))  # what the 95% intervals cover
    else:
        empty("learning")


def examples() -> None:
    run = load(detail)
    drill = (run["analysis"]["drilldown"] or {}).get(direction)
    if not drill:
        empty("examples")
        return
    show(charts.rank_movement, charts.rank_takeaway, drill)
    names = {"query_name": (columns or {}).get(drill.get("query_side", "")),
             "target_name": (columns or {}).get(drill.get("gallery_side", ""))}
    pictures = has_pictures(drill)  # a run on image pairs: its items are stored pictures, shown as such
    for title, part in ((strings.EXAMPLES_WINS, "wins"), (strings.EXAMPLES_LOSSES, "losses")):
        st.subheader(title)
        if drill.get(part) and pictures:
            st.caption(t("photos_ui.EXAMPLES_PICTURES", n=thumbnails.PICTURE_EXAMPLES))
            thumbnails.example_pictures(drill[part], drill, run["test_pairs"])
        elif drill.get(part):
            st.dataframe(tables.example_rows(drill[part], **names), hide_index=True, width="stretch")
        else:
            empty(f"examples_{part}")


def calibration() -> None:
    stored = load(detail)["analysis"]["calibration"] or {}
    if "tuned" not in stored:
        empty("calibration")
        return
    tuned = stored["tuned"]
    scored = int(tuned.get("n_eval_queries") or 0)
    st.text(t("decision_screen.CALIBRATION_SPLIT", n=tuned.get("n_pairs", "?"), fit=tuned.get("n_fit_queries", "?"),
              scored=scored))
    # The same bar as the calibration analysis' own (MIN_EVAL_QUERIES, not imported: it pulls in torch).
    if scored < SMALL_TEST_PAIRS:
        st.warning(t("decision_screen.CALIBRATION_FEW", scored=scored, minimum=SMALL_TEST_PAIRS), icon=icons.WARNING)
    show(charts.reliability_diagram, charts.calibration_takeaway, tuned, direction)


def latent() -> None:
    run = load(detail)
    meta, arrays, pairs = run["analysis"]["latent_map"], run["latent_map_arrays"], run["test_pairs"]
    if not (meta and arrays is not None and pairs):
        empty("latent")
        return
    stage = st.radio(strings.LATENT_STAGE, list(strings.LATENT_STAGE_OPTIONS), key=state.LATENT_STAGE,
                     format_func=strings.LATENT_STAGE_OPTIONS.get, horizontal=True)
    # Pictures: hover boxes hold text only, so they name the picture by its paired text, and a
    # clicked point shows its thumbnail in a panel beside the map.
    pictures = has_picture_items(pairs)
    map_area, panel = st.columns([3, 1]) if pictures else (st.container(), st.container())
    with map_area:
        event = st.plotly_chart(charts.latent_map_scatter(arrays, meta, hover_texts(pairs) if pictures else pairs,
                                                          stage), width="stretch",
                                key=state.LATENT_SELECT, on_select="rerun", selection_mode="points")
    st.text(wording.render_text(meta, "takeaway") or strings.LATENT_HINT)
    points = (event or {}).get("selection", {}).get("points", [])
    chosen = [p["customdata"][0] for p in points if p.get("customdata")]
    if pictures:
        with panel:
            if chosen:
                st.text(strings.LATENT_PAIR.format(pair=int(chosen[0])))
                sides = message("photos_ui.SIDE_NAMES")
                thumbnails.pair_panel(int(chosen[0]), pairs, {s: (columns or {}).get(s) or sides[s] for s in sides})
            else:
                st.caption(t("photos_ui.LATENT_CLICK"))
        return
    if not chosen:
        st.caption(strings.LATENT_HINT)
        return
    pair = int(chosen[0])
    st.text(strings.LATENT_PAIR.format(pair=pair))
    for side, fallback in (("left", strings.LATENT_LEFT), ("right", strings.LATENT_RIGHT)):
        name = (columns or {}).get(side)
        st.text(t("decision_screen.LATENT_SIDE", side=name, text=pairs[side][pair]) if name
                else fallback.format(text=pairs[side][pair]))


def low_rank() -> None:
    from engine.charts.low_rank import gaussianity_takeaway, is_current

    stored = load(detail)["analysis"]["low_rank"]
    if not stored:
        empty("low_rank")
        return
    if not is_current(stored):  # an old run's plain CCA overstates the dependence: say so, show no number
        st.info(t("analysis.LOW_RANK_OLD_FIT"), icon=icons.INFO)
        return
    show(charts.canonical_spectrum, charts.spectrum_takeaway, stored)
    show(charts.captured_dependence, charts.captured_takeaway, stored)
    gaussian = gaussianity_takeaway(stored)
    if gaussian:
        st.text(gaussian)
    with st.expander(chart_strings.LOW_RANK_METHOD_TITLE):
        for note in wording.render_texts(stored.get("tuned") or stored.get("base") or {}, "notes"):
            st.text(note)
    if stored.get("learned_vs_optimal"):
        learned = stored["learned_vs_optimal"]
        show(charts.learned_vs_optimal_chart, charts.learned_vs_optimal_takeaway, learned)
        with st.expander(strings.LEARNED_VS_OPTIMAL):
            for note in wording.render_texts(learned, "notes"):
                st.text(note)


def training() -> None:
    logs = {labels.get(rid, rid): services.train_log(str(Path(root) / rid), services.run_mtime(root, rid))
            for rid in run_ids}
    if not any(logs.values()):
        empty("training")
        return
    show(charts.loss_curves, charts.loss_takeaway, logs)
    for rid in run_ids:  # how many epochs each run kept, and why (early stopping)
        text = chosen_epoch_text((summary(rid)["metrics"] or {}).get("train"))
        if text is not None:
            st.caption(notices.plain(t("early_stopping.RESULTS_RUN", label=labels.get(rid, rid), text=text)))


TECHNICAL: dict[str, Callable[[], None]] = {
    "calibration": calibration, "latent": latent, "low_rank": low_rank, "training": training,
}


def technical() -> None:
    names = message("decision_screen.TECHNICAL")
    if st.session_state.get(state.RESULT_TECHNICAL) not in TECHNICAL:  # a value from an older version
        st.session_state.pop(state.RESULT_TECHNICAL, None)
    part = st.segmented_control(t("decision_screen.TECHNICAL_PICK"), list(TECHNICAL), default="calibration",
                                key=state.RESULT_TECHNICAL, format_func=lambda key: names.get(key, str(key))) or "calibration"
    TECHNICAL[part]()


# One section at a time (not st.tabs): tabs build every chart on every rerun, a picker builds one,
# which keeps the page fast with many runs.
SECTIONS: dict[str, Callable[[], None]] = {
    "retrieval": retrieval, "similarity": similarity, "learning": learning, "examples": examples,
    "technical": technical,
}
if st.session_state.get(state.RESULT_SECTION) not in SECTIONS:  # e.g. a label kept from an older version
    st.session_state.pop(state.RESULT_SECTION, None)
section_names = message("decision_screen.SECTIONS")
section = st.segmented_control(strings.RESULTS_SECTION, list(SECTIONS), default="retrieval", key=state.RESULT_SECTION,
                               format_func=lambda key: section_names.get(key, str(key))) or "retrieval"
with side_names(columns):
    SECTIONS[section]()
robustness_results(root, direction, columns)  # below every section, when a study is stored
