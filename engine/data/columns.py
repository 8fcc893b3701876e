"""Which source column plays which role (left, right, group, label), explicit or auto-detected."""

from __future__ import annotations

import difflib
import logging
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from engine.data.error_text import keyed_error, phrase, phrase_text
from engine.errors import ConfigError

logger = logging.getLogger(__name__)

ROLES = ("left", "right", "group", "label")

# Normalised names (lower case, no spaces/underscores/dashes), most specific first per role.
# A unique "id" column as group is harmless: every row is then its own group, as without one.
ROLE_CANDIDATES: dict[str, tuple[str, ...]] = {
    "left": (
        "left",
        "title",
        "producttitle",
        "name",
        "productname",
        "query",
        "anchor",
        "question",
        "sentence1",
        "caption",
        "headline",
        "text",
        "texta",
        "u",
        # Japanese catalogue exports
        "商品名",
        "品名",
        "名称",
        "商品タイトル",
        "タイトル",
        "名前",
        "見出し",
        "商品",
    ),
    "right": (
        "right",
        "description",
        "productdescription",
        "desc",
        "body",
        "document",
        "positive",
        "passage",
        "answer",
        "sentence2",
        "textb",
        "content",
        "image",
        "imagepath",
        "imagefile",
        "imageurl",
        "v",
        "商品説明",
        "商品詳細",
        "説明文",
        "説明",
        "詳細説明",
        "詳細",
        "本文",
    ),
    "group": ("group", "groupid", "productid", "sku", "pairid", "itemid", "id", "商品id", "商品コード", "品番", "型番"),
    "label": ("label", "category", "class", "categoryname", "labelname", "カテゴリ", "カテゴリー", "カテゴリ名", "分類",
              "ラベル"),
}


@dataclass(frozen=True)
class ColumnMap:
    """Which source column plays which role.

    Attributes:
        left: Column with the left items (the paper's u), e.g. titles.
        right: Column with the right items (the paper's v), e.g. descriptions.
        group: Column whose equal values mark rows that are all positives of each other.
        label: Column with a class/category, used to stratify the split and in reports.
    """

    left: str
    right: str
    group: str | None = None
    label: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        """Role -> column, with None for an unused optional role."""
        return {"left": self.left, "right": self.right, "group": self.group, "label": self.label}

    def used(self) -> dict[str, str]:
        """Role -> column for the roles that are set."""
        return {role: column for role, column in self.as_dict().items() if column is not None}


def normalise_name(name: str) -> str:
    """NFKC, case-folded, without spaces, underscores and dashes: ``"Product-Title"`` -> ``"producttitle"``.

    NFKC folds full-width forms (``"ＳＫＵ"``, ``"商品ＩＤ"``) and the ideographic space into their usual ones.
    """
    return "".join(ch for ch in unicodedata.normalize("NFKC", str(name)).casefold() if ch not in " _-\t")


def mapping_hint(columns: Sequence[str]) -> str:
    """How to pass the roles explicitly, using the file's own column names as the example."""
    return phrase_text(_mapping_hint(columns))


def _mapping_hint(columns: Sequence[str]) -> dict[str, Any]:
    left, right = (columns[0], columns[1]) if len(columns) >= 2 else ("title", "description")
    return phrase("data_errors.MAPPING_HINT", left=left, right=right)


def _find_column(name: str, role: str, columns: Sequence[str]) -> str:
    if name in columns:
        return name
    loose = [c for c in columns if normalise_name(c) == normalise_name(name)]
    if len(loose) == 1:
        logger.info("Column '%s' given for %s matched '%s' ignoring case and separators.", name, role, loose[0])
        return loose[0]
    close = difflib.get_close_matches(name, list(columns), n=1)
    suggestion = phrase("data_errors.DID_YOU_MEAN", close=close[0]) if close else ""
    raise keyed_error("data_errors.COLUMN_NOT_FOUND", column=name, name=name, role=role,
                      columns=", ".join(map(repr, columns)), suggestion=suggestion)


