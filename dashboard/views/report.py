"""Report page: placeholder until the report issue lands; links back to the evidence."""

from __future__ import annotations

import streamlit as st

from dashboard import strings

st.title(strings.REPORT_TITLE)
st.info(strings.REPORT_TEXT)
st.page_link("views/results.py", label=strings.GO_RESULTS, icon=":material/insights:")
