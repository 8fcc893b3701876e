"""What can go wrong with the files of a store, as engine errors with a message a person can act on.

A full disk or a missing permission surfaces deep inside a write as a bare ``OSError`` with a
C-library message; :func:`write_guard` turns it into a :class:`StoreWriteError` that says what
happened, which path, and what to do, in the language in force.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator
from pathlib import Path

from engine.errors import EngineError
from engine.i18n import t

# errno -> catalogue key; anything else is reported with the system's own words.
_WRITE_PROBLEMS = {
    errno.ENOSPC: "store.WRITE_DISK_FULL",
    errno.EDQUOT: "store.WRITE_DISK_FULL",
    errno.EACCES: "store.WRITE_NO_PERMISSION",
    errno.EPERM: "store.WRITE_NO_PERMISSION",
    errno.EROFS: "store.WRITE_READ_ONLY",
}


class StoreWriteError(EngineError, OSError):
    """A file of the store could not be written (full disk, no permission, read-only disk).

    Also an ``OSError``, so code that already catches ``OSError`` around a write keeps working.
    """


class RunUnreadableError(EngineError):
    """A file of one run directory is damaged (truncated or not JSON).

    Attributes:
        run_id: The run.
        file: The damaged file's name (``metrics.json``).
        detail: The parser's words, shortened.
    """

    def __init__(self, message: str, *, run_id: str, file: str, detail: str) -> None:
        super().__init__(message)
        self.run_id = run_id
        self.file = file
        self.detail = detail


def write_error(path: str | Path, exc: OSError) -> StoreWriteError:
    """The :class:`StoreWriteError` that explains ``exc`` raised while writing ``path``."""
    key = _WRITE_PROBLEMS.get(exc.errno or 0, "store.WRITE_FAILED")
    return StoreWriteError(t(key, path=str(path), error=exc.strerror or str(exc)))


@contextlib.contextmanager
def write_guard(path: str | Path) -> Iterator[None]:
    """Re-raise an ``OSError`` inside the block as a :class:`StoreWriteError` about ``path``."""
    try:
        yield
    except StoreWriteError:
        raise
    except OSError as exc:
        raise write_error(path, exc) from exc
