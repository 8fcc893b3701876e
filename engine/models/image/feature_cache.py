"""Features of a frozen tower, computed once per content and reused across epochs and runs.

A frozen tower maps the same image to the same features every time, so a comparison of several
losses (each its own run, each with a base and a tuned evaluation and several epochs) needs to run
it once per image. Keys are the tower's ``cache_key`` (salted once the tower has trained) plus the
content: the sha256 of the image file's bytes (the stored file name when it already is one, as the
dataset store names images), or the text itself. The cache is bounded in bytes and forgets the least recently used entries.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from collections import OrderedDict
from pathlib import Path

import torch

# 256 MiB holds about 50,000 image features (1280 floats) or 170,000 MiniLM text features.
DEFAULT_CACHE_BYTES = 256 * 1024 * 1024
_SHA256_STEM = re.compile(r"[0-9a-f]{64}")


def content_hash(path: str) -> str:
    """The sha256 of an image file's bytes; free when the file is stored under its hash."""
    stem = Path(path).stem
    if _SHA256_STEM.fullmatch(stem):
        return stem
    return _hash_file(path, *_stamp(path))


def _stamp(path: str) -> tuple[int, int]:
    stat = os.stat(path)
    return stat.st_mtime_ns, stat.st_size


_hashes: OrderedDict[tuple[str, int, int], str] = OrderedDict()
_MAX_HASHES = 200_000


def _hash_file(path: str, mtime_ns: int, size: int) -> str:
    # Remembered per (path, modification time, size), so an edited file is hashed again.
    key = (path, mtime_ns, size)
    if key in _hashes:
        _hashes.move_to_end(key)
        return _hashes[key]
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    _hashes[key] = digest
    if len(_hashes) > _MAX_HASHES:
        _hashes.popitem(last=False)
    return digest


class FeatureCache:
    """A least-recently-used map from (tower, content) to a CPU float32 feature vector.

    Args:
        max_bytes: Memory budget for the stored vectors.
    """

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self._store: OrderedDict[tuple[str, str], torch.Tensor] = OrderedDict()

    def __len__(self) -> int:
        return len(self._store)

    def get(self, tower: str, content: str) -> torch.Tensor | None:
        vector = self._store.get((tower, content))
        if vector is None:
            self.misses += 1
            return None
        self.hits += 1
        self._store.move_to_end((tower, content))
        return vector

    def put(self, tower: str, content: str, vector: torch.Tensor) -> None:
        key = (tower, content)
        stored = vector.detach().to("cpu", torch.float32).clone()
        if key in self._store:
            self.bytes -= self._store.pop(key).nbytes
        self._store[key] = stored
        self.bytes += stored.nbytes
        while self.bytes > self.max_bytes and self._store:
            self.bytes -= self._store.popitem(last=False)[1].nbytes

    def clear(self) -> None:
        self._store.clear()
        self.bytes = self.hits = self.misses = 0


_changes = itertools.count(1)


def mark_changed(tower: object) -> None:
    """Say that ``tower``'s weights may differ from what its ``cache_key`` names (it trains, or was
    loaded fine-tuned), so its features are never mixed with those of the pretrained tower."""
    tower.cache_salt = f"changed-{next(_changes)}"


def tower_key(tower: object) -> str:
    """The cache's name for a tower's current weights."""
    return f"{tower.cache_key}|{getattr(tower, 'cache_salt', '')}"


# One per process: every run of a comparison loads its own encoder, and all of them share it.
SHARED_CACHE = FeatureCache()
