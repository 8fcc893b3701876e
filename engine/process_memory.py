"""Handing freed host memory back to the system between the models of one process.

A comparison trains several models one after another in one process. PyTorch's CPU tensors come
from ``malloc``, and an allocator keeps freed memory with the process for reuse instead of
returning it. Measured on the sample 4-loss comparison (``bench/bench_compare.py``, ``--epochs 1``)
with glibc's allocator: the resident size after the first run's training stayed ~0.9-1.8 GB above
its level before, and each later run trained on top of it.

So after each model :func:`release_freed_memory` collects Python's garbage and asks the allocator
to give back its free pages: jemalloc (:mod:`engine.memory_allocator`) purges its arenas, glibc
trims its heaps (``malloc_trim``). Elsewhere (macOS, musl) only the collection runs. Nothing here
changes any number a run computes.

Tried and left off: fixing glibc's mmap threshold at 128 KiB (``mallopt(M_MMAP_THRESHOLD)``), so
every activation is mapped on its own and returned the moment it is freed, cut the training peak
like jemalloc does, but a fresh, zeroed mapping per activation made CPU training ~50% slower
(10 steps of 32 pairs: 18.7-20.6 s against 12.4-13.1 s, system time 11-12 s against 2 s).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
from functools import lru_cache

JEMALLOC_ALL_ARENAS = 4096  # jemalloc's MALLCTL_ARENAS_ALL: "arena.4096.purge" purges every arena


@lru_cache(maxsize=1)
def _process() -> ctypes.CDLL | None:
    """The symbols of this process (the preloaded allocator's first), or None off Linux."""
    return ctypes.CDLL(None) if sys.platform.startswith("linux") else None


@lru_cache(maxsize=1)
def _glibc() -> ctypes.CDLL | None:
    """The C library when it is glibc (it has ``malloc_trim``), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None


def release_freed_memory() -> None:
    """Collect Python's reference cycles, then hand the allocator's free pages back to the system.

    Call it when a model and its optimiser have gone out of scope (between the runs of a comparison).
    """
    gc.collect()
    process = _process()
    if process is not None and hasattr(process, "mallctl"):  # jemalloc
        command = f"arena.{JEMALLOC_ALL_ARENAS}.purge".encode("ascii")
        process.mallctl(command, None, None, None, ctypes.c_size_t(0))
    libc = _glibc()
    if libc is not None:  # glibc still serves what ran before the preload took over, and non-preloaded processes
        libc.malloc_trim(0)
