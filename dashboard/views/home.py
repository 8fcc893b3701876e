"""Start page: what the tool does, one-click sample comparison, and the past runs."""

from __future__ import annotations

import streamlit as st

from dashboard import services, state, strings, tables
from engine.datasets import register_sample
from engine.errors import EngineError
from engine.jobs import submit_job

root = st.session_state[state.STORE]
st.title(strings.APP_TITLE)
for sentence in strings.HOME_INTRO:
    st.text(sentence)

if st.button(strings.HOME_SAMPLE_BUTTON, key=state.LOAD_SAMPLE, help=strings.HOME_SAMPLE_HELP, type="primary"):
    try:
        entry = register_sample(root, st.session_state[state.SAMPLE])
        job_id = submit_job(root, {"data": str(entry.path), "losses": ["clip", "joint"], "tilts": ["cosine"],
                                   "epochs": 1, "batch_size": 32, "model": st.session_state.get(state.MODEL)})
    except EngineError as exc:
        st.error(str(exc))
    else:
        st.session_state[state.LAST_JOB] = job_id
        st.success(strings.HOME_SAMPLE_STARTED.format(job_id=job_id, rows=entry.rows))
        st.page_link("views/train.py", label=strings.HOME_GO_TRAIN, icon=":material/model_training:")
st.page_link("views/data.py", label=strings.HOME_GO_DATA, icon=":material/upload_file:")

st.subheader(strings.HOME_RUNS)
runs = services.list_runs(root, services.store_mtime(root))
if runs:
    st.dataframe(tables.run_rows(runs), hide_index=True, width="stretch")
else:
    st.caption(strings.HOME_NO_RUNS)
