"""Train/test leakage: the same (or nearly the same) texts or groups on both sides of a split."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from engine.data.audit_report import Finding, make_finding, sorted_rows
from engine.data.dataset import PairDataset, row_group
from engine.data.near_duplicates import NearPairs


def _real_groups(data: PairDataset) -> set[str]:
    """Group ids that come from a group column (not the generated per-row ``r<row>``)."""
    # startswith first: formatting a row id per row costs seconds on 1M rows.
    return {g for g, r in zip(data.group, data.row, strict=True) if not g.startswith("r") or g != row_group(r)}


def _text_leak(
    train: PairDataset, test: PairDataset, role: str, threshold: float, near: NearPairs, findings: list[Finding]
) -> dict[str, int]:
    train_texts = set(train.left if role == "left" else train.right)
    test_values = test.left if role == "left" else test.right
    exact = [r for r, t in zip(test.row, test_values, strict=True) if t in train_texts]
    test_texts = set(test_values)
    # Per distinct text (index into near.texts): on the test side only, and in train.
    index = pd.Index(near.texts)
    in_train = np.zeros(len(near.texts), dtype=bool)
    in_train[index.get_indexer(list(train_texts))] = True
    test_only = np.zeros(len(near.texts), dtype=bool)
    test_only[index.get_indexer(list(test_texts - train_texts))] = True
    mine, theirs = np.concatenate((near.i, near.j)), np.concatenate((near.j, near.i))
    leaked = np.zeros(len(near.texts), dtype=bool)
    leaked[mine[test_only[mine] & in_train[theirs]]] = True
    near_rows = [r for r, k in zip(test.row, index.get_indexer(list(test_values)).tolist(), strict=True) if leaked[k]]
    if exact:
        findings.append(
            make_finding(f"leak_{role}", "warning", "audit.LEAK_TEXT", rows=sorted_rows(exact), count=len(exact), role=role)
        )
    if near_rows:
        findings.append(
            make_finding(f"near_leak_{role}", "warning", "audit.NEAR_LEAK", rows=sorted_rows(near_rows),
                         count=len(near_rows),
                         role=role, threshold=float(threshold))
        )
    return {"exact_rows": len(exact), "near_rows": len(near_rows)}


def leakage(
    train: PairDataset,
    test: PairDataset,
    threshold: float,
    near: Mapping[str, NearPairs],
    findings: list[Finding],
) -> dict[str, Any]:
    """Measure overlap between a train and a test set and append findings.

    Args:
        train: Training pairs.
        test: Test pairs.
        threshold: Near-duplicate Jaccard threshold (for messages).
        near: Per text role, the near-duplicate pairs among (at least) all train and test texts.
        findings: Appended to.

    Returns:
        ``train_rows``, ``test_rows``, ``groups`` (``shared``: group ids on both sides,
        ``test_rows``: test rows in them), and per role ``exact_rows``/``near_rows`` (test rows
        whose text is in train / nearly identical to a train text).
    """
    shared = _real_groups(train) & _real_groups(test)
    shared_rows = [r for r, g in zip(test.row, test.group, strict=True) if g in shared]
    if shared:
        findings.append(
            make_finding("leak_groups", "error", "audit.LEAK_GROUPS", rows=sorted_rows(shared_rows),
                         count=len(shared_rows), groups=len(shared))
        )
    out: dict[str, Any] = {
        "train_rows": len(train),
        "test_rows": len(test),
        "groups": {"shared": len(shared), "test_rows": len(shared_rows)},
    }
    for role, pairs in near.items():
        out[role] = _text_leak(train, test, role, threshold, pairs, findings)
    return out
