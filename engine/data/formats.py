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
from engine.data.error_text import keyed_error, phrase
from engine.data.raw_table import (
    RawTable,
    cell_text,
    drop_empty_unnamed,
    frame_from_rows,
    is_blank,
    note_kind,
    positional_names,
)
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
UTF16_NUL_SHARE = 0.7  # NULs in odd (or even) bytes above this share: text in UTF-16, not binary data
_SNIFF_RECORDS = 50


def format_for(path: Path) -> str:
    """The reader kind for a file extension.

    Raises:
        DataError: The extension is not supported; the message lists the supported ones.
    """
    kind = SUPPORTED_EXTENSIONS.get(path.suffix.lower())
    if kind is None:
        supported = ", ".join(SUPPORTED_EXTENSIONS)
        raise keyed_error("data_errors.UNSUPPORTED_EXTENSION", name=path.name,
                          extension=path.suffix or phrase("data_errors.NO_EXTENSION"), supported=supported)
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


def read_raw(path: str | Path, *, limit: int | None = None, header: bool = True) -> RawTable:
    """Read a table plus row locations; stop after ``limit`` data rows when given.

    Args:
        path: The file to read.
        limit: Stop after this many data rows.
        header: Whether the first non-blank line (or sheet row) holds the column names. With
            False, every line is data and the columns are named ``column_1``, ``column_2``, ...
            (JSONL and Parquet name their columns themselves and ignore it).
    """
    p = check_file(path)
    kind = format_for(p)
    if kind == "parquet":
        return read_parquet(p, limit)
    if kind == "excel":
        return read_excel(p, limit, header=header)
    text = _decode(p)
    if not text.strip():
        raise keyed_error("data_errors.ONLY_BLANK_LINES", name=p.name)
    if kind == "jsonl":
        return _read_jsonl(text, p.name, limit)
    delimiter = "\t" if kind == "tsv" else _sniff_delimiter(text)
    return _read_delimited(text, delimiter, p.name, limit, header=header)


