"""What :func:`engine.data.load_pairs` does for image data: find a folder's manifest, tell an image
manifest by its columns, and turn each image cell into the absolute path of a checked picture.

Paths in a manifest are relative to the manifest's folder and must stay inside it: an absolute
path, a drive letter, a ``..`` part or a symbolic link anywhere on the way is refused. Every
picture is checked (:func:`engine.images.check_image`); in a stored dataset, whose pictures were
checked when it was stored, only their headers are read again. Pictures with the same bytes get
one path, so the trainer never puts them in one batch (as with a repeated text) and the loader
says which rows repeat a picture.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from engine.data.columns import ColumnMap
from engine.data.dataset import IMAGE_EXTENSIONS
from engine.data.error_text import keyed_error
from engine.data.load_notes import LoadNote, rows_note
from engine.data.raw_table import RawTable
from engine.errors import DataError
from engine.images.archive import DRIVE_LETTER
from engine.images.checks import check_image
from engine.images.manifest import image_column_map, manifest_file
from engine.images.store import ARCHIVE_EXTENSION, file_sha256, is_stored_images


def data_file(path: str | Path) -> Path:
    """The table to read for ``path``: a folder's manifest, else ``path`` itself.

    Raises:
        DataError: A folder holds no manifest (or two); ``path`` is a ZIP, which is read only
            once stored (:func:`engine.datasets.store_upload`, or the CLI, which stores it).
    """
    target = Path(path).expanduser()
    if target.is_dir():
        return manifest_file(target)
    if target.suffix.lower() == ARCHIVE_EXTENSION:
        raise keyed_error("images.ZIP_NOT_STORED", source=target.name)
    return target


def image_roles(frame: pd.DataFrame, columns: Mapping[str, str | None] | None, path: str | Path) -> ColumnMap | None:
    """The roles of ``frame`` when it is an image manifest (image = left), else None (a table of texts)."""
    return image_column_map(frame, columns, source=Path(path).name)


def resolve_images(
    values: Sequence[str],
    manifest: str | Path,
    rows: Sequence[int],
    *,
    raw: RawTable,
    source: str,
    column: str,
) -> tuple[list[str], list[LoadNote]]:
    """Absolute paths of the checked pictures named in ``values``, and a note on repeated pictures.

    Args:
        values: The image cells, stripped.
        manifest: The manifest file; paths are relative to its folder.
        rows: 1-based data rows of the cells.
        raw: The table as read (where each row sits in the file, for the note).
        source: The manifest's name, for messages.
        column: The image column's name, for messages.

    Returns:
        One absolute path per row (the first path of equal bytes for every copy), and the notes.

    Raises:
        DataError: A path is absolute, leaves the folder, passes a link, does not name an image,
            or names a missing, unreadable, corrupt or too large picture. The message names the
            row, the path as written and the fix.
    """
    folder = Path(manifest).expanduser().resolve().parent
    header_only = is_stored_images(folder)  # checked in full when stored; its names are content hashes
    checked: dict[Path, str] = {}
    by_content: dict[str, str] = {}
    out: list[str] = []
    for value, row in zip(values, rows, strict=True):
        target = _inside(folder, value, row=row, column=column, source=source)
        if target not in checked:
            try:
                check_image(target, value, decode=not header_only)
            except DataError as exc:  # the same message, with the row in front
                fields = exc.message_fields  # type: ignore[attr-defined]
                raise keyed_error(exc.message_key, row=row, column=column, **fields) from None  # type: ignore[attr-defined]
            path = str(target)
            checked[target] = path if header_only else by_content.setdefault(file_sha256(target), path)
        out.append(checked[target])
    seen: set[str] = set()
    repeats = []
    for path, row in zip(out, rows, strict=True):
        if path in seen:
            repeats.append(row)
        seen.add(path)
    notes = [rows_note("duplicate_images", "images.DUPLICATE_IMAGES", repeats, raw, source=source)] if repeats else []
    return out, notes


def _inside(folder: Path, value: str, *, row: int, column: str, source: str) -> Path:
    """``folder / value`` after refusing what could leave the folder or is not an image file."""
    text = str(value).replace("\\", "/")
    fields = {"row": row, "column": column, "source": source, "name": value}
    if text.startswith("/") or DRIVE_LETTER.match(text) or "://" in text:
        raise keyed_error("images.ABSOLUTE_PATH", **fields)
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise keyed_error("images.OUTSIDE_PATH", **fields)
    if not text.lower().endswith(IMAGE_EXTENSIONS):
        raise keyed_error("images.NOT_IMAGE_NAME", extensions=", ".join(IMAGE_EXTENSIONS), **fields)
    target = folder
    try:
        for part in parts:
            target = target / part
            if target.is_symlink():
                raise keyed_error("images.LINK_PATH", **fields)
        if not target.is_file():
            raise keyed_error("images.MISSING_IMAGE", **fields)
        inside = target.resolve().is_relative_to(folder)
    except (OSError, ValueError) as exc:  # a name the system cannot look up (too long, a NUL byte)
        if isinstance(exc, DataError):
            raise
        raise keyed_error("images.MISSING_IMAGE", **fields) from None
    if not inside:
        raise keyed_error("images.OUTSIDE_PATH", **fields)
    return target
