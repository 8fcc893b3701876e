"""Is the first line of a table its column names, or already a pair?

A file exported without a header still has its first line read as the column names, and the
user then maps roles to names such as "red kettle model 0". Such a line is kept as the first
pair instead of being lost; a line that looks like ordinary column names stays the header. Either
way the load notes say which (see :mod:`engine.data.load_notes`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from engine.data.columns import ROLE_CANDIDATES, normalise_name
from engine.data.raw_table import RawTable

# Column names that mark a line as a header although auto-detection does not map them to a role:
# what a Japanese catalogue export writes (normalised as by normalise_name).
HEADER_WORDS = ("名前", "商品名", "品名", "名称", "タイトル", "見出し", "説明", "商品説明", "説明文", "詳細", "本文",
                "商品id", "商品コード", "品番", "型番", "カテゴリ", "カテゴリー", "分類", "グループ", "ラベル")
DATA_WORDS = 5  # a column name has fewer words than this; a description has more
DATA_CHARS = 40  # ... and fewer characters
_SENTENCE_ENDS = (".", "。", "!", "?", "！", "？")


def looks_like_header(names: Sequence[object]) -> bool:
    """Whether any name is a usual column name: one auto-detection knows (title, description, id,
    ...) or a :data:`HEADER_WORDS` entry (商品名, 説明, ...)."""
    known = {name for candidates in ROLE_CANDIDATES.values() for name in candidates} | set(HEADER_WORDS)
    return any(normalise_name(str(n)) in known for n in names)


def _data_like(cell: str) -> bool:
    text = cell.strip()
    if not text:
        return False
    if len(text.split()) >= DATA_WORDS or len(text) > DATA_CHARS or text.endswith(_SENTENCE_ENDS):
        return True
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True  # a bare number is a value, not a column name


def header_is_data(raw: RawTable) -> bool:
    """Whether the line read as the header looks like a pair: no usual column name, and a cell
    that reads like a sentence, a long text or a number."""
    if raw.header_line is None or not raw.header_cells:
        return False
    return not looks_like_header(list(raw.header_cells)) and any(map(_data_like, raw.header_cells.values()))


def with_header_row(raw: RawTable) -> RawTable:
    """``raw`` with its header line added as the first data row (the names stay as they are)."""
    first = pd.DataFrame([[raw.header_cells.get(str(c), "") for c in raw.frame.columns]], columns=raw.frame.columns,
                         dtype=str)
    frame = pd.concat([first, raw.frame], ignore_index=True)
    lines = [raw.header_line, *raw.lines] if raw.lines is not None and raw.header_line is not None else raw.lines
    return RawTable(frame=frame, lines=lines, line_label=raw.line_label, nested=raw.nested, truncated=raw.truncated,
                    header_line=raw.header_line, skipped=raw.skipped, converted=raw.converted,
                    header_cells=raw.header_cells)
