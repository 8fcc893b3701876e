"""Readers for binary table formats: Parquet (pyarrow) and Excel .xlsx (openpyxl)."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import pandas as pd

from engine.data.raw_table import (
    RawTable,
    cell_text,
    drop_empty_unnamed,
    frame_from_rows,
    is_blank,
    note_kind,
    positional_names,
)
from engine.data.validation import check_header
from engine.errors import DataError

logger = logging.getLogger(__name__)


def _unreadable_parquet(path: Path, exc: Exception) -> DataError:
    return DataError(
        f"'{path.name}' is not a readable Parquet file ({exc}). Check that it was written completely and really is "
        "Parquet; otherwise give it the extension of its real format (.csv, .jsonl, .xlsx)."
    )


def read_parquet(path: Path, limit: int | None) -> RawTable:
    """Read a Parquet file; list/struct columns become JSON text and are recorded as nested."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except Exception as exc:  # damaged metadata fails in Arrow, Thrift or the OS
        raise _unreadable_parquet(path, exc) from None
    names = check_header(schema.names, path.name)  # before read_table, which fails on duplicate names
    try:
        table = pq.read_table(path)
    except Exception as exc:  # damaged pages fail in Arrow's decoders in many ways
        raise _unreadable_parquet(path, exc) from None
    truncated = limit is not None and table.num_rows > limit
    if truncated:
        table = table.slice(0, limit)
    data: dict[str, list[str]] = {}
    nested: dict[str, int] = {}
    converted = {name: kind for name, column in zip(names, table.columns, strict=True)
                 if (kind := _arrow_kind(column.type)) is not None}
    for name, column in zip(names, table.columns, strict=True):
        if not pa.types.is_nested(column.type):
            try:
                data[name] = [v if v is not None else "" for v in pc.cast(column, pa.string()).to_pylist()]
                continue
            except (pa.ArrowException, UnicodeDecodeError):
                pass  # e.g. binary that is not UTF-8: fall back to Python's str() per value
        try:
            cells = [cell_text(v) for v in column.to_pylist()]
        except Exception as exc:  # a damaged page decodes to invalid UTF-8 or bad values
            raise _unreadable_parquet(path, exc) from None
        data[name] = [text for text, _ in cells]
        first = next((row for row, (_, is_nested) in enumerate(cells, start=1) if is_nested), None)
        if first is not None:
            nested[name] = first
    frame = pd.DataFrame(data, columns=names, dtype=str)
    return RawTable(frame=frame, lines=None, nested=nested, truncated=truncated, converted=converted)


def _arrow_kind(kind: object) -> str | None:
    """The :func:`~engine.data.raw_table.value_kind` word for an Arrow column type read as text."""
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        kind = kind.value_type  # type: ignore[attr-defined]
    if pa.types.is_boolean(kind):
        return "boolean"
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return "number"
    if pa.types.is_temporal(kind):
        return "date"
    return None


def read_excel(path: Path, limit: int | None, *, header: bool = True) -> RawTable:
    """Read the first sheet of an .xlsx workbook; row 1 is the header, blank rows are skipped.

    Args:
        path: The workbook.
        limit: Stop after this many data rows.
        header: Whether the first non-blank row holds the column names (else ``column_1``, ...).
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException) as exc:
        raise _unreadable_excel(path, exc) from None
    except Exception as exc:  # a damaged zip or XML fails in zlib, the XML parser, openpyxl...
        raise _unreadable_excel(path, exc) from None
    try:
        return _read_sheet(book, path, limit, header)
    except DataError:
        raise
    except Exception as exc:  # openpyxl reads the sheet lazily, so damage surfaces here too
        raise _unreadable_excel(path, exc) from None
    finally:
        book.close()


def _unreadable_excel(path: Path, exc: Exception) -> DataError:
    return DataError(
        f"'{path.name}' is not a readable Excel .xlsx workbook ({type(exc).__name__}: {exc}). Open it in Excel "
        "and save it again as .xlsx, or export it as 'CSV UTF-8'. Old .xls files must be converted first."
    )


def _read_sheet(book: object, path: Path, limit: int | None, header: bool) -> RawTable:
    worksheets = book.worksheets  # type: ignore[attr-defined]
    if not worksheets:
        raise DataError(f"The first sheet of '{path.name}' is empty. Put the header in row 1 and the pairs below it.")
    if len(worksheets) > 1:
        logger.info("'%s' has %d sheets; reading the first, '%s'.", path.name, len(worksheets), worksheets[0].title)
    names: list[str] | None = None
    header_line: int | None = None
    header_cells: dict[str, str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    skipped: list[int] = []
    converted: dict[str, str] = {}
    truncated = False
    for number, values in enumerate(worksheets[0].iter_rows(values_only=True), start=1):
        cells = [cell_text(v)[0] for v in values]
        if is_blank(cells):
            if names is not None and any(v is not None for v in values):
                skipped.append(number)  # whitespace typed into cells: not visibly empty, so say so
            continue
        if names is None:
            names = check_header(cells, path.name) if header else positional_names(len(cells))
            header_line = number if header else None
            if header:
                header_cells = dict(zip(names, cells, strict=True))
                continue
        if limit is not None and len(rows) >= limit:
            truncated = True
            break
        for name, value in zip(names, values, strict=False):
            note_kind(converted, name, value)
        rows.append((cells + [""] * len(names))[: len(names)])
        lines.append(number)
    if names is None:
        raise DataError(f"The first sheet of '{path.name}' is empty. Put the header in row 1 and the pairs below it.")
    return RawTable(
        frame=drop_empty_unnamed(frame_from_rows(names, rows)),
        lines=lines,
        line_label="sheet row",
        truncated=truncated,
        header_line=header_line,
        skipped=skipped,
        converted=converted,
        header_cells=header_cells,
    )
