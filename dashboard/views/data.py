"""Data page: upload pairs, map the columns, read the audit, store the dataset for reuse."""

from __future__ import annotations

import streamlit as st

from dashboard import notices, services, state, strings, tables
from engine.data import ROLES
from engine.data.audit_report import render_finding, render_headline
from engine.datasets import MAX_UPLOAD_MB, store_upload
from engine.errors import EngineError

UPLOAD_TYPES = ["csv", "tsv", "jsonl", "parquet", "xlsx"]
REQUIRED_ROLES = ("left", "right")

root = st.session_state[state.STORE]
st.title(strings.DATA_TITLE)
upload = st.file_uploader(strings.DATA_UPLOAD, type=UPLOAD_TYPES, key=state.UPLOAD,
                          help=strings.DATA_UPLOAD_HELP.format(limit=MAX_UPLOAD_MB))


def _mapping_widgets(columns: list[str], detected: dict[str, str | None]) -> dict[str, str]:
    st.subheader(strings.DATA_MAPPING)
    mapping: dict[str, str] = {}
    for role, col in zip(ROLES, st.columns(len(ROLES))):
        options = columns if role in REQUIRED_ROLES else [strings.DATA_NONE, *columns]
        default = detected.get(role)
        index = options.index(default) if default in options else 0
        with col:
            choice = st.selectbox(role, options, index=index, key=state.ROLE_PREFIX + role,
                                  help=strings.DATA_MAPPING_HELP.get(role))
        if choice != strings.DATA_NONE:
            mapping[role] = choice
    return mapping


def _show_audit(report: dict) -> None:
    st.subheader(strings.DATA_AUDIT)
    st.text(render_headline(report))
    if not report["findings"]:
        st.success(strings.DATA_AUDIT_CLEAN)
    for finding in report["findings"]:
        icon = strings.SEVERITY_ICONS.get(finding["severity"], "")
        message, advice = render_finding(finding)
        with st.container(border=True):
            st.text(strings.DATA_FINDING.format(icon=icon, message=message))
            st.text(strings.DATA_ADVICE.format(advice=advice))
            if finding["rows"]:
                st.caption(strings.DATA_EXAMPLE_ROWS.format(rows=", ".join(map(str, finding["rows"][:10]))))


if upload is not None:
    data = upload.getvalue()
    key = services.digest(data)
    try:
        frame, detected = services.upload_preview(upload.name, key, data)
        st.subheader(strings.DATA_PREVIEW.format(n=len(frame)))
        st.dataframe(frame, hide_index=True, width="stretch")
        mapping = _mapping_widgets([str(c) for c in frame.columns], detected)
        report = services.upload_audit(upload.name, key, tuple(sorted(mapping.items())), data)
    except EngineError as exc:
        notices.error(exc)
    else:
        _show_audit(report)
        if st.button(strings.DATA_SAVE, key=state.SAVE_DATASET, help=strings.DATA_SAVE_HELP, type="primary"):
            try:
                entry = store_upload(root, upload.name, data, columns=mapping)
            except EngineError as exc:
                notices.error(exc)
            else:
                st.success(strings.DATA_SAVED.format(name=entry.name, rows=entry.rows, digest=entry.digest[:8]))

st.subheader(strings.DATA_STORED)
stored = services.datasets(root, services.datasets_mtime(root))
if stored:
    st.dataframe(tables.dataset_rows(stored), hide_index=True, width="stretch")
    st.page_link("views/train.py", label=strings.DATA_GO_TRAIN, icon=":material/model_training:")
else:
    st.caption(strings.DATA_NO_STORED)
