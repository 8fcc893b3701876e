"""Readers for the supported table formats; every cell comes back as a ``str`` ("" for missing).

CSV and TSV are parsed with the standard library's ``csv`` module rather than pandas so that each
record's starting line is known: messages can then say "row 7 (line 9 of the file)" even when a
quoted description spans several lines.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd

from engine.data.binary_formats import read_excel, read_parquet
from engine.data.raw_table import RawTable, cell_text, drop_empty_unnamed, frame_from_rows, is_blank
from engine.data.validation import MAX_CELL_CHARS, check_file, check_header
from engine.errors import DataError

logger = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS: dict[str, str] = {
    ".csv": "delimited",
    ".txt": "delimited",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
}
_DELIMITERS = (",", ";", "\t")
_SNIFF_RECORDS = 50


def format_for(path: Path) -> str:
    """The reader kind for a file extension.

    Raises:
        DataError: The extension is not supported; the message lists the supported ones.
    """
    kind = SUPPORTED_EXTENSIONS.get(path.suffix.lower())
    if kind is None:
        supported = ", ".join(SUPPORTED_EXTENSIONS)
        raise DataError(
            f"'{path.name}' has the extension '{path.suffix or '(none)'}', which is not supported. Supported: "
            f"{supported}. "
            "Save or export the table in one of these formats (for example 'CSV UTF-8' from Excel)."
        )
    return kind


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV, TSV, JSONL, Parquet or Excel (.xlsx) file with every cell as a string.

    The reader is chosen by extension; for ``.csv``/``.txt`` the delimiter (comma, semicolon or
    tab) is detected from the first records. Missing values become ``""``.

    Args:
        path: The file to read.

    Returns:
        A DataFrame with one ``str`` column per header name.

    Raises:
        DataError: The file is missing, empty, of an unsupported type, or cannot be parsed.
    """
    return read_raw(path).frame


def read_raw(path: str | Path, *, limit: int | None = None) -> RawTable:
    """Read a table plus row locations; stop after ``limit`` data rows when given."""
    p = check_file(path)
    kind = format_for(p)
    if kind == "parquet":
        return read_parquet(p, limit)
    if kind == "excel":
        return read_excel(p, limit)
    text = _decode(p)
    if not text.strip():
        raise DataError(f"'{p.name}' contains only blank lines. It needs a header line and at least one data row.")
    if kind == "jsonl":
        return _read_jsonl(text, p.name, limit)
    delimiter = "\t" if kind == "tsv" else _sniff_delimiter(text)
    return _read_delimited(text, delimiter, p.name, limit)


def _decode(path: Path) -> str:
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise DataError(f"'{path.name}' is UTF-16 text. Save it as UTF-8 (in Excel: Save As > 'CSV UTF-8').")
    if b"\x00" in data[:65536]:
        raise DataError(
            f"'{path.name}' contains binary data (NUL bytes), so it is not a text table. Check that you picked the "
            "right file; if it is a spreadsheet or Parquet file, give it the matching extension (.xlsx, .parquet)."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start : exc.start + 1].hex().upper()
        raise DataError(
            f"'{path.name}' is not valid UTF-8 text: byte 0x{byte} on line {line} cannot be decoded (the file is "
            "probably in Latin-1/Windows-1252). Save the file as UTF-8 (in Excel: Save As > 'CSV UTF-8'; in an "
            "editor: 'Save with encoding UTF-8') and load it again."
        ) from None


def _sniff_delimiter(text: str) -> str:
    """Pick the delimiter whose first records have a consistent, >1 number of fields."""
    sample = text[:200_000]
    best, best_score = ",", (-1.0, 0)
    for delimiter in _DELIMITERS:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        try:
            records = [r for r in itertools.islice(reader, _SNIFF_RECORDS) if r]
        except csv.Error:
            continue
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        body = records[1:-1] or records[1:]  # the sample may cut the last record short
        consistent = sum(len(r) == width for r in body) / len(body) if body else 1.0
        if (consistent, width) > best_score:
            best, best_score = delimiter, (consistent, width)
    logger.debug("Detected delimiter %r", best)
    return best


