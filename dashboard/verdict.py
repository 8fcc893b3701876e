"""The verdict card at the top of Start and Results: traffic light, one sentence, the next step.

The content comes from :func:`engine.charts.verdict_card.build_verdict_card` (shared with the
report's executive summary); this module only lays it out. The sentence carries the user's column
names, so every line is written with ``st.text``, never as Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from dashboard import icons, notices, services, state, tables
from engine.charts.verdict_card import VerdictCard, build_verdict_card
from engine.errors import EngineError
from engine.i18n import message, t

CARD_KEY = "verdict-card"  # the container's key: CSS class st-key-verdict-card, found by tests
# Traffic light → Streamlit Markdown colour and icon; the word beside them carries the meaning too.
LIGHTS: dict[str, tuple[str, str]] = {
    "green": ("green", icons.DONE),
    "amber": ("orange", icons.PENDING),
    "red": ("red", icons.BLOCKED),
}


def verdict_card(root: str, run_ids: Sequence[str] | None = None, *, direction: str = "left_to_right",
                 loss_labels: dict[str, str] | None = None) -> VerdictCard | None:
    """Draw the card for the store's comparison (``run_ids`` None) or for the given runs.

    Returns:
        The card drawn, or None when there is nothing to judge yet (the card then says why).
    """
    stamp = services.store_mtime(root) + sum(services.run_mtime(root, r) for r in run_ids or ())
    evidence = services.verdict_evidence(root, tuple(run_ids) if run_ids is not None else None, stamp)
    with st.container(key=CARD_KEY, border=True):
        if not evidence["rows"]:
            st.text(t("decision_screen.CARD_EMPTY"))
            return None
        # The ROI decision belongs to the stored comparison; a single picked run is judged on evidence.
        roi = services.verdict_roi(root, st.session_state.get(state.ROI_RULE)) if run_ids is None else None
        try:
            card = build_verdict_card(evidence, decision=roi and roi["decision"], direction=direction,
                                      run_id=roi and roi["run_id"])
        except EngineError as exc:
            notices.warning(t("decision_screen.CARD_ERROR", error=str(exc)))
            return None
        _draw(card, (loss_labels or tables.loss_labels(evidence["rows"])).get(card.run_id))
    return card


def light_heading(light: str, text: str) -> None:
    """A heading with its traffic light (``green``/``amber``/``red``); ``text`` is fixed catalogue words
    (Markdown is safe here: it colours the heading)."""
    colour, icon = LIGHTS[light]
    st.subheader(t("decision_screen.LIGHT_HEADING", colour=colour, icon=icon, text=text))


def _draw(card: VerdictCard, loss: str | None) -> None:
    light_heading(card.light, card.headline)
    st.text(card.sentence)
    st.text(card.next_step)
    if card.reasons:
        with st.expander(t("decision_screen.CARD_REASONS", n=len(card.reasons))):
            for reason in card.reasons:
                st.text(t("decision_screen.BULLET", text=reason))
    notes = [message("decision_screen.CARD_BASIS")[card.basis]]
    if loss:
        notes.append(t("decision_screen.CARD_QUOTED", loss=loss))
    st.caption(notices.plain(t("decision_screen.SENTENCE_JOIN").join(notes)))
    for warning in card.warnings:
        notices.warning(warning)
