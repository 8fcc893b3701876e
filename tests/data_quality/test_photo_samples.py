"""Quality gates for the bundled photo ↔ text samples (``sample_data/photos_*.zip``).

The archives are committed, so these checks read them with the standard library and Pillow only:
the manifest's columns, every image present and decodable, the counts, the groups (Fashion: one per
category, many photos per caption; products: one per picture, every caption unique), the Japanese
variants matching their English twins, and the sha256 that ``sample_data/README.md`` documents.
The Fashion builder needs Debian's ``dataset-fashion-mnist`` and is not rerun here; the products
builder needs nothing but Pillow, so its pictures are redrawn and compared pixel by pixel.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
import runpy
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from engine.datasets import PHOTO_SAMPLES

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
README = SAMPLE_DIR / "README.md"
COLUMNS = ["image", "text", "group", "label"]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
FASHION_CLASSES = 10
FASHION_PER_CLASS = 40
PRODUCTS = 240
PRODUCT_KINDS = 5


def _open(name: str) -> tuple[zipfile.ZipFile, list[dict[str, str]]]:
    archive = zipfile.ZipFile(PHOTO_SAMPLES[name])
    text = archive.read("manifest.csv").decode("utf-8")
    return archive, list(csv.DictReader(io.StringIO(text, newline="")))


def _decode(archive: zipfile.ZipFile, path: str) -> Image.Image:
    image = Image.open(io.BytesIO(archive.read(path)))
    image.load()  # a truncated or corrupt file fails here, not at open
    return image


@pytest.fixture(scope="module")
def samples() -> dict[str, tuple[zipfile.ZipFile, list[dict[str, str]]]]:
    return {name: _open(name) for name in PHOTO_SAMPLES}


def test_every_registered_sample_is_a_committed_file() -> None:
    assert set(PHOTO_SAMPLES) == {"fashion", "fashion_ja", "products", "products_ja"}
    for path in PHOTO_SAMPLES.values():
        assert path.is_file(), path


@pytest.mark.parametrize("name", ["fashion", "fashion_ja", "products", "products_ja"])
def test_manifest_columns_and_cells(samples: dict, name: str) -> None:
    archive, rows = samples[name]
    with archive.open("manifest.csv") as handle:
        header = handle.readline().decode("utf-8").strip()
    assert header.split(",") == COLUMNS
    for row in rows:
        assert all(row[c] and row[c] == row[c].strip() and "\n" not in row[c] for c in COLUMNS), row


@pytest.mark.parametrize(
    ("name", "mode", "size"),
    [
        ("fashion", "L", (28, 28)),
        ("fashion_ja", "L", (28, 28)),
        ("products", "RGB", (96, 96)),
        ("products_ja", "RGB", (96, 96)),
    ],
)
def test_every_image_exists_decodes_and_is_referenced_once(samples: dict, name: str, mode: str, size: tuple) -> None:
    archive, rows = samples[name]
    paths = [row["image"] for row in rows]
    stored = [n for n in archive.namelist() if n.startswith("images/")]
    assert sorted(paths) == sorted(stored), "manifest and images/ must list the same files, each once"
    digests = set()
    for path in paths:
        assert not path.startswith("/") and ".." not in path.split("/")
        image = _decode(archive, path)
        assert (image.format, image.mode, image.size) == ("PNG", mode, size), path
        digests.add(hashlib.sha256(image.tobytes()).hexdigest())
    assert len(digests) == len(paths), "two entries hold the same picture"


def test_fashion_counts_groups_and_shared_captions(samples: dict) -> None:
    _, rows = samples["fashion"]
    assert len(rows) == FASHION_CLASSES * FASHION_PER_CLASS
    groups = Counter(row["group"] for row in rows)
    assert len(groups) == FASHION_CLASSES and set(groups.values()) == {FASHION_PER_CLASS}
    assert len({(row["group"], row["label"]) for row in rows}) == FASHION_CLASSES  # label = group, renamed
    group_of: dict[str, set[str]] = {}
    for row in rows:
        group_of.setdefault(row["text"], set()).add(row["group"])
    assert all(len(g) == 1 for g in group_of.values()), "a caption must belong to one category only"
    uses = Counter(row["text"] for row in rows)
    assert len(uses) == 4 * FASHION_CLASSES  # four phrasings per category
    assert min(uses.values()) >= 5, "many photos must share each caption (group-aware metrics)"


def test_fashion_photos_are_dark_products_on_white(samples: dict) -> None:
    archive, rows = samples["fashion"]
    border = []
    for row in rows:
        pixels = np.asarray(_decode(archive, row["image"]))
        border.append(np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]]).mean())
        assert pixels.min() < 128, f"{row['image']} has no dark product"
    assert np.median(border) > 240  # inverted: the background is white, not Fashion-MNIST's black


def test_fashion_archives_carry_the_licence_notice(samples: dict) -> None:
    for name in ("fashion", "fashion_ja"):
        notice = samples[name][0].read("NOTICE-fashion-mnist.txt").decode("utf-8")
        assert "Copyright: 2017, Zalando SE" in notice
        assert "License: Expat" in notice and "Permission is hereby granted, free of charge" in notice


def test_products_every_caption_and_group_unique(samples: dict) -> None:
    _, rows = samples["products"]
    assert len(rows) == PRODUCTS
    assert len({row["text"] for row in rows}) == PRODUCTS
    assert len({row["group"] for row in rows}) == PRODUCTS
    kinds = Counter(row["label"] for row in rows)
    assert len(kinds) == PRODUCT_KINDS and set(kinds.values()) == {PRODUCTS // PRODUCT_KINDS}
    assert all(row["label"].split()[-1] in row["text"] for row in rows)  # the caption names the kind


@pytest.mark.parametrize(("english", "japanese"), [("fashion", "fashion_ja"), ("products", "products_ja")])
def test_japanese_variant_is_the_english_one_recaptioned(samples: dict, english: str, japanese: str) -> None:
    (en_zip, en_rows), (ja_zip, ja_rows) = samples[english], samples[japanese]
    assert [(r["image"], r["group"]) for r in en_rows] == [(r["image"], r["group"]) for r in ja_rows]
    for en_row, ja_row in zip(en_rows, ja_rows, strict=True):
        assert en_zip.read(en_row["image"]) == ja_zip.read(ja_row["image"])
        assert JAPANESE.search(ja_row["text"]) and JAPANESE.search(ja_row["label"]), ja_row
    # One English caption <-> one Japanese caption, so both variants share the same positives.
    pairs = {(e["text"], j["text"]) for e, j in zip(en_rows, ja_rows, strict=True)}
    assert len(pairs) == len({e for e, _ in pairs}) == len({j for _, j in pairs})


@pytest.mark.parametrize(("name", "limit_mb"), [("fashion", 1), ("fashion_ja", 1), ("products", 2), ("products_ja", 2)])
def test_archive_is_small(name: str, limit_mb: int) -> None:
    assert PHOTO_SAMPLES[name].stat().st_size < limit_mb * 1024 * 1024


def test_readme_documents_each_archive_sha256() -> None:
    readme = README.read_text(encoding="utf-8")
    for path in PHOTO_SAMPLES.values():
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert f"`{path.name}`" in readme and digest in readme, f"update the sha256 of {path.name} in README.md"


@pytest.fixture(scope="module")
def products_builder() -> dict[str, Any]:
    # run_path without __main__ only defines the tables and functions; nothing is written.
    return runpy.run_path(str(SAMPLE_DIR / "build_photos_products.py"))


def test_product_captions_read_as_written(products_builder: dict[str, Any]) -> None:
    mug = products_builder["Product"]("mug", "red", "dots", "small", "left")
    assert mug.caption() == "a small red mug with white dots, on the left"
    assert mug.caption_ja() == "白い水玉模様の小さな赤いマグカップ（左寄り）"
    lamp = products_builder["Product"]("lamp", "teal", "plain", "large", "centre")
    assert lamp.caption() == "a large plain teal table lamp, in the centre"
    assert lamp.caption_ja() == "無地の大きな青緑色のテーブルランプ（中央）"


def test_products_builder_redraws_the_committed_pictures(samples: dict, products_builder: dict[str, Any]) -> None:
    english, japanese = products_builder["build_pairs"]()
    for name, pairs in (("products", english), ("products_ja", japanese)):
        archive, rows = samples[name]
        assert [(p.text, p.group, p.label) for p in pairs] == [(r["text"], r["group"], r["label"]) for r in rows]
        for pair, row in zip(pairs, rows, strict=True):
            assert pair.image.tobytes() == _decode(archive, row["image"]).tobytes(), row["image"]


def test_fashion_idx_reader_checks_the_header(tmp_path: Path) -> None:
    read_idx = runpy.run_path(str(SAMPLE_DIR / "build_photos_fashion.py"))["read_idx"]
    header = (2051).to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in (2, 2, 3))
    good = tmp_path / "good.gz"
    good.write_bytes(gzip.compress(header + bytes(range(12))))
    assert read_idx(good, 2051).tolist() == [[[0, 1, 2], [3, 4, 5]], [[6, 7, 8], [9, 10, 11]]]
    short = tmp_path / "short.gz"
    short.write_bytes(gzip.compress(header + bytes(11)))
    with pytest.raises(ValueError, match="declares shape"):
        read_idx(short, 2051)
    with pytest.raises(ValueError, match="magic number 2051, expected 2049"):
        read_idx(good, 2049)
