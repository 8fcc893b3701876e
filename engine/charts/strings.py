"""Chart wording: titles, axis labels, takeaway templates and the glossary, in the language in force.

The dashboard and the reports draw the same figures, so wording lives once, in the message
catalogue (``engine/i18n/messages/<lang>/charts.toml``); ``strings.NAME`` reads it at each access
in the language in force (:mod:`engine.i18n`). Templates use ``str.format`` fields named after
what they receive. Only the non-text constants below live in Python.
"""

from __future__ import annotations

from typing import Any

from engine.i18n import area_getattr

# Metrics whose value is a share of queries and reads best as a percentage.
PERCENT_METRICS: frozenset[str] = frozenset({"recall@1", "recall@5", "recall@10", "mrr"})
LOWER_IS_BETTER: frozenset[str] = frozenset({"median_rank"})

_catalogue = area_getattr("charts")


def __getattr__(name: str) -> Any:
    # While the user's column names are in force (engine.charts.sides), directions are named by them.
    if name == "DIRECTION_LABELS":
        # Imported here: sides imports text, which imports this module.
        from engine.charts.sides import direction_labels

        labels = direction_labels()
        if labels is not None:
            return labels
    return _catalogue(name)
