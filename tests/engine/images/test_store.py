"""Storing a ZIP of images with a manifest: layout, content addressing, thumbnails, and every refusal."""

from __future__ import annotations

import csv
import hashlib
import json

import pytest
from bombs import png_declaring
from image_builders import N_PAIRS, assert_upload_refused, dataset_files, manifest_csv, picture, zip_bytes
from PIL import Image

from engine.data import load_pairs, render_load_note
from engine.data.error_text import render_error
from engine.datasets import META_FILE, list_datasets, store_upload
from engine.errors import DataError
from engine.i18n import override
from engine.images import thumbnail_path
from engine.images.limits import THUMBNAIL_PX
from engine.train.batching import no_duplicate_batches


def assert_files_refused(store, files: dict[str, bytes], *words: str) -> DataError:
    return assert_upload_refused(store, zip_bytes(files), *words)


def _with_row(files: dict[str, bytes], image: str, caption: str = "one more product") -> dict[str, bytes]:
    rows = list(csv.DictReader(files["manifest.csv"].decode().splitlines()))
    files["manifest.csv"] = manifest_csv([*rows, {"image": image, "caption": caption}])
    return files


def test_a_zip_is_stored_content_addressed_with_thumbnails(store):
    entry = store_upload(store, "Photos 2024.zip", zip_bytes(dataset_files()))
    folder = entry.path.parent
    assert entry.path.name == "data.csv" and entry.rows == N_PAIRS and entry.name == "Photos-2024.zip"
    meta = json.loads((folder / META_FILE).read_text())
    assert meta["kind"] == "images" and meta["images"] == N_PAIRS and meta["digest"] == entry.digest
    assert meta["mapping"] == {"left": "image", "right": "text", "group": None, "label": None}
    rows = list(csv.DictReader(entry.path.read_text().splitlines()))
    assert [r["text"] for r in rows] == [f"a photo of product number {i}" for i in range(N_PAIRS)]
    for row in rows:
        image = folder / row["image"]
        assert row["image"].startswith("images/") and image.is_file()
        assert image.stem == hashlib.sha256(image.read_bytes()).hexdigest()
        thumb = thumbnail_path(image)
        assert thumb == folder / "thumbs" / f"{image.stem}.jpg"
        with Image.open(thumb) as small:
            assert small.format == "JPEG" and small.mode == "RGB" and max(small.size) <= THUMBNAIL_PX
    assert sorted(p.name for p in folder.iterdir()) == ["data.csv", "images", "meta.json", "thumbs"]


def test_loading_the_stored_csv_gives_absolute_image_paths_on_the_left(store):
    entry = store_upload(store, "photos.zip", zip_bytes(dataset_files()))
    data = load_pairs(entry.path)
    assert data.modality == {"left": "image", "right": "text"}
    assert all(p.startswith(str(entry.path.parent.resolve()) + "/images/") for p in data.left)
    assert data.right[3] == "a photo of product number 3" and data.notes == ()


