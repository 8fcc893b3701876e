"""Audit checks on the table's structure: group column, empty cells, label counts."""

from __future__ import annotations

from collections import Counter

from engine.data.audit_report import Finding, sorted_rows
from engine.data.dataset import PairDataset, row_group


def own_group(data: PairDataset, i: int) -> bool:
    """Whether row i has no real group (its id is the generated ``r<row>``)."""
    return data.group[i] == row_group(data.row[i])


def empty_cells(data: PairDataset, findings: list[Finding]) -> dict[str, int]:
    """Empty cells per role and extra column; findings for empty group and label cells."""
    empty = {"left": sum(not v.strip() for v in data.left), "right": sum(not v.strip() for v in data.right)}
    has_group = data.columns is not None and data.columns.group is not None
    fallback = [data.row[i] for i in range(len(data)) if own_group(data, i)]
    empty["group"] = len(fallback) if has_group else 0
    if has_group and fallback:
        findings.append(
            Finding(
                code="empty_group",
                severity="warning",
                message=f"{len(fallback)} rows have an empty group cell; each was made its own group.",
                advice="Fill in the group id of those rows if they belong to an existing item.",
                rows=sorted_rows(fallback),
                count=len(fallback),
            )
        )
    if data.label is not None:
        rows = [r for r, v in zip(data.row, data.label, strict=True) if not v.strip()]
        empty["label"] = len(rows)
        if rows:
            findings.append(
                Finding(
                    code="empty_label",
                    severity="info",
                    message=f"{len(rows)} rows have an empty label cell.",
                    advice="Fill in the labels, or they form their own '' class in the split and reports.",
                    rows=sorted_rows(rows),
                    count=len(rows),
                )
            )
    for name, values in data.extras.items():
        empty[name] = sum(not v.strip() for v in values)
    return empty


def label_counts(data: PairDataset, findings: list[Finding]) -> dict[str, int] | None:
    """Rows per label, most frequent first (None without labels); a finding for single-row labels."""
    if data.label is None:
        return None
    counts = Counter(data.label)
    rare = {label for label, c in counts.items() if c == 1}
    if rare:
        rows = [r for r, v in zip(data.row, data.label, strict=True) if v in rare]
        findings.append(
            Finding(
                code="rare_labels",
                severity="info",
                message=(
                    f"{len(rare)} labels occur in a single row, so they cannot be on both sides of a train/test split."
                ),
                advice="Merge rare labels into broader ones if you want per-label results.",
                rows=sorted_rows(rows),
                count=len(rows),
            )
        )
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def structure_findings(data: PairDataset, n_groups: int, findings: list[Finding]) -> None:
    """Findings for a missing group column and for data that is all one group."""
    if data.columns is None or data.columns.group is None:
        findings.append(
            Finding(
                code="no_group_column",
                severity="info",
                message=(
                    "There is no group column, so every row is its own group: only its own partner counts as a match."
                ),
                advice=(
                    "If several rows describe the same item, add a group column (e.g. product_id) that ties them "
                    "together."
                ),
                rows=[],
                count=0,
            )
        )
    if n_groups < 2:
        findings.append(
            Finding(
                code="single_group",
                severity="error",
                message=(
                    f"All {len(data)} rows are in one group, so there are no negatives to contrast and no split is "
                    "possible."
                ),
                advice=(
                    "Check the group column: it should identify items, not categories. Map group to another column or "
                    "drop it."
                ),
                rows=[],
                count=len(data),
            )
        )
