"""Train/test leakage: the same (or nearly the same) texts or groups on both sides of a split."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from engine.data.audit_report import Finding, sorted_rows
from engine.data.dataset import PairDataset, row_group
from engine.data.near_duplicates import NearPairs

logger = logging.getLogger(__name__)

_MEMORISED = "Test metrics then partly measure recall of training examples and look better than they will on new data."


def _real_groups(data: PairDataset) -> set[str]:
    """Group ids that come from a group column (not the generated per-row ``r<row>``)."""
    return {g for g, r in zip(data.group, data.row, strict=True) if g != row_group(r)}


def _text_leak(
    train: PairDataset, test: PairDataset, role: str, threshold: float, near: NearPairs, findings: list[Finding]
) -> dict[str, int]:
    train_texts = set(train.left if role == "left" else train.right)
    test_values = test.left if role == "left" else test.right
    exact = [r for r, t in zip(test.row, test_values, strict=True) if t in train_texts]
    test_texts = set(test_values)
    near_texts: set[str] = set()
    for a, b, _ in near.pairs:
        ta, tb = near.texts[a], near.texts[b]
        for mine, theirs in ((ta, tb), (tb, ta)):
            if mine in test_texts and mine not in train_texts and theirs in train_texts:
                near_texts.add(mine)
    near = [r for r, t in zip(test.row, test_values, strict=True) if t in near_texts]
    if exact:
        findings.append(
            Finding(
                code=f"leak_{role}",
                severity="warning",
                message=f"{len(exact)} test rows have a {role} text that also appears in the training data.",
                advice=(
                    f"{_MEMORISED} Deduplicate before splitting, or give rows with the same text the same group so the "
                    "split keeps them on one side."
                ),
                rows=sorted_rows(exact),
                count=len(exact),
            )
        )
    if near:
        findings.append(
            Finding(
                code=f"near_leak_{role}",
                severity="warning",
                message=(
                    f"{len(near)} test rows have a {role} text nearly identical (3-gram Jaccard >= {threshold:g}) to a "
                    "training text."
                ),
                advice=f"{_MEMORISED} Give near-identical items the same group so the split keeps them together.",
                rows=sorted_rows(near),
                count=len(near),
            )
        )
    return {"exact_rows": len(exact), "near_rows": len(near)}


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
            Finding(
                code="leak_groups",
                severity="error",
                message=(
                    f"{len(shared)} groups have rows on both the train and the test side ({len(shared_rows)} test "
                    "rows)."
                ),
                advice=(
                    "Rows of a group are matches of each other, so the test side contains answers seen in training. "
                    "Split with split_pairs, which keeps every group on one side."
                ),
                rows=sorted_rows(shared_rows),
                count=len(shared_rows),
            )
        )
    out: dict[str, Any] = {
        "train_rows": len(train),
        "test_rows": len(test),
        "groups": {"shared": len(shared), "test_rows": len(shared_rows)},
    }
    for role, pairs in near.items():
        out[role] = _text_leak(train, test, role, threshold, pairs, findings)
    return out
