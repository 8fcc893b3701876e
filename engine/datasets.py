"""Content-addressed storage of uploaded datasets, for reuse from the dashboard's Data page.

Each distinct upload lives once, under the first 16 hex digits of the SHA-256 of its bytes::

    <store_root>/datasets/<digest[:16]>/data<ext>
    <store_root>/datasets/<digest[:16]>/meta.json

An upload is validated with :func:`engine.data.load_pairs` before it is kept, so a bad file
raises the engine's :class:`~engine.errors.DataError` and leaves nothing behind. The entry is
assembled in a hidden temporary folder and renamed into place in one step, so a reader never
sees a half-written entry.

Typical use::

    entry = store_upload("store", "catalogue.csv", data)
    table = preview(entry, n=20)
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from engine.data import SUPPORTED_EXTENSIONS, check_trainable, load_pairs
from engine.data.formats import read_raw
from engine.data.limits import MAX_FILE_MB
from engine.errors import ConfigError, DataError
from engine.images.store import ARCHIVE_EXTENSION, build_image_entry
from engine.runs.atomic import atomic_write_json, read_json
from engine.runs.ids import is_valid_id

logger = logging.getLogger(__name__)

MAX_UPLOAD_MB = MAX_FILE_MB  # one home: engine/data/limits.py (equals server.maxUploadSize; a test compares them)
DATASETS_DIR = "datasets"
META_FILE = "meta.json"
_FOLDER_DIGITS = 16
_MAX_SLUG_CHARS = 80
_TEMP_PREFIX = ".upload-"


@dataclass(frozen=True)
class StoredDataset:
    """One stored upload.

    Attributes:
        digest: SHA-256 of the file's bytes (hex).
        name: Safe display name: the slugified original name plus its extension.
        path: The stored data file.
        size_bytes: File size.
        rows: Number of pairs ``load_pairs`` found.
        columns: Column names of the table, in file order.
        created: When it was first stored (seconds since the epoch).
        mapping: Role -> column as resolved at upload (``None`` for an unused role).
        original_name: The name as uploaded, verbatim (treat as untrusted text).
        names: Every original name the same bytes were uploaded under, first one first.
    """

    digest: str
    name: str
    path: Path
    size_bytes: int
    rows: int
    columns: list[str]
    created: float
    mapping: dict | None
    original_name: str = ""
    names: list[str] = field(default_factory=list)


def datasets_dir(store_root: str | Path) -> Path:
    """The folder that holds the stored datasets."""
    return Path(store_root) / DATASETS_DIR


def safe_name(name: str) -> str:
    """A file name that is safe to show and to write: slugified stem plus a supported extension.

    Raises:
        DataError: The extension is not one the engine can read.
    """
    base = re.split(r"[/\\]", str(name))[-1]
    # rpartition, not splitext: splitext treats "....csv" or ".csv" as a stem without extension.
    stem, dot, ext = base.rpartition(".")
    stem, ext = (stem, dot + ext) if dot else (base, "")
    if ext.lower() not in SUPPORTED_EXTENSIONS and ext.lower() != ARCHIVE_EXTENSION:  # .zip: images + manifest
        raise DataError(
            f"The uploaded file {name!r} has the extension {ext or '(none)'!r}, which is not supported. Supported: "
            f"{', '.join(SUPPORTED_EXTENSIONS)}. Save or export the table in one of these formats."
        )
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_stem).strip("-_")[:_MAX_SLUG_CHARS].strip("-_")
    return (slug or "dataset") + ext.lower()


def store_upload(
    store_root: str | Path, name: str, data: bytes, *, columns: Mapping[str, str] | None = None
) -> StoredDataset:
    """Validate an uploaded table and store it once per distinct content.

    A ``.zip`` is a set of pictures with a manifest: it is stored as ``data.csv`` plus
    ``images/`` and ``thumbs/`` (:mod:`engine.images`), with the same guarantees.

    Args:
        store_root: The store folder (the datasets go in its ``datasets/`` subfolder).
        name: The file name as uploaded; only its extension is trusted.
        data: The file's bytes.
        columns: Role -> column for ``load_pairs``; missing roles are auto-detected.

    Returns:
        The stored entry; for bytes already stored, the existing entry (with ``name`` added to
        its ``names``).

    Raises:
        DataError: The upload is too large, has an unsupported extension, is not valid paired
            data (the engine's message, naming the row/column and the fix), or cannot be trained
            on (:func:`engine.data.check_trainable`: too few distinct pairs).
        ConfigError: ``columns`` names an unknown role.
    """
    data = bytes(data)
    limit = MAX_UPLOAD_MB * 1024 * 1024
    if len(data) > limit:
        raise DataError(
            f"The upload {name!r} is {len(data) / 1024 / 1024:.1f} MB, over the limit of {MAX_UPLOAD_MB} MB. "
            "Split the file into smaller parts, or raise server.maxUploadSize in .streamlit/config.toml together "
            "with engine.datasets.MAX_UPLOAD_MB."
        )
    display = safe_name(name)
    ext = os.path.splitext(display)[1]
    digest = hashlib.sha256(data).hexdigest()
    root = datasets_dir(store_root)
    root.mkdir(parents=True, exist_ok=True)
    if ext == ARCHIVE_EXTENSION:
        return _store_images(root, name, display, data, digest, columns)
    tmp_dir = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX, dir=root))
    try:
        # Validate under the display name, so the engine's messages name the user's file.
        candidate = tmp_dir / display
        with open(candidate, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        pairs = load_pairs(candidate, columns)
        check_trainable(pairs)  # refuse at Save what every training job would fail on later
        final = root / digest[:_FOLDER_DIGITS]
        if (final / META_FILE).is_file():
            return _add_name(final, name)
        all_columns = {*(pairs.columns.used().values() if pairs.columns else ()), *pairs.extras}
        head = [str(c) for c in read_raw(candidate, limit=1).frame.columns]
        ordered = [c for c in head if c in all_columns] + sorted(all_columns - set(head))
        os.replace(candidate, tmp_dir / f"data{ext}")
        meta = {
            "digest": digest,
            "name": display,
            "original_name": name,
            "names": [name],
            "file": f"data{ext}",
            "size_bytes": len(data),
            "rows": len(pairs),
            "columns": ordered,
            "mapping": pairs.columns.as_dict() if pairs.columns else None,
            "created": time.time(),
        }
        stored = _publish(tmp_dir, final, meta, name)
        logger.info("Stored dataset %s (%d pairs) as %s.", display, len(pairs), final)
        return stored
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def _publish(tmp_dir: Path, final: Path, meta: dict, name: str) -> StoredDataset:
    """Write ``meta.json`` last and rename the checked temporary folder into place in one step."""
    atomic_write_json(tmp_dir / META_FILE, meta)
    if final.exists():
        shutil.rmtree(final)  # a folder without meta.json is a crashed, half-written entry
    try:
        os.replace(tmp_dir, final)
    except OSError:
        if (final / META_FILE).is_file():  # another process stored the same bytes first
            return _add_name(final, name)
        raise
    return _from_folder(final)


def _store_images(root: Path, name: str, display: str, data: bytes, digest: str,
                  columns: Mapping[str, str] | None) -> StoredDataset:
    """Store a ZIP of images with a manifest (:mod:`engine.images`) with the guarantees of a table upload.

    The entry (``data.csv``, ``images/``, ``thumbs/``) is built and checked in a hidden temporary
    folder, then renamed into place with its ``meta.json`` in one step.
    """
    final = root / digest[:_FOLDER_DIGITS]
    if (final / META_FILE).is_file():  # the same bytes were checked and stored before
        return _add_name(final, name)
    tmp_dir = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX, dir=root))
    try:
        meta = build_image_entry(tmp_dir, data, display, columns)
        meta |= {"digest": digest, "name": display, "original_name": name, "names": [name],
                 "size_bytes": len(data), "created": time.time()}
        stored = _publish(tmp_dir, final, meta, name)
        logger.info("Stored image dataset %s (%d pairs, %d pictures) as %s.", display, meta["rows"], meta["images"],
                    final)
        return stored
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def _add_name(folder: Path, name: str) -> StoredDataset:
    meta = read_json(folder / META_FILE)
    if name not in meta.get("names", []):
        meta["names"] = [*meta.get("names", []), name]
        atomic_write_json(folder / META_FILE, meta)
    logger.info("Upload %r has the same bytes as stored dataset %s; not stored again.", name, folder.name)
    return _from_folder(folder)


def _from_folder(folder: Path) -> StoredDataset:
    meta = read_json(folder / META_FILE)
    return StoredDataset(
        digest=meta["digest"],
        name=meta["name"],
        path=folder / meta["file"],
        size_bytes=int(meta["size_bytes"]),
        rows=int(meta["rows"]),
        columns=list(meta["columns"]),
        created=float(meta["created"]),
        mapping=meta.get("mapping"),
        original_name=meta.get("original_name", ""),
        names=list(meta.get("names", [])),
    )


def list_datasets(store_root: str | Path) -> list[StoredDataset]:
    """Every complete stored dataset, newest first; temporary and half-written folders are skipped."""
    root = datasets_dir(store_root)
    if not root.is_dir():
        return []
    found = []
    for folder in root.iterdir():
        if folder.name.startswith(".") or not (folder / META_FILE).is_file():
            continue
        try:
            found.append(_from_folder(folder))
        except (ValueError, KeyError, TypeError) as exc:  # corrupt meta.json: skip it, keep the page usable
            logger.warning("Skipping dataset folder %s: unreadable %s (%s).", folder, META_FILE, exc)
    return sorted(found, key=lambda d: (-d.created, d.digest))


def get_dataset(store_root: str | Path, digest_prefix: str) -> StoredDataset:
    """The stored dataset whose digest starts with ``digest_prefix``.

    Raises:
        DataError: The prefix is not hexadecimal, matches nothing, or matches several datasets.
    """
    prefix = str(digest_prefix).strip().lower()
    if not is_valid_id("dataset", prefix):
        raise DataError(
            f"Dataset id {digest_prefix!r} is not a hexadecimal digest prefix. Use the id shown in the dataset list "
            "(e.g. the first 8 characters of the digest)."
        )
    datasets = list_datasets(store_root)
    matches = [d for d in datasets if d.digest.startswith(prefix)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        known = ", ".join(d.digest[:12] for d in datasets[:10]) or "none"
        raise DataError(
            f"No stored dataset has an id starting with '{prefix}'. Stored: {known}. Upload the file again or pick "
            "one of the stored ids."
        )
    raise DataError(
        f"The id '{prefix}' matches {len(matches)} datasets ({', '.join(d.digest[:12] for d in matches)}). "
        "Give more characters of the id."
    )


def preview(dataset: StoredDataset | Path, n: int = 20) -> pd.DataFrame:
    """The first ``n`` rows of the raw table, every cell a ``str`` (before any column mapping).

    Raises:
        ConfigError: ``n`` is not a positive whole number.
        DataError: The file cannot be read.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ConfigError(f"preview n: got {n!r}, expected a positive whole number of rows.")
    path = dataset.path if isinstance(dataset, StoredDataset) else Path(dataset)
    # Read only n rows: the page shows a preview on every rerun and files may be 50 MB.
    return read_raw(path, limit=n).frame.reset_index(drop=True)


def register_sample(
    store_root: str | Path, sample_path: str | Path, *, columns: Mapping[str, str] | None = None
) -> StoredDataset:
    """Store the bundled sample catalogue (for "Load sample" on Home); a no-op if already stored.

    Args:
        store_root: The store folder.
        sample_path: The sample file.
        columns: Role -> column, for a sample whose column names are not detected (passed to
            :func:`store_upload`).

    Raises:
        DataError: The sample file is missing or not valid paired data.
    """
    path = Path(sample_path)
    if not path.is_file():
        raise DataError(
            f"Sample file not found: '{path}'. Reinstall tiltpilot or point to sample_data/catalogue.csv in the "
            "repository."
        )
    return store_upload(store_root, path.name, path.read_bytes(), columns=columns)


# The bundled photo ↔ text samples (a ZIP with manifest.csv + images/, built by
# sample_data/build_photos_*.py), for the Start page to offer next to the text samples (TEXT_SAMPLES below).
# Their manifest columns are the standard image/text/group/label, so no column mapping is needed.
SAMPLE_DATA_DIR = Path(__file__).resolve().parents[1] / "sample_data"
PHOTO_SAMPLES = {
    "fashion": SAMPLE_DATA_DIR / "photos_fashion.zip",  # Fashion-MNIST, category sentences, group = category
    "fashion_ja": SAMPLE_DATA_DIR / "photos_fashion_ja.zip",  # the same photos, Japanese sentences
    "products": SAMPLE_DATA_DIR / "photos_products.zip",  # drawn products, one unique caption each
    "products_ja": SAMPLE_DATA_DIR / "photos_products_ja.zip",  # the same pictures, Japanese captions
}
# The bundled text samples (title ↔ description tables): the default one the dashboard offers
# (--data / TILTPILOT_SAMPLE override it) and the Japanese catalogue.
TEXT_SAMPLES = {
    "catalogue": SAMPLE_DATA_DIR / "catalogue.csv",
    "catalogue_ja": SAMPLE_DATA_DIR / "catalogue_ja.csv",
}
# Role -> column of samples whose headers the loader does not detect: the Japanese catalogue's
# headers, mapped explicitly (the roles of COLUMN_ROLES in sample_data/build_catalogue_ja.py), so
# it loads whether or not the loader knows Japanese names.
SAMPLE_COLUMNS: dict[str, dict[str, str]] = {
    "catalogue_ja": {"left": "商品名", "right": "商品説明", "group": "商品ID", "label": "カテゴリ"},
}
