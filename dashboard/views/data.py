"""Data page: upload pairs, map the columns, read the audit, store the dataset for reuse.

The audit runs in a background thread (:mod:`dashboard.audit_runner`): a small upload is
audited within the page run, a large one shows a progress bar with a cancel button while the
page polls it. Everything that quotes the file (cells, column names, file names) is shown as
plain text.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import audit_runner, downloads, icons, notices, photo_upload, services, state, strings, tables
from engine.data import ROLES
from engine.data.audit_report import render_finding, render_headline
from engine.data.load_notes import render_load_note
from engine.datasets import MAX_UPLOAD_MB, safe_name, store_upload
from engine.errors import EngineError
from engine.i18n import format as fmt
from engine.i18n import message, t
from engine.images.store import ARCHIVE_EXTENSION

UPLOAD_TYPES = ["csv", "tsv", "jsonl", "parquet", "xlsx", ARCHIVE_EXTENSION.lstrip(".")]  # zip: photos + manifest
REQUIRED_ROLES = ("left", "right")
INLINE_WAIT_S = 4.0  # a small upload's audit ends within this: shown in the same run, no progress flicker
POLL_S = 0.5

root = st.session_state[state.STORE]
st.title(strings.DATA_TITLE)
upload = st.file_uploader(strings.DATA_UPLOAD, type=UPLOAD_TYPES, key=state.UPLOAD,
                          help=strings.DATA_UPLOAD_HELP.format(limit=MAX_UPLOAD_MB) + " " + t("photos_ui.UPLOAD_HELP_ZIP"))


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
        text, advice = render_finding(finding)
        with st.container(border=True):
            st.text(strings.DATA_FINDING.format(icon=icon, message=text))
            st.text(strings.DATA_ADVICE.format(advice=advice))
            if finding["rows"]:
                st.caption(strings.DATA_EXAMPLE_ROWS.format(rows=", ".join(map(str, finding["rows"][:10]))))


def _show_notes(result: dict) -> None:
    """What loading did to the data (skipped lines, values read as text), then a Save refusal, if any."""
    if result["notes"]:
        st.subheader(t("data_page.LOAD_NOTES"))
        for note in result["notes"]:
            st.text(render_load_note(note))
    if result["refusal"] is not None:
        notices.warning(t("data_page.CANNOT_TRAIN"))
        notices.error(result["refusal"])


def _progress_text(task: audit_runner.AuditTask) -> str:
    if task.state == "queued":
        return t("data_page.AUDIT_QUEUED")
    stage = message("data_page.STAGES").get(task.stage, task.stage)
    return t("data_page.AUDIT_PROGRESS", stage=stage, percent=fmt.percent(task.fraction))


@st.fragment(run_every=POLL_S)
def _audit_progress(key: str) -> None:
    """The running audit's progress bar and cancel button, refreshed every half second."""
    task = audit_runner.get(key)
    if task is None or not task.active:
        st.rerun()  # finished: the full page shows the result (and stops this polling)
    st.progress(task.fraction, text=_progress_text(task))
    if st.button(t("data_page.AUDIT_CANCEL"), key=state.AUDIT_CANCEL, help=t("data_page.AUDIT_CANCEL_HELP")):
        audit_runner.cancel(key)
        st.rerun()


def _save_button(name: str, data: bytes, mapping: dict[str, str]) -> None:
    if st.button(strings.DATA_SAVE, key=state.SAVE_DATASET, help=strings.DATA_SAVE_HELP, type="primary"):
        try:
            entry = store_upload(root, name, data, columns=mapping)
        except EngineError as exc:
            notices.error(exc)
        else:
            st.success(notices.plain(strings.DATA_SAVED.format(name=entry.name, rows=entry.rows, digest=entry.digest[:8])))


def _audit_section(name: str, data: bytes, mapping: dict[str, str], digest: str) -> None:
    task = audit_runner.start(name, data, mapping, digest)
    if task.active:
        with st.spinner(t("data_page.AUDIT_WAITING")):
            task.wait(INLINE_WAIT_S)
    if task.active:
        _audit_progress(task.key)
    elif task.state == "done":
        _show_notes(task.result)
        _show_audit(task.result["report"])
        _save_button(name, data, mapping)
    elif task.state == "cancelled":
        st.info(t("data_page.AUDIT_CANCELLED"))
        if st.button(t("data_page.AUDIT_RESTART"), key=state.AUDIT_RESTART):
            audit_runner.restart(task.key)
            st.rerun()
        _save_button(name, data, mapping)
    elif isinstance(task.error, EngineError):
        notices.error(task.error)
    else:
        notices.error(t("data_page.AUDIT_INTERNAL", error=type(task.error).__name__))
        if st.button(t("data_page.AUDIT_RESTART"), key=state.AUDIT_RESTART):
            audit_runner.restart(task.key)
            st.rerun()


if upload is not None and photo_upload.is_archive(upload.name):
    photo_upload.photo_upload(root, upload.name, upload.getvalue())
elif upload is not None:
    data = upload.getvalue()
    key = services.digest(data)
    try:
        frame, detected = services.upload_preview(upload.name, key, data)
    except EngineError as exc:
        notices.error(exc)
    else:
        st.subheader(strings.DATA_PREVIEW.format(n=len(frame)))
        # The toolbar's own CSV export is off app-wide (client.disableDataExport): it would write
        # formulas verbatim. This button writes them inert.
        st.dataframe(frame, hide_index=True, width="stretch")
        downloads.csv_download(frame, label=t("data_page.DOWNLOAD_PREVIEW"), key=state.DOWNLOAD_PREVIEW,
                               file_name=f"{Path(safe_name(upload.name)).stem}-preview.csv",
                               help=t("data_page.DOWNLOAD_HELP"))
        mapping = _mapping_widgets([str(c) for c in frame.columns], detected)
        _audit_section(upload.name, data, mapping, key)

st.subheader(strings.DATA_STORED)
stored = services.datasets(root, services.datasets_mtime(root))
if stored:
    st.dataframe(tables.dataset_rows(stored), hide_index=True, width="stretch")
    st.page_link("views/train.py", label=strings.DATA_GO_TRAIN, icon=icons.TRAIN)
else:
    st.caption(strings.DATA_NO_STORED)
