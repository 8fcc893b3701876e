"""A ZIP of images given to a ``tiltpilot`` command: stored first, then read as its stored ``data.csv``.

A command's data argument may be a table, a folder with a manifest (read in place by
:func:`engine.data.load_pairs`) or a ZIP of images with a manifest. A ZIP is stored like a
dashboard upload (:func:`engine.datasets.store_upload`): into the command's run store when it has
one (``--out``; the dashboard then lists it), else into a temporary store kept for the command.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path

from engine.images.store import ARCHIVE_EXTENSION


def is_archive(path: str | Path) -> bool:
    """Whether ``path`` is a ZIP file (by its extension)."""
    return Path(path).suffix.lower() == ARCHIVE_EXTENSION and Path(path).is_file()


def stored_archive(path: str | Path, store_root: str | Path | None, scratch: ExitStack,
                   columns: Mapping[str, str] | None = None) -> Path:
    """Store a ZIP of images and return its stored ``data.csv``.

    Args:
        path: The ZIP file.
        store_root: The store to keep it in; None: a temporary store removed when ``scratch`` closes.
        scratch: Holds the temporary store open while the command runs.
        columns: Role -> manifest column, as the user gave them.

    Returns:
        The stored entry's ``data.csv`` (columns ``image``, ``text``, ``group``, ``label``).

    Raises:
        DataError: The ZIP is too large, unsafe, or not a valid image dataset (see
            :func:`engine.datasets.store_upload`).
    """
    from engine.datasets import store_upload  # engine.datasets imports this package

    root = store_root if store_root is not None else scratch.enter_context(tempfile.TemporaryDirectory())
    source = Path(path)
    return store_upload(root, source.name, source.read_bytes(), columns=columns).path
