"""Quality gates for the Japanese demo catalogue ``sample_data/catalogue_ja.csv``.

Mirrors ``test_sample_data.py``: enough rows and categories, unique non-empty cells in Japanese,
variant families and near-identical pairs (the hard cases), a spread of description lengths, a
file the loader reads with the Japanese column mapping, and a committed file equal to what
``build_catalogue_ja.py`` writes. The last test checks that the Start page offers it.
"""

from __future__ import annotations

import re
import runpy
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
CATALOGUE = SAMPLE_DIR / "catalogue_ja.csv"
BUILD_SCRIPT = SAMPLE_DIR / "build_catalogue_ja.py"
COLUMNS = ["商品ID", "カテゴリ", "商品名", "商品説明"]
MAPPING = {"left": "商品名", "right": "商品説明", "group": "商品ID", "label": "カテゴリ"}
# Hiragana, katakana (with the long-vowel mark) and CJK ideographs.
JAPANESE = re.compile(r"[\u3040-\u309f\u30a0-\u30ff\u4e00-\u9fff]")
# Full-width digits and Latin letters: a Japanese retailer writes 1.0L and 30cm half-width.
FULL_WIDTH_ALNUM = re.compile(r"[０-９Ａ-Ｚａ-ｚ]")


def _family_key(title: str) -> str:
    return title.split("（", 1)[0].strip()


