"""Formula neutralising: what a spreadsheet would run is prefixed, everything else is unchanged."""

from __future__ import annotations

import pytest

from engine.report.safe import neutralise_formula


@pytest.mark.parametrize(("value", "expected"), [
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("Blue mug = cheap", "Blue mug = cheap"),
    ("青いマグカップ", "青いマグカップ"),
    ("", ""),
    (None, ""),
    (42, "42"),
])
def test_formula_starts_are_neutralised(value, expected):
    assert neutralise_formula(value) == expected
