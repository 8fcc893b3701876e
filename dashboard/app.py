"""tiltpilot dashboard entry point (placeholder until the dashboard issue lands).

Shows what the engine does and the runs found in the store; all work is done by the engine.
"""

from __future__ import annotations

import argparse
import sys

import streamlit as st

from engine.runs import RunStore

st.set_page_config(page_title="tiltpilot", layout="wide")


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="sample_data/catalogue.csv")
    parser.add_argument("--store", default="tiltpilot_runs")
    return parser.parse_known_args(sys.argv[1:])[0]


args = _args()
st.title("tiltpilot")
st.write(
    "tiltpilot tells you, with evidence, whether contrastive fine-tuning links your two kinds of data "
    "(titles ↔ descriptions, photos ↔ descriptions) well enough to invest in. It fine-tunes a pretrained "
    "dual encoder with the loss family of Baptista, Stuart & Tran (2025) and compares the losses side by side."
)
st.info(
    "The interactive dashboard is under construction. Meanwhile run a comparison from a terminal:\n\n"
    f"`tiltpilot compare {args.data} --losses clip,joint --epochs 1 --out {args.store}`"
)
runs = RunStore(args.store).list_runs()
st.subheader("Runs")
if runs:
    st.dataframe(
        [{"run": r["run_id"], "state": r.get("state"), "loss": r.get("loss"), "tilt": r.get("tilt")} for r in runs],
        hide_index=True,
    )
else:
    st.caption(f"No runs yet in `{args.store}`.")
