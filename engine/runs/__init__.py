"""Run store: one directory per run, atomic writes, status, and an index of runs."""

from __future__ import annotations

from engine.runs.atomic import atomic_write_bytes, atomic_write_json, atomic_write_text, read_json
from engine.runs.layout import RunPaths
from engine.runs.store import RunStore, new_run_id

__all__ = [
    "RunPaths",
    "RunStore",
    "atomic_write_bytes",
    "atomic_write_json",
    "atomic_write_text",
    "new_run_id",
    "read_json",
]
