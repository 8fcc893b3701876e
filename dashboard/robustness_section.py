"""Robustness to noisy pairs on the dashboard: the Train page's request form and the Results page's chart.

Each page calls one function from here, so the pages keep one line about it. The job itself is
:mod:`engine.robustness` run by the worker; the chart is :mod:`engine.charts.robustness`, a pure
function of the stored ``robustness.json`` (never recomputed here).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from dashboard import notices, services, state
from engine.charts.robustness import noise_label, robustness_chart, robustness_takeaway
from engine.charts.sides import side_names
from engine.config import LOSS_NAMES
from engine.errors import EngineError
from engine.i18n import message, t
from engine.jobs import ROBUSTNESS_DEFAULTS

# Widget keys (this section's own; the rest of the Train page's keys are in dashboard.state).
LOSSES_KEY = "robustness_losses"
NOISE_KEY = "robustness_noise"
START_KEY = "robustness_start"
# Shares of wrong training pairs offered; the defaults come from the job spec.
NOISE_CHOICES = tuple(sorted({0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, *ROBUSTNESS_DEFAULTS["noise"]}))


def robustness_spec(shared: Mapping[str, Any], losses: list[str], noise: list[float], tilts: list[str]) -> dict[str, Any]:
    """The job request: the page's shared settings, the chosen losses and levels, and the first tilt chosen above."""
    return {"kind": "robustness", **shared, "losses": list(losses), "noise": sorted(noise),
            "tilt": tilts[0] if tilts else ROBUSTNESS_DEFAULTS["tilt"]}


def train_section(shared: Mapping[str, Any], tilts: list[str], *, disabled: bool,
                  request: Callable[[dict[str, Any], str], None]) -> None:
    """The Train page's "Robustness to noisy pairs" form; a click queues the job through ``request``.

    Args:
        shared: The settings every job kind of the page shares (data, model, epochs, ...).
        tilts: The tilts chosen for the comparison; the first one scores every robustness run.
        disabled: True while no model can be used (nothing may be queued).
        request: The page's request function ``(spec, started message template)``.
    """
    st.subheader(t("robustness.SECTION_TITLE"))
    st.caption(t("robustness.SECTION_INTRO"))
    left, right = st.columns(2)
    losses = left.multiselect(t("robustness.LOSSES"), LOSS_NAMES, default=ROBUSTNESS_DEFAULTS["losses"],
                              key=LOSSES_KEY, help=t("robustness.LOSSES_HELP"))
    noise = right.multiselect(t("robustness.NOISE"), NOISE_CHOICES, default=ROBUSTNESS_DEFAULTS["noise"],
                              key=NOISE_KEY, format_func=noise_label, help=t("robustness.NOISE_HELP"))
    st.caption(t("robustness.SHARED"))
    clicked = st.button(t("robustness.START"), key=START_KEY, disabled=disabled)
    if clicked and not disabled:
        st.session_state.pop(state.TRAIN_PENDING, None)
        request(robustness_spec(shared, losses, noise, tilts), message("robustness.STARTED"))


def results_section(root: str, direction: str, columns: Mapping[str, str] | None) -> None:
    """The Results page's robustness chart for ``direction``, when the store holds a study; nothing otherwise."""
    study = services.load_robustness(root, services.robustness_mtime(root))
    if not study:
        return
    st.subheader(t("robustness.RESULTS_TITLE"))
    st.caption(notices.plain(t("robustness.RESULTS_CAPTION", test_pairs=study.get("test_pairs", "?"),
                               train_pairs=study.get("train_pairs", "?"),
                               levels=", ".join(noise_label(v) for v in study.get("noise") or ()))))
    if not study.get("complete"):
        st.info(t("robustness.RESULTS_INCOMPLETE"))
    with side_names(columns):
        try:
            fig, text = robustness_chart(study, direction), robustness_takeaway(study, direction)
        except (EngineError, KeyError, TypeError) as exc:  # a damaged file: a warning, not a broken page
            notices.warning(str(exc))
            return
    st.plotly_chart(fig, width="stretch")
    st.text(html.unescape(text))
    st.caption(t("robustness.COVERS"))

