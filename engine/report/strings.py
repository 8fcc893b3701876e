"""Report wording, in the language in force: ``strings.NAME`` reads ``engine/i18n/messages/<lang>/report.toml``."""

from __future__ import annotations

from engine.i18n import area_getattr

__getattr__ = area_getattr("report")
