"""Every word a person reads, in English and Japanese: the message catalogue and locale formatting.

The catalogue is one folder per language (``messages/<lang>/``), split into one TOML file per
area of the product (``dashboard.toml``, ``charts.toml``, ``roi.toml``, ...). A message is found by
``"<area>.<NAME>"``; its value is a string, an array of strings (a tuple here) or a table of
strings (a dict here). Both languages hold exactly the same keys and the same ``{fields}``; a
test checks it, so a missing translation fails the suite instead of reaching a user.

The language in force is a context variable, like Django's ``translation.override``: the dashboard
sets it once per script run from the sidebar switch, the CLI from ``--lang``, the report builder
with :func:`override`. Chart builders and takeaways just ask :func:`t`, so the same code draws the
English and the Japanese report.

Usage::

    from engine.i18n import t, override
    t("charts.RETRIEVAL_X")                         # in the language in force
    with override("ja"):
        t("roi.FIELD_RANGE", field="...", low=0, high=1)
"""

from __future__ import annotations

from engine.i18n.catalogue import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGES,
    area_getattr,
    check_language,
    get_language,
    message,
    override,
    set_language,
    t,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "area_getattr",
    "check_language",
    "get_language",
    "message",
    "override",
    "set_language",
    "t",
]
