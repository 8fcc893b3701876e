"""Train page: pick a stored dataset and settings, start a background comparison, follow the jobs."""

from __future__ import annotations

import streamlit as st

from dashboard import services, state, strings, tables
from engine.config import LOSS_NAMES, TILT_NAMES
from engine.errors import EngineError
from engine.jobs import cancel_job, ensure_worker, list_jobs, submit_job

ACTIVE = ("queued", "running")
TEMPERATURES = (None, "learn", 0.02, 0.05, 0.1, 0.2, 0.5)
SHOWN_JOBS = 10

root = st.session_state[state.STORE]
st.title(strings.TRAIN_TITLE)
stored = services.datasets(root, services.datasets_mtime(root))


def _temperature_label(value: object) -> str:
    return {None: strings.TEMPERATURE_DEFAULT, "learn": strings.TEMPERATURE_LEARN}.get(value, str(value))  # type: ignore[arg-type]


if not stored:
    st.info(strings.TRAIN_NO_DATA)
    st.page_link("views/data.py", label=strings.HOME_GO_DATA, icon=":material/upload_file:")
else:
    by_digest = {d.digest: d for d in stored}
    dataset = st.selectbox(strings.TRAIN_DATASET, list(by_digest), key=state.TRAIN_DATASET, help=strings.TRAIN_DATASET_HELP,
                           format_func=lambda d: strings.TRAIN_DATASET_LABEL.format(
                               name=by_digest[d].name, rows=by_digest[d].rows, digest=d[:8]))
    left, right = st.columns(2)
    with left:
        losses = st.multiselect(strings.TRAIN_LOSSES, LOSS_NAMES, default=["clip", "joint"], key=state.TRAIN_LOSSES,
                                help=strings.TRAIN_LOSSES_HELP + "\n\n" + "\n\n".join(strings.LOSS_HELP[n] for n in LOSS_NAMES))
        tilts = st.multiselect(strings.TRAIN_TILTS, TILT_NAMES, default=["cosine"], key=state.TRAIN_TILTS,
                               help=strings.TRAIN_TILTS_HELP)
        temperature = st.selectbox(strings.TRAIN_TEMPERATURE, TEMPERATURES, key=state.TRAIN_TEMPERATURE,
                                   format_func=_temperature_label, help=strings.TRAIN_TEMPERATURE_HELP)
    with right:
        epochs = st.number_input(strings.TRAIN_EPOCHS, 1, 100, 1, key=state.TRAIN_EPOCHS, help=strings.TRAIN_EPOCHS_HELP)
        batch = st.number_input(strings.TRAIN_BATCH, 2, 1024, 32, key=state.TRAIN_BATCH, help=strings.TRAIN_BATCH_HELP)
        seed = st.number_input(strings.TRAIN_SEED, 0, 2**31 - 1, 0, key=state.TRAIN_SEED, help=strings.TRAIN_SEED_HELP)
        max_rows = st.number_input(strings.TRAIN_MAX_ROWS, 0, 10_000_000, 0, key=state.TRAIN_MAX_ROWS,
                                   help=strings.TRAIN_MAX_ROWS_HELP)
    if st.button(strings.TRAIN_START, key=state.TRAIN_START, type="primary"):
        spec = {"data": str(by_digest[dataset].path), "columns": by_digest[dataset].mapping, "losses": losses,
                "tilts": tilts, "temperature": temperature, "epochs": int(epochs), "batch_size": int(batch),
                "seed": int(seed), "max_rows": int(max_rows) or None, "model": st.session_state.get(state.MODEL)}
        try:
            job_id = submit_job(root, spec)
        except EngineError as exc:
            st.error(str(exc))
        else:
            st.session_state[state.LAST_JOB] = job_id
            st.success(strings.TRAIN_STARTED.format(job_id=job_id))

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
            st.text(tables.job_header(job))
            if job["state"] in ACTIVE:
                st.progress(tables.job_fraction(job), text=tables.job_progress_text(job))
                if job.get("cancel_requested"):
                    st.caption(strings.JOB_CANCEL_PENDING)
                elif st.button(strings.JOB_CANCEL, key=state.CANCEL_PREFIX + job["job_id"]):
                    cancel_job(root, job["job_id"])
                    st.rerun(scope="fragment")
            elif job["state"] == "failed":
                st.error(job.get("error") or "")
            elif job["state"] == "cancelled":
                st.caption(strings.JOB_CANCELLED)
            else:
                st.caption(strings.JOB_DONE.format(n=len(job.get("run_ids") or [])))
                st.page_link("views/results.py", label=strings.JOB_GO_RESULTS, icon=":material/insights:")
    if polling and not any(j["state"] in ACTIVE for j in jobs):
        st.rerun()  # stop polling: a full rerun redefines the fragment without run_every


job_monitor()
