"""Train page: pick a stored dataset and settings, start a comparison or a learning curve, follow the jobs."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import (
    icons,
    job_cards,
    model_picker,
    notices,
    robustness_section,
    services,
    state,
    strings,
    tables,
)
from engine.config import GALLERIES, LOSS_NAMES, TILT_NAMES, TrainConfig
from engine.errors import EngineError
from engine.i18n import message, t
from engine.i18n.format import number, percent
from engine.jobs import (
    LEARNING_CURVE_DEFAULTS,
    SPEC_DEFAULTS,
    cancel_job,
    ensure_worker,
    find_done_job,
    list_jobs,
    open_result,
    submit_job,
)
from engine.learning_curve_settings import MAX_SEEDS
from engine.resume import resumable_runs

ACTIVE = ("queued", "running")
TEMPERATURES = (None, "learn", 0.02, 0.05, 0.1, 0.2, 0.5)
# Shares of the training pairs offered for a learning curve; the defaults come from the spec.
FRACTION_CHOICES = tuple(sorted({0.125, 0.25, 0.375, 0.5, 0.75, 1.0, *LEARNING_CURVE_DEFAULTS["fractions"]}))
SHOWN_JOBS = 10

root = st.session_state[state.STORE]
st.title(strings.TRAIN_TITLE)
stored = services.datasets(root, services.datasets_mtime(root))
names = job_cards.dataset_names(stored)


def _temperature_label(value: object) -> str:
    return {None: strings.TEMPERATURE_DEFAULT, "learn": strings.TEMPERATURE_LEARN}.get(value, str(value))  # type: ignore[arg-type]


def _submit(spec: dict[str, Any], started: str) -> None:
    try:
        job_id = submit_job(root, spec)
    except EngineError as exc:
        notices.error(exc)
    else:
        st.session_state[state.LAST_JOB] = job_id
        st.success(started.format(job_id=job_id))


def _request(spec: dict[str, Any], started: str) -> None:
    """Queue ``spec``, unless a finished job ran exactly it: then ask first (see :func:`_pending`)."""
    try:
        twin = find_done_job(root, spec)
    except EngineError as exc:
        notices.error(exc)
        return
    if twin is None:
        _submit(spec, started)
    else:
        st.session_state[state.TRAIN_PENDING] = {"spec": spec, "job_id": twin["job_id"], "started": started,
                                                 "curve": job_cards.is_curve(twin)}


def _pending(box: Any) -> None:
    """"Results exist: open them?" with a choice to open Results or start anyway."""
    pending = st.session_state.get(state.TRAIN_PENDING)
    if not pending:
        return
    twin = next((j for j in list_jobs(root) if j["job_id"] == pending["job_id"]), None)
    with box.container(border=True):
        notices.warning(t("train_page.EXISTS", dataset=job_cards.dataset_label(pending["spec"], names),
                          when=job_cards.submitted(twin or {}), what=job_cards.what(twin or {"spec": pending["spec"]})))
        left, middle, right = st.columns(3)
        opened = left.button(t("train_page.EXISTS_OPEN"), key=state.PENDING_OPEN, type="primary")
        again = middle.button(t("train_page.EXISTS_START"), key=state.PENDING_START)
        dropped = right.button(t("train_page.EXISTS_DROP"), key=state.PENDING_DROP)
    if opened:
        try:
            open_result(root, pending["job_id"])
        except EngineError as exc:
            notices.error(exc)
            return
        del st.session_state[state.TRAIN_PENDING]
        st.switch_page("views/results.py")
    if again or dropped:
        del st.session_state[state.TRAIN_PENDING]
        box.empty()
        if again:
            _submit(pending["spec"], pending["started"])


if not stored:
    st.info(strings.TRAIN_NO_DATA)
    st.page_link("views/data.py", label=strings.HOME_GO_DATA, icon=icons.UPLOAD)
else:
    by_digest = {d.digest: d for d in stored}
    dataset = st.selectbox(strings.TRAIN_DATASET, list(by_digest), key=state.TRAIN_DATASET, help=strings.TRAIN_DATASET_HELP,
                           format_func=lambda d: strings.TRAIN_DATASET_LABEL.format(
                               name=by_digest[d].name, rows=by_digest[d].rows, digest=d[:8]))
    # None while the chosen model cannot be used (not built, no folder): nothing may be queued then.
    model = model_picker.model_selector(by_digest[dataset], st.session_state.get(state.MODEL))
    left, right = st.columns(2)
    with left:
        losses = st.multiselect(strings.TRAIN_LOSSES, LOSS_NAMES, default=SPEC_DEFAULTS["losses"], key=state.TRAIN_LOSSES,
                                help=strings.TRAIN_LOSSES_HELP + "\n\n" + "\n\n".join(strings.LOSS_HELP[n] for n in LOSS_NAMES))
        tilts = st.multiselect(strings.TRAIN_TILTS, TILT_NAMES, default=SPEC_DEFAULTS["tilts"], key=state.TRAIN_TILTS,
                               help=strings.TRAIN_TILTS_HELP)
        temperature = st.selectbox(strings.TRAIN_TEMPERATURE, TEMPERATURES, key=state.TRAIN_TEMPERATURE,
                                   index=TEMPERATURES.index(SPEC_DEFAULTS["temperature"]),
                                   format_func=_temperature_label, help=strings.TRAIN_TEMPERATURE_HELP)
    with right:
        early_stopping = st.checkbox(t("early_stopping.PAGE_SWITCH"), SPEC_DEFAULTS["early_stopping"],
                                     key=state.TRAIN_EARLY_STOPPING,
                                     help=t("early_stopping.PAGE_SWITCH_HELP", patience=SPEC_DEFAULTS["patience"],
                                            share=percent(TrainConfig.validation_fraction)))
        # With early stopping the number is a cap; the widget keeps its value when the label changes.
        epochs = st.number_input(t("early_stopping.PAGE_MAX_EPOCHS") if early_stopping else strings.TRAIN_EPOCHS,
                                 1, 100, SPEC_DEFAULTS["epochs"], key=state.TRAIN_EPOCHS,
                                 help=t("early_stopping.PAGE_MAX_EPOCHS_HELP") if early_stopping
                                 else strings.TRAIN_EPOCHS_HELP)
        batch = st.number_input(strings.TRAIN_BATCH, 2, 1024, SPEC_DEFAULTS["batch_size"], key=state.TRAIN_BATCH,
                                help=strings.TRAIN_BATCH_HELP)
        seed = st.number_input(strings.TRAIN_SEED, 0, 2**31 - 1, SPEC_DEFAULTS["seed"], key=state.TRAIN_SEED,
                               help=strings.TRAIN_SEED_HELP)
        max_rows = st.number_input(strings.TRAIN_MAX_ROWS, 0, 10_000_000, SPEC_DEFAULTS["max_rows"] or 0,
                                   key=state.TRAIN_MAX_ROWS,
                                   help=strings.TRAIN_MAX_ROWS_HELP)
        gallery_names = message("gallery.NAMES")
        gallery = st.selectbox(t("gallery.SWITCH"), GALLERIES, index=GALLERIES.index(SPEC_DEFAULTS["gallery"]),
                               key=state.TRAIN_GALLERY, format_func=gallery_names.get, help=t("gallery.SWITCH_HELP"))
    # Settings both job kinds share; each kind adds its own below.
    shared = {"data": str(by_digest[dataset].path), "columns": by_digest[dataset].mapping, "temperature": temperature,
              "epochs": int(epochs), "early_stopping": bool(early_stopping), "batch_size": int(batch), "seed": int(seed),
              "max_rows": int(max_rows) or None,
              "model": model, "gallery": gallery}
    compare_clicked = st.button(strings.TRAIN_START, key=state.TRAIN_START, type="primary", disabled=model is None)

    st.subheader(t("train_page.CURVE_TITLE"))
    st.caption(t("train_page.CURVE_INTRO"))
    c1, c2, c3 = st.columns([1, 2, 1])
    curve_loss = c1.selectbox(t("train_page.CURVE_LOSS"), LOSS_NAMES, key=state.CURVE_LOSS,
                              index=LOSS_NAMES.index(LEARNING_CURVE_DEFAULTS["loss"]), help=t("train_page.CURVE_LOSS_HELP"))
    shares = {f: job_cards.share_label(f) for f in FRACTION_CHOICES}
    fractions = c2.multiselect(t("train_page.CURVE_FRACTIONS"), FRACTION_CHOICES, key=state.CURVE_FRACTIONS,
                               default=LEARNING_CURVE_DEFAULTS["fractions"], format_func=shares.get,
                               help=t("train_page.CURVE_FRACTIONS_HELP"))
    default_target = LEARNING_CURVE_DEFAULTS["target_recall"]
    target = c3.number_input(t("train_page.CURVE_TARGET"), 0.0, 100.0, 100.0 * (default_target or 0.0), step=5.0,
                             format="%.0f", key=state.CURVE_TARGET, help=t("train_page.CURVE_TARGET_HELP"))
    seeds = int(st.number_input(t("train_page.CURVE_SEEDS"), 1, MAX_SEEDS, LEARNING_CURVE_DEFAULTS["seeds"], step=1,
                                key=state.CURVE_SEEDS, help=t("train_page.CURVE_SEEDS_HELP")))
    st.caption(t("train_page.CURVE_COST", runs=len(fractions) * seeds, sizes=len(fractions), seeds=seeds,
                 times=number(seeds * sum(fractions), 1)))
    st.caption(t("train_page.CURVE_SHARED"))
    curve_clicked = st.button(t("train_page.CURVE_START"), key=state.CURVE_START, disabled=model is None)
    pending_box = st.empty()

    if model is None:  # a disabled button cannot be clicked; a click from before the change is dropped
        compare_clicked = curve_clicked = False
    if compare_clicked:
        st.session_state.pop(state.TRAIN_PENDING, None)
        _request({**shared, "losses": losses, "tilts": tilts}, strings.TRAIN_STARTED)
    if curve_clicked:
        st.session_state.pop(state.TRAIN_PENDING, None)
        _request({"kind": "learning_curve", **shared, "loss": curve_loss, "fractions": sorted(fractions),
                  "target_recall": round(target / 100.0, 6) or None, "seeds": seeds}, t("train_page.CURVE_STARTED"))
    robustness_section.train_section(shared, tilts, disabled=model is None, request=_request)
    _pending(pending_box)


def _resume_section() -> None:
    """Runs that stopped before they finished but saved a checkpoint, each with a Resume button."""
    resumable = resumable_runs(root)
    if not resumable:
        return
    st.subheader(t("recovery.RESUME_TITLE"))
    st.caption(t("recovery.RESUME_INTRO"))
    resuming = {job["spec"].get("run_id"): job["job_id"] for job in list_jobs(root)
                if job.get("kind") == "resume" and job["state"] in ACTIVE}
    for entry in resumable[:SHOWN_JOBS]:
        run_id = entry["run_id"]
        with st.container(border=True):
            st.text(t("recovery.RESUME_ROW", run_id=run_id, error=entry.get("error") or ""))
            if run_id in resuming:
                st.caption(t("recovery.RESUME_IN_PROGRESS", job_id=resuming[run_id]))
            elif st.button(t("recovery.RESUME_BUTTON"), key=state.RESUME_PREFIX + run_id, help=t("recovery.RESUME_HELP")):
                _submit({"kind": "resume", "run_id": run_id}, message("recovery.RESUME_STARTED"))


_resume_section()
st.subheader(strings.TRAIN_JOBS)
all_jobs = list_jobs(root)
# Queued jobs survive a dashboard restart as files; make sure a worker is there to run them.
for device_key in {j.get("device_key", "auto") for j in all_jobs if j["state"] == "queued"}:
    ensure_worker(root, device_key)
polling = any(j["state"] in ACTIVE for j in all_jobs)


@st.fragment(run_every=2 if polling else None)
def job_monitor() -> None:
    jobs = list_jobs(root)[:SHOWN_JOBS]
    if not jobs:
        st.caption(strings.TRAIN_NO_JOBS)
    for job in jobs:
        with st.container(border=True):
            st.text(job_cards.card_title(job, names))
            st.caption(notices.plain(job_cards.card_caption(job)))
            if job["state"] in ACTIVE:
                st.progress(tables.job_fraction(job), text=job_cards.progress_text(job))
                if job.get("cancel_requested"):
                    st.caption(t("job_stages.CANCEL_PENDING"))
                elif st.button(strings.JOB_CANCEL, key=state.CANCEL_PREFIX + job["job_id"]):
                    cancel_job(root, job["job_id"])
                    st.rerun(scope="fragment")
            elif job["state"] == "failed":
                notices.error(job.get("error") or "")
            elif job["state"] == "cancelled":
                st.caption(strings.JOB_CANCELLED)
            else:
                st.caption(notices.plain(job_cards.done_text(job)))
                st.page_link("views/results.py", label=strings.JOB_GO_RESULTS, icon=icons.RESULTS)
    if polling and not any(j["state"] in ACTIVE for j in jobs):
        st.rerun()  # stop polling: a full rerun redefines the fragment without run_every


job_monitor()
