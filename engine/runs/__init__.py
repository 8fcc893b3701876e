"""Run store: one directory per run, atomic writes, status, and an index of runs."""

from __future__ import annotations

from engine.runs.atomic import atomic_write_bytes, atomic_write_json, atomic_write_text, read_json, read_json_or
from engine.runs.ids import check_id
from engine.runs.index_entries import UNREADABLE
from engine.runs.layout import (
    CLASSIFICATION_PART,
    COMPARISON_FILE,
    INDEX_FILE,
    LEARNING_CURVE_FILE,
    ROBUSTNESS_FILE,
    RunPaths,
)
from engine.runs.store import RunStore, new_run_id
from engine.runs.store_errors import RunUnreadableError, StoreWriteError

__all__ = [
    "CLASSIFICATION_PART",
    "COMPARISON_FILE",
    "INDEX_FILE",
    "LEARNING_CURVE_FILE",
    "ROBUSTNESS_FILE",
    "RunPaths",
    "RunStore",
    "RunUnreadableError",
    "StoreWriteError",
    "UNREADABLE",
    "atomic_write_bytes",
    "atomic_write_json",
    "atomic_write_text",
    "check_id",
    "new_run_id",
    "read_json",
    "read_json_or",
]
