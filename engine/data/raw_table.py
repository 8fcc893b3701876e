"""`RawTable`, a table as read from disk, and the cell conversions every reader shares."""

from __future__ import annotations

import datetime
import json
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd


@dataclass
class RawTable:
    """A table as read from disk, with what is needed to point at a row in messages.

    Attributes:
        frame: One column per header name, every cell a ``str``.
        lines: Per data row, the file line (or sheet row) where it starts; None for Parquet.
        line_label: ``"line"`` or ``"sheet row"``.
        nested: Column -> first 1-based row whose value was a list or object (JSONL, Parquet).
        truncated: Reading stopped at the row limit, so the file may hold more rows.
        header_line: Where the header sits (file line or sheet row); None where the names come
            from the format itself (JSONL keys, the Parquet schema) or there is no header line.
        skipped: File lines (or sheet rows) after the header that were skipped because every
            cell was empty or whitespace although the record had cells (``,,,`` or ``" "``).
        converted: Column -> kind of the first non-text value read as text (a
            :func:`value_kind` word: ``"number"``, ``"boolean"``, ``"date"``).
        header_cells: Column name -> the header line's cell as read (before stripping), for
            putting the line back as data when it turns out to be a pair; None without a header line.
    """

    frame: pd.DataFrame
    lines: list[int] | None = None
    line_label: str = "line"
    nested: dict[str, int] = field(default_factory=dict)
    truncated: bool = False
    header_line: int | None = None
    skipped: list[int] = field(default_factory=list)
    converted: dict[str, str] = field(default_factory=dict)
    header_cells: dict[str, str] | None = None


def is_blank(fields: list[str]) -> bool:
    """Whether every field is empty or whitespace (a blank line, or ``,,,`` from a spreadsheet)."""
    return all(not f.strip() for f in fields)


def value_kind(value: Any) -> str | None:
    """``"number"``, ``"boolean"`` or ``"date"`` for a value that is not text but is read as text; else None."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float, Decimal)):
        return None if isinstance(value, float) and math.isnan(value) else "number"
    if isinstance(value, (datetime.date, datetime.time, datetime.timedelta)):
        return "date"
    return None


def note_kind(converted: dict[str, str], column: str, value: Any) -> None:
    """Record the first non-text kind seen in ``column`` (see :attr:`RawTable.converted`)."""
    if column not in converted:
        kind = value_kind(value)
        if kind is not None:
            converted[column] = kind


def cell_text(value: Any) -> tuple[str, bool]:
    """Convert one JSON/Parquet/Excel value to text; the flag says it was a list or object."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "", False
    if isinstance(value, str):
        return value, False
    if isinstance(value, bool):
        return ("true" if value else "false"), False
    if isinstance(value, float) and value.is_integer():
        return str(int(value)), False
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str), True
    if hasattr(value, "isoformat"):
        return value.isoformat(), False
    return str(value), False


def positional_names(width: int) -> list[str]:
    """Column names for a table without a header line: ``column_1``, ``column_2``, ..."""
    return [f"column_{position}" for position in range(1, width + 1)]


def frame_from_rows(header: list[str], rows: list[list[str]]) -> pd.DataFrame:
    """A ``str`` DataFrame from a header and equally long rows."""
    return pd.DataFrame({name: [r[i] for r in rows] for i, name in enumerate(header)}, columns=header, dtype=str)


def drop_empty_unnamed(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop header-less columns without data (trailing delimiters, formatted empty sheet cells)."""
    empty = [c for c in frame.columns if c.startswith("unnamed_") and not (frame[c].str.strip() != "").any()]
    return frame.drop(columns=empty) if empty else frame
