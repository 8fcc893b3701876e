"""Audit checks on the table's structure: group column, empty cells, label counts."""

from __future__ import annotations

from collections import Counter

from engine.data.audit_report import Finding, make_finding, sorted_rows
from engine.data.dataset import PairDataset, row_group


def own_group(data: PairDataset, i: int) -> bool:
    """Whether row i has no real group (its id is the generated ``r<row>``)."""
    group = data.group[i]
    return group.startswith("r") and group == row_group(data.row[i])  # startswith: cheap on 1M rows


def empty_cells(data: PairDataset, findings: list[Finding]) -> dict[str, int]:
    """Empty cells per role and extra column; findings for empty group and label cells."""
    empty = {"left": sum(not v.strip() for v in data.left), "right": sum(not v.strip() for v in data.right)}
    has_group = data.columns is not None and data.columns.group is not None
    fallback = [data.row[i] for i in range(len(data)) if own_group(data, i)] if has_group else []
    empty["group"] = len(fallback) if has_group else 0
    if has_group and fallback:
        findings.append(
            make_finding("empty_group", "warning", "audit.EMPTY_GROUP", rows=sorted_rows(fallback), count=len(fallback))
        )
    if data.label is not None:
        rows = [r for r, v in zip(data.row, data.label, strict=True) if not v.strip()]
        empty["label"] = len(rows)
        if rows:
            findings.append(
                make_finding("empty_label", "info", "audit.EMPTY_LABEL", rows=sorted_rows(rows), count=len(rows))
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
            make_finding("rare_labels", "info", "audit.RARE_LABELS", rows=sorted_rows(rows), count=len(rows),
                         labels=len(rare))
        )
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def structure_findings(data: PairDataset, n_groups: int, findings: list[Finding]) -> None:
    """Findings for a missing group column and for data that is all one group."""
    if data.columns is None or data.columns.group is None:
        findings.append(make_finding("no_group_column", "info", "audit.NO_GROUP_COLUMN", rows=[], count=0))
    if n_groups < 2:
        findings.append(make_finding("single_group", "error", "audit.SINGLE_GROUP", rows=[], count=len(data)))
