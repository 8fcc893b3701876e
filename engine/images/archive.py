"""Safe reading of an uploaded ZIP: member names that stay inside, no links, bounded inflation.

Every member is checked before anything is written: its name (no ``..``, no absolute path, no
drive letter), its kind (no symbolic link or other special file), encryption, and its declared
sizes (per member, in total, and the compression ratio). Extraction then streams each member in
chunks and counts the bytes actually inflated, so an archive that lies about its sizes is stopped
as soon as it passes a limit, with memory bounded by one chunk. ``__MACOSX/``, ``._*`` and
``.DS_Store`` entries (added by macOS when it zips a folder) are ignored.
"""

from __future__ import annotations

import errno
import re
import stat
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path

from engine.data.error_text import keyed_error
from engine.errors import DataError
from engine.images.limits import COPY_CHUNK, MAX_MEMBER_MB, MAX_MEMBERS, MAX_RATIO, MAX_TOTAL_MB, MB, RATIO_FLOOR_MB

IGNORED_FOLDERS = ("__MACOSX",)
IGNORED_NAMES = (".DS_Store",)
IGNORED_PREFIX = "._"  # AppleDouble companions macOS writes next to each file
DRIVE_LETTER = re.compile(r"^[A-Za-z]:")  # "C:..." is absolute on Windows
_ENCRYPTED_FLAG = 0x1


def open_archive(data_path: str | Path, source: str) -> zipfile.ZipFile:
    """Open a ZIP file, refusing what is not one.

    Raises:
        DataError: The file is not a readable ZIP archive.
    """
    try:
        return zipfile.ZipFile(data_path)
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError):
        raise keyed_error("images.NOT_A_ZIP", source=source) from None


def is_ignored(name: str) -> bool:
    """Whether an (already safe) member name is macOS bookkeeping to skip: ``__MACOSX/``, ``._*``, ``.DS_Store``."""
    parts = name.split("/")
    return parts[0] in IGNORED_FOLDERS or parts[-1] in IGNORED_NAMES or parts[-1].startswith(IGNORED_PREFIX)


def member_name(info: zipfile.ZipInfo, source: str) -> str:
    """The member's name as a relative POSIX path, after refusing names that could leave the archive.

    Raises:
        DataError: The name is absolute, has a drive letter or a ``..`` part, or is a link.
    """
    raw = info.filename
    name = raw.replace("\\", "/")
    if name.startswith("/") or DRIVE_LETTER.match(name):
        raise keyed_error("images.ABSOLUTE_ENTRY", source=source, name=raw)
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise keyed_error("images.DOT_DOT_ENTRY", source=source, name=raw)
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):  # 0: made on a system without Unix modes
        raise keyed_error("images.LINK_ENTRY", source=source, name=raw)
    return "/".join(parts)


def safe_members(archive: zipfile.ZipFile, source: str) -> dict[str, zipfile.ZipInfo]:
    """The archive's files to use, by safe name; folders and macOS entries left out.

    Args:
        archive: The open archive.
        source: The upload's name, for messages.

    Returns:
        Safe relative name -> member, in archive order.

    Raises:
        DataError: A member's name or kind is unsafe, a member is encrypted, two members share a
            name, there are too many members, or the declared sizes or ratio pass the limits.
    """
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in archive.infolist():
        name = member_name(info, source)
        if info.is_dir() or not name or is_ignored(name):
            continue
        if info.flag_bits & _ENCRYPTED_FLAG:
            raise keyed_error("images.ENCRYPTED_ENTRY", source=source, name=info.filename)
        if name in members:
            raise keyed_error("images.DUPLICATE_ENTRY", source=source, name=info.filename)
        if len(members) >= MAX_MEMBERS:
            raise keyed_error("images.TOO_MANY_ENTRIES", source=source, limit=MAX_MEMBERS)
        check_declared(info, source)
        total += info.file_size
        if total > MAX_TOTAL_MB * MB:
            raise keyed_error("images.TOTAL_TOO_LARGE", source=source, limit=MAX_TOTAL_MB)
        members[name] = info
    return members


def check_declared(info: zipfile.ZipInfo, source: str) -> None:
    """Refuse a member whose declared inflated size or compression ratio passes the limits.

    Raises:
        DataError: The member would inflate past :data:`MAX_MEMBER_MB` or by more than :data:`MAX_RATIO`.
    """
    if info.file_size > MAX_MEMBER_MB * MB:
        raise keyed_error("images.MEMBER_TOO_LARGE", source=source, name=info.filename,
                          size=round(info.file_size / MB), limit=MAX_MEMBER_MB)
    _check_ratio(info, info.file_size, source)


def _check_ratio(info: zipfile.ZipInfo, inflated: int, source: str) -> None:
    if inflated > RATIO_FLOOR_MB * MB and inflated > MAX_RATIO * max(info.compress_size, 1):
        raise keyed_error("images.RATIO_TOO_HIGH", source=source, name=info.filename,
                          ratio=inflated // max(info.compress_size, 1), limit=MAX_RATIO)


def extract_members(archive: zipfile.ZipFile, members: Mapping[str, zipfile.ZipInfo], dest: Path, source: str) -> None:
    """Write the members under ``dest`` at their safe names, streaming and counting actual bytes.

    Raises:
        DataError: A member inflates past its declared size, a limit or the ratio; or is corrupt.
    """
    budget = MAX_TOTAL_MB * MB
    for name, info in members.items():
        target = dest.joinpath(*name.split("/"))
        budget -= _copy(archive, info, target, min(budget, MAX_MEMBER_MB * MB), source)


def _copy(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, limit: int, source: str) -> int:
    written = 0
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as src, open(target, "xb") as out:
            while chunk := src.read(COPY_CHUNK):
                written += len(chunk)
                if written > info.file_size or written > limit:  # the archive lied about its size
                    raise keyed_error("images.INFLATES_TOO_MUCH", source=source, name=info.filename,
                                      limit=limit // MB)
                _check_ratio(info, written, source)
                out.write(chunk)
    except DataError:
        raise
    except OSError as exc:
        if exc.errno == errno.ENOSPC:  # a full disk is not the upload's fault: say so as the OS does
            raise
        if isinstance(exc, FileExistsError | NotADirectoryError | IsADirectoryError):  # "a" is a file and a folder
            raise keyed_error("images.DUPLICATE_ENTRY", source=source, name=info.filename) from None
        raise keyed_error("images.ENTRY_NAME_UNUSABLE", source=source, name=info.filename) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError):
        raise keyed_error("images.CORRUPT_ENTRY", source=source, name=info.filename) from None
    return written
