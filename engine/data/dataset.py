"""`PairDataset`, the engine's in-memory paired data, and `load_pairs` that builds it from a file."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from engine.data.columns import (
    ColumnMap,
    check_column_map,
    resolve_columns,
    text_columns,
)
from engine.data.formats import read_raw
from engine.data.header_line import header_is_data, with_header_row
from engine.data.load_notes import LoadNote, positional_note, read_notes
from engine.data.pair_groups import assign_groups, row_group
from engine.data.validation import (
    check_cell_lengths,
    check_max_rows,
    check_nested,
    check_required_text,
)
from engine.errors import ConfigError, DataError

logger = logging.getLogger(__name__)

__all__ = ["IMAGE_EXTENSIONS", "PairDataset", "are_image_paths", "load_pairs", "row_group"]  # row_group: its old home, still imported

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff")


def are_image_paths(values: Sequence[str]) -> bool:
    """Whether every value ends in an image extension (the values are image paths, not texts)."""
    return bool(values) and all(str(v).lower().endswith(IMAGE_EXTENSIONS) for v in values)


@dataclass(frozen=True)
class PairDataset:
    """Paired data: row i links ``left[i]`` (the paper's u) with ``right[i]`` (v).

    Attributes:
        left: Left items (text now; later an image path).
        right: Right items.
        group: Relevance id; rows with equal group are all positives of each other. ``"r<row>"``
            for rows without a group value.
        row: 1-based data row in the source file (the header is not counted).
        label: Optional class/category per row.
        extras: Other source columns, name -> values.
        columns: Which source column played which role.
        source: File name the data came from.
        notes: What loading did to the data that a user should know (skipped lines, values read
            as text, repeated pairs grouped); see :mod:`engine.data.load_notes`. Not part of
            equality or the fingerprint, and not carried into a :meth:`subset`.
    """

    left: tuple[str, ...]
    right: tuple[str, ...]
    group: tuple[str, ...]
    row: tuple[int, ...]
    label: tuple[str, ...] | None = None
    extras: dict[str, tuple[str, ...]] = field(default_factory=dict)
    columns: ColumnMap | None = None
    source: str | None = None
    notes: tuple[LoadNote, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        # Accept lists from callers but store tuples, so the dataset cannot change under a split.
        for name in ("left", "right", "group", "row"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.label is not None:
            object.__setattr__(self, "label", tuple(self.label))
        object.__setattr__(self, "extras", {str(k): tuple(v) for k, v in self.extras.items()})
        object.__setattr__(self, "notes", tuple(self.notes))
        n = len(self.left)
        lengths = {"right": len(self.right), "group": len(self.group), "row": len(self.row)}
        if self.label is not None:
            lengths["label"] = len(self.label)
        lengths.update({f"extras['{k}']": len(v) for k, v in self.extras.items()})
        wrong = {k: v for k, v in lengths.items() if v != n}
        if wrong:
            raise DataError(f"PairDataset fields must all have len(left)={n} values, but got {wrong}.")

    def __len__(self) -> int:
        return len(self.left)

    @property
    def modality(self) -> dict[str, str]:
        """Role -> ``"image"`` when every value is an image file path, else ``"text"``."""

        return {side: "image" if are_image_paths(values) else "text"
                for side, values in (("left", self.left), ("right", self.right))}

    def subset(self, indices: Sequence[int]) -> PairDataset:
        """A new dataset with the rows at ``indices`` (positions, not source row numbers), in that order.

        Raises:
            IndexError: An index is outside ``0 <= i < len(self)``.
        """
        idx = [int(i) for i in indices]
        bad = [i for i in idx if not 0 <= i < len(self)]
        if bad:
            raise IndexError(f"subset indices must be in [0, {len(self)}); got {bad[:5]}.")

        def pick(values: tuple) -> tuple:  # type: ignore[type-arg]
            return tuple(values[i] for i in idx)

        return PairDataset(
            left=pick(self.left),
            right=pick(self.right),
            group=pick(self.group),
            row=pick(self.row),
            label=pick(self.label) if self.label is not None else None,
            extras={k: pick(v) for k, v in self.extras.items()},
            columns=self.columns,
            source=self.source,
        )

    def to_frame(self) -> pd.DataFrame:
        """Columns ``left, right, group, row`` (``label`` if any), then the extra columns."""
        data: dict[str, object] = {"left": self.left, "right": self.right, "group": self.group, "row": self.row}
        if self.label is not None:
            data["label"] = self.label
        for name, values in self.extras.items():
            data[name if name not in data else f"extra_{name}"] = values
        frame = pd.DataFrame({k: list(v) for k, v in data.items()})  # type: ignore[call-overload]
        frame["row"] = frame["row"].astype("int64")
        return frame

    def fingerprint(self) -> str:
        """SHA-256 of the content (texts, groups, rows, labels, extras), stable across runs and machines.

        The file name and column names are not part of it: the same pairs give the same fingerprint.
        """
        digest = hashlib.sha256()
        parts: list[tuple[str, object]] = [
            ("left", self.left),
            ("right", self.right),
            ("group", self.group),
            ("row", self.row),
            ("label", self.label),
        ]
        parts += [(f"extra:{k}", self.extras[k]) for k in sorted(self.extras)]
        for name, values in parts:
            # One JSON document per field, length-prefixed, so field boundaries cannot be confused.
            blob = json.dumps([name, values], ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            digest.update(len(blob).to_bytes(8, "big"))
            digest.update(blob)
        return digest.hexdigest()


def load_pairs(
    path: str | Path,
    columns: Mapping[str, str | None] | ColumnMap | None = None,
    *,
    max_rows: int | None = None,
    header: bool = True,
) -> PairDataset:
    """Read a table file, resolve the column roles, validate every cell and build a :class:`PairDataset`.

    Left, right, group and label values are stripped of surrounding whitespace. A row with an
    empty group cell becomes its own group (``"r<row>"``) so it is not tied to other such rows. A
    row that repeats another row's (left, right) pair and has no group value of its own joins that
    row's group (masked, see :mod:`engine.data.pair_groups`). Whatever loading did that a user
    should know is in the dataset's :attr:`~PairDataset.notes`.

    Args:
        path: CSV, TSV, JSONL, Parquet or Excel (.xlsx) file, or a folder of images with a
            manifest (:mod:`engine.images`). In an image manifest the image column is the left
            role and its values become absolute paths of checked pictures.
        columns: Role -> column (missing roles are auto-detected), or a resolved :class:`ColumnMap`
            (used as is), or None to auto-detect everything.
        max_rows: Refuse files with more data rows than this.
        header: Whether the first line of a CSV/TSV/Excel file holds the column names. With
            False every line is a pair and the columns are ``column_1``, ``column_2``, ...

    Returns:
        The validated dataset.

    Raises:
        DataError: The file cannot be read, the columns cannot be resolved, or a cell is invalid.
            The message names the row/column and the fix.
        ConfigError: ``max_rows`` is not a positive integer, or ``columns`` has an unknown role.
    """
    if max_rows is not None and (isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1):
        raise ConfigError(f"max_rows: got {max_rows!r}, expected a positive whole number or None (no limit).")
    from engine.images import loading as images  # image manifests; engine.images imports engine.data, so not above

    path = images.data_file(path)  # a folder: its manifest
    source = Path(path).name
    raw = read_raw(path, limit=None if max_rows is None else max_rows + 1, header=bool(header))
    header_kept = header_is_data(raw)
    if header_kept:  # a file without a header: its first line is a pair, so keep it
        raw = with_header_row(raw)
    frame = raw.frame
    if len(frame) == 0:
        raise DataError(
            f"'{source}' has a header ({', '.join(map(repr, frame.columns))}) but no data rows. Add at least one pair "
            "below the header."
        )
    check_max_rows(len(frame), max_rows, source, truncated=raw.truncated)
    image_map = None if isinstance(columns, ColumnMap) else images.image_roles(frame, columns, path)
    if isinstance(columns, ColumnMap):
        colmap = check_column_map(columns, list(frame.columns))
    elif image_map is not None:
        colmap = image_map
    else:
        colmap = resolve_columns(list(frame.columns), columns, text=text_columns(frame))
    check_cell_lengths(frame, raw.lines, raw.line_label, source)
    check_nested(raw.nested, colmap.used(), source)
    for role in ("left", "right"):
        column = colmap.used()[role]
        check_required_text(frame[column].tolist(), role, column, raw.lines, raw.line_label, source)
    values = {role: [v.strip() for v in frame[col].tolist()] for role, col in colmap.used().items()}
    rows = tuple(range(1, len(frame) + 1))
    image_notes: list[LoadNote] = []
    if image_map is not None or are_image_paths(values["left"]):  # paths -> checked absolute paths
        values["left"], image_notes = images.resolve_images(values["left"], path, rows, raw=raw, source=source,
                                                            column=colmap.left)
    groups, group_notes = assign_groups(values["left"], values["right"], values.get("group"), rows,
                                        column=colmap.group, raw=raw, source=source)
    notes = [*read_notes(raw, colmap, source, header_kept=header_kept), *group_notes, *image_notes]
    if not isinstance(columns, ColumnMap) and image_map is None:  # roles taken by column order are said, not silent
        notes += positional_note(colmap, columns, source)
    for note in notes:  # shown to people through PairDataset.notes, in their language; logged for the record
        logger.info("%s", note.message)
    used = set(colmap.used().values())
    extras = {str(c): tuple(frame[c].tolist()) for c in frame.columns if c not in used}
    data = PairDataset(
        left=tuple(values["left"]),
        right=tuple(values["right"]),
        group=groups,
        row=rows,
        label=tuple(values["label"]) if colmap.label is not None else None,
        extras=extras,
        columns=colmap,
        source=source,
        notes=tuple(notes),
    )
    logger.info("Loaded %d pairs from '%s' with columns %s.", len(data), source, colmap.used())
    return data
