"""Storing an uploaded ZIP of images: the dataset store's entry for it, built in a temporary folder.

:func:`build_image_entry` is called by :func:`engine.datasets.store_upload` with the entry's
temporary folder; that function then writes ``meta.json`` and renames the folder into place, so
nothing half-imported is ever seen. The layout it leaves (see :mod:`engine.images`)::

    data.csv                    image,text[,group][,label]; image = images/<sha256>.<ext>
    images/<sha256>.<ext>       each distinct picture once, named by the SHA-256 of its bytes
    thumbs/<sha256>.jpg         its thumbnail
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine.data.error_text import keyed_error
from engine.data.limits import check_file_size
from engine.data.pair_groups import row_group
from engine.images.archive import extract_members, open_archive, safe_members
from engine.images.checks import check_image
from engine.images.limits import COPY_CHUNK
from engine.images.manifest import IMAGE_NAMES, manifest_member
from engine.images.thumbnails import IMAGES_DIR, THUMB_EXTENSION, THUMBS_DIR, make_thumbnail
from engine.runs.atomic import atomic_write_json, read_json

logger = logging.getLogger(__name__)

ARCHIVE_EXTENSION = ".zip"
IMAGES_KIND = "images"  # meta.json "kind" of an image dataset
DATA_FILE = "data.csv"
COLUMNS = ("image", "text", "group", "label")  # data.csv's columns, in the order of the roles left, right, group, label
_SCRATCH = ".extract"


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (hex), read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(COPY_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def is_stored_images(folder: str | Path) -> bool:
    """Whether ``folder`` is a stored image dataset (its pictures were checked in full when stored)."""
    from engine.datasets import META_FILE  # engine.datasets imports this module

    meta = Path(folder) / META_FILE
    if not meta.is_file():
        return False
    try:
        return read_json(meta).get("kind") == IMAGES_KIND
    except (ValueError, OSError, AttributeError):
        return False


def build_image_entry(entry: Path, data: bytes, source: str,
                      columns: Mapping[str, str | None] | None = None) -> dict[str, Any]:
    """Check a ZIP of images with a manifest and lay it out in ``entry`` (an empty temporary folder).

    Args:
        entry: The entry's temporary folder.
        data: The ZIP's bytes.
        source: The upload's display name, for messages.
        columns: Role -> manifest column (``left`` = image, ``right`` = text; ``image``/``text``
            also accepted); missing roles are detected.

    Returns:
        The entry's meta fields: ``file``, ``rows``, ``columns``, ``mapping``, ``kind``, ``images``.

    Raises:
        DataError: The archive is unsafe (names, links, sizes, ratio), has no manifest, names a
            missing or bad picture, or holds too few usable pairs; the message names the file.
    """
    from engine.data import check_trainable, load_pairs  # engine.data's loader imports this package lazily
    from engine.datasets import META_FILE

    scratch = entry / _SCRATCH
    with open_archive(io.BytesIO(data), source) as archive:
        members = safe_members(archive, source)
        manifest = manifest_member(members, source)
        extract_members(archive, members, scratch, source)
    table = scratch.joinpath(*manifest.split("/"))
    check_file_size(table)  # a manifest is a table: the same limit as a table upload
    found = load_pairs(table, columns)  # every picture checked in full
    if found.modality["left"] != "image":  # read as a table of texts: no column of picture paths
        names = [*(found.columns.used().values() if found.columns else ()), *found.extras]
        raise keyed_error("images.NO_IMAGE_COLUMN", source=manifest, columns=", ".join(map(repr, names)),
                          names=", ".join(IMAGE_NAMES[:6]))
    check_trainable(found)
    folder = table.parent.resolve()
    stored = {path: _keep(Path(path), entry, Path(path).relative_to(folder).as_posix())
              for path in dict.fromkeys(found.left)}
    _write_table(entry / DATA_FILE, found, stored)
    shutil.rmtree(scratch)
    atomic_write_json(entry / META_FILE, {"kind": IMAGES_KIND})  # read back below with header checks only
    pairs = load_pairs(entry / DATA_FILE)
    logger.info("Stored %d pictures for %d pairs from %s.", len(set(stored.values())), len(pairs), source)
    return {
        "file": DATA_FILE,
        "rows": len(pairs),
        "columns": [c for c in COLUMNS if c in pairs.columns.used().values()] if pairs.columns else list(COLUMNS[:2]),
        "mapping": pairs.columns.as_dict() if pairs.columns else None,
        "kind": IMAGES_KIND,
        "images": len(set(stored.values())),
    }


def _keep(path: Path, entry: Path, name: str) -> str:
    """Move a checked picture to ``images/<sha256>.<ext>`` (once per content) with its thumbnail.

    Raises:
        DataError: The thumbnail cannot be made (a picture that decodes but cannot be converted).
    """
    digest = file_sha256(path)
    extension = check_image(path, name, decode=False).extension
    relative = f"{IMAGES_DIR}/{digest}{extension}"
    target = entry / relative
    if not target.exists():
        target.parent.mkdir(exist_ok=True)
        os.replace(path, target)
        try:
            make_thumbnail(target, entry / THUMBS_DIR / f"{digest}{THUMB_EXTENSION}")
        except (OSError, ValueError, SyntaxError, EOFError):  # Pillow's errors for data it cannot convert
            raise keyed_error("images.CORRUPT", name=name) from None
    return relative


def _write_table(path: Path, pairs: Any, stored: Mapping[str, str]) -> None:
    roles = pairs.columns.used() if pairs.columns else {"left": "", "right": ""}
    names = [name for role, name in zip(("left", "right", "group", "label"), COLUMNS, strict=True) if role in roles]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for i in range(len(pairs)):
            row = [stored[pairs.left[i]], pairs.right[i]]
            if "group" in roles:  # the cell as given: a row's own group ("r<row>") is written empty
                row.append("" if pairs.group[i] == row_group(pairs.row[i]) else pairs.group[i])
            if "label" in roles:
                row.append(pairs.label[i])
            writer.writerow(row)
