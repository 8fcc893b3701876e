"""The Data page's path for a photo archive: a ZIP of pictures with a manifest.

A ZIP cannot be previewed as a table: its pictures are only read once checked, and checking them
is storing them (:func:`engine.datasets.store_upload`, which keeps nothing when a check fails).
So the page offers one button that checks and stores it, then shows the stored pairs with their
thumbnails. The same bytes uploaded again are found by their digest and shown without a click.
"""

from __future__ import annotations

import streamlit as st

from dashboard import icons, notices, services, state, strings, thumbnails
from engine.datasets import META_FILE, StoredDataset, store_upload
from engine.errors import EngineError
from engine.i18n import t
from engine.images.store import ARCHIVE_EXTENSION
from engine.runs.atomic import read_json_or


def is_archive(name: str) -> bool:
    """Whether an uploaded file is a photo archive (by its extension; its content is checked on storing)."""
    return str(name).lower().endswith(ARCHIVE_EXTENSION)


def stored_entry(root: str, digest: str) -> StoredDataset | None:
    """The stored dataset with these bytes' digest, if the archive was stored before."""
    return next((d for d in services.datasets(root, services.datasets_mtime(root)) if d.digest == digest), None)


def photo_upload(root: str, name: str, data: bytes) -> None:
    """Check-and-store button for an uploaded ZIP, then the stored pairs with their thumbnails."""
    entry = stored_entry(root, services.digest(data))
    if entry is None:
        offer = st.empty()  # the intro and the button go once the archive is stored
        with offer.container():
            st.info(t("photos_ui.ZIP_INTRO"), icon=icons.INFO)
            clicked = st.button(t("photos_ui.ZIP_STORE"), key=state.STORE_PHOTOS, help=t("photos_ui.ZIP_STORE_HELP"),
                                type="primary")
        if not clicked:
            return
        offer.empty()
        try:
            with st.spinner(t("photos_ui.ZIP_CHECKING")):
                entry = store_upload(root, name, data)
        except EngineError as exc:
            notices.error(exc)
            return
    images = (read_json_or(entry.path.parent / META_FILE) or {}).get("images", entry.rows)
    st.success(notices.plain(t("photos_ui.ZIP_STORED", name=entry.name, rows=entry.rows, images=images)))
    thumbnails.dataset_preview(entry)
    st.page_link("views/train.py", label=strings.DATA_GO_TRAIN, icon=icons.TRAIN)
