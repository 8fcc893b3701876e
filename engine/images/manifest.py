"""The manifest of an image dataset: where it is, and which column holds the image and which the text.

A manifest is ``manifest.csv`` or ``manifest.jsonl`` at the top of the archive or folder, or inside
its one top-level folder (what zipping a folder gives). Its image column holds paths relative to
the manifest's folder. Columns are recognised by their usual names (:data:`IMAGE_NAMES`,
:data:`TEXT_NAMES`, compared like table columns: case, spaces, ``_`` and ``-`` ignored); group and
label as for tables (:data:`engine.data.columns.ROLE_CANDIDATES`). An explicit mapping uses the
table roles (``left`` = image, ``right`` = text, ``group``, ``label``); ``image`` and ``text`` are
accepted as names of the first two.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from engine.data.columns import ColumnMap, normalise_name, resolve_columns, text_columns
from engine.data.dataset import IMAGE_EXTENSIONS
from engine.data.error_text import keyed_error
from engine.images.archive import is_ignored

MANIFEST_NAMES = ("manifest.csv", "manifest.jsonl")
# Normalised names (see engine.data.columns.normalise_name), most specific first.
IMAGE_NAMES = ("image", "imagepath", "imagefile", "imagefilename", "img", "photo", "picture", "filename", "file",
               "filepath", "path", "画像", "画像ファイル", "画像ファイル名", "画像パス", "写真", "ファイル名", "ファイル")
TEXT_NAMES = ("caption", "text", "description", "productdescription", "desc", "title", "name", "キャプション",
              "テキスト", "説明", "説明文", "商品説明", "タイトル", "商品名")
_ROLE_ALIASES = {"image": "left", "text": "right", "caption": "right"}
_SAMPLE = 1_000  # cells looked at to tell an image column
_IMAGE_SHARE = 0.5  # a column with an image name is the image column when at least half its cells name images


def manifest_member(names: Iterable[str], source: str) -> str:
    """The manifest among an archive's (safe, non-ignored) member names.

    Raises:
        DataError: There is no manifest (the archive is not an image dataset), or there are two.
    """
    names = [n for n in names if not is_ignored(n)]
    found = [n for n in names if "/" not in n and n.lower() in MANIFEST_NAMES]
    tops = {n.split("/")[0] for n in names}
    if not found and len(tops) == 1 and all("/" in n for n in names):  # one folder, zipped whole
        top = next(iter(tops))
        found = [n for n in names if n.count("/") == 1 and n.split("/")[1].lower() in MANIFEST_NAMES
                 and n.split("/")[0] == top]
    return _one(found, source)


def manifest_file(folder: Path) -> Path:
    """The manifest of a folder of images: at its top, or inside its one top-level folder.

    Raises:
        DataError: The folder holds no manifest, or two.
    """
    entries = [p for p in folder.iterdir() if not is_ignored(p.name) and not p.name.startswith(".")]
    found = [p for p in entries if p.is_file() and p.name.lower() in MANIFEST_NAMES]
    if not found and len(entries) == 1 and entries[0].is_dir():
        found = [p for p in entries[0].iterdir() if p.is_file() and p.name.lower() in MANIFEST_NAMES]
    if not found:  # most often a table's folder given by mistake: say both ways out
        raise keyed_error("images.FOLDER_WITHOUT_MANIFEST", path=str(folder), names=" / ".join(MANIFEST_NAMES))
    return _one(found, folder.name)


def _one(found: list, source: str):  # type: ignore[no-untyped-def]
    if len(found) > 1:
        raise keyed_error("images.TWO_MANIFESTS", source=source, names=", ".join(sorted(map(str, found))))
    if not found:
        raise keyed_error("images.NO_MANIFEST", source=source, names=" / ".join(MANIFEST_NAMES))
    return found[0]


def looks_like_images(values: Iterable[str], sample: int = _SAMPLE) -> tuple[int, int]:
    """Of the first ``sample`` cells, how many are non-blank and how many of them end in an image extension.

    A sample keeps telling a table of texts from a manifest cheap on a million rows; every cell
    of the image column is checked later anyway.
    """
    filled = [str(v).strip().lower() for v in itertools.islice(values, sample) if str(v).strip()]
    return len(filled), sum(v.endswith(IMAGE_EXTENSIONS) for v in filled)


def _image_column(frame: pd.DataFrame, exclude: set[str]) -> str | None:
    """A column named like an image column with mostly image names, else one with only image names."""
    columns = [str(c) for c in frame.columns if str(c) not in exclude]
    for candidate in IMAGE_NAMES:
        for column in columns:
            if normalise_name(column) == candidate:
                filled, images = looks_like_images(frame[column])
                if filled and images >= _IMAGE_SHARE * filled:
                    return column
    for column in columns:
        filled, images = looks_like_images(frame[column])
        if filled and images == filled:
            return column
    return None


def _text_column(frame: pd.DataFrame, taken: set[str]) -> str | None:
    columns = [str(c) for c in frame.columns if str(c) not in taken]
    for candidate in TEXT_NAMES:
        for column in columns:
            if normalise_name(column) == candidate:
                return column
    texts = [c for c in text_columns(frame[columns]) if c in columns] if columns else []
    return texts[0] if len(texts) == 1 else None


def role_mapping(mapping: Mapping[str, str | None] | None) -> dict[str, str]:
    """An explicit mapping with ``image``/``text``/``caption`` read as ``left``/``right``, blanks dropped."""
    out: dict[str, str] = {}
    for role, column in dict(mapping or {}).items():
        if column is not None and str(column).strip():
            out[_ROLE_ALIASES.get(str(role), str(role))] = str(column).strip()
    return out


def image_column_map(frame: pd.DataFrame, mapping: Mapping[str, str | None] | None = None, *,
                     source: str = "manifest") -> ColumnMap | None:
    """The roles of an image manifest (image = left, text = right), or None for a table of texts.

    Args:
        frame: The manifest, every cell a string.
        mapping: Role -> column given by the user; missing roles are detected.
        source: The manifest's name, for messages.

    Returns:
        The resolved roles, the image column as ``left``; None when no column holds image paths.

    Raises:
        DataError: A manifest has an image column but no text column; a named column does not exist.
        ConfigError: ``mapping`` names an unknown role.
    """
    given = role_mapping(mapping)
    columns = [str(c) for c in frame.columns]
    image = None
    for role in ("left", "right"):
        if role in given and given[role] in columns:
            filled, images = looks_like_images(frame[given[role]])
            if filled and images >= _IMAGE_SHARE * filled:
                image = given[role]
                if role == "right":  # the image is always the left role (the paper's u)
                    given["right"] = given.pop("left", "") or ""
                    given = {k: v for k, v in given.items() if v}
                break
    if image is None and "left" not in given:
        image = _image_column(frame, set(given.values()))
    if image is None:
        return None
    text = given.get("right") or _text_column(frame, {image, *given.values()})
    if text is None:
        raise keyed_error("images.NO_TEXT_COLUMN", source=source, image=image, columns=", ".join(map(repr, columns)),
                          names=", ".join(TEXT_NAMES[:6]))
    return resolve_columns(columns, {**given, "left": image, "right": text})
