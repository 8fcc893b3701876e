"""Quality gates for the bundled demo catalogue in ``sample_data/``.

The catalogue is the demo data for the whole product, so these checks pin the properties the demo
relies on: enough rows and categories, unique and non-empty cells, variant families and
near-identical pairs (the hard cases), a spread of description lengths, CSV quoting that
round-trips, and committed files that match what ``build_catalogue.py`` writes.
"""

from __future__ import annotations

import csv
import re
import runpy
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
CATALOGUE = SAMPLE_DIR / "catalogue.csv"
SMALL = SAMPLE_DIR / "catalogue_small.csv"
BUILD_SCRIPT = SAMPLE_DIR / "build_catalogue.py"
COLUMNS = ["product_id", "category", "title", "description"]


def _read(path: Path) -> pd.DataFrame:
    # keep_default_na=False so an empty cell stays "" instead of turning into NaN and hiding.
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _word_counts(frame: pd.DataFrame) -> pd.Series:
    return frame["description"].str.split().str.len()


def _family_key(title: str) -> str:
    return title.split(",", 1)[0].strip()


@pytest.fixture(scope="module")
def catalogue() -> pd.DataFrame:
    return _read(CATALOGUE)


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    return _read(SMALL)


@pytest.fixture(scope="module")
def build() -> dict[str, Any]:
    # run_path without __main__ only defines the tables and functions; nothing is written.
    return runpy.run_path(str(BUILD_SCRIPT))


def test_columns_are_exactly_the_documented_ones(catalogue: pd.DataFrame, small: pd.DataFrame) -> None:
    assert list(catalogue.columns) == COLUMNS
    assert list(small.columns) == COLUMNS


def test_size_and_category_balance(catalogue: pd.DataFrame) -> None:
    counts = catalogue["category"].value_counts()
    assert len(catalogue) >= 360
    assert len(counts) >= 10
    assert counts.min() >= 25, counts.to_dict()
    assert counts.max() <= 40, counts.to_dict()


def test_no_empty_or_padded_cells(catalogue: pd.DataFrame) -> None:
    for column in COLUMNS:
        values = catalogue[column]
        assert (values.str.strip() != "").all(), f"empty cell in {column}"
        assert (values == values.str.strip()).all(), f"leading/trailing whitespace in {column}"
        assert not values.str.contains("\n").any(), f"newline inside {column}"


def test_titles_descriptions_and_ids_are_unique(catalogue: pd.DataFrame) -> None:
    for column in ("product_id", "title", "description"):
        duplicated = catalogue.loc[catalogue[column].duplicated(keep=False), column].tolist()
        assert duplicated == [], f"duplicate {column}: {duplicated[:4]}"


def test_product_ids_follow_one_prefix_per_category(catalogue: pd.DataFrame) -> None:
    assert catalogue["product_id"].str.fullmatch(r"[A-Z]{3}-\d{4}").all()
    prefixes = catalogue.assign(prefix=catalogue["product_id"].str[:3]).groupby("category")["prefix"].nunique()
    assert (prefixes == 1).all(), prefixes.to_dict()
    assert catalogue["product_id"].str[:3].nunique() == catalogue["category"].nunique()


def test_variant_families_cover_a_fifth_to_two_fifths_of_rows(catalogue: pd.DataFrame) -> None:
    family = catalogue["title"].map(_family_key)
    sizes = family.map(family.value_counts())
    in_family = sizes > 1
    assert 0.20 <= in_family.mean() <= 0.40, in_family.mean()
    assert sizes[in_family].max() <= 4
    # Families stay inside one category and every category has at least one.
    assert (catalogue[in_family].groupby(family[in_family])["category"].nunique() == 1).all()
    assert catalogue.loc[in_family, "category"].nunique() == catalogue["category"].nunique()


def test_family_members_differ_in_the_title_after_the_shared_prefix(catalogue: pd.DataFrame) -> None:
    family = catalogue["title"].map(_family_key)
    members = catalogue[family.map(family.value_counts()) > 1]
    assert members["title"].str.contains(",").all(), "a family member title has nothing after its prefix"


def test_near_identical_pairs_are_tagged_in_pairs(build: dict[str, Any], catalogue: pd.DataFrame) -> None:
    tags: dict[str, list[str]] = {}
    for _, _, entries in build["CATEGORIES"]:
        for entry in entries:
            if entry.near is not None:
                tags.setdefault(entry.near, []).append(entry.title)
    assert len(tags) >= 12
    assert all(len(titles) == 2 for titles in tags.values()), tags
    titles = set(catalogue["title"])
    assert all(t in titles for pair in tags.values() for t in pair)


def test_description_lengths_span_short_medium_and_long(catalogue: pd.DataFrame) -> None:
    words = _word_counts(catalogue)
    assert (words < 16).sum() >= 24, "need short one-liners"
    assert (words > 90).sum() >= 20, "need long spec-style descriptions"
    assert ((words >= 25) & (words <= 60)).mean() >= 0.5, "most descriptions should be 25-60 words"
    assert words.max() <= 150
    per_category = catalogue.assign(words=words).groupby("category")["words"]
    assert (per_category.min() < 16).all(), "every category needs a short description"
    assert (per_category.max() > 90).all(), "every category needs a long description"


def test_descriptions_paraphrase_rather_than_copy_titles(catalogue: pd.DataFrame) -> None:
    titles = catalogue["title"].str.lower()
    descriptions = catalogue["description"].str.lower()
    assert not any(t in d for t, d in zip(titles, descriptions)), "a description contains its whole title"
    brands = catalogue["title"].str.split().str[0].str.lower()
    with_brand = sum(bool(re.search(rf"\b{re.escape(b)}\b", d)) for b, d in zip(brands, descriptions))
    assert with_brand <= 0.05 * len(catalogue)


def test_quoting_and_non_ascii_are_exercised(catalogue: pd.DataFrame) -> None:
    text = catalogue["title"] + " " + catalogue["description"]
    assert text.map(lambda s: any(ord(c) > 127 for c in s)).sum() >= 10
    for char in "é™°×–":
        assert text.str.contains(char, regex=False).any(), f"no {char!r} anywhere"
    quoted = catalogue["description"].str.contains('"', regex=False)
    assert (quoted & catalogue["description"].str.contains(",", regex=False)).sum() >= 2


def test_csv_module_and_pandas_agree(catalogue: pd.DataFrame) -> None:
    with CATALOGUE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == COLUMNS
    assert all(len(row) == len(COLUMNS) for row in rows)
    assert [row[3] for row in rows[1:]] == catalogue["description"].tolist()


def test_small_file_is_a_mixed_subset_of_the_catalogue(catalogue: pd.DataFrame, small: pd.DataFrame) -> None:
    assert 50 <= len(small) <= 70
    assert small["category"].nunique() == catalogue["category"].nunique()
    full_rows = set(map(tuple, catalogue[COLUMNS].to_numpy()))
    assert all(tuple(row) in full_rows for row in small[COLUMNS].to_numpy())
    order = catalogue.reset_index().set_index("product_id").loc[small["product_id"], "index"]
    assert order.is_monotonic_increasing
    family = small["title"].map(_family_key)
    assert (family.map(family.value_counts()) > 1).sum() >= 12


def test_committed_files_match_the_build_script(build: dict[str, Any]) -> None:
    rows = build["build_rows"]()
    assert CATALOGUE.read_bytes() == build["to_csv"](rows), "rerun python sample_data/build_catalogue.py"
    assert SMALL.read_bytes() == build["to_csv"](build["small_rows"](rows))
