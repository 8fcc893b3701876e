"""ROI page: what the latest comparison is worth, with its uncertainty, and the go / extend / stop decision.

All maths is :mod:`engine.roi` (cached per inputs, comparison mtime and language in
:func:`dashboard.services.roi_result`); the charts are :mod:`engine.charts.roi`. The page only
collects the inputs, stores them per comparison and lays out the result.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from dashboard import icons, notices, roi_form, services, state
from engine.charts import roi as roi_charts
from engine.charts import strings as chart_strings
from engine.charts.sides import DIRECTIONS, columns_of, direction_text, side_names
from engine.errors import EngineError
from engine.i18n import format as fmt
from engine.i18n import get_language, t
from engine.roi import (
    PRESETS,
    DecisionRule,
    RoiInputError,
    RoiInputs,
    load_inputs,
    locate_comparison,
    more_data_lines,
    preset,
    render_reason,
)
from engine.roi import save_inputs as store_inputs
from engine.roi.presets import DEFAULT_PRESET
from engine.runs import RunPaths, read_json

# The traffic light of the decision: a coloured disc (a text glyph: no colour-emoji font is needed).
FACTORS = (2.0, 4.0)  # the learning curve predicts at 2x and 4x the pairs

root = st.session_state[state.STORE]
stamp = services.store_mtime(root)
st.title(t("roi_page.TITLE"))
comparison = services.load_comparison(root, stamp)
if not comparison or not comparison.get("runs"):
    st.info(t("roi_page.EMPTY"))
    st.page_link("views/train.py", label=t("roi_page.EMPTY_GO_TRAIN"), icon=icons.TRAIN)
    st.stop()
st.caption(t("roi_page.INTRO"))
comparison_file = str(locate_comparison(root))
roi_stamp = services.roi_stamp(comparison_file)
# The user's own column names for the search directions ("title → description"), from the first run.
first_run = comparison["runs"][0].get("run_id", "")
columns = columns_of(read_json(RunPaths(Path(root) / first_run).config) if first_run else None)
direction_names = ({d: direction_text(d, columns) for d in DIRECTIONS} if columns
                   else dict(chart_strings.DIRECTION_LABELS))


# The traffic light of each outcome (Streamlit colour directives; the words come from the catalogue).
LIGHTS = {"go": ":green[●]", "extend": ":orange[●]", "stop": ":red[●]"}


def _start_inputs() -> None:
    """Load the inputs saved for this comparison (else the default preset) when the comparison changes."""
    loaded = f"{comparison_file}@{services.mtime(comparison_file)}"
    if st.session_state.get(state.ROI_LOADED) == loaded:
        if roi_form.key("horizon_months") not in st.session_state:  # widgets forgotten on another page
            roi_form.load(RoiInputs.from_dict(st.session_state[state.ROI_INPUTS]))
        return
    try:
        inputs, origin = load_inputs(comparison_file), "stored"
    except RoiInputError as exc:
        st.text(t("roi_page.STORED_BROKEN", error=str(exc)))
        inputs = None
    if inputs is None:
        inputs, origin = preset(DEFAULT_PRESET), DEFAULT_PRESET
    roi_form.load(inputs)
    st.session_state[state.ROI_INPUTS] = inputs.to_dict()
    st.session_state[state.ROI_ORIGIN] = origin
    st.session_state[state.ROI_LOADED] = loaded


def _apply_preset(name: str) -> None:
    """Preset button callback: runs before the widgets are drawn, so it may overwrite their values."""
    roi_form.load(preset(name))
    st.session_state[state.ROI_ORIGIN] = name


def _rule() -> DecisionRule | None:
    """The decision-rule thresholds from their widgets (in an expander); None when they contradict."""
    default = DecisionRule().to_dict()
    values = {**default, **st.session_state.get(state.ROI_RULE, {})}
    with st.expander(t("roi_page.RULE_TITLE")):
        for name in DecisionRule.field_names():
            widget = state.ROI_RULE_PREFIX + name
            st.session_state.setdefault(widget, values[name])
            label, help_text = t(f"roi.RULE_{name.upper()}"), t(f"roi.RULE_HELP_{name.upper()}")
            if isinstance(default[name], bool):
                values[name] = st.checkbox(label, key=widget, help=help_text)
            elif name == "more_data_factor":
                values[name] = st.selectbox(label, FACTORS, key=widget, help=help_text, format_func=lambda f: f"{f:g}×")
            else:
                values[name] = st.number_input(label, key=widget, help=help_text, step=0.05, format="%.2f")
        try:
            rule = DecisionRule.from_dict(values)
        except RoiInputError as exc:
            st.text(t("roi_page.RULE_INVALID", error=str(exc)))
            return None
        st.text(t("roi.RULE_TEXT", go=fmt.percent(rule.go_min_p_npv), stop=fmt.percent(rule.stop_max_p_npv)))
    st.session_state[state.ROI_RULE] = rule.to_dict()
    return rule


def _form(currency: str) -> tuple[Any, dict[str, Any], bool, Any]:
    """Preset buttons and the input form.

    Returns:
        The inputs as entered, a message slot per field, whether Save was pressed, and the slot
        that says where the inputs come from (filled once the outcome of Save is known).
    """
    st.subheader(t("roi_page.INPUTS_TITLE"))
    st.caption(t("roi_page.INPUTS_HELP"))
    buttons = st.columns(len(PRESETS) + 1, vertical_alignment="center")
    buttons[0].text(t("roi_page.PRESETS"), help=t("roi_page.PRESETS_HELP"))
    for column, name in zip(buttons[1:], PRESETS, strict=True):
        column.button(t(f"roi.PRESET_{name.upper()}"), key=state.ROI_PRESET_PREFIX + name, on_click=_apply_preset,
                      args=(name,), width="stretch")
    with st.form(state.ROI_FORM, border=True):
        slots = roi_form.draw(currency, direction_names)
        apply, save = st.columns(2)
        applied = apply.form_submit_button(t("roi_page.APPLY"), key=state.ROI_APPLY, type="primary")
        saved = save.form_submit_button(t("roi_page.SAVE"), key=state.ROI_SAVE)
    if applied or saved:
        st.session_state[state.ROI_ORIGIN] = "edited"
    inputs = roi_form.read()
    st.session_state[state.ROI_INPUTS] = inputs.to_dict()
    return inputs, slots, saved, st.empty()


def _origin(slot: Any) -> None:
    origin = st.session_state.get(state.ROI_ORIGIN, "edited")
    slot.caption(t("roi_page.ORIGIN_STORED") if origin == "stored" else t("roi_page.ORIGIN_EDITED") if origin == "edited"
                 else t("roi_page.ORIGIN_PRESET", preset=t(f"roi.PRESET_{origin.upper()}")))


def _payback(month: int | None, horizon: int, *, short: bool = False) -> str:
    if month is not None:
        return t("roi.PAYBACK_MONTH", month=month)
    return t("roi_page.TILE_PAYBACK_NEVER", horizon=horizon) if short else t("roi.PAYBACK_NEVER", horizon=horizon)


def _headline(result: dict[str, Any]) -> None:
    """Decision with its traffic light, NPV range, P(NPV > 0), payback and the reasons."""
    outcome, currency, horizon = result["decision"]["outcome"], result["currency"], result["inputs"]["horizon_months"]
    increment = result["monte_carlo"]["increment"]
    npv, payback = increment["npv"], increment["payback_month"]
    st.subheader(t("roi_page.HEADING", light=LIGHTS[outcome], outcome=t(f"roi.OUTCOME_{outcome.upper()}")))
    st.text(t(f"roi.NEXT_{outcome.upper()}"))
    tiles = st.columns(3)
    tiles[0].metric(t("roi_page.TILE_NPV"), fmt.money(npv["median"], currency), border=True,
                    help=t("roi_page.TILE_NPV_HELP"))
    tiles[0].caption(t("roi_page.TILE_NPV_RANGE", low=fmt.money(npv["low"], currency), high=fmt.money(npv["high"], currency)))
    tiles[1].metric(t("roi_page.TILE_P"), fmt.percent(increment["p_npv_positive"]), border=True, help=t("roi_page.TILE_P_HELP"))
    tiles[2].metric(t("roi_page.TILE_PAYBACK"), _payback(payback["median"], horizon, short=True), border=True,
                    help=t("roi_page.TILE_PAYBACK_HELP"))
    tiles[2].caption(t("roi_page.TILE_PAYBACK_RANGE", low=_payback(payback["low"], horizon),
                       high=_payback(payback["high"], horizon)))
    recall = result["recall"]
    st.caption(t("roi_page.VALUED", loss=result.get("loss") or "?", tilt=result.get("tilt") or "?",
                 direction=direction_names.get(result["direction"], result["direction"]),
                 k=result["k"], queries=fmt.number(result["test_queries"]),
                 base=fmt.percent(recall["base"]["estimate"]), tuned=fmt.percent(recall["tuned"]["estimate"])))
    st.text(t("roi_page.REASONS"))
    for reason in result["decision"]["reasons"]:
        st.text(("✓ " if reason.get("ok") else "✗ ") + render_reason(reason, currency))


def _chart(build: Any, takeaway: Any, result: dict[str, Any]) -> None:
    try:
        figure, text = build(result), takeaway(result)
    except (EngineError, KeyError, TypeError, ValueError) as exc:
        st.text(str(exc))
        return
    st.plotly_chart(figure, width="stretch")
    st.caption(notices.plain(text))  # takeaways may name the user's columns


def _more_data(result: dict[str, Any]) -> None:
    """The value of 2x and 4x the pairs from the learning curve, with its caveats in words."""
    st.subheader(t("roi_page.MORE_DATA_TITLE"))
    if not result.get("more_data"):
        st.text(t("roi.MORE_DATA_NONE"))
        st.page_link("views/train.py", label=t("roi_page.MORE_DATA_GO_TRAIN"), icon=icons.TRAIN)
        return
    for line in more_data_lines(result):
        st.text(line)


headline = st.container(border=True, key="roi-headline")
rule = _rule()
_start_inputs()
inputs, slots, save_pressed, origin_slot = _form(st.session_state.get(roi_form.key("currency")) or "JPY")
st.subheader(t("roi_page.FORMULA_TITLE"))
st.code(t("roi.FORMULA"), language=None, wrap_lines=True)
with st.expander(t("roi_page.FORMULA_MORE")):
    for name in ("FORMULA_OPTIONS", "FORMULA_NPV", "FORMULA_UNCERTAINTY", "FORMULA_BREAK_EVEN", "FORMULA_MORE_DATA"):
        st.text(t(f"roi.{name}"))

try:
    result = services.roi_result(comparison_file, roi_stamp, inputs.to_dict(), (rule or DecisionRule()).to_dict(),
                                 get_language())
except RoiInputError as exc:
    # The field's own message, as plain text, right under its row (or above the form).
    slot = slots.get(exc.field) or headline
    slot.text("⛔ " + str(exc))
    headline.text(t("roi_page.FIX_INPUT"))
    _origin(origin_slot)
    st.stop()
except EngineError as exc:
    headline.text(str(exc))
    st.stop()

if save_pressed:
    path = store_inputs(comparison_file, inputs)
    st.session_state[state.ROI_ORIGIN] = "stored"
    st.success(t("roi_page.SAVED", file=Path(path).name))
_origin(origin_slot)
with headline:
    _headline(result)

with side_names(columns):
    st.subheader(t("roi_page.CHARTS_TITLE"))
    _chart(roi_charts.npv_distribution, roi_charts.npv_takeaway, result)
    _chart(roi_charts.roi_tornado, roi_charts.tornado_takeaway, result)
    _chart(roi_charts.break_even_chart, roi_charts.break_even_takeaway, result)
    _more_data(result)
