"""User-facing data errors with catalogue keys: the English message as before, any language on demand.

A :class:`~engine.errors.DataError` raised for a bad file keeps its English message (``str(exc)``),
and carries ``message_key`` and ``message_fields`` (area ``data_errors``) so that the dashboard and
the CLI can show it in the language in force with :func:`render_error`. A field may itself be a
phrase (``{"key", "fields"}``, e.g. where a row sits in the file) or a list of phrases; they are
written first. Errors raised without a key render as their English message.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from engine.errors import DataError
from engine.i18n import message, override, t

logger = logging.getLogger(__name__)

EXAMPLE_ROWS = 5  # how many offending rows a message lists before "and N more"


def phrase(key: str, **fields: Any) -> dict[str, Any]:
    """A phrase to put inside an error's fields: ``{"key", "fields"}``."""
    return {"key": key, "fields": fields}


def _is_phrase(value: Any) -> bool:
    return isinstance(value, Mapping) and "key" in value and isinstance(value.get("fields"), Mapping)


def _value(value: Any) -> Any:
    if _is_phrase(value):
        return _text(value["key"], value["fields"])
    if isinstance(value, list) and value and all(map(_is_phrase, value)):
        return t("data_errors.LIST_SEPARATOR").join(_value(v) for v in value)
    return value


# Fields holding a code that is a word of the language in force, and the table that translates it.
_WORD_TABLES = {"role": "audit.ROLE", "delimiter": "data_errors.DELIMITERS", "kind": "data_errors.EMPTY_KINDS",
                "value_kind": "load_notes.VALUE_KINDS", "used_as": "load_notes.USED_AS"}


def _text(key: str, fields: Mapping[str, Any]) -> str:
    values = {name: _value(v) for name, v in fields.items()}
    for name, table in _WORD_TABLES.items():
        if isinstance(values.get(name), str):
            values[name] = message(table).get(values[name], values[name])
    return t(key, **values)


def render_text(key: str, fields: Mapping[str, Any]) -> str:
    """The catalogue entry ``key`` in the language in force, filled with raw values and phrases."""
    return _text(key, fields)


def english(key: str, **fields: Any) -> str:
    """The English text of a catalogue entry filled with raw values and phrases (e.g. for a log line)."""
    with override("en"):
        return _text(key, fields)


def phrase_text(value: Mapping[str, Any]) -> str:
    """The English text of a :func:`phrase`."""
    with override("en"):
        return str(_value(value))


def keyed_error(key: str, *, row: int | None = None, column: str | None = None, **fields: Any) -> DataError:
    """A :class:`DataError` whose English message is the catalogue entry ``key`` filled with ``fields``.

    Args:
        key: Catalogue key, e.g. ``"data_errors.FILE_EMPTY"``.
        row: 1-based data row, shown before the message (as :class:`DataError` does) and
            available to it as ``{row}``.
        column: Column name, shown before the message and available as ``{column}``.
        **fields: Raw values and phrases (:func:`phrase`) for the message.
    """
    # The message may name the row and column too (they also go before it, as DataError does).
    where = {name: value for name, value in (("row", row), ("column", column)) if value is not None}
    fields = where | fields
    exc = DataError(english(key, **fields), row=row, column=column)
    exc.message_key = key  # type: ignore[attr-defined]
    exc.message_fields = fields  # type: ignore[attr-defined]
    return exc


def render_error(exc: BaseException) -> str:
    """The message of an engine error in the language in force; ``str(exc)`` when it carries no key."""
    key, fields = getattr(exc, "message_key", None), getattr(exc, "message_fields", None)
    if not key or not isinstance(fields, Mapping):
        return str(exc)
    try:
        text = _text(key, fields)
    except (KeyError, IndexError, TypeError, ValueError) as err:
        logger.warning("error %s could not be rendered (%s); showing the English", key, err)
        return str(exc)
    where = []
    if getattr(exc, "row", None) is not None:
        where.append(t("data_errors.WHERE_ROW", row=exc.row))  # type: ignore[attr-defined]
    if getattr(exc, "column", None) is not None:
        where.append(t("data_errors.WHERE_COLUMN", column=exc.column))  # type: ignore[attr-defined]
    return (t("data_errors.WHERE", where=t("data_errors.LIST_SEPARATOR").join(where)) if where else "") + text


def row_phrase(row: int, lines: Sequence[int] | None = None, line_label: str = "line") -> dict[str, Any]:
    """Where a data row is, as a phrase: ``"row 7 (line 8 of the file)"`` or ``"row 7 (sheet row 8)"``."""
    if lines is None or not 0 < row <= len(lines):
        return phrase("data_errors.ROW", row=row)
    key = "data_errors.ROW_AT_LINE" if line_label == "line" else "data_errors.ROW_AT_SHEET_ROW"
    return phrase(key, row=row, line=lines[row - 1])


def rows_phrase(rows: Sequence[int], lines: Sequence[int] | None = None, line_label: str = "line") -> dict[str, Any]:
    """The first few rows as phrases, then how many more: ``"row 1 (...), row 4 (...) and 3 more"``."""
    shown = [row_phrase(r, lines, line_label) for r in rows[:EXAMPLE_ROWS]]
    more = len(rows) - EXAMPLE_ROWS
    if more > 0:
        return phrase("data_errors.ROWS_AND_MORE", rows=shown, more=more)
    return phrase("data_errors.ROWS", rows=shown)
