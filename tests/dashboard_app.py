"""Opening the dashboard in Streamlit's AppTest on a given store, the way the page tests need it."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


def open_app(monkeypatch: pytest.MonkeyPatch, store: Path, view: str | None = None) -> AppTest:
    """The app on ``store``, run once (on ``view``, e.g. ``"views/data.py"``, when given), without exceptions."""
    monkeypatch.setenv("TILTPILOT_STORE", str(store))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if view:
        at.switch_page(view).run()
    assert not at.exception, [e.value for e in at.exception]
    return at
