"""The ROI page's input widgets: one row per business input, filled from a preset or the stored inputs.

Widget values live in session state under :func:`key` (plain numbers and strings), so a preset
button can overwrite them before the form is drawn and the user can edit them afterwards. The
form has no min/max on its number boxes on purpose: an absurd value reaches
:func:`engine.roi.validate_inputs`, whose message names the field and the expected range.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from engine.charts import strings as chart_strings
from engine.i18n import t
from engine.roi import INPUT_FIELDS, Estimate, FieldSpec, RoiInputs
from engine.roi.inputs import choice_text

PREFIX = "roi_input."
PARTS = ("low", "likely", "high")


def key(name: str, part: str | None = None) -> str:
    """The session-state key of one widget: ``roi_input.<field>[.<part>]``."""
    return PREFIX + name + (f".{part}" if part else "")


def is_share(spec: FieldSpec) -> bool:
    """A share in [0, 1] (discount rate, target): the widget shows it as a percentage."""
    return spec.kind == "share" or (spec.low == 0.0 and spec.high == 1.0)


def _shown(spec: FieldSpec, value: float) -> float:
    return round(value * 100.0, 6) if is_share(spec) else float(value)


def _stored(spec: FieldSpec, value: float) -> float:
    return value / 100.0 if is_share(spec) else float(value)


def load(inputs: RoiInputs) -> None:
    """Put ``inputs`` into the widgets' session state (before the widgets are drawn)."""
    for name, spec in INPUT_FIELDS.items():
        value = getattr(inputs, name)
        if spec.kind == "estimate":
            for part in PARTS:
                st.session_state[key(name, part)] = _shown(spec, getattr(value, part))
        elif spec.kind == "share":
            st.session_state[key(name)] = _shown(spec, value)
        else:
            st.session_state[key(name)] = value


def read() -> RoiInputs:
    """The inputs as the widgets hold them (ranges are checked later by ``validate_inputs``)."""
    values: dict[str, Any] = {}
    for name, spec in INPUT_FIELDS.items():
        if spec.kind == "estimate":
            values[name] = Estimate(*(_stored(spec, st.session_state[key(name, part)]) for part in PARTS))
        elif spec.kind == "share":
            values[name] = _stored(spec, st.session_state[key(name)])
        elif spec.kind == "int":
            values[name] = int(st.session_state[key(name)])
        else:
            values[name] = str(st.session_state[key(name)]).strip()
    return RoiInputs(**values)


def label(spec: FieldSpec, currency: str) -> str:
    """``Hourly cost (JPY / hour)``: the field's name and unit in the language in force."""
    return f"{t(spec.label_key)} ({t(spec.unit_key, currency=currency)})"


def draw(currency: str, column_labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Draw one row per input (inside the caller's form); returns a text slot under each row.

    Args:
        currency: The currency shown in money units.
        column_labels: Names of the search directions (default: the charts' direction labels).

    Returns:
        Field name -> an ``st.empty`` slot right under its row, for that field's error message.
    """
    directions = column_labels or chart_strings.DIRECTION_LABELS
    parts = {part: t(f"roi.PART_{part.upper()}") for part in PARTS}
    slots = {}
    first = True
    for name, spec in INPUT_FIELDS.items():
        help_text = t(spec.help_key)
        if spec.kind == "estimate":
            head, *boxes = st.columns([3, 2, 2, 2], vertical_alignment="bottom")
            head.text(label(spec, currency), help=help_text)
            for box, part in zip(boxes, PARTS, strict=True):
                box.number_input(parts[part], key=key(name, part), help=help_text, format="%g",
                                 label_visibility="visible" if first else "collapsed")
            first = False
        elif spec.kind == "choice":
            # Labels made now, in the page's language (a format function reading the language when
            # called could run outside this script run and label in another language).
            names = directions if name == "direction" else {c: choice_text(name, c) for c in spec.choices}
            st.selectbox(label(spec, currency), spec.choices, key=key(name), help=help_text,
                         format_func=lambda d, names=names: names.get(d, d))
        elif spec.kind == "currency":
            st.text_input(label(spec, currency), key=key(name), help=help_text, max_chars=8)
        else:
            st.number_input(label(spec, currency), key=key(name), help=help_text,
                            step=1 if spec.kind == "int" else None, format="%d" if spec.kind == "int" else "%g")
        slots[name] = st.empty()
    return slots
