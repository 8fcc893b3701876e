"""Builders for image uploads: small real pictures, manifests and ZIP archives made in memory."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.datasets import DATASETS_DIR, store_upload
from engine.errors import DataError

N_PAIRS = 12  # over the trainable minimum of 10 distinct pairs


def picture(seed: int, *, fmt: str = "PNG", mode: str = "RGB", size: tuple[int, int] = (24, 16)) -> bytes:
    """A small picture of random pixels (distinct bytes per seed) in the given format and mode."""
    rng = np.random.default_rng(seed)
    channels = {"RGB": 3, "L": 1, "RGBA": 4}[mode]
    pixels = rng.integers(0, 256, size=(size[1], size[0], channels), dtype=np.uint8)
    image = Image.fromarray(pixels[..., 0] if channels == 1 else pixels, mode=mode)
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def manifest_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def zip_bytes(files: dict[str, bytes], *, prefix: str = "") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(prefix + name, data)
    return out.getvalue()


def dataset_files(n: int = N_PAIRS, *, image_column: str = "image", text_column: str = "caption",
                  extra: dict[str, list[str]] | None = None) -> dict[str, bytes]:
    """A manifest plus ``n`` distinct pictures under ``photos/``, each with its own caption."""
    files = {f"photos/p{i}.png": picture(i) for i in range(n)}
    rows = [{image_column: f"photos/p{i}.png", text_column: f"a photo of product number {i}"} for i in range(n)]
    for column, values in (extra or {}).items():
        for row, value in zip(rows, values, strict=True):
            row[column] = value
    files["manifest.csv"] = manifest_csv(rows)
    return files


def write_folder(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def assert_upload_refused(store: Path, data: bytes, *words: str, name: str = "photos.zip") -> DataError:
    """``store_upload`` refuses ``data`` with a message holding every one of ``words``, and leaves nothing stored."""
    with pytest.raises(DataError) as caught:
        store_upload(store, name, data)
    for word in words:
        assert word in str(caught.value), str(caught.value)
    datasets = store / DATASETS_DIR
    assert not datasets.exists() or list(datasets.iterdir()) == [], "nothing half-imported may stay"
    return caught.value
