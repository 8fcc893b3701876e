"""Which shown items are stored pictures, and their thumbnails: shared by the pages and the report.

A run on image pairs stores an image item's "text" as the absolute path of the stored picture
(``<store>/datasets/<digest>/images/<sha256>.<ext>``); its thumbnail sits beside it in ``thumbs/``
(:func:`engine.images.thumbnail_path`). Anything else, including a relative path or a text that
only looks like a file name, is shown as text. An image item's caption is the text it is paired
with in the run's test split (``test_pairs.json``), so a person sees what the picture stands for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.i18n import t
from engine.images.thumbnails import thumbnail_path
from engine.names import SIDES

MAX_PATH_CHARS = 4096  # longer "paths" are user text, never a stored picture
TOP_SHOWN = 5


@dataclass(frozen=True)
class ShownItem:
    """One item of a per-query example.

    Attributes:
        text: The item's stored text; for a picture, its absolute path.
        thumbnail: The stored thumbnail (a JPEG) when the item is a stored picture, else None.
        caption: For a picture, the text it is paired with in the test split ("" when unknown);
            for a text item, the text itself.
        relevant: For a retrieved item, whether it belongs to the query's group; None otherwise.
    """

    text: str
    thumbnail: Path | None
    caption: str
    relevant: bool | None = None


@dataclass(frozen=True)
class ExampleItems:
    """A drill-down example (one query) with each shown item resolved to a picture or a text."""

    base_rank: int | None
    tuned_rank: int | None
    query: ShownItem
    truth: ShownItem
    base_top: list[ShownItem] = field(default_factory=list)
    tuned_top: list[ShownItem] = field(default_factory=list)


def item_thumbnail(item: Any) -> Path | None:
    """The thumbnail of an item that is a stored picture's absolute path; None for anything else.

    Args:
        item: An item's stored text (a user text, or an image item's absolute path).

    Returns:
        ``.../thumbs/<sha256>.jpg`` when ``item`` is an absolute path to ``.../images/<name>``
        whose thumbnail exists, else None.
    """
    if not isinstance(item, str) or not item or len(item) > MAX_PATH_CHARS or "\x00" in item:
        return None
    path = Path(item)
    if not path.is_absolute():  # user text such as "images/a.png" must never resolve against the cwd
        return None
    try:
        return thumbnail_path(path)
    except (OSError, ValueError):
        return None


def _other(side: str) -> str:
    return SIDES[1 - SIDES.index(side)]


def _caption(texts: Mapping[str, Sequence[str]] | None, side: str, index: Any) -> str:
    """The text paired with item ``index`` of ``side`` in the test split ("" when unknown)."""
    values = (texts or {}).get(_other(side)) if side in SIDES else None
    if values is None or isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(values):
        return ""
    return str(values[index])


def shown_item(text: Any, side: str, index: Any, texts: Mapping[str, Sequence[str]] | None,
               relevant: bool | None = None) -> ShownItem:
    """An item as the pages and the report show it: a thumbnail with its paired text, or the text.

    Args:
        text: The item's stored text (an image item's absolute path).
        side: ``"left"`` or ``"right"``: the side the item is on.
        index: The item's index in the test split (its pair), or None.
        texts: The run's ``test_pairs.json`` (``{"left": [...], "right": [...]}``), or None.
        relevant: For a retrieved item, whether it is one of the query's matches.
    """
    value = "" if text is None else str(text)
    thumbnail = item_thumbnail(value)
    caption = _caption(texts, side, index) if thumbnail is not None else value
    return ShownItem(text=value, thumbnail=thumbnail, caption=caption, relevant=relevant)


def _top(record: Mapping[str, Any], model: str, side: str,
         texts: Mapping[str, Sequence[str]] | None) -> list[ShownItem]:
    items = list(record.get(f"{model}_topk_texts") or [])[:TOP_SHOWN]
    indices = list(record.get(f"{model}_topk") or [])
    marks = list(record.get(f"{model}_topk_relevant") or [])
    return [shown_item(text, side, indices[i] if i < len(indices) else None, texts,
                       bool(marks[i]) if i < len(marks) else None) for i, text in enumerate(items)]


def _rank(value: Any) -> int | None:
    return None if value is None else int(value)


def example_items(record: Mapping[str, Any], drill: Mapping[str, Any],
                  texts: Mapping[str, Sequence[str]] | None) -> ExampleItems:
    """One stored drill-down example (``wins``/``losses`` of ``analysis/drilldown.json``), resolved.

    Args:
        record: The example, with the texts :func:`engine.analysis.evidence.drilldown.attach_texts` adds.
        drill: Its direction of ``drilldown.json`` (``query_side``, ``gallery_side``).
        texts: The run's ``test_pairs.json``, for the pictures' captions; None shows pictures uncaptioned.
    """
    query_side, gallery_side = str(drill.get("query_side", SIDES[0])), str(drill.get("gallery_side", SIDES[1]))
    return ExampleItems(
        base_rank=_rank(record.get("base_rank")),
        tuned_rank=_rank(record.get("tuned_rank")),
        query=shown_item(record.get("query_text"), query_side, record.get("query"), texts),
        truth=shown_item(record.get("true_text"), gallery_side, record.get("true_index"), texts),
        base_top=_top(record, "base", gallery_side, texts),
        tuned_top=_top(record, "tuned", gallery_side, texts),
    )


def has_pictures(drill: Mapping[str, Any] | None) -> bool:
    """Whether any shown item of a drill-down direction is a stored picture (the run is on image pairs)."""
    for record in [*((drill or {}).get("wins") or []), *((drill or {}).get("losses") or [])]:
        candidates = [record.get("query_text"), record.get("true_text"), *(record.get("tuned_topk_texts") or [])]
        if any(item_thumbnail(c) is not None for c in candidates):
            return True
    return False


def has_picture_items(texts: Mapping[str, Sequence[str]] | None) -> bool:
    """Whether a run's test split (``test_pairs.json``) holds stored pictures (checks each side's first item)."""
    return any(values and item_thumbnail(values[0]) is not None for values in (texts or {}).values())


def hover_texts(texts: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """``test_pairs.json`` texts for a chart's hover: a picture's path becomes "[photo] <its paired text>".

    A hover box cannot show a picture (plotly draws text only), and a server path means nothing
    to a reader; the paired text says what the picture shows. The page shows the picture itself
    when the point is clicked.
    """
    shown: dict[str, list[str]] = {}
    for side in SIDES:
        values = list(texts.get(side) or [])
        shown[side] = [t("photos_ui.PHOTO_HOVER", text=_caption(texts, side, i)) if item_thumbnail(v) else str(v)
                       for i, v in enumerate(values)]
    return shown
