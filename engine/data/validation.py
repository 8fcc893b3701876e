"""Checks that turn a bad input file into a :class:`~engine.errors.DataError` that says how to fix it.

Every message names the problem, where it is (1-based data row, file line, column) and the fix.
Messages come from the catalogue (area ``data_errors``, see :mod:`engine.data.error_text`): the
error's text is English, and :func:`engine.data.error_text.render_error` writes it in any language.
Rows count data records only: the first record after the header is row 1. Nothing is written
anywhere; a check either returns or raises.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from engine.data.error_text import (
    keyed_error,
    phrase,
    phrase_text,
    row_phrase,
    rows_phrase,
)
from engine.errors import DataError

MAX_CELL_CHARS = 100_000  # no real title or description is this long; a runaway quote is
MIN_PAIRS_FOR_SPLIT = 10  # below this a test split has one or two pairs and its metrics are noise
MIN_GROUPS_FOR_SPLIT = 2


def describe_row(row: int, lines: Sequence[int] | None = None, line_label: str = "line") -> str:
    """Say where a data row is, e.g. ``"row 7 (line 8 of the file)"``.

    Args:
        row: 1-based data row.
        lines: Per data row, where it starts in the file (file line, or sheet row for Excel).
        line_label: ``"line"`` for text files, ``"sheet row"`` for spreadsheets.
    """
    return phrase_text(row_phrase(row, lines, line_label))


def list_rows(rows: Sequence[int], lines: Sequence[int] | None = None, line_label: str = "line") -> str:
    """A short list of row descriptions: the first few, then how many more."""
    return phrase_text(rows_phrase(rows, lines, line_label))


def check_file(path: str | Path) -> Path:
    """Check that ``path`` is an existing, non-empty regular file.

    Raises:
        DataError: The path does not exist, is a folder, or has 0 bytes.
    """
    p = Path(path).expanduser()
    if not p.exists():
        parent = p.parent if str(p.parent) else Path(".")
        hint = phrase("data_errors.FOLDER_MISSING_TOO", folder=str(parent)) if not parent.exists() else ""
        raise keyed_error("data_errors.FILE_NOT_FOUND", path=str(p), hint=hint, cwd=str(Path.cwd()))
    if not p.is_file():
        raise keyed_error("data_errors.FILE_IS_FOLDER", path=str(p))
    if p.stat().st_size == 0:
        raise keyed_error("data_errors.FILE_EMPTY", name=p.name)
    return p


def check_header(names: Sequence[str], source: str) -> list[str]:
    """Strip column names, name blank ones ``unnamed_<position>``, and reject duplicates.

    Returns:
        The cleaned names.

    Raises:
        DataError: Two columns share a name.
    """
    stripped = [str(n).strip() if n is not None else "" for n in names]
    stripped = [n or f"unnamed_{position}" for position, n in enumerate(stripped, start=1)]
    seen: dict[str, int] = {}
    for position, name in enumerate(stripped, start=1):
        if name in seen:
            raise keyed_error("data_errors.DUPLICATE_HEADER", column=name, source=source, name=name, first=seen[name],
                              second=position)
        seen[name] = position
    return stripped


def check_cell_lengths(frame: pd.DataFrame, lines: Sequence[int] | None, line_label: str, source: str) -> None:
    """Reject cells longer than :data:`MAX_CELL_CHARS`, which almost always mean a broken quote.

    Raises:
        DataError: Names the first such cell's row and column.
    """
    for column in frame.columns:
        lengths = frame[column].str.len().to_numpy()
        if len(lengths) and lengths.max() > MAX_CELL_CHARS:
            row = int(lengths.argmax()) + 1
            raise keyed_error(
                "data_errors.CELL_TOO_LONG", row=row, column=str(column), source=source,
                place=row_phrase(row, lines, line_label), length=int(lengths.max()), limit=MAX_CELL_CHARS,
            )


def check_nested(nested: dict[str, int], role_columns: dict[str, str], source: str) -> None:
    """Reject role columns that hold lists or objects (JSONL/Parquet) instead of plain text.

    Args:
        nested: Column -> first 1-based row holding a nested value.
        role_columns: Role -> column for the roles actually used.
        source: File name, for the message.
    """
    for role, column in role_columns.items():
        if column in nested:
            row = nested[column]
            raise DataError(
                f"'{source}': column '{column}' (the {role} role) holds a list or object at row {row}, but each {role} "
                "value must be a single text. Flatten the value into a string (e.g. join a list of bullet points), "
                "or map the role to another column.",
                row=row,
                column=column,
            )


def check_required_text(
    values: Sequence[str], role: str, column: str, lines: Sequence[int] | None, line_label: str, source: str
) -> None:
    """Reject empty or whitespace-only cells in a required role (left or right).

    Raises:
        DataError: Lists the first few offending rows and how many there are.
    """
    empty = [i for i, v in enumerate(values, start=1) if not v.strip()]
    if not empty:
        return
    blank = sum(1 for i in empty if values[i - 1])
    kind = "empty" if blank == 0 else ("blank" if blank == len(empty) else "mixed")
    raise keyed_error(
        "data_errors.EMPTY_TEXT", row=empty[0], column=column, source=source, count=len(empty), total=len(values),
        kind=kind, role=role, rows=rows_phrase(empty, lines, line_label),
    )


def check_max_rows(n_rows: int, max_rows: int | None, source: str, *, truncated: bool) -> None:
    """Reject files with more data rows than ``max_rows``.

    Args:
        n_rows: Rows read (the reader stops at ``max_rows + 1``).
        max_rows: The limit; None means no limit.
        source: File name, for the message.
        truncated: Whether reading stopped early, so ``n_rows`` is a lower bound.
    """
    if max_rows is not None and n_rows > max_rows:
        count = (phrase("data_errors.COUNT_MORE_THAN", n=max_rows) if truncated
                 else phrase("data_errors.COUNT_EXACT", n=n_rows))
        raise keyed_error("data_errors.TOO_MANY_ROWS", source=source, count=count, limit=max_rows)


def check_splittable(n_pairs: int, n_groups: int, *, min_pairs: int = MIN_PAIRS_FOR_SPLIT) -> None:
    """Reject data too small for a train/test split.

    Raises:
        DataError: Says how many pairs and groups were found and how many are needed.
    """
    if n_pairs < min_pairs or n_groups < MIN_GROUPS_FOR_SPLIT:
        one_group = n_groups < MIN_GROUPS_FOR_SPLIT <= n_pairs
        raise keyed_error(
            "data_errors.TOO_LITTLE_DATA_ONE_GROUP" if one_group else "data_errors.TOO_LITTLE_DATA",
            pairs=n_pairs, groups=n_groups, min_pairs=min_pairs, min_groups=MIN_GROUPS_FOR_SPLIT,
        )
