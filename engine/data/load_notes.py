"""Load notes: what the loader did to a file's data that a user should know, in any language.

Loading never changes data silently. Where it skips a line, reads a number as text, takes a line
as the column names or gives rows a group, it says so in a :class:`LoadNote` attached to the
dataset (:attr:`engine.data.PairDataset.notes`), with how many rows and which. A note is stored
like an audit finding: its catalogue ``key`` (area ``load_notes``) and the raw ``fields`` that
fill it, so :func:`render_load_note` writes it in the language in force; ``message`` keeps the
English for logs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.data.columns import ColumnMap, is_positional
from engine.data.error_text import EXAMPLE_ROWS, phrase, render_text, rows_phrase
from engine.data.header_line import looks_like_header
from engine.data.raw_table import RawTable
from engine.i18n import override

logger = logging.getLogger(__name__)

MAX_NOTE_ROWS = 20  # rows kept with a note (the message itself names the first few)


@dataclass(frozen=True)
class LoadNote:
    """One thing the loader did to the data.

    Attributes:
        code: Stable identifier, e.g. ``"blank_rows"``.
        key: Catalogue key of its wording, e.g. ``"load_notes.BLANK_ROWS"``.
        fields: What fills the wording: raw values, and phrases (``{"key", "fields"}``) for places.
        rows: Up to 20 affected 1-based data rows, ascending; empty where the affected lines
            are not data rows (skipped lines are named in the message by file line).
        count: How many rows or lines are affected.
    """

    code: str
    key: str
    fields: dict[str, Any] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)
    count: int = 0

    @property
    def message(self) -> str:
        """The note in English (for logs)."""
        with override("en"):
            return render_load_note(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable: code, key, fields, rows, count, and the English ``message``."""
        return {"code": self.code, "key": self.key, "fields": dict(self.fields), "rows": list(self.rows),
                "count": self.count, "message": self.message}


def render_load_note(note: LoadNote | Mapping[str, Any]) -> str:
    """A load note (a :class:`LoadNote` or its :meth:`~LoadNote.to_dict`) in the language in force.

    A stored note this catalogue cannot write (an unknown key, fields that do not fit) gives its
    stored English ``message``.
    """
    if isinstance(note, LoadNote):
        note = {"key": note.key, "fields": note.fields, "count": note.count}
    try:
        return render_text(str(note["key"]), {"count": int(note.get("count", 0))} | dict(note["fields"]))
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        logger.warning("load note %s could not be rendered (%s); showing the stored English", note.get("key"), exc)
        return str(note.get("message", ""))


def _places(numbers: Sequence[int], line_label: str) -> dict[str, Any]:
    key = "load_notes.LINE" if line_label == "line" else "load_notes.SHEET_ROW"
    shown = [phrase(key, line=n) for n in numbers[:EXAMPLE_ROWS]]
    more = len(numbers) - EXAMPLE_ROWS
    return phrase("data_errors.ROWS_AND_MORE", rows=shown, more=more) if more > 0 else phrase("data_errors.ROWS",
                                                                                                 rows=shown)


def counted(noun: str, n: int) -> dict[str, Any]:
    """``"1 line"`` / ``"3 lines"`` as a phrase; ``noun`` is ``"LINE"``, ``"SHEET_ROW"`` or ``"ROW"`` (data rows)."""
    return phrase(f"load_notes.{noun}_COUNT_ONE" if n == 1 else f"load_notes.{noun}_COUNT", n=n)


def read_notes(raw: RawTable, colmap: ColumnMap, source: str, *, header_kept: bool = False) -> list[LoadNote]:
    """Notes on reading: skipped blank lines, the line taken as the header, values converted to text.

    Args:
        raw: The table as read (with the header line already put back as row 1 when ``header_kept``).
        colmap: The resolved roles.
        source: File name, for the messages.
        header_kept: The header line looked like a pair and was kept as the first data row.
    """
    notes = []
    if raw.skipped:
        noun = "LINE" if raw.line_label == "line" else "SHEET_ROW"
        notes.append(LoadNote("blank_rows", "load_notes.BLANK_ROWS", count=len(raw.skipped), fields={
            "source": source, "lines": counted(noun, len(raw.skipped)), "where": _places(raw.skipped, raw.line_label)}))
    if raw.header_line is not None and (header_kept or not looks_like_header(raw.frame.columns)):
        names = ", ".join(repr(str(c)) for c in raw.frame.columns)
        key = "load_notes.HEADER_KEPT" if header_kept else "load_notes.HEADER_LINE"
        notes.append(LoadNote("header_kept" if header_kept else "header_line", key, count=1, rows=[1] * header_kept,
                              fields={"source": source, "place": _places([raw.header_line], raw.line_label),
                                      "names": names}))
    if raw.converted:
        roles = {column: role for role, column in colmap.used().items()}
        columns = [phrase("load_notes.COLUMN_KIND_ROLE" if c in roles else "load_notes.COLUMN_KIND", column=c,
                          value_kind=kind, used_as=roles.get(c, "")) for c, kind in raw.converted.items()]
        notes.append(LoadNote("not_text", "load_notes.NOT_TEXT", count=len(columns), fields={
            "source": source, "columns": columns, "converted": dict(raw.converted)}))
    return notes


def rows_note(code: str, key: str, rows: Sequence[int], raw: RawTable, **fields: Any) -> LoadNote:
    """A note about data rows, naming the first few with where they sit in the file."""
    where = rows_phrase(list(rows), raw.lines, raw.line_label)
    return LoadNote(code, key, fields=fields | {"rows": counted("ROW", len(rows)), "where": where},
                    rows=sorted(rows)[:MAX_NOTE_ROWS], count=len(rows))


def positional_note(colmap: ColumnMap, mapping: Mapping[str, str | None] | None, source: str) -> list[LoadNote]:
    """A note when left and right were taken by column order because no name was recognised; else none."""
    if not is_positional(colmap, mapping):
        return []
    return [LoadNote("positional_columns", "load_notes.POSITIONAL_COLUMNS", count=0,
                     fields={"source": source, "left": colmap.left, "right": colmap.right})]
