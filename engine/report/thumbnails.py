"""The examples section's pictures: for a run on image pairs, each example as a row of thumbnails.

The stored thumbnails (JPEG, longest side 160 px) go into the report itself: inline ``data:`` URIs
in HTML (so the file stays self-contained and the PDF prints them) and pictures on a slide of the
deck. Texts are plain strings, shortened and made inert for spreadsheets; the writers escape them.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.charts.thumbnails import ShownItem, example_items, has_pictures
from engine.i18n import format as fmt
from engine.i18n import t
from engine.report.safe import neutralise_formula

PICTURE_EXAMPLES = 4  # rows per list: a printed page holds four rows of seven thumbnails
CELL_CHARS = 60
MAX_THUMBNAIL_BYTES = 256 * 1024  # a stored thumbnail is ~5 KB; anything far larger is not one of ours


@dataclass
class PictureCell:
    """One cell: a thumbnail (JPEG bytes) with its text below it, or a text alone.

    Attributes:
        text: Display text (already shortened and neutralised; writers escape it).
        image: The thumbnail's JPEG bytes, or None for a text item.
        relevant: Whether a retrieved item is a correct match (a ✓ is in ``text`` already).
    """

    text: str
    image: bytes | None = None
    relevant: bool | None = None

    @property
    def src(self) -> str:
        """The thumbnail as a ``data:`` URI for an ``<img src>`` ("" without one)."""
        if self.image is None:
            return ""
        return "data:image/jpeg;base64," + base64.b64encode(self.image).decode("ascii")


@dataclass
class PictureTable:
    """Examples as rows of cells: ranks, the query, its correct match and the tuned top 5."""

    caption: str
    columns: list[str]
    rows: list[list[PictureCell]]


def _short(text: Any) -> str:
    value = " ".join(("" if text is None else str(text)).split())
    if len(value) > CELL_CHARS:
        value = value[: CELL_CHARS - 1] + "…"
    return neutralise_formula(value)


def _read(path: Any) -> bytes | None:
    try:
        if path.stat().st_size > MAX_THUMBNAIL_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


def picture_cell(item: ShownItem) -> PictureCell:
    """A shown item as a report cell: its thumbnail and paired text, or its text; ✓ on a match."""
    text = _short(item.caption)
    if item.relevant:
        text = t("photos_ui.RELEVANT", text=text)
    image = _read(item.thumbnail) if item.thumbnail is not None else None
    return PictureCell(text=text, image=image, relevant=item.relevant)


def _rank(value: int | None) -> str:
    return t("photos_ui.RANK_UNKNOWN") if value is None else fmt.number(value)


def picture_table(records: Sequence[Mapping[str, Any]], drill: Mapping[str, Any],
                  texts: Mapping[str, Sequence[str]] | None, what: str) -> PictureTable | None:
    """The first :data:`PICTURE_EXAMPLES` examples of a list as pictures; None for a text-only run.

    Args:
        records: The stored ``wins`` or ``losses`` of one direction of ``analysis/drilldown.json``.
        drill: That direction (``query_side``, ``gallery_side``), for :func:`has_pictures`.
        texts: The run's ``test_pairs.json``: each picture is captioned with its paired text.
        what: The list's name ("Biggest improvements"), for the caption.
    """
    if not records or not has_pictures(drill):
        return None
    rows = []
    for record in records[:PICTURE_EXAMPLES]:
        example = example_items(record, drill, texts)
        ranks = PictureCell(t("photos_ui.REPORT_RANKS", base=_rank(example.base_rank), tuned=_rank(example.tuned_rank)))
        rows.append([ranks, picture_cell(example.query), picture_cell(example.truth),
                     *(picture_cell(item) for item in example.tuned_top)])
    width = max(len(row) for row in rows)
    rows = [row + [PictureCell("")] * (width - len(row)) for row in rows]
    columns = [t("photos_ui.REPORT_RANK"), t("photos_ui.REPORT_QUERY"), t("photos_ui.REPORT_TRUTH"),
               *(t("photos_ui.REPORT_TOP", k=k) for k in range(1, width - 2))]
    return PictureTable(caption=t("photos_ui.REPORT_PICTURES", what=what), columns=columns, rows=rows)
