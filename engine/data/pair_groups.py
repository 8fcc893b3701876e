"""Which group each row belongs to: the group column, a row's own group, and repeated pairs masked.

Rows with equal group are positives of each other: the trainer never uses one as a wrong match
(negative) for another, the split keeps them on one side, and evaluation counts each as a correct
answer for the other. A row without a group value is its own group. A row that repeats the
(left, right) pair of another row is a correct answer for it by definition, so when the row has no
group value of its own it joins the group of its twin ("masked"): kept, never removed, and said
in a load note. Rows whose group column puts the same pair in different groups are kept as given
(the user said so) and a note names them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from engine.data.load_notes import LoadNote, rows_note
from engine.data.raw_table import RawTable


def row_group(row: int) -> str:
    """The group id of a row that has no group value: ``"r<row>"``, so it is its own group."""
    return f"r{row}"


def assign_groups(
    left: Sequence[str],
    right: Sequence[str],
    given: Sequence[str] | None,
    rows: Sequence[int],
    *,
    column: str | None,
    raw: RawTable,
    source: str,
) -> tuple[tuple[str, ...], list[LoadNote]]:
    """Group ids per row, and notes on empty group cells and repeated pairs.

    Args:
        left, right: Stripped texts per row.
        given: Stripped group cells per row, or None without a group column.
        rows: 1-based data rows.
        column: The group column's name (for the notes), or None.
        raw: The table as read (where each row sits in the file).
        source: File name, for the notes.

    Returns:
        ``(groups, notes)``.
    """
    own = list(given) if given is not None else [""] * len(rows)
    groups = [g or row_group(r) for g, r in zip(own, rows, strict=True)]
    notes: list[LoadNote] = []
    empty = [r for g, r in zip(own, rows, strict=True) if not g]
    if given is not None and empty:
        notes.append(rows_note("empty_groups", "load_notes.EMPTY_GROUPS", empty, raw, source=source, column=column))
    masked, apart = _mask_repeats(list(zip(left, right, strict=True)), own, groups)
    if masked:
        notes.append(rows_note("duplicate_pairs_masked", "load_notes.DUPLICATES_MASKED", [rows[i] for i in masked],
                               raw, source=source))
    if apart:
        notes.append(rows_note("duplicate_pairs_grouped_apart", "load_notes.DUPLICATES_GROUPED_APART",
                               [rows[i] for i in apart], raw, source=source, column=column))
    return tuple(groups), notes


def _mask_repeats(pairs: list[tuple[str, str]], own: list[str], groups: list[str]) -> tuple[list[int], list[int]]:
    """Put rows without a group value into the group of their twin; changes ``groups`` in place.

    Returns:
        Positions of the rows that joined a twin's group, and of rows whose own group value
        separates them from a twin.
    """
    where: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, pair in enumerate(pairs):
        where[pair].append(i)
    masked: list[int] = []
    apart: list[int] = []
    for positions in where.values():
        if len(positions) < 2:
            continue
        target = groups[next((i for i in positions if own[i]), positions[0])]  # a given group wins
        for i in positions:
            if groups[i] == target:
                continue
            if own[i]:
                apart.append(i)
            else:
                groups[i] = target
                masked.append(i)
    return sorted(masked), sorted(apart)