def _check_distinct(names: Sequence[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise keyed_error("data_errors.DUPLICATE_COLUMN", column=name, name=name)
        seen.add(name)


def _auto_detect(role: str, columns: Sequence[str], taken: set[str]) -> str | None:
    normalised = {c: normalise_name(c) for c in columns if c not in taken}
    for candidate in ROLE_CANDIDATES[role]:
        for column, norm in normalised.items():
            if norm == candidate:
                return column
    return None


def text_columns(frame: pd.DataFrame, sample: int = 1_000) -> list[str]:
    """The columns holding some text in their first ``sample`` rows: not only numbers
    (``"1"``, ``"1,200"``, ``"3.5"``) and empty cells. A sample keeps this cheap on 1M rows."""
    out = []
    head = frame.head(sample)
    for column in head.columns:
        values = head[column].astype(str).str.strip().str.replace(",", "", regex=False)
        filled = values[values != ""]
        if pd.to_numeric(filled, errors="coerce").isna().any():
            out.append(str(column))
    return out


def _positional(columns: Sequence[str], taken: set[str]) -> tuple[str | None, str | None]:
    """The two columns not otherwise used, as (left, right) in file order; (None, None) unless exactly two."""
    rest = [c for c in columns if c not in taken]
    if len(rest) != 2:
        return None, None
    logger.info("No usual column names; taking '%s' as left and '%s' as right by their order.", *rest)
    return rest[0], rest[1]


def is_positional(colmap: ColumnMap, mapping: Mapping[str, str | None] | None = None) -> bool:
    """Whether :func:`resolve_columns` took left and right by their order (neither given nor a usual name)."""
    given = dict(mapping or {})
    if any(given.get(role) is not None and str(given.get(role)).strip() for role in ("left", "right")):
        return False
    return (normalise_name(colmap.left) not in ROLE_CANDIDATES["left"]
            and normalise_name(colmap.right) not in ROLE_CANDIDATES["right"])


def resolve_columns(
    df_columns: Sequence[str],
    mapping: Mapping[str, str | None] | None = None,
    *,
    text: Sequence[str] | None = None,
) -> ColumnMap:
    """Decide which column plays which role.

    Explicit entries in ``mapping`` win; roles left out (or given as None/"") are auto-detected
    from common names, compared ignoring case, spaces, underscores and dashes (see
    :data:`ROLE_CANDIDATES`). ``group`` and ``label`` stay None when nothing matches. When neither
    left nor right is given or recognised and exactly two columns are left over, the first is left
    and the second right (:func:`is_positional` tells; the loader then adds a note saying so).

    Args:
        df_columns: The table's column names.
        mapping: Role -> column name; keys among ``left``, ``right``, ``group``, ``label``.
        text: The columns that hold text (:func:`text_columns`), among which left and right are
            taken by order; None counts every column.

    Returns:
        The resolved :class:`ColumnMap`.

    Raises:
        ConfigError: ``mapping`` has a key that is not a role.
        DataError: A mapped column does not exist, left and right are the same column, the header
            has duplicate names, or left/right cannot be detected.
    """
    columns = [str(c) for c in df_columns]
    _check_distinct(columns)
    mapping = dict(mapping or {})
    unknown = sorted(set(mapping) - set(ROLES))
    if unknown:
        raise ConfigError(
            f"Column mapping has unknown role(s) {unknown}; allowed roles: {', '.join(ROLES)}. "
            'Example: {"left": "title", "right": "description", "group": "product_id"}.'
        )
    chosen: dict[str, str | None] = {}
    for role in ROLES:
        name = mapping.get(role)
        if name is not None and str(name).strip():
            chosen[role] = _find_column(str(name).strip(), role, columns)
    if "left" in chosen and chosen["left"] == chosen.get("right"):
        raise keyed_error("data_errors.SAME_LEFT_RIGHT", column=chosen["left"])
    taken = {c for c in chosen.values() if c is not None}
    for role in ROLES:
        if role not in chosen:
            chosen[role] = _auto_detect(role, columns, taken)
            if chosen[role] is not None and role in ("left", "right"):
                taken.add(chosen[role])  # type: ignore[arg-type]
    if chosen["left"] is None and chosen["right"] is None:
        used = {c for c in chosen.values() if c is not None}
        chosen["left"], chosen["right"] = _positional([c for c in columns if text is None or c in text], used)
    missing = [role for role in ("left", "right") if chosen[role] is None]
    if missing:
        examples = {role: "/".join(ROLE_CANDIDATES[role][1:5]) for role in missing}
        raise keyed_error(
            "data_errors.CANNOT_DETECT_BOTH" if len(missing) == 2 else "data_errors.CANNOT_DETECT_ONE",
            role=missing[0], columns=", ".join(map(repr, columns)) or phrase("data_errors.NO_COLUMNS"),
            examples="; ".join(f"{r}: {e}" for r, e in examples.items()), hint=_mapping_hint(columns),
        )
    result = ColumnMap(left=chosen["left"], right=chosen["right"], group=chosen["group"], label=chosen["label"])  # type: ignore[arg-type]
    logger.debug("Resolved columns: %s", result)
    return result


def check_column_map(columns: ColumnMap, df_columns: Sequence[str]) -> ColumnMap:
    """Check that an already-resolved :class:`ColumnMap` fits a table (no auto-detection).

    Raises:
        DataError: A named column does not exist, or left and right are the same column.
    """
    names = [str(c) for c in df_columns]
    _check_distinct(names)
    resolved = {role: _find_column(c, role, names) for role, c in columns.used().items()}
    if resolved["left"] == resolved["right"]:
        raise keyed_error("data_errors.SAME_LEFT_RIGHT_SHORT", column=resolved["left"])
    return ColumnMap(**resolved)