def _decode(path: Path) -> str:
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or _looks_utf16(data[:4096]):
        raise keyed_error("data_errors.UTF16", name=path.name)
    if b"\x00" in data:  # anywhere: one NUL late in a file is as much a sign of binary data
        raise keyed_error("data_errors.BINARY", name=path.name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start : exc.start + 1].hex().upper()
        raise keyed_error("data_errors.NOT_UTF8", name=path.name, byte=byte, line=line) from None


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without a byte-order mark: Latin text then has a NUL in every other byte."""
    if len(head) < 8:
        return False
    shares = sorted((head[0::2].count(0) / len(head[0::2]), head[1::2].count(0) / len(head[1::2])))
    return shares[1] > UTF16_NUL_SHARE and shares[0] < 1 - UTF16_NUL_SHARE  # all zeros is binary, not text


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


def _read_delimited(text: str, delimiter: str, source: str, limit: int | None, *, header: bool = True) -> RawTable:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    shown = {"\t": "tab", ",": "comma", ";": "semicolon"}[delimiter]  # a data_errors.DELIMITERS word
    names: list[str] | None = None
    header_line: int | None = None
    header_cells: dict[str, str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    skipped: list[int] = []
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
            if fields and names is not None:
                skipped.append(start)  # ",,," or "  ": the user may not see it as empty, so say so
            continue
        if names is None:
            names = check_header(fields, source) if header else positional_names(len(fields))
            header_line = start if header else None
            if header:
                header_cells = dict(zip(names, fields, strict=True))
                continue
        if limit is not None and len(rows) >= limit:
            truncated = True
            break
        if len(fields) != len(names):
            if len(fields) > len(names) and is_blank(fields[len(names) :]):
                fields = fields[: len(names)]  # trailing delimiters, as some exports write
            else:
                row = len(rows) + 1
                raise keyed_error("data_errors.FIELD_COUNT", row=row, source=source, line=start, fields=len(fields),
                                  columns=len(names), delimiter=shown)
        rows.append(fields)
        lines.append(start)
    if names is None:
        raise keyed_error("data_errors.NO_HEADER", source=source)
    return RawTable(frame=drop_empty_unnamed(frame_from_rows(names, rows)), lines=lines, truncated=truncated,
                    header_line=header_line, skipped=skipped, header_cells=header_cells)


def _csv_error(exc: csv.Error, line: int, row: int, source: str) -> DataError:
    reason = str(exc)
    if "field larger than field limit" in reason:
        what = phrase("data_errors.CSV_CELL_TOO_LONG", limit=MAX_CELL_CHARS, row=row, line=line)
    elif "unexpected end of data" in reason:
        what = phrase("data_errors.CSV_UNCLOSED", row=row, line=line)
    else:
        what = phrase("data_errors.CSV_MALFORMED", row=row, line=line, reason=reason)
    return keyed_error("data_errors.CSV_PARSE", row=row, source=source, what=what)


def _frame_from_records(records: list[dict[str, Any]]) -> tuple[pd.DataFrame, dict[str, int], dict[str, str]]:
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(record))
    nested: dict[str, int] = {}
    converted: dict[str, str] = {}
    data: dict[str, list[str]] = {c: [] for c in columns}
    for row, record in enumerate(records, start=1):
        for column in columns:
            value = record.get(column)
            text, is_nested = cell_text(value)
            data[column].append(text)
            note_kind(converted, column, value)
            if is_nested:
                nested.setdefault(column, row)
    return pd.DataFrame(data, columns=list(columns), dtype=str), nested, converted


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
        except (RecursionError, ValueError) as exc:  # nesting too deep, or an integer over Python's digit limit
            if isinstance(exc, json.JSONDecodeError):
                raise _json_error(source, number, row, exc) from None
            raise keyed_error("data_errors.JSON_TOO_COMPLEX", row=row, source=source, line=number) from None
        if "\\u" in line and not _encodable(value):
            raise keyed_error("data_errors.JSON_SURROGATE", row=row, source=source, line=number)
        if not isinstance(value, dict):
            raise DataError(
                f"'{source}': line {number} (row {row}) is a JSON {type(value).__name__}, not an object. "
                'Each line must be one JSON object such as {"title": "...", "description": "..."}.',
                row=row,
            )
        if limit is not None and len(records) >= limit:
            truncated = True
            break
        stripped = {str(k).strip(): v for k, v in value.items()}
        if len(stripped) < len(value):  # " title" and "title": one value would be lost
            twice = next(k for k in stripped if sum(str(o).strip() == k for o in value) > 1)
            raise DataError(
                f"'{source}': line {number} (row {row}) has the key '{twice}' twice, so one value would be lost. "
                "Rename or remove one of them.",
                row=row,
                column=twice,
            )
        records.append(stripped)
        lines.append(number)
    frame, nested, converted = _frame_from_records(records)
    names = check_header(list(frame.columns), source)  # an empty key becomes unnamed_<position>
    renamed = dict(zip(frame.columns, names, strict=True))
    frame.columns = names
    nested = {renamed[c]: r for c, r in nested.items()}
    converted = {renamed[c]: k for c, k in converted.items()}
    return RawTable(frame=drop_empty_unnamed(frame), lines=lines, nested=nested, truncated=truncated,
                    converted=converted)


def _encodable(value: Any) -> bool:
    """False for a lone surrogate such as ``"\\ud800"``: valid JSON, but no text can hold it."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _json_error(source: str, number: int, row: int, exc: json.JSONDecodeError) -> DataError:
    return DataError(
        f"'{source}': line {number} (row {row}) is not valid JSON ({exc.msg} at character {exc.colno}). "
        'Each line must be one JSON object such as {"title": "...", "description": "..."}; fix or remove '
        "that line.",
        row=row,
    )
