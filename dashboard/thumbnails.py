"""Pictures on the pages: thumbnails of stored images, each with its text shown as plain text.

``st.image`` renders a caption as Markdown, so a picture's text (user data) never goes into the
caption: it is written below the picture with ``st.text``, and into ``alt`` (an attribute, never
parsed). Which items are pictures is decided by the engine (:mod:`engine.charts.thumbnails`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import streamlit as st

from engine.charts.thumbnails import ExampleItems, ShownItem, example_items, item_thumbnail
from engine.datasets import StoredDataset, preview
from engine.i18n import t
from engine.images.thumbnails import IMAGES_DIR, thumbnail_path

THUMB_PX = 120  # shown width; stored thumbnails are 160 px, so they stay sharp
CAPTION_CHARS = 90  # a caption longer than this is cut: the full text is in the tables
PREVIEW_PAIRS = 12
PREVIEW_PER_ROW = 6
PICTURE_EXAMPLES = 5  # wins and losses shown with pictures, each (the drill-down keeps up to 10)


def short(text: Any, max_chars: int = CAPTION_CHARS) -> str:
    value = "" if text is None else " ".join(str(text).split())
    return value if len(value) <= max_chars else value[: max_chars - 1] + "…"


def picture(path: Path | None, text: str) -> None:
    """A thumbnail (or a note that there is none) with its text below it, as plain text."""
    if path is not None:
        st.image(str(path), width=THUMB_PX, alt=short(text) or None)
    else:
        st.caption(t("photos_ui.NO_THUMBNAIL"))
    if text:
        st.text(short(text))


def show_item(item: ShownItem) -> None:
    """A shown item: its thumbnail and paired text for a picture, else the text itself; ✓ on a match."""
    text = short(item.caption)
    if item.relevant:
        text = t("photos_ui.RELEVANT", text=text)
    if item.thumbnail is not None:
        picture(item.thumbnail, text)
    else:
        st.text(text)


def _rank(value: int | None) -> str:
    return t("photos_ui.RANK_UNKNOWN") if value is None else str(value)


def _row(title: str, items: Sequence[ShownItem]) -> None:
    st.caption(title)
    if not items:
        return
    for column, item in zip(st.columns(len(items)), items, strict=True):
        with column:
            show_item(item)


def example_card(example: ExampleItems) -> None:
    """One query: the rank change, the query and its correct match, then both top-5 lists."""
    with st.container(border=True):
        st.text(t("photos_ui.EXAMPLE_RANKS", base=_rank(example.base_rank), tuned=_rank(example.tuned_rank)))
        query, truth = st.columns(2)
        with query:
            st.caption(t("photos_ui.EXAMPLE_QUERY"))
            show_item(example.query)
        with truth:
            st.caption(t("photos_ui.EXAMPLE_TRUTH"))
            show_item(example.truth)
        _row(t("photos_ui.EXAMPLE_BASE_TOP"), example.base_top)
        _row(t("photos_ui.EXAMPLE_TUNED_TOP"), example.tuned_top)


def example_pictures(records: Sequence[Mapping[str, Any]], drill: Mapping[str, Any],
                     texts: Mapping[str, Sequence[str]] | None) -> None:
    """The first :data:`PICTURE_EXAMPLES` drill-down examples of a list, as picture cards."""
    for record in records[:PICTURE_EXAMPLES]:
        example_card(example_items(record, drill, texts))


def pair_panel(pair: int, texts: Mapping[str, Sequence[str]], names: Mapping[str, str]) -> None:
    """Both sides of one test pair (the latent map's clicked point): pictures as thumbnails."""
    for side, name in names.items():
        values = texts.get(side) or []
        if not 0 <= pair < len(values):
            continue
        st.caption(name)
        thumb = item_thumbnail(values[pair])
        if thumb is not None:
            picture(thumb, "")
        else:
            st.text(short(values[pair], 400))


def dataset_preview(entry: StoredDataset, n: int = PREVIEW_PAIRS) -> None:
    """The first ``n`` pairs of a stored image dataset: a grid of thumbnails with their texts."""
    frame = preview(entry, n=n)
    mapping = entry.mapping or {}
    image_col, text_col = mapping.get("left"), mapping.get("right")
    if image_col not in frame.columns or text_col not in frame.columns:
        return
    st.subheader(t("photos_ui.PREVIEW_TITLE", n=len(frame)))
    folder = entry.path.parent
    rows = list(zip(frame[image_col], frame[text_col], strict=True))
    for start in range(0, len(rows), PREVIEW_PER_ROW):
        for column, (image, text) in zip(st.columns(PREVIEW_PER_ROW), rows[start:start + PREVIEW_PER_ROW]):
            with column:
                picture(_stored_thumbnail(folder, str(image)), str(text))


def _stored_thumbnail(folder: Path, cell: str) -> Path | None:
    # data.csv names images/<sha256>.<ext> inside the entry; anything else is not looked up
    parts = Path(cell).parts
    if len(parts) != 2 or parts[0] != IMAGES_DIR or parts[1] in ("..", "."):
        return None
    return thumbnail_path(folder / cell)
