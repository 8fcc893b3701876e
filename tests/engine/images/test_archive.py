"""Unsafe archives are refused before anything is kept: names, links, bombs, too many entries."""

from __future__ import annotations

import io
import resource
import stat
import time
import zipfile

import pytest
from bombs import zeros_deflated, zip_with_deflated
from image_builders import assert_upload_refused, dataset_files, zip_bytes

from engine.datasets import store_upload
from engine.errors import DataError
from engine.images import archive as archive_module
from engine.images.limits import MAX_MEMBER_MB, MAX_RATIO


def _with_entry(info: zipfile.ZipInfo, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in dataset_files().items():
            archive.writestr(name, content)
        archive.writestr(info, data)
    return out.getvalue()


@pytest.mark.parametrize("entry", ["../evil.png", "photos/../../evil.png", "..\\evil.png"])
def test_an_entry_with_dot_dot_is_refused(store, entry):
    assert_upload_refused(store, _with_entry(zipfile.ZipInfo(entry), b"x"), "'..'", entry)


@pytest.mark.parametrize("entry", ["/etc/evil.png", "C:/evil.png", "C:\\evil.png"])
def test_an_entry_with_an_absolute_path_is_refused(store, entry):
    assert_upload_refused(store, _with_entry(zipfile.ZipInfo(entry), b"x"), "absolute path", entry)


def test_a_symlink_entry_is_refused(store):
    link = zipfile.ZipInfo("photos/link.png")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    assert_upload_refused(store, _with_entry(link, b"/etc/passwd"), "'photos/link.png'", "symbolic link")


def test_a_zip_bomb_of_2_gb_is_refused_quickly_in_bounded_memory(store):
    stream, crc = zeros_deflated(2048)  # 2 GiB of zeros in about 2 MB
    data = zip_with_deflated("photos/p0.png", stream, crc, 2048 << 20,
                             {k: v for k, v in dataset_files().items() if k != "photos/p0.png"})
    assert len(data) < 3 << 20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    assert_upload_refused(store, data, "'photos/p0.png'", f"limit of {MAX_MEMBER_MB:,} MB", "ZIP bomb")
    assert time.perf_counter() - start < 2.0
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024 < 100  # MB


def test_a_bomb_under_the_size_limit_is_refused_by_its_ratio(store):
    stream, crc = zeros_deflated(64)  # 64 MiB, under the per-member limit, compressed ~1000 times
    data = zip_with_deflated("photos/p0.png", stream, crc, 64 << 20)
    assert_upload_refused(store, data, "'photos/p0.png'", f"(the limit is {MAX_RATIO})", "ZIP bomb")


def test_a_bomb_that_lies_about_its_size_is_stopped_while_unpacking(store):
    """Declared as 1 KB (passes every declared check); unpacking counts the actual bytes and stops."""
    stream, crc = zeros_deflated(2048)
    files = {k: v for k, v in dataset_files().items() if k != "photos/p0.png"}
    data = zip_with_deflated("photos/p0.png", stream, crc, 1024, files)
    start = time.perf_counter()
    assert_upload_refused(store, data, "'photos/p0.png'", "damaged")  # zipfile stops at the declared size; the checksum fails
    assert time.perf_counter() - start < 2.0


def test_actual_bytes_past_the_budget_stop_extraction(tmp_path, monkeypatch):
    """The counting itself: a member inflating past the budget is stopped mid-stream, naming it."""
    stream, crc = zeros_deflated(3)
    archive = zipfile.ZipFile(io.BytesIO(zip_with_deflated("big.bin", stream, crc, 3 << 20)))
    monkeypatch.setattr(archive_module, "MAX_MEMBER_MB", 2)
    monkeypatch.setattr(archive_module, "MAX_RATIO", 10**9)
    members = {"big.bin": archive.infolist()[0]}
    with pytest.raises(DataError, match="'big.bin' unpacks to more than its declared size or the limit of 2 MB"):
        archive_module.extract_members(archive, members, tmp_path / "out", "x.zip")
    assert (tmp_path / "out" / "big.bin").stat().st_size <= 2 << 20


def test_too_many_entries_are_refused(store, monkeypatch):
    monkeypatch.setattr(archive_module, "MAX_MEMBERS", 5)
    assert_upload_refused(store, zip_bytes(dataset_files()), "more than 5 files")


def test_a_file_that_is_not_a_zip_is_refused(store):
    assert_upload_refused(store, b"PK\x03\x04 not really a zip" * 10, "'photos.zip' is not a readable ZIP archive")


def test_a_zip_of_a_table_without_a_manifest_is_not_supported(store):
    assert_upload_refused(store, zip_bytes({"pairs.csv": b"title,description\na,b\n"}), "holds no manifest", "not supported")


def test_macos_entries_are_ignored(store):
    files = dataset_files()
    files["__MACOSX/photos/._p0.png"] = b"\x00\x05\x16\x07 apple double"
    files["__MACOSX/manifest.csv"] = b"not,a,manifest\n"  # would make two manifests if it counted
    files["photos/.DS_Store"] = b"\x00\x00\x00\x01Bud1"
    files["photos/._p1.png"] = b"\x00\x05\x16\x07"
    entry = store_upload(store, "photos.zip", zip_bytes(files))
    assert entry.rows == len(dataset_files()) - 1


def test_an_encrypted_entry_is_refused(store):
    data = bytearray(_with_entry(zipfile.ZipInfo("photos/locked.png"), b"\x00" * 64))
    last = data.rfind(b"PK\x01\x02")  # the central record of the entry written last; zipfile never writes the flag
    data[last + 8] |= 0x1  # general-purpose flags: bit 0 = encrypted
    assert_upload_refused(store, bytes(data), "'photos/locked.png'", "encrypted")


def test_two_entries_with_one_name_are_refused(store):
    assert_upload_refused(store, _with_entry(zipfile.ZipInfo("photos/./p0.png"), b"x"), "'photos/./p0.png' twice")
