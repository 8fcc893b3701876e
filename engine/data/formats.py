"""Readers for the supported table formats; every cell comes back as a ``str`` ("" for missing).

CSV and TSV are parsed with the standard library's ``csv`` module rather than pandas so that each
record's starting line is known: messages can then say "row 7 (line 9 of the file)" even when a
quoted description spans several lines.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

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


@dataclass
class RawTable:
    """A table as read from disk, with what is needed to point at a row in messages.

    Attributes:
        frame: One column per header name, every cell a ``str``.
        lines: Per data row, the file line (or sheet row) where it starts; None for Parquet.
        line_label: ``"line"`` or ``"sheet row"``.
        nested: Column -> first 1-based row whose value was a list or object (JSONL, Parquet).
        truncated: Reading stopped at the row limit, so the file may hold more rows.
    """

    frame: pd.DataFrame
    lines: list[int] | None = None
    line_label: str = "line"
    nested: dict[str, int] = field(default_factory=dict)
    truncated: bool = False


def format_for(path: Path) -> str:
    """The reader kind for a file extension.

    Raises:
        DataError: The extension is not supported; the message lists the supported ones.
    """
    kind = SUPPORTED_EXTENSIONS.get(path.suffix.lower())
    if kind is None:
        supported = ", ".join(SUPPORTED_EXTENSIONS)
        raise DataError(
            f"'{path.name}' has the extension '{path.suffix or '(none)'}', which is not supported. Supported: {supported}. "
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
        return _read_parquet(p, limit)
    if kind == "excel":
        return _read_excel(p, limit)
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
            records = [r for _, r in zip(range(_SNIFF_RECORDS), reader) if r]
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


def _blank(fields: list[str]) -> bool:
    return all(not f.strip() for f in fields)


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
        if _blank(fields):
            continue
        if header is None:
            header = check_header(fields, source)
            continue
        if len(fields) != len(header):
            extra = fields[len(header) :]
            if len(fields) > len(header) and _blank(extra):
                fields = fields[: len(header)]  # trailing delimiters, as some exports write
            else:
                row = len(rows) + 1
                raise DataError(
                    f"'{source}': row {row} (line {start} of the file) has {len(fields)} fields but the header has "
                    f"{len(header)} columns ({shown}-separated). Usually a text contains an unquoted {shown} or a quote "
                    f'is not closed. Put texts that contain a {shown} in double quotes ("..."), or export the file again.',
                    row=row,
                )
        if limit is not None and len(rows) >= limit:
            truncated = True
            break
        rows.append(fields)
        lines.append(start)
    if header is None:
        raise DataError(f"'{source}' has no header line.")
    frame = pd.DataFrame({name: [r[i] for r in rows] for i, name in enumerate(header)}, columns=header, dtype=str)
    return RawTable(frame=_drop_empty_unnamed(frame), lines=lines, truncated=truncated)


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


def _cell(value: Any) -> tuple[str, bool]:
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


def _frame_from_records(records: list[dict[str, Any]]) -> tuple[pd.DataFrame, dict[str, int]]:
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(record))
    nested: dict[str, int] = {}
    data: dict[str, list[str]] = {c: [] for c in columns}
    for row, record in enumerate(records, start=1):
        for column in columns:
            text, is_nested = _cell(record.get(column))
            data[column].append(text)
            if is_nested:
                nested.setdefault(column, row)
    return pd.DataFrame(data, columns=list(columns), dtype=str), nested


def _read_jsonl(text: str, source: str, limit: int | None) -> RawTable:
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    truncated = False
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        row = len(records) + 1
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(
                f"'{source}': line {number} (row {row}) is not valid JSON ({exc.msg} at character {exc.colno}). "
                'Each line must be one JSON object such as {"title": "...", "description": "..."}; fix or remove '
                "that line.",
                row=row,
            ) from None
        if not isinstance(value, dict):
            raise DataError(
                f"'{source}': line {number} (row {row}) is a JSON {type(value).__name__}, not an object. Each line must "
                'be one JSON object such as {"title": "...", "description": "..."}.',
                row=row,
            )
        if limit is not None and len(records) >= limit:
            truncated = True
            break
        records.append({str(k).strip(): v for k, v in value.items()})
        lines.append(number)
    frame, nested = _frame_from_records(records)
    return RawTable(frame=frame, lines=lines, nested=nested, truncated=truncated)


def _read_parquet(path: Path, limit: int | None) -> RawTable:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise DataError(
            f"'{path.name}' is not a readable Parquet file ({exc}). Check that it was written completely and really is "
            "Parquet; otherwise give it the extension of its real format (.csv, .jsonl, .xlsx)."
        ) from None
    names = check_header(table.schema.names, path.name)
    truncated = limit is not None and table.num_rows > limit
    if truncated:
        table = table.slice(0, limit)
    data: dict[str, list[str]] = {}
    nested: dict[str, int] = {}
    for name, column in zip(names, table.columns):
        if not pa.types.is_nested(column.type):
            try:
                data[name] = [v if v is not None else "" for v in pc.cast(column, pa.string()).to_pylist()]
                continue
            except (pa.ArrowException, UnicodeDecodeError):
                pass  # e.g. binary that is not UTF-8: fall back to Python's str() per value
        cells = [_cell(v) for v in column.to_pylist()]
        data[name] = [text for text, _ in cells]
        first = next((row for row, (_, is_nested) in enumerate(cells, start=1) if is_nested), None)
        if first is not None:
            nested[name] = first
    frame = pd.DataFrame(data, columns=names, dtype=str)
    return RawTable(frame=frame, lines=None, nested=nested, truncated=truncated)


def _read_excel(path: Path, limit: int | None) -> RawTable:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise DataError(
            f"'{path.name}' is not a readable Excel .xlsx workbook ({type(exc).__name__}: {exc}). Open it in Excel "
            "and save it again as .xlsx, or export it as 'CSV UTF-8'. Old .xls files must be converted first."
        ) from None
    try:
        if len(book.worksheets) > 1:
            logger.info("'%s' has %d sheets; reading the first, '%s'.", path.name, len(book.worksheets), book.worksheets[0].title)
        header: list[str] | None = None
        rows: list[list[str]] = []
        lines: list[int] = []
        truncated = False
        for number, values in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
            cells = [_cell(v)[0] for v in values]
            if _blank(cells):
                continue
            if header is None:
                header = check_header(cells, path.name)
                continue
            if limit is not None and len(rows) >= limit:
                truncated = True
                break
            rows.append((cells + [""] * len(header))[: len(header)])
            lines.append(number)
    finally:
        book.close()
    if header is None:
        raise DataError(f"The first sheet of '{path.name}' is empty. Put the header in row 1 and the pairs below it.")
    frame = pd.DataFrame({name: [r[i] for r in rows] for i, name in enumerate(header)}, columns=header, dtype=str)
    return RawTable(frame=_drop_empty_unnamed(frame), lines=lines, line_label="sheet row", truncated=truncated)


def _drop_empty_unnamed(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop header-less columns without data (trailing delimiters, formatted empty sheet cells)."""
    empty = [c for c in frame.columns if c.startswith("unnamed_") and not (frame[c].str.strip() != "").any()]
    return frame.drop(columns=empty) if empty else frame