@pytest.fixture(scope="module")
def catalogue() -> pd.DataFrame:
    return pd.read_csv(CATALOGUE, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def build() -> dict[str, Any]:
    # run_path without __main__ only defines the tables and functions; nothing is written.
    return runpy.run_path(str(BUILD_SCRIPT))


def test_columns_size_and_categories(catalogue: pd.DataFrame, build: dict[str, Any]) -> None:
    assert list(catalogue.columns) == COLUMNS
    assert build["COLUMN_ROLES"] == MAPPING
    counts = catalogue["カテゴリ"].value_counts()
    assert len(catalogue) >= 300
    assert len(counts) >= 8
    assert counts.min() >= 30, counts.to_dict()


def test_cells_are_japanese_unique_and_clean(catalogue: pd.DataFrame) -> None:
    for column in COLUMNS:
        values = catalogue[column]
        assert (values.str.strip() != "").all(), f"empty cell in {column}"
        assert (values == values.str.strip()).all(), f"padded cell in {column}"
        assert not values.str.contains("\n").any(), f"newline inside {column}"
    for column in ("カテゴリ", "商品名", "商品説明"):
        without = catalogue.loc[~catalogue[column].str.contains(JAPANESE), column].tolist()
        assert without == [], f"{column} without Japanese script: {without[:3]}"
        full_width = catalogue.loc[catalogue[column].str.contains(FULL_WIDTH_ALNUM), column].tolist()
        assert full_width == [], f"full-width digits or letters in {column}: {full_width[:3]}"
    for column in ("商品ID", "商品名", "商品説明"):
        duplicated = catalogue.loc[catalogue[column].duplicated(keep=False), column].tolist()
        assert duplicated == [], f"duplicate {column}: {duplicated[:4]}"
    assert not catalogue.duplicated(["商品名", "商品説明"]).any()
    assert catalogue["商品ID"].str.fullmatch(r"[A-Z]{3}-\d{4}").all()


def test_loads_with_the_explicit_japanese_mapping(catalogue: pd.DataFrame) -> None:
    from engine.data import load_pairs

    pairs = load_pairs(CATALOGUE, MAPPING)
    assert list(pairs.left) == catalogue["商品名"].tolist()
    assert list(pairs.right) == catalogue["商品説明"].tolist()
    assert list(pairs.label) == catalogue["カテゴリ"].tolist()
    assert len(set(pairs.group)) == len(catalogue)  # every product is its own group


def test_generator_is_deterministic(tmp_path: Path, build: dict[str, Any]) -> None:
    out = tmp_path / "catalogue_ja.csv"
    assert build["main"](["--out", str(out)]) == 0
    assert out.read_bytes() == CATALOGUE.read_bytes()
    assert build["main"](["--check"]) == 0
    out.write_bytes(out.read_bytes()[:-10])
    assert build["main"](["--check", "--out", str(out)]) == 1


def test_variant_families_name_what_sets_them_apart(catalogue: pd.DataFrame, build: dict[str, Any]) -> None:
    family = catalogue["商品名"].map(_family_key)
    sizes = family.map(family.value_counts())
    in_family = sizes > 1
    assert 0.20 <= in_family.mean() <= 0.40, in_family.mean()
    assert sizes[in_family].max() <= 4
    assert catalogue.loc[in_family, "カテゴリ"].nunique() == catalogue["カテゴリ"].nunique()
    members = catalogue[in_family]
    assert members["商品名"].str.endswith("）").all()
    # A colour variant's description names its colour, so the pair can be told apart.
    for title, text in zip(members["商品名"], members["商品説明"], strict=True):
        variant = title.rsplit("（", 1)[1].rstrip("）")
        if variant in build["COLOURS"]:
            assert variant in text, (title, text)


def test_near_identical_pairs_differ_in_one_title_word(catalogue: pd.DataFrame, build: dict[str, Any]) -> None:
    tags: dict[str, list[str]] = {}
    for entry in build["build_entries"]():
        if entry.near is not None:
            tags.setdefault(entry.near, []).append(entry.title)
    assert len(tags) >= 16
    titles = set(catalogue["商品名"])
    for pair in tags.values():
        assert len(pair) == 2 and all(t in titles for t in pair), pair
        a, b = (t.split(" ") for t in pair)
        assert len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1, pair


def test_description_lengths_span_short_medium_and_long(catalogue: pd.DataFrame, build: dict[str, Any]) -> None:
    chars = catalogue["商品説明"].str.len()
    short, long = chars < build["SHORT_CHARS"], chars >= build["LONG_CHARS"]
    assert short.mean() >= 0.05 and long.mean() >= 0.05, (short.sum(), long.sum())
    assert (~short & ~long).mean() >= 0.5
    # The long class carries a spec list and what is in the box, as a retailer's listing does.
    with_specs = catalogue["商品説明"].str.contains("【仕様】") & catalogue["商品説明"].str.contains("【セット内容】")
    assert with_specs.sum() >= 15 and (chars[with_specs] >= build["LONG_CHARS"]).all()


def test_start_page_offers_the_japanese_sample(monkeypatch, tmp_path: Path) -> None:
    from streamlit.testing.v1 import AppTest

    import engine.jobs
    from dashboard import state
    from engine.datasets import list_datasets
    from engine.i18n import t

    submitted: list[dict[str, Any]] = []
    monkeypatch.setattr(engine.jobs, "submit_job", lambda root, spec: submitted.append(spec) or "job-ja")
    monkeypatch.setenv("TILTPILOT_STORE", str(tmp_path / "s"))
    at = AppTest.from_file(str(SAMPLE_DIR.parent / "dashboard" / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    button = at.button(key=state.LOAD_SAMPLE_JA)
    assert button.label == t("samples.JA_SAMPLE_BUTTON")
    assert at.button(key=state.LOAD_SAMPLE).label != button.label  # the English one stays
    button.click().run()
    assert not at.exception and not at.error
    stored = list_datasets(tmp_path / "s")
    rows = len(pd.read_csv(CATALOGUE, dtype=str))
    assert [d.rows for d in stored] == [rows]
    assert {k: v for k, v in stored[0].mapping.items() if v} == MAPPING
    assert len(submitted) == 1 and submitted[0]["data"] == str(stored[0].path)
    assert submitted[0]["columns"] == stored[0].mapping
    assert set(submitted[0]["losses"]) == {"clip", "joint"}
