"""The dashboard works on an offline network: no page asks a third party for icons or fonts."""

from __future__ import annotations

import re
from pathlib import Path

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"


def test_no_material_icon_names_in_the_dashboard():
    # Streamlit fetches each ":material/<name>:" icon from fonts.gstatic.com when it draws it.
    used = {f"{path.name}: {hit}" for path in DASHBOARD.rglob("*.py")
            for hit in re.findall(r"[\"']:material/[a-z_]+:[\"']", path.read_text(encoding="utf-8"))}
    assert not used, sorted(used)
