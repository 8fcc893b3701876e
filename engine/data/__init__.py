"""Paired data: reading tables, column roles, validation, the group-aware split and the data audit.

Typical use::

    data = load_pairs("catalogue.csv")                 # auto-detects title -> left, description -> right
    train, test = split_pairs(data, test_size=0.2, seed=0)
    report = audit(data, train=train, test=test)
"""

from __future__ import annotations

from engine.data.audit import audit
from engine.data.audit_report import AuditReport, Finding
from engine.data.columns import ROLES, ColumnMap, resolve_columns
from engine.data.dataset import PairDataset, load_pairs
from engine.data.formats import SUPPORTED_EXTENSIONS, read_table
from engine.data.load_notes import LoadNote, render_load_note
from engine.data.near_duplicates import near_duplicate_pairs
from engine.data.split import split_pairs
from engine.data.trainable import check_trainable
from engine.data.validation import MAX_CELL_CHARS, MIN_PAIRS_FOR_SPLIT

__all__ = [
    "MAX_CELL_CHARS",
    "MIN_PAIRS_FOR_SPLIT",
    "ROLES",
    "SUPPORTED_EXTENSIONS",
    "AuditReport",
    "ColumnMap",
    "Finding",
    "LoadNote",
    "PairDataset",
    "audit",
    "check_trainable",
    "load_pairs",
    "near_duplicate_pairs",
    "read_table",
    "render_load_note",
    "resolve_columns",
    "split_pairs",
]