def _read_delimited(text: str, delimiter: str, source: str, limit: int | None) -> RawTable:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    shown = {"\t": "tab", ",": "comma", ";": "semicolon"}[delimiter]
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    truncated = False
    while True:
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise _csv_error(exc, start, len(rows) + 1, source) from None
        if is_blank(fields):
            continue
        if header is None:
            header = check_header(fields, source)
            continue
        if limit is not None and len(rows) >= limit:
            truncated = True
            break
        if len(fields) != len(header):
            if len(fields) > len(header) and is_blank(fields[len(header) :]):
                fields = fields[: len(header)]  # trailing delimiters, as some exports write
            else:
                row = len(rows) + 1
                raise DataError(
                    f"'{source}': row {row} (line {start} of the file) has {len(fields)} fields but the header has "
                    f"{len(header)} columns ({shown}-separated). Usually a text contains an unquoted {shown} "
                    f'or a quote is not closed. Put texts that contain a {shown} in double quotes ("..."), '
                    "or export the file again.",
                    row=row,
                )
        rows.append(fields)
        lines.append(start)
    if header is None:
        raise DataError(
            f"'{source}' has no header line: every line is empty or only delimiters. Put the column names "
            "(e.g. title,description) on the first line."
        )
    return RawTable(frame=drop_empty_unnamed(frame_from_rows(header, rows)), lines=lines, truncated=truncated)


def _csv_error(exc: csv.Error, line: int, row: int, source: str) -> DataError:
    reason = str(exc)
    if "field larger than field limit" in reason:
        what = (
            f"a cell longer than {MAX_CELL_CHARS:,} characters starts in row {row} (line {line} of the file). This is "
            "usually an opening quote without a closing quote, which swallows the following lines"
        )
    elif "unexpected end of data" in reason:
        what = f"a quoted text that starts in row {row} (line {line} of the file) is never closed"
    else:
        what = f"row {row} (starting on line {line} of the file) has malformed quoting ({reason})"
    return DataError(
        f"'{source}' cannot be parsed: {what}. Check the double quotes in that row: a quote inside a quoted text must "
        'be doubled ("").',
        row=row,
    )


def _frame_from_records(records: list[dict[str, Any]]) -> tuple[pd.DataFrame, dict[str, int]]:
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(record))
    nested: dict[str, int] = {}
    data: dict[str, list[str]] = {c: [] for c in columns}
    for row, record in enumerate(records, start=1):
        for column in columns:
            text, is_nested = cell_text(record.get(column))
            data[column].append(text)
            if is_nested:
                nested.setdefault(column, row)
    return pd.DataFrame(data, columns=list(columns), dtype=str), nested


class _DuplicateKeyError(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` that refuses repeated keys, which ``json`` would silently overwrite."""
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise _DuplicateKeyError(key)
        seen.add(key)
    return dict(pairs)


def _read_jsonl(text: str, source: str, limit: int | None) -> RawTable:
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    truncated = False
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        row = len(records) + 1
        try:
            value = json.loads(line, object_pairs_hook=_unique_keys)
        except _DuplicateKeyError as exc:
            raise DataError(
                f"'{source}': line {number} (row {row}) has the key '{exc}' twice, so one value would be lost. "
                "Rename or remove one of them.",
                row=row,
                column=str(exc),
            ) from None
        except json.JSONDecodeError as exc:
            raise DataError(
                f"'{source}': line {number} (row {row}) is not valid JSON ({exc.msg} at character {exc.colno}). "
                'Each line must be one JSON object such as {"title": "...", "description": "..."}; fix or remove '
                "that line.",
                row=row,
            ) from None
        if not isinstance(value, dict):
            raise DataError(
                f"'{source}': line {number} (row {row}) is a JSON {type(value).__name__}, not an object. "
                'Each line must be one JSON object such as {"title": "...", "description": "..."}.',
                row=row,
            )
        if limit is not None and len(records) >= limit:
            truncated = True
            break
        records.append({str(k).strip(): v for k, v in value.items()})
        lines.append(number)
    frame, nested = _frame_from_records(records)
    return RawTable(frame=frame, lines=lines, nested=nested, truncated=truncated)
