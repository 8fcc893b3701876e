"""Export page: build the pilot report (HTML, PDF or PowerPoint) of a stored comparison and download it.

The report is built by :func:`engine.report.build_report` into a private temporary folder; only
its bytes are kept (in the session, for the download button), so the store never holds a half file.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import streamlit as st

from dashboard import icons, job_cards, notices, services, state
from engine.errors import EngineError
from engine.i18n import LANGUAGE_NAMES, LANGUAGES, get_language, message, t
from engine.i18n import format as fmt
from engine.jobs import list_jobs
from engine.report import FORMATS, SECTIONS, build_report
from engine.report.assemble import section_title
from engine.runs import COMPARISON_FILE, LEARNING_CURVE_FILE

MIME_TYPES = {"html": "text/html", "pdf": "application/pdf",
              "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}

root = st.session_state[state.STORE]
stamp = services.store_mtime(root)
st.title(t("export_page.TITLE"))
if not services.load_comparison(root, stamp):
    st.info(t("export_page.EMPTY"))
    st.page_link("views/train.py", label=t("export_page.EMPTY_GO_TRAIN"), icon=icons.TRAIN)
    st.stop()
st.caption(t("export_page.INTRO"))

names = job_cards.dataset_names(services.datasets(root, services.datasets_mtime(root)))
latest = str(Path(root) / COMPARISON_FILE)
sources = {latest: t("export_page.LATEST"), **job_cards.comparison_results(list_jobs(root), names)}
if st.session_state.get(state.EXPORT_SOURCE) not in sources:
    st.session_state[state.EXPORT_SOURCE] = latest
source = st.selectbox(t("export_page.COMPARISON"), list(sources), key=state.EXPORT_SOURCE, format_func=sources.get,
                      help=t("export_page.COMPARISON_HELP"))
left, right = st.columns(2)
language = left.radio(t("export_page.LANGUAGE"), LANGUAGES, index=LANGUAGES.index(get_language()),
                      key=state.EXPORT_LANGUAGE, format_func=LANGUAGE_NAMES.get, horizontal=True)
labels = message("export_page.FORMATS")
chosen_format = right.radio(t("export_page.FORMAT"), FORMATS, key=state.EXPORT_FORMAT,
                            format_func=lambda f: labels.get(f, f), horizontal=True)
titles = {section: section_title(section) for section in SECTIONS}  # worded once, in the page's language
sections = st.multiselect(t("export_page.SECTIONS"), SECTIONS, default=list(SECTIONS), key=state.EXPORT_SECTIONS,
                          format_func=titles.get, help=t("export_page.SECTIONS_HELP"))
try:
    from engine.roi import load_inputs

    stored_inputs = load_inputs(source)
except (EngineError, NotImplementedError, ImportError):
    stored_inputs = None
st.caption(t("export_page.ROI_STORED") if stored_inputs is not None else t("export_page.ROI_PRESET"))

# Everything the file depends on: a built file is offered for download only while it still matches.
signature = [source, services.mtime(source, Path(root) / LEARNING_CURVE_FILE), language, chosen_format,
             list(sections), stored_inputs.to_dict() if stored_inputs is not None else None]


def _build() -> dict[str, Any] | None:
    """Build the report with a progress bar; the file's bytes, name and timing, or None on failure."""
    # Worded here: the builder calls back with the report's language in force.
    building = t("export_page.BUILDING", format=labels.get(chosen_format, chosen_format))
    bar = st.progress(0.0, text=building)

    def progress(stage: str, fraction: float) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=f"{building} {stage}")

    started = time.perf_counter()
    name = f"tiltpilot-report-{language}.{chosen_format}"
    try:
        with tempfile.TemporaryDirectory(prefix="tiltpilot-report-") as folder:
            path = build_report(source, chosen_format, language, Path(folder) / name, sections=list(sections),
                                roi_inputs=stored_inputs, progress=progress)
            data = Path(path).read_bytes()
    except EngineError as exc:
        bar.empty()
        with st.container(border=True):
            st.text(t("export_page.FAILED", error=str(exc)))
        return None
    bar.empty()
    return {"signature": signature, "name": name, "mime": MIME_TYPES.get(chosen_format, "application/octet-stream"),
            "data": data, "seconds": time.perf_counter() - started}


if not sections:
    st.caption(t("export_page.NO_SECTIONS"))
elif st.button(t("export_page.BUILD"), key=state.EXPORT_BUILD, type="primary"):
    built = _build()
    if built is not None:
        st.session_state[state.EXPORT_FILE] = built

built = st.session_state.get(state.EXPORT_FILE)
if built and built["signature"] == signature:
    st.success(notices.plain(t("export_page.BUILT", name=built["name"], seconds=fmt.number(built["seconds"], 1),
                 size=fmt.number(len(built["data"]) / 1024, 0))))
    st.download_button(t("export_page.DOWNLOAD", name=built["name"]), built["data"], file_name=built["name"],
                       mime=built["mime"], key=state.EXPORT_DOWNLOAD, on_click="ignore", type="primary",
                       icon=icons.DOWNLOAD)
