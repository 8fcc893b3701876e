"""The documented size limit of a data file: one home for the CLI and the dashboard.

The dashboard refuses uploads over :data:`MAX_FILE_MB` (``server.maxUploadSize`` in
``.streamlit/config.toml`` must equal it; a test compares them, and ``engine.datasets.MAX_UPLOAD_MB``
is this value). The CLI applies the same limit to the files it reads, with an override flag.
The limit is what the audit is measured to handle on the 2-core pilot machine: a 50 MB file of
1M short rows in about 1 GB peak memory (``bench/bench_audit.py``, ``bench/README.md``).
"""

from __future__ import annotations

from pathlib import Path

from engine.data.error_text import keyed_error

MAX_FILE_MB = 50  # must equal server.maxUploadSize in .streamlit/config.toml (tests/engine/data/test_limits.py)
_MB = 1024 * 1024  # Streamlit counts an upload's MB in MiB; so do we


def file_mb(path: str | Path) -> float:
    """The size of ``path`` in MB (MiB, as Streamlit's upload limit counts them)."""
    return Path(path).stat().st_size / _MB


def check_file_size(path: str | Path, limit_mb: float | None = MAX_FILE_MB) -> None:
    """Refuse a data file larger than the documented limit.

    Args:
        path: The data file (a missing file passes: the loader reports it with its own message).
        limit_mb: The limit in MB; None disables the check (the CLI's override flag).

    Raises:
        DataError: The file is larger than ``limit_mb`` (the message names the file, its size,
            the limit and how to proceed).
    """
    if limit_mb is None:
        return
    path = Path(path)
    if not path.is_file():
        return
    size = file_mb(path)
    if size > limit_mb:
        raise keyed_error("resources.FILE_TOO_LARGE", name=path.name, size=round(size, 1), limit=limit_mb)
