"""Checks that turn a bad input file into a :class:`~engine.errors.DataError` that says how to fix it.

Every message names the problem, where it is (1-based data row, file line, column) and the fix.
Rows count data records only: the first record after the header is row 1. Nothing is written
anywhere; a check either returns or raises.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from engine.errors import DataError

logger = logging.getLogger(__name__)

MAX_CELL_CHARS = 100_000  # no real title or description is this long; a runaway quote is
MIN_PAIRS_FOR_SPLIT = 10  # below this a test split has one or two pairs and its metrics are noise
MIN_GROUPS_FOR_SPLIT = 2
_EXAMPLE_ROWS = 5  # how many offending rows a message lists before "..."


def describe_row(row: int, lines: Sequence[int] | None = None, line_label: str = "line") -> str:
    """Say where a data row is, e.g. ``"row 7 (line 8 of the file)"``.

    Args:
        row: 1-based data row.
        lines: Per data row, where it starts in the file (file line, or sheet row for Excel).
        line_label: ``"line"`` for text files, ``"sheet row"`` for spreadsheets.
    """
    if lines is None or not 0 < row <= len(lines):
        return f"row {row}"
    suffix = " of the file" if line_label == "line" else ""
    return f"row {row} ({line_label} {lines[row - 1]}{suffix})"


def list_rows(rows: Sequence[int], lines: Sequence[int] | None = None, line_label: str = "line") -> str:
    """A short list of row descriptions: the first few, then how many more."""
    shown = ", ".join(describe_row(r, lines, line_label) for r in rows[:_EXAMPLE_ROWS])
    more = len(rows) - _EXAMPLE_ROWS
    return shown + (f" and {more} more" if more > 0 else "")


def check_file(path: str | Path) -> Path:
    """Check that ``path`` is an existing, non-empty regular file.

    Raises:
        DataError: The path does not exist, is a folder, or has 0 bytes.
    """
    p = Path(path).expanduser()
    if not p.exists():
        parent = p.parent if str(p.parent) else Path(".")
        hint = f" The folder '{parent}' does not exist either." if not parent.exists() else ""
        raise DataError(
            f"File not found: '{p}'.{hint} Check the spelling and that the path is relative to the folder "
            f"you run from ('{Path.cwd()}'), or pass an absolute path."
        )
    if not p.is_file():
        raise DataError(
            f"'{p}' is a folder (or another non-file), not a data file. Pass the path of a CSV, TSV, JSONL, Parquet "
            "or Excel file inside it."
        )
    if p.stat().st_size == 0:
        raise DataError(
            f"'{p.name}' is empty (0 bytes). Export the data again; the file needs a header line and at least one "
            "data row."
        )
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
            raise DataError(
                f"'{source}' has two columns named '{name}' (columns {seen[name]} and {position} of the header). "
                "Rename one of them so every column name is unique.",
                column=name,
            )
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
            raise DataError(
                f"'{source}': {describe_row(row, lines, line_label)} has a cell of {int(lengths.max()):,} "
                f"characters in column '{column}' (the limit is {MAX_CELL_CHARS:,}). This is usually a parsing "
                "error: an opening quote without a closing quote swallows the following lines. Check the quotes "
                "around that row, or remove the row.",
                row=row,
                column=str(column),
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
    kind = "empty" if blank == 0 else ("whitespace-only" if blank == len(empty) else "empty or whitespace-only")
    raise DataError(
        f"'{source}': {len(empty)} of {len(values)} rows have {'an' if kind.startswith('e') else 'a'} {kind} "
        f"'{column}' cell (the {role} role): "
        f"{list_rows(empty, lines, line_label)}. Every pair needs both texts. Remove those rows or fill in the text, "
        "then load the file again.",
        row=empty[0],
        column=column,
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
        count = f"more than {max_rows:,}" if truncated else f"{n_rows:,}"
        raise DataError(
            f"'{source}' has {count} data rows, over the limit of max_rows={max_rows:,}. Use a sample of the file "
            f"(e.g. its first {max_rows:,} rows) or raise the limit."
        )


def check_splittable(n_pairs: int, n_groups: int, *, min_pairs: int = MIN_PAIRS_FOR_SPLIT) -> None:
    """Reject data too small for a train/test split.

    Raises:
        DataError: Says how many pairs and groups were found and how many are needed.
    """
    if n_pairs < min_pairs or n_groups < MIN_GROUPS_FOR_SPLIT:
        raise DataError(
            f"Too little data for a train/test split: found {n_pairs} pairs in {n_groups} groups, need at least "
            f"{min_pairs} pairs and {MIN_GROUPS_FOR_SPLIT} groups. Add more rows"
            + (
                ", or check the group column: all rows share one group."
                if n_groups < MIN_GROUPS_FOR_SPLIT <= n_pairs
                else "."
            )
        )
