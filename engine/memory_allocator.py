"""The C memory allocator of the processes that train: jemalloc when the machine has it.

PyTorch's CPU tensors come from ``malloc``. A training step allocates thousands of activations of
sizes that change with every batch's lengths, and glibc's allocator serves them from heaps that
fragment: over 10 steps of the sample catalogue the process peaked ~290 MiB above what jemalloc or
tcmalloc needed for the same steps, at the same speed (``bench/README.md``, part (c)). PyTorch's
own CPU performance guide recommends either. Making glibc map every large block on its own
(``M_MMAP_THRESHOLD``) reached the same memory but cost ~50% more time in page faults.

An allocator can only be chosen when a process starts (``LD_PRELOAD``), so:

* the dashboard's job runner is started with :func:`allocator_env` (``engine.jobs.worker``);
* the ``tiltpilot`` command restarts itself once under it (:func:`restart_with_allocator`) before
  it imports torch;
* both then drop it from their own environment (:func:`forget_preload`), so the programs they
  start (the browser that prints a report) keep their usual allocator.

``TILTPILOT_ALLOCATOR=system`` keeps the C library's allocator. Without the library (it comes
from the Debian package ``libjemalloc2``, which ``make run`` and ``make test`` install), or off
Linux, nothing changes: memory is still handed back between models (:mod:`engine.process_memory`).
No number a run computes depends on the allocator.
"""

from __future__ import annotations

import ctypes.util
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path

logger = logging.getLogger(__name__)

LIBRARY = "libjemalloc.so.2"  # Debian: libjemalloc2
NAME = "jemalloc"
SYSTEM = "system"
CHOICE_ENV = "TILTPILOT_ALLOCATOR"  # "system": keep the C library's malloc
PRELOAD_ENV = "LD_PRELOAD"
_RESTARTED_ENV = "TILTPILOT_ALLOCATOR_RESTARTED"  # set across the restart, so a failed preload never loops


def available() -> bool:
    """True on Linux when the allocator library is installed and not turned off."""
    if not sys.platform.startswith("linux") or os.environ.get(CHOICE_ENV, "").strip().lower() == SYSTEM:
        return False
    return ctypes.util.find_library(NAME) is not None


def active_allocator(pid: int | None = None) -> str:
    """``"jemalloc"`` when process ``pid`` (default: this one) runs on it, else ``"system"`` (also once it is gone)."""
    try:
        maps = Path(f"/proc/{pid or 'self'}/maps").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return SYSTEM
    return NAME if LIBRARY.split(".so")[0] in maps else SYSTEM


def allocator_env(env: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``env`` that starts a process on the allocator (unchanged when it is not available)."""
    out = dict(env)
    preload = [entry for entry in out.get(PRELOAD_ENV, "").split(":") if entry]
    if available() and LIBRARY not in preload:
        out[PRELOAD_ENV] = ":".join([LIBRARY, *preload])
    return out


def forget_preload() -> None:
    """Drop the allocator from this process's ``LD_PRELOAD``, so programs it starts do not inherit it."""
    preload = [entry for entry in os.environ.get(PRELOAD_ENV, "").split(":") if entry and entry != LIBRARY]
    if preload:
        os.environ[PRELOAD_ENV] = ":".join(preload)
    else:
        os.environ.pop(PRELOAD_ENV, None)


def restart_with_allocator() -> None:
    """Replace this process with the same command on the allocator, once; return when there is nothing to do.

    Call it first thing in a command-line entry point: the process is replaced (same pid, same
    arguments and streams), so anything done before is lost.
    """
    if os.environ.get(_RESTARTED_ENV) or active_allocator() == NAME or not available():
        return
    env = allocator_env(os.environ)
    env[_RESTARTED_ENV] = "1"
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, list(sys.orig_argv), env)
