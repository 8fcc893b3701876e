"""Handing freed host memory back to the system between the models of one process.

A comparison trains several models one after another in one process. PyTorch's CPU tensors come
from the C library's ``malloc``; glibc keeps freed heap memory (fragmented by a training step's
thousands of activation blocks) with the process instead of returning it. Measured on the sample
4-loss comparison (``bench/bench_compare.py``, ``--epochs 1``): the resident size after the first
run's training stayed ~0.9-1.8 GB above its level before, and each later run trained on top of it.

So after each model :func:`release_freed_memory` collects Python's garbage and asks glibc to give
back its free heap pages (``malloc_trim``). Elsewhere (macOS, musl) only the collection runs. Nothing
here changes any number a run computes.

Tried and left off: fixing glibc's mmap threshold at 128 KiB (``mallopt(M_MMAP_THRESHOLD)``), so
every activation is mapped on its own and returned the moment it is freed, cut a further ~150 MB
of the training peak, but made CPU training dearer in CPU time in all four A/B pairs measured
(~35% in the quietest: a fresh, zeroed mapping per activation, sys time 1.6 → 4.5 s over 4 steps of 32 pairs);
over one whole 4-loss comparison it was +3% CPU (430 against 417 s) for a peak of 1,587 MiB instead of
1,936 MiB. One noisy pair on a shared machine: measure again before turning it on.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
from functools import lru_cache


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
    """Collect Python's reference cycles, then hand glibc's free heap pages back to the system.

    Call it when a model and its optimiser have gone out of scope (between the runs of a comparison).
    """
    gc.collect()
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
