"""Every user-facing word of the dashboard pages, in the language in force.

The text lives in the message catalogue (``engine/i18n/messages/<lang>/dashboard.toml``);
``strings.NAME`` reads it at each access in the language the sidebar switch put in force
(:mod:`engine.i18n`). Chart wording is in the ``charts`` area (:mod:`engine.charts.strings`).
"""

from __future__ import annotations

from engine.i18n import area_getattr

__getattr__ = area_getattr("dashboard")
