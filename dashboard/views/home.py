"""Start page: the verdict on the latest comparison, what the tool does, the one-click sample, past runs."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import icons, model_picker, notices, services, state, strings, tables
from dashboard.verdict import verdict_card
from engine.charts.sides import columns_of, direction_text
from engine.datasets import PHOTO_SAMPLES, SAMPLE_COLUMNS, TEXT_SAMPLES, register_sample
from engine.errors import EngineError
from engine.i18n import message, t
from engine.jobs import submit_job
from engine.jobs.spec import quick_run_spec
from engine.names import DIRECTIONS

root = st.session_state[state.STORE]
st.title(strings.APP_TITLE)
runs = services.list_runs(root, services.store_mtime(root))
finished = [r["run_id"] for r in runs if r.get("state") == "done"]
# The latest comparison; without one (runs trained one by one), the newest finished run.
has_comparison = services.load_comparison(root, services.store_mtime(root)) is not None
verdict_card(root, None if has_comparison or not finished else finished[:1])
for sentence in strings.HOME_INTRO:
    st.text(sentence)

JA_SAMPLE = TEXT_SAMPLES["catalogue_ja"]
JA_SAMPLE_COLUMNS = SAMPLE_COLUMNS["catalogue_ja"]  # its headers are mapped explicitly


def photo_sample_buttons() -> str | None:
    """The photo samples' buttons, English left and Japanese right as for the text samples; the one clicked."""
    st.caption(t("photos_ui.PHOTO_SAMPLES"))
    labels, helps = message("photos_ui.PHOTO_BUTTONS"), message("photos_ui.PHOTO_HELP")
    clicked = None
    for column, names in zip(st.columns(2), (("fashion", "products"), ("fashion_ja", "products_ja")), strict=True):
        with column:
            for name in names:
                if st.button(labels[name], key=state.LOAD_PHOTO_PREFIX + name, help=helps[name]):
                    clicked = name
    return clicked


def start_sample(path: str | Path, started: str, columns: dict[str, str] | None = None) -> None:
    """Store a bundled sample and submit a 1-epoch clip-vs-joint comparison on it.

    The model is the one named at start-up, else the one recommended for the sample's languages
    (the multilingual model for the Japanese sample); a packaged model not built yet stops the run
    with the command that builds it.

    Args:
        path: The sample file.
        started: The success message, with ``{job_id}`` and ``{rows}`` fields.
        columns: Role -> column for a sample whose headers are not detected.
    """
    try:
        entry = register_sample(root, path, columns=columns)
        model, choice = model_picker.quick_run_model(model_picker.dataset_languages(entry),
                                                     st.session_state.get(state.MODEL))
        model_picker.require_installed(model)
        # A first look: the job spec's defaults, but one epoch. A sample with explicit columns is read
        # with the mapping as stored with the dataset, so the job reads the same columns.
        job_id = submit_job(root, quick_run_spec(entry.path, model, entry.mapping if columns else None))
    except EngineError as exc:
        notices.error(exc)
    else:
        st.session_state[state.LAST_JOB] = job_id
        st.success(started.format(job_id=job_id, rows=entry.rows))
        reason = model_picker.reason_text(choice) if choice else t("models.STARTUP_CHOICE")
        st.caption(notices.plain(t("models.CHOSEN", model=model, reason=reason)))  # a start-up model may be a path
        st.page_link("views/train.py", label=strings.HOME_GO_TRAIN, icon=icons.TRAIN)


st.caption(t("photos_ui.TEXT_SAMPLES"))
english, japanese = st.columns(2)
with english:
    load_english = st.button(strings.HOME_SAMPLE_BUTTON, key=state.LOAD_SAMPLE, help=strings.HOME_SAMPLE_HELP,
                             type="primary")
with japanese:
    load_japanese = st.button(t("samples.JA_SAMPLE_BUTTON"), key=state.LOAD_SAMPLE_JA,
                              help=t("samples.JA_SAMPLE_HELP"))
if load_english:
    start_sample(st.session_state[state.SAMPLE], strings.HOME_SAMPLE_STARTED)
if load_japanese:
    start_sample(JA_SAMPLE, t("samples.JA_SAMPLE_STARTED"), JA_SAMPLE_COLUMNS)
photo_sample = photo_sample_buttons()
if photo_sample:
    start_sample(PHOTO_SAMPLES[photo_sample], t("photos_ui.PHOTO_STARTED"))
st.page_link("views/data.py", label=strings.HOME_GO_DATA, icon=icons.UPLOAD)

st.subheader(strings.HOME_RUNS)


def shared_direction_names() -> dict[str, str] | None:
    """Direction names from the columns, when every finished run used the same ones (else generic)."""
    found = {tuple(sorted((columns_of(services.run_config(root, rid, services.run_mtime(root, rid))) or {}).items()))
             for rid in finished}
    if len(found) != 1 or not next(iter(found)):
        return None
    columns = dict(next(iter(found)))
    return {d: direction_text(d, columns) for d in DIRECTIONS}


if runs:
    st.dataframe(tables.run_rows(runs, direction_names=shared_direction_names()), hide_index=True, width="stretch")
else:
    st.caption(strings.HOME_NO_RUNS)
