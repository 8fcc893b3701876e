"""Stored wording of analysis results: the English text as before, plus a catalogue key and fields.

An analysis writes its sentences (warnings, takeaways, summaries) in English into its JSON, as it
always has, and next to each one a *keyed* form, ``{"key": "analysis.NAME", "fields": {...}}``, so a
page or a report can write the same sentence in the language in force. Fields hold raw values
(numbers stay numbers; the template's format spec, e.g. ``{auc:.2f}``, writes them). A field that
is itself a word (a direction, a state) is stored as its code and named in ``words``
(field -> catalogue table), which translates it at render time; a field that is a keyed phrase is
written first.

Naming in the JSON: a sentence stored under ``name`` has its keyed form under ``name + "_keyed"``
(a list of keyed forms for a list of sentences). :func:`render_text` and :func:`render_texts` read
them; results stored before keys existed fall back to the stored English.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from engine.i18n import message, override, t

logger = logging.getLogger(__name__)

SUFFIX = "_keyed"


def keyed(key: str, words: Mapping[str, str] | None = None, **fields: Any) -> dict[str, Any]:
    """The stored form of one sentence: ``{"key", "fields"}``, plus ``words`` when some fields are words.

    Args:
        key: Catalogue key of the template, e.g. ``"analysis.CALIBRATION_SUMMARY"``.
        words: Field name -> catalogue table that translates its value, e.g.
            ``{"direction": "analysis.DIRECTION_WORDS"}``.
        **fields: Raw values for the template.
    """
    item: dict[str, Any] = {"key": key, "fields": fields}
    if words:
        item["words"] = dict(words)
    return item


def _text(item: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> str:
    if not isinstance(item, Mapping):  # a sentence built from parts, e.g. a takeaway with an optional clause
        return "".join(_text(part) for part in item)
    # A field may itself be a keyed phrase (e.g. which shrinkage was applied): write it first.
    fields = {name: _text(v) if _usable(v) and isinstance(v, Mapping) else v for name, v in item["fields"].items()}
    for name, table in (item.get("words") or {}).items():
        if name in fields:
            fields[name] = message(table).get(fields[name], fields[name])
    return t(item["key"], **fields)


def english(item: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> str:
    """The English sentence of a :func:`keyed` item, or of a list of parts (what is stored as the plain text)."""
    with override("en"):
        return _text(item)


def _usable(item: Any) -> bool:
    if isinstance(item, Mapping):
        return bool(item.get("key")) and isinstance(item.get("fields"), Mapping)
    return isinstance(item, Sequence) and not isinstance(item, str) and bool(item) and all(map(_usable, item))


def render(item: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None, fallback: str = "") -> str:
    """The sentence of a :func:`keyed` item (or list of parts) in the language in force.

    ``fallback`` (the stored English) when the item is missing or cannot be written.
    """
    if not _usable(item):
        return fallback
    try:
        return _text(item)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        logger.warning("%s could not be rendered (%s); showing the stored English", item.get("key"), exc)
        return fallback


def render_all(texts: Sequence[str], items: Sequence[Mapping[str, Any]] | None) -> list[str]:
    """Stored English ``texts`` with their parallel keyed ``items``, in the language in force.

    Without items (an old store) or when the lists disagree in length, the English texts come back.
    """
    if not items or len(items) != len(texts):
        return list(texts)
    return [render(item, text) for item, text in zip(items, texts, strict=True)]


def render_text(stored: Mapping[str, Any], name: str) -> str:
    """The sentence ``stored[name]`` in the language in force (from ``stored[name + "_keyed"]``)."""
    return render(stored.get(name + SUFFIX), str(stored.get(name) or ""))


def store_text(target: dict[str, Any], name: str, item: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> None:
    """Put one sentence (a keyed item or a list of parts) into ``target`` as ``name`` and ``name + "_keyed"``."""
    target[name] = english(item)
    target[name + SUFFIX] = item


def render_texts(stored: Mapping[str, Any], name: str) -> list[str]:
    """The sentences ``stored[name]`` (a list) in the language in force (from ``stored[name + "_keyed"]``)."""
    return render_all(list(stored.get(name) or []), stored.get(name + SUFFIX))


def store(target: dict[str, Any], name: str, items: Sequence[Mapping[str, Any]]) -> None:
    """Put a list of sentences into ``target`` as ``name`` (English) and ``name + "_keyed"``."""
    target[name], target[name + SUFFIX] = [english(i) for i in items], [dict(i) for i in items]
