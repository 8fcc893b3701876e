"""tiltpilot dashboard: the router and frame (``streamlit run dashboard/app.py -- --store runs``).

Builds the navigation, sets the page config, remembers the store folder and shows the run
picker every page shares. All work is done by the engine; pages only read stored results.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `streamlit run` puts only the script's folder on sys.path
    sys.path.insert(0, str(REPO))

import streamlit as st  # noqa: E402

from dashboard import icons, notices, services, state, strings, tables  # noqa: E402
from engine.datasets import TEXT_SAMPLES, register_sample  # noqa: E402
from engine.errors import EngineError  # noqa: E402
from engine.i18n import LANGUAGE_NAMES, LANGUAGES, get_language, set_language  # noqa: E402

DEFAULT_STORE = "tiltpilot_runs"
DEFAULT_SAMPLE = TEXT_SAMPLES["catalogue"]


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="tiltpilot-dashboard")
    parser.add_argument("--store", default=os.environ.get("TILTPILOT_STORE", DEFAULT_STORE))
    parser.add_argument("--data", default=None, help="a pairs file to offer as a stored dataset from the start")
    parser.add_argument("--model", default=os.environ.get("TILTPILOT_MODEL") or None)
    return parser.parse_known_args(sys.argv[1:])[0]


def _init_state() -> None:
    if state.STORE not in st.session_state:
        args = _args()
        st.session_state[state.STORE] = str(Path(args.store).expanduser().resolve())
        st.session_state[state.SAMPLE] = args.data or os.environ.get("TILTPILOT_SAMPLE", str(DEFAULT_SAMPLE))
        st.session_state[state.MODEL] = args.model
        if args.data:
            # `make run` passes the bundled catalogue: it is a stored dataset from the first page on
            # (content-addressed, so registering it again on every session stores nothing new).
            try:
                register_sample(st.session_state[state.STORE], args.data)
            except EngineError as exc:
                notices.error(exc)


def _language() -> None:
    """The sidebar language switch; it puts the language in force for this whole script run.

    The first value comes from ``TILTPILOT_LANG`` (or English); the switch keeps the choice for the
    session. Set before any text is produced, so the navigation is in the chosen language too.
    """
    if st.session_state.get(state.LANGUAGE) not in LANGUAGES:
        st.session_state[state.LANGUAGE] = get_language()
    set_language(st.session_state[state.LANGUAGE])


def _language_switch() -> None:
    with st.sidebar:
        st.selectbox(strings.SIDEBAR_LANGUAGE, LANGUAGES, key=state.LANGUAGE, format_func=LANGUAGE_NAMES.get)


def _run_picker(root: str) -> None:
    for repaired in services.store_repairs(root):  # e.g. a truncated index.json rebuilt from the run folders
        with st.sidebar:
            notices.warning(repaired)
    runs = services.list_runs(root, services.store_mtime(root))
    options = [state.COMPARISON] + [r["run_id"] for r in runs]
    labels = {r["run_id"]: strings.RUN_PICK_LABEL.format(run=r["run_id"], state=tables.state_label(r.get("state")))
              for r in runs}
    labels[state.COMPARISON] = strings.SIDEBAR_COMPARISON
    if st.session_state.get(state.RUN) not in options:
        st.session_state[state.RUN] = state.COMPARISON
    with st.sidebar:
        st.caption(notices.plain(strings.SIDEBAR_STORE.format(store=root)))
        st.selectbox(strings.SIDEBAR_PICK, options, key=state.RUN, format_func=labels.get,
                     help=strings.SIDEBAR_PICK_HELP)
        if not runs:
            st.caption(strings.SIDEBAR_NO_RUNS)


_init_state()
_language()
page = st.navigation(
    {
        strings.SECTION_START: [st.Page("views/home.py", title=strings.PAGE_HOME, icon=icons.HOME, default=True)],
        strings.SECTION_DATA: [st.Page("views/data.py", title=strings.PAGE_DATA, icon=icons.UPLOAD)],
        strings.SECTION_TRAIN: [st.Page("views/train.py", title=strings.PAGE_TRAIN, icon=icons.TRAIN)],
        strings.SECTION_EVIDENCE: [st.Page("views/results.py", title=strings.PAGE_RESULTS, icon=icons.RESULTS)],
        strings.SECTION_BUSINESS: [
            st.Page("views/roi.py", title=strings.PAGE_ROI, icon=icons.ROI),
            st.Page("views/report.py", title=strings.PAGE_REPORT, icon=icons.REPORT),
        ],
    }
)
st.set_page_config(page_title=strings.APP_TITLE, layout="wide")
_language_switch()
_run_picker(st.session_state[state.STORE])
page.run()
