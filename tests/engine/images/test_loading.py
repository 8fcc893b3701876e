"""``load_pairs`` on a folder with a manifest (the CLI's way in): checked absolute paths, nothing outside."""

from __future__ import annotations

import os

import pytest
from image_builders import N_PAIRS, dataset_files, manifest_csv, picture, write_folder, zip_bytes

from engine.data import load_pairs
from engine.errors import DataError


def test_a_folder_gives_absolute_paths_of_its_pictures_on_the_left(tmp_path):
    folder = write_folder(tmp_path / "shoot", dataset_files())
    data = load_pairs(folder)
    assert data.modality == {"left": "image", "right": "text"}
    assert data.left[2] == str((folder / "photos" / "p2.png").resolve())
    assert data.columns.left == "image" and data.columns.right == "caption" and data.notes == ()


def test_a_manifest_inside_one_top_level_folder_and_macos_leftovers(tmp_path):
    folder = write_folder(tmp_path / "upload", {f"catalogue/{k}": v for k, v in dataset_files().items()})
    (folder / "__MACOSX").mkdir()
    (folder / "__MACOSX" / "manifest.csv").write_text("junk\n")
    (folder / ".DS_Store").write_bytes(b"\x00")
    assert len(load_pairs(folder)) == N_PAIRS


def test_equal_pictures_at_two_paths_get_one_path_and_a_note(tmp_path):
    files = dataset_files()
    files["photos/p5.png"] = files["photos/p4.png"]
    data = load_pairs(write_folder(tmp_path / "f", files))
    assert data.left[5] == data.left[4] and data.left[4].endswith("p4.png")
    assert [n.code for n in data.notes] == ["duplicate_images"] and data.notes[0].rows == [6]


def test_a_symlinked_picture_is_refused(tmp_path):
    outside = tmp_path / "secret.png"
    outside.write_bytes(picture(99))
    folder = write_folder(tmp_path / "f", dataset_files())
    (folder / "photos" / "p1.png").unlink()
    os.symlink(outside, folder / "photos" / "p1.png")
    with pytest.raises(DataError, match="'photos/p1.png' passes through a symbolic link"):
        load_pairs(folder)


def test_a_symlinked_folder_is_refused(tmp_path):
    real = write_folder(tmp_path / "real", {f"p{i}.png": picture(i) for i in range(N_PAIRS)})
    folder = tmp_path / "f"
    folder.mkdir()
    os.symlink(real, folder / "photos")
    rows = [{"image": f"photos/p{i}.png", "caption": f"product {i}"} for i in range(N_PAIRS)]
    (folder / "manifest.csv").write_bytes(manifest_csv(rows))
    with pytest.raises(DataError, match="symbolic link"):
        load_pairs(folder)


def test_a_path_outside_the_folder_is_refused(tmp_path):
    (tmp_path / "outside.png").write_bytes(picture(77))
    files = dataset_files()
    files["manifest.csv"] = files["manifest.csv"].replace(b"photos/p7.png", b"../outside.png")
    with pytest.raises(DataError, match=r"\[row 8, column 'image'\].*'../outside.png' points outside"):
        load_pairs(write_folder(tmp_path / "f", files))


def test_a_corrupt_picture_in_a_folder_is_refused_by_name(tmp_path):
    files = dataset_files()
    files["photos/p9.png"] = files["photos/p9.png"][:60]
    with pytest.raises(DataError, match="'photos/p9.png' is damaged"):
        load_pairs(write_folder(tmp_path / "f", files))


def test_a_folder_without_a_manifest_is_refused(tmp_path):
    folder = write_folder(tmp_path / "f", {"a.png": picture(1)})
    with pytest.raises(DataError, match="is a folder, not a data file.*a folder holding a manifest"):
        load_pairs(folder)


def test_a_zip_is_read_only_once_stored(tmp_path):
    path = tmp_path / "photos.zip"
    path.write_bytes(zip_bytes(dataset_files()))
    with pytest.raises(DataError, match="'photos.zip' is a ZIP archive: it is read once it is stored"):
        load_pairs(path)


def test_a_text_table_with_a_file_column_stays_a_text_table(tmp_path):
    rows = [{"title": f"red mug {i}", "description": f"a red mug, model {i}", "file": f"spec{i}.pdf"}
            for i in range(N_PAIRS)]
    path = tmp_path / "pairs.csv"
    path.write_bytes(manifest_csv(rows))
    data = load_pairs(path)
    assert data.modality == {"left": "text", "right": "text"} and data.left[0] == "red mug 0"
