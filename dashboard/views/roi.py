"""ROI page: placeholder until the business issue lands; links back to the evidence."""

from __future__ import annotations

import streamlit as st

from dashboard import strings

st.title(strings.ROI_TITLE)
st.info(strings.ROI_TEXT)
st.page_link("views/results.py", label=strings.GO_RESULTS, icon=":material/insights:")
