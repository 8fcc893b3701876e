"""Shared writer for the photo ↔ text sample ZIPs (``photos_*.zip``) built by ``build_photos_*.py``.

A sample ZIP holds ``manifest.csv`` (columns ``image``, ``text``, ``group``, ``label``; ``image`` is
the path inside the archive), the images under ``images/`` and, where the source needs one, a
notice file. Everything that could vary between two runs is pinned, so the same inputs give a
byte-identical archive: PNGs carry no metadata, every entry has the same timestamp and
permissions, and the entries are written in a fixed order.

This module writes nothing by itself; the builders import it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ("image", "text", "group", "label")
IMAGE_DIR = "images"
# ZIP cannot store dates before 1980; one fixed date keeps the archive independent of the clock.
ENTRY_DATE = (1980, 1, 1, 0, 0, 0)
ENTRY_MODE = 0o644 << 16  # rw-r--r-- for the Unix extractors that honour it
PNG_LEVEL = 9


@dataclass(frozen=True)
class Pair:
    """One photo ↔ text pair of a sample.

    Attributes:
        image: The picture.
        text: Its caption.
        group: Pairs of one group are never each other's negatives.
        label: A category for per-category metrics and plots.
    """

    image: Image.Image
    text: str
    group: str
    label: str


def image_name(index: int) -> str:
    """The archive path of the ``index``-th image (0-based): ``images/0001.png`` for index 0."""
    return f"{IMAGE_DIR}/{index + 1:04d}.png"


def png_bytes(image: Image.Image) -> bytes:
    """The image as a PNG without metadata (no time or software chunks), so reruns match byte for byte."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=PNG_LEVEL)
    return buffer.getvalue()


def manifest_bytes(pairs: Sequence[Pair]) -> bytes:
    """``manifest.csv`` for the pairs, UTF-8 with a header row and ``\\n`` line ends."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MANIFEST_COLUMNS)
    for index, pair in enumerate(pairs):
        writer.writerow((image_name(index), pair.text, pair.group, pair.label))
    return buffer.getvalue().encode("utf-8")


def zip_bytes(pairs: Sequence[Pair], extra_files: Iterable[tuple[str, bytes]] = ()) -> bytes:
    """The sample archive: the manifest first, then any extra files (notices), then the images in order.

    PNGs are stored as they are (they are compressed already); text files are deflated.
    """
    entries = [(MANIFEST, manifest_bytes(pairs), zipfile.ZIP_DEFLATED)]
    entries += [(name, data, zipfile.ZIP_DEFLATED) for name, data in extra_files]
    entries += [(image_name(i), png_bytes(p.image), zipfile.ZIP_STORED) for i, p in enumerate(pairs)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, method in entries:
            info = zipfile.ZipInfo(name, date_time=ENTRY_DATE)
            info.compress_type = method
            info.external_attr = ENTRY_MODE
            archive.writestr(info, data)
    return buffer.getvalue()


def write_or_check(outputs: dict[Path, bytes], check: bool) -> int:
    """Write each archive, or with ``check`` compare it with the committed file; returns the exit code.

    Args:
        outputs: Destination -> archive bytes.
        check: Only compare; print the stale files and return 1 if any differ.
    """
    stale = [path for path, data in outputs.items() if not path.is_file() or path.read_bytes() != data]
    if check:
        for path in stale:
            print(f"stale: {path.name} (rerun the builder and commit the result)")
        return 1 if stale else 0
    for path, data in outputs.items():
        path.write_bytes(data)
    return 0
