"""Readers for binary table formats: Parquet (pyarrow) and Excel .xlsx (openpyxl)."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import pandas as pd

from engine.data.raw_table import RawTable, cell_text, drop_empty_unnamed, frame_from_rows, is_blank
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
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _unreadable_parquet(path, exc) from None
    names = check_header(schema.names, path.name)  # before read_table, which fails on duplicate names
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _unreadable_parquet(path, exc) from None
    truncated = limit is not None and table.num_rows > limit
    if truncated:
        table = table.slice(0, limit)
    data: dict[str, list[str]] = {}
    nested: dict[str, int] = {}
    for name, column in zip(names, table.columns, strict=True):
        if not pa.types.is_nested(column.type):
            try:
                data[name] = [v if v is not None else "" for v in pc.cast(column, pa.string()).to_pylist()]
                continue
            except (pa.ArrowException, UnicodeDecodeError):
                pass  # e.g. binary that is not UTF-8: fall back to Python's str() per value
        cells = [cell_text(v) for v in column.to_pylist()]
        data[name] = [text for text, _ in cells]
        first = next((row for row, (_, is_nested) in enumerate(cells, start=1) if is_nested), None)
        if first is not None:
            nested[name] = first
    frame = pd.DataFrame(data, columns=names, dtype=str)
    return RawTable(frame=frame, lines=None, nested=nested, truncated=truncated)


def read_excel(path: Path, limit: int | None) -> RawTable:
    """Read the first sheet of an .xlsx workbook; row 1 is the header, blank rows are skipped."""
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
            logger.info(
                "'%s' has %d sheets; reading the first, '%s'.",
                path.name,
                len(book.worksheets),
                book.worksheets[0].title,
            )
        header: list[str] | None = None
        rows: list[list[str]] = []
        lines: list[int] = []
        truncated = False
        for number, values in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
            cells = [cell_text(v)[0] for v in values]
            if is_blank(cells):
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
    return RawTable(
        frame=drop_empty_unnamed(frame_from_rows(header, rows)),
        lines=lines,
        line_label="sheet row",
        truncated=truncated,
    )
