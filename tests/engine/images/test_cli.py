"""``tiltpilot`` commands take a ZIP of images (stored first) or a folder with a manifest."""

from __future__ import annotations

import json
from contextlib import ExitStack

from image_builders import N_PAIRS, dataset_files, write_folder, zip_bytes

from engine.cli import main
from engine.datasets import list_datasets
from engine.images.inputs import stored_archive


def test_audit_reads_a_zip_of_images_and_leaves_the_working_folder_empty(tmp_path, monkeypatch, capsys):
    source = tmp_path / "in" / "photos.zip"
    source.parent.mkdir()
    source.write_bytes(zip_bytes(dataset_files()))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert main(["audit", str(source), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rows"] == N_PAIRS and report["modalities"] == {"left": "image", "right": "text"}
    assert list(work.iterdir()) == [] and sorted(p.name for p in source.parent.iterdir()) == ["photos.zip"]


def test_audit_reads_a_folder_with_a_manifest(tmp_path, capsys):
    folder = write_folder(tmp_path / "shoot", {f"top/{k}": v for k, v in dataset_files().items()})
    assert main(["audit", str(folder)]) == 0
    assert f"{N_PAIRS} pairs" in capsys.readouterr().out


def test_a_bad_zip_is_one_error_line(tmp_path, capsys):
    source = tmp_path / "pairs.zip"
    source.write_bytes(zip_bytes({"pairs.csv": b"title,description\na,b\n"}))
    assert main(["audit", str(source)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "not supported" in err and len(err.splitlines()) == 1


def test_a_zip_is_stored_in_the_run_store_with_the_users_column_names(tmp_path):
    source = tmp_path / "photos.zip"
    source.write_bytes(zip_bytes(dataset_files(image_column="pic", text_column="blurb")))
    with ExitStack() as scratch:
        path = stored_archive(source, tmp_path / "store", scratch, {"left": "pic", "right": "blurb"})
    assert path.name == "data.csv" and path.is_file()
    assert [d.path for d in list_datasets(tmp_path / "store")] == [path]
