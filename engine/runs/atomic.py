"""Atomic file writes: write to a temporary file in the same folder, fsync, then rename.

A reader (the dashboard polling a running job) therefore sees either the old file or the new
one, never half a file, and a crash never leaves a truncated JSON behind. A crash can leave the
temporary file itself behind; its name says so (:func:`is_temp_file`) and ``tiltpilot doctor``
removes it. A full disk or a permission problem raises
:class:`~engine.runs.store_errors.StoreWriteError` naming the path.
"""

from __future__ import annotations

import io
import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from engine.runs.store_errors import write_guard

logger = logging.getLogger(__name__)

# Temporary files are ".<final name>.<random>.tmp" next to the final file (one home for the shape).
TEMP_PREFIX = "."
TEMP_SUFFIX = ".tmp"


def is_temp_file(path: str | Path) -> bool:
    """Whether ``path`` is named like a temporary file of an atomic write."""
    name = Path(path).name
    return name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)


def atomic_write_stream(path: str | Path, write: Callable[[BinaryIO], None]) -> None:
    """Atomically replace ``path`` with what ``write(handle)`` writes (for large binary files).

    Raises:
        StoreWriteError: The disk is full, permission is missing, or the disk is read-only.
    """
    path = Path(path)
    with write_guard(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    atomic_write_stream(path, lambda handle: handle.write(data))


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def _default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serialisable")


def atomic_write_json(path: str | Path, obj: Any) -> None:
    # allow_nan=False: NaN is not JSON, and a reader in another language would choke on it.
    atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=False, default=_default, allow_nan=False) + "\n")


def atomic_write_npz(path: str | Path, **arrays: np.ndarray) -> None:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    atomic_write_bytes(path, buffer.getvalue())


def read_json(path: str | Path, default: Any = None) -> Any:
    path = Path(path)
    if not path.is_file():
        return default
    return json.loads(path.read_text(encoding="utf-8"))


def read_json_or(path: str | Path, default: Any = None) -> Any:
    """Like :func:`read_json`, but a damaged file (truncated, not JSON, unreadable) reads as ``default``.

    For readers that show evidence (pages, the report, the ROI): one damaged run file must not
    break a page; the store's own checks (``RunStore.list_runs``, ``tiltpilot doctor``) report it.
    """
    try:
        return read_json(path, default)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        logger.warning("%s is damaged (%s); read as missing", path, exc)
        return default
