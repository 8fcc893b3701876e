"""A helper process that ends with the process that started it.

The job runner, the evaluation pool's workers and the UMAP process each hold a model or a large
array; left behind by a parent that was killed (``kill -9``, out of memory), they would hold it
until the machine restarts.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import threading
import time

PARENT_CHECK_S = 0.5  # how often a process checks its parent where the kernel cannot signal it (not Linux)
_PR_SET_PDEATHSIG = 1


def exit_with_parent(parent: int) -> None:
    """End this process when ``parent`` is gone: at once on Linux, else within :data:`PARENT_CHECK_S`.

    Args:
        parent: The pid of the process that started this one.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it was gone before the line above
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(1)  # nothing to clean: whoever reads the parent's work sees it died (engine.jobs.recovery)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
