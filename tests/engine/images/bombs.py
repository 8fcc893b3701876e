"""Hostile files built cheaply: a PNG declaring a huge image, ZIPs that inflate to gigabytes."""

from __future__ import annotations

import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_MIB = 1 << 20


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A real PNG header (1-bit greyscale) declaring ``width`` x ``height`` with a few bytes of pixels."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 4096)
    return PNG_SIGNATURE + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", pixels) + _png_chunk(b"IEND", b"")


def zeros_deflated(mib: int) -> tuple[bytes, int]:
    """A raw deflate stream of ``mib`` MiB of zeros, and its CRC-32, without compressing them all.

    One MiB is compressed once with a full flush (byte-aligned, no back-references past it), so
    the same bytes repeated decode to that MiB again and again; an empty final block closes it.
    """
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(bytes(_MIB)) + packer.flush(zlib.Z_FULL_FLUSH)
    closer = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = block * mib + closer.flush(zlib.Z_FINISH)
    crc = 0
    chunk = bytes(_MIB)
    for _ in range(mib):
        crc = zlib.crc32(chunk, crc)
    return stream, crc


def zip_with_deflated(name: str, stream: bytes, crc: int, declared: int, extra: dict[str, bytes] | None = None) -> bytes:
    """A ZIP written by hand: one deflated member ``name`` declaring ``declared`` bytes, plus stored ``extra`` files."""
    entries = [(name.encode(), stream, crc, declared, 8)]
    for other, data in (extra or {}).items():
        entries.append((other.encode(), data, zlib.crc32(data), len(data), 0))
    body, central = b"", b""
    for encoded, data, checksum, size, method in entries:
        offset = len(body)
        fields = struct.pack("<HHHHHIII", 20, 0, method, 0, 0, checksum, len(data), size)
        body += b"PK\x03\x04" + fields + struct.pack("<HH", len(encoded), 0) + encoded + data
        central += (b"PK\x01\x02" + struct.pack("<H", 3 << 8 | 20) + fields  # made on Unix: modes are read
                    + struct.pack("<HHHHHII", len(encoded), 0, 0, 0, 0, 0o100644 << 16, offset) + encoded)
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(entries), len(entries), len(central), len(body), 0)
    return body + central + end