def test_large_pictures_get_small_thumbnails(store):
    files = dataset_files()
    files["photos/p0.png"] = picture(0, size=(640, 320))
    entry = store_upload(store, "photos.zip", zip_bytes(files))
    first = load_pairs(entry.path).left[0]
    with Image.open(thumbnail_path(first)) as small:
        assert small.size == (THUMBNAIL_PX, THUMBNAIL_PX // 2)


def test_the_same_bytes_are_stored_once(store):
    data = zip_bytes(dataset_files())
    first = store_upload(store, "a.zip", data)
    second = store_upload(store, "b.zip", data)
    assert first.digest == second.digest and second.names == ["a.zip", "b.zip"]
    assert len(list_datasets(store)) == 1


def test_colour_greyscale_and_webp_in_one_upload(store):
    files = dataset_files()
    files["photos/grey.jpg"] = picture(100, fmt="JPEG", mode="L")
    files["photos/colour.webp"] = picture(101, fmt="WEBP")
    files["photos/alpha.png"] = picture(102, mode="RGBA")
    for name in ("photos/grey.jpg", "photos/colour.webp", "photos/alpha.png"):
        files = _with_row(files, name, f"the picture {name}")
    entry = store_upload(store, "photos.zip", zip_bytes(files))
    suffixes = sorted({p.suffix for p in (entry.path.parent / "images").iterdir()})
    assert suffixes == [".jpg", ".png", ".webp"] and entry.rows == N_PAIRS + 3


def test_a_manifest_inside_one_top_level_folder_is_found(store):
    entry = store_upload(store, "photos.zip", zip_bytes(dataset_files(), prefix="My Photos/"))
    assert entry.rows == N_PAIRS


def test_a_jsonl_manifest_with_japanese_headers(store):
    files = {f"写真/{i}.png": picture(i) for i in range(N_PAIRS)}
    lines = [json.dumps({"画像": f"写真/{i}.png", "商品説明": f"商品{i}の説明です", "カテゴリ": "衣類"}, ensure_ascii=False)
             for i in range(N_PAIRS)]
    files["manifest.jsonl"] = "\n".join(lines).encode()
    entry = store_upload(store, "photos.zip", zip_bytes(files))
    data = load_pairs(entry.path)
    assert data.right[0] == "商品0の説明です" and data.label == ("衣類",) * N_PAIRS


def test_an_explicit_column_mapping(store):
    notes = [f"internal note {i}" for i in range(N_PAIRS)]
    files = dataset_files(image_column="pic", text_column="blurb", extra={"remark": notes})
    assert_files_refused(store, files, "no column holds their texts")  # two text columns with unusual names: which one?
    entry = store_upload(store, "photos.zip", zip_bytes(files), columns={"left": "pic", "right": "remark"})
    assert load_pairs(entry.path).right[1] == "internal note 1"
    swapped = store_upload(store / "other", "photos.zip", zip_bytes(files), columns={"left": "blurb", "right": "pic"})
    data = load_pairs(swapped.path)
    assert data.modality["left"] == "image" and data.right[1] == "a photo of product number 1"  # image = left role
    named = store_upload(store / "named", "photos.zip", zip_bytes(files), columns={"image": "pic", "text": "blurb"})
    assert named.rows == N_PAIRS


def test_the_usual_names_are_recognised(store):
    for number, (image, text) in enumerate([("image_path", "description"), ("File", "Title"), ("filename", "text")]):
        entry = store_upload(store / str(number), "photos.zip", zip_bytes(dataset_files(image_column=image,
                                                                                         text_column=text)))
        assert entry.rows == N_PAIRS, (image, text)


def test_group_and_label_are_kept(store):
    groups = [f"g{i // 2}" for i in range(N_PAIRS)]
    labels = ["shirt" if i % 3 else "mug" for i in range(N_PAIRS)]
    entry = store_upload(store, "photos.zip", zip_bytes(dataset_files(extra={"product_id": groups, "category": labels})))
    data = load_pairs(entry.path)
    assert data.group == tuple(groups) and data.label == tuple(labels)
    assert data.columns.group == "group" and data.columns.label == "label"


def test_duplicate_pictures_share_one_stored_file_are_noted_and_never_share_a_batch(store):
    files = dataset_files()
    files["photos/copy_of_p3.png"] = files["photos/p3.png"]
    files = _with_row(files, "photos/copy_of_p3.png", "the same photo, captioned differently")
    entry = store_upload(store, "photos.zip", zip_bytes(files))
    assert json.loads((entry.path.parent / META_FILE).read_text())["images"] == N_PAIRS
    data = load_pairs(entry.path)
    assert data.left[3] == data.left[N_PAIRS] and data.right[3] != data.right[N_PAIRS]
    note = next(n for n in data.notes if n.code == "duplicate_images")
    assert note.rows == [N_PAIRS + 1] and "same content" in note.message
    with override("ja"):
        assert "同じ内容の画像" in render_load_note(note)
    for seed in range(20):  # the trainer's batches: the two rows are never each other's negative
        for batch in no_duplicate_batches(data.left, data.right, data.group, 4, seed=seed):
            assert not {3, N_PAIRS} <= set(batch)


def test_a_missing_image_is_refused_by_name(store):
    err = assert_files_refused(store, _with_row(dataset_files(), "photos/absent.png"), "'photos/absent.png' is not there",
                   f"row {N_PAIRS + 1}")
    with override("ja"):
        assert "「photos/absent.png」が見つかりません" in render_error(err)


def test_an_unreadable_file_is_refused_by_name(store):
    files = _with_row(dataset_files(), "photos/notes.png")
    files["photos/notes.png"] = b"just some text\n" * 20
    assert_files_refused(store, files, "'photos/notes.png' is not a picture")


def test_a_truncated_jpeg_is_refused_by_name(store):
    whole = picture(50, fmt="JPEG", size=(96, 64))
    files = _with_row(dataset_files(), "photos/cut.jpg")
    files["photos/cut.jpg"] = whole[: len(whole) * 2 // 3]
    assert_files_refused(store, files, "'photos/cut.jpg' is damaged or cut off")


def test_a_pixel_bomb_png_is_refused_by_name(store):
    files = _with_row(dataset_files(), "photos/bomb.png")
    files["photos/bomb.png"] = png_declaring(50_000, 50_000)
    assert_files_refused(store, files, "'photos/bomb.png'", "decompression bomb")


@pytest.mark.parametrize("path", ["../outside.png", "photos/../../outside.png"])
def test_a_manifest_path_outside_the_archive_is_refused(store, path):
    assert_files_refused(store, _with_row(dataset_files(), path), f"'{path}' points outside the folder")


@pytest.mark.parametrize("path", ["/etc/photo.png", "C:\\photos\\p0.png", "file:///photos/p0.png"])
def test_an_absolute_manifest_path_is_refused(store, path):
    assert_files_refused(store, _with_row(dataset_files(), path), "is an absolute path")


def test_a_manifest_path_without_an_image_extension_is_refused(store):
    files = _with_row(dataset_files(), "photos/readme.txt")
    files["photos/readme.txt"] = b"hello"
    assert_files_refused(store, files, "'photos/readme.txt' in the image column does not end in an image extension")


def test_too_few_usable_pairs_are_refused(store):
    files = dataset_files(n=4)
    assert_files_refused(store, files, "4 distinct (left, right) pairs", "at least 10")


def test_a_manifest_without_a_text_column_is_refused(store):
    files = {f"photos/p{i}.png": picture(i) for i in range(N_PAIRS)}
    files["manifest.csv"] = manifest_csv([{"image": f"photos/p{i}.png", "n": str(i)} for i in range(N_PAIRS)])
    assert_files_refused(store, files, "'image' holds the pictures, but no column holds their texts")


def test_two_manifests_are_refused(store):
    files = dataset_files()
    files["manifest.jsonl"] = b'{"image": "photos/p0.png", "caption": "x"}\n'
    assert_files_refused(store, files, "more than one manifest")


def test_pictures_outside_a_store_have_no_thumbnail(tmp_path):
    loose = tmp_path / "photos" / "p0.png"
    loose.parent.mkdir()
    loose.write_bytes(picture(0))
    assert thumbnail_path(loose) is None
    assert thumbnail_path(tmp_path / "images" / "absent.png") is None


def test_make_thumbnail_turns_transparency_white(tmp_path):
    from engine.images import make_thumbnail

    clear = tmp_path / "clear.png"
    Image.new("RGBA", (400, 200), (255, 0, 0, 0)).save(clear)
    made = make_thumbnail(clear, tmp_path / "t" / "clear.jpg")
    with Image.open(made) as small:
        assert small.size == (THUMBNAIL_PX, THUMBNAIL_PX // 2)
        assert min(small.getpixel((80, 40))) > 245  # white, not the hidden red


def test_a_manifest_without_image_paths_is_refused(store):
    rows = [{"title": f"mug {i}", "description": f"a mug, model {i}"} for i in range(N_PAIRS)]
    assert_files_refused(store, {"manifest.csv": manifest_csv(rows)}, "'manifest.csv' has no column of image paths",
             "'title', 'description'")


def test_a_text_table_named_manifest_still_loads_as_text(tmp_path):
    rows = [{"title": f"mug {i}", "description": f"a mug, model {i}"} for i in range(N_PAIRS)]
    path = tmp_path / "manifest.csv"
    path.write_bytes(manifest_csv(rows))
    assert load_pairs(path).modality == {"left": "text", "right": "text"}
