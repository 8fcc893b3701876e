"""Data audit: what in a paired dataset will hurt contrastive training, and what to do about it.

In-batch contrastive losses treat every other row of a batch as a negative. Duplicate and
near-duplicate texts in different groups, and texts linked to several partners, therefore become
false negatives; train/test overlap inflates the test metrics. Every finding carries a plain
message, advice, the number of affected rows and up to 20 example rows (1-based source rows).
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter, defaultdict
from collections.abc import Sequence

from engine.data.audit_report import (
    MAX_EXAMPLE_ROWS,
    AuditReport,
    Finding,
    length_findings,
    length_stats,
    sorted_rows,
)
from engine.data.audit_structure import empty_cells, label_counts, structure_findings
from engine.data.dataset import PairDataset
from engine.data.leakage import leakage
from engine.data.near_duplicates import NearPairs
from engine.errors import ConfigError

logger = logging.getLogger(__name__)

_FALSE_NEGATIVE = (
    "Inside a training batch every other row is treated as a wrong match, so such rows are pushed apart "
    "although they mean the same thing (false negatives)."
)
_GROUP_FIX = (
    "Give rows that describe the same item the same value in a group column (e.g. product_id), so they count as "
    "matches of each other, or remove the duplicates before training."
)


def _index_by(values: Sequence[str]) -> dict[str, list[int]]:
    index: dict[str, list[int]] = defaultdict(list)
    for i, v in enumerate(values):
        index[v].append(i)
    return index


def _duplicates(data: PairDataset, role: str, findings: list[Finding]) -> dict[str, int]:
    values = (
        data.left
        if role == "left"
        else data.right
        if role == "right"
        else list(zip(data.left, data.right, strict=True))
    )
    sets = [idx for idx in _index_by(values).values() if len(idx) > 1]  # type: ignore[arg-type]
    across = [idx for idx in sets if len({data.group[i] for i in idx}) > 1]
    stats = {
        "values": len(sets),
        "rows": sum(len(s) for s in sets),
        "rows_across_groups": sum(len(s) for s in across),
    }
    if role == "pair" and sets:
        rows = [data.row[i] for s in sets for i in s]
        findings.append(
            Finding(
                code="duplicate_pairs",
                severity="warning" if across else "info",
                message=(
                    f"{stats['rows']} rows repeat a (left, right) pair that occurs more than once ({stats['values']} "
                    "distinct pairs)."
                ),
                advice=(
                    "Remove the repeated rows: they add no information and, in different groups, teach contradictory "
                    "matches."
                ),
                rows=sorted_rows(rows),
                count=stats["rows"],
            )
        )
    elif role != "pair" and across:
        rows = [data.row[i] for s in across for i in s]
        column = (data.columns.left if role == "left" else data.columns.right) if data.columns else role
        findings.append(
            Finding(
                code=f"duplicate_{role}",
                severity="warning",
                message=(
                    f"{stats['rows_across_groups']} rows share their exact {role} text ('{column}') with a row "
                    f"of another group ({len(across)} distinct texts)."
                ),
                advice=f"{_FALSE_NEGATIVE} {_GROUP_FIX}",
                rows=sorted_rows(rows),
                count=stats["rows_across_groups"],
            )
        )
    return stats


def _near_duplicates(
    data: PairDataset, role: str, near: NearPairs, threshold: float, findings: list[Finding]
) -> dict[str, object]:
    index = _index_by(data.left if role == "left" else data.right)
    n_pairs = 0
    rows: set[int] = set()
    examples: list[tuple[int, int, float]] = []
    for a, b, jac in near.pairs:
        rows_a, rows_b = index.get(near.texts[a], []), index.get(near.texts[b], [])
        # Count row pairs from group counts instead of listing them: a text repeated on
        # thousands of rows ("N/A" vs "n/a") would otherwise make millions of pairs.
        groups_a = Counter(data.group[i] for i in rows_a)
        groups_b = Counter(data.group[i] for i in rows_b)
        n_pairs += len(rows_a) * len(rows_b) - sum(c * groups_b[g] for g, c in groups_a.items())
        for mine, theirs in ((rows_a, groups_b), (rows_b, groups_a)):
            rows.update(data.row[i] for i in mine if len(theirs) > 1 or data.group[i] not in theirs)
        for i, j in itertools.product(rows_a[:MAX_EXAMPLE_ROWS], rows_b[:MAX_EXAMPLE_ROWS]):
            if data.group[i] != data.group[j] and len(examples) < 50 * MAX_EXAMPLE_ROWS:
                examples.append((*sorted((data.row[i], data.row[j])), round(jac, 4)))
    stats: dict[str, object] = {
        "pairs": n_pairs,
        "rows": len(rows),
        "examples": [list(p) for p in sorted(examples)[:MAX_EXAMPLE_ROWS]],
    }
    if n_pairs:
        findings.append(
            Finding(
                code=f"near_duplicate_{role}",
                severity="warning",
                message=(
                    f"{len(rows)} rows have a {role} text that is nearly identical (character 3-gram Jaccard >= "
                    f"{threshold:g}) "
                    f"to the {role} text of a row in another group ({n_pairs} pairs of rows)."
                ),
                advice=f"{_FALSE_NEGATIVE} {_GROUP_FIX}",
                rows=sorted_rows(rows),
                count=len(rows),
            )
        )
    return stats


def _one_to_many(data: PairDataset, role: str, findings: list[Finding]) -> dict[str, int]:
    keys, partners = (data.left, data.right) if role == "left" else (data.right, data.left)
    other = "right" if role == "left" else "left"
    flagged = [
        idx
        for idx in _index_by(keys).values()
        if len({partners[i] for i in idx}) > 1 and len({data.group[i] for i in idx}) > 1
    ]
    rows = [data.row[i] for idx in flagged for i in idx]
    stats = {"values": len(flagged), "rows": len(rows)}
    if flagged:
        most = max(len({partners[i] for i in idx}) for idx in flagged)
        findings.append(
            Finding(
                code=f"one_to_many_{role}",
                severity="warning",
                message=(
                    f"{len(flagged)} {role} texts are each paired with several different {other} texts in "
                    f"different groups (up to {most}); {len(rows)} rows are involved."
                ),
                advice=(
                    f"Each of these rows is told that the other {other} texts are wrong matches for the same "
                    f"{role} text. If they are all valid matches, put them in one group (a group column such as "
                    "product_id); otherwise make the texts specific enough to tell apart."
                ),
                rows=sorted_rows(rows),
                count=len(rows),
            )
        )
    return stats


def audit(
    data: PairDataset,
    *,
    train: PairDataset | None = None,
    test: PairDataset | None = None,
    near_duplicate_threshold: float = 0.9,
) -> AuditReport:
    """Audit paired data for problems that hurt contrastive training or its evaluation.

    Args:
        data: All pairs.
        train: Training side of a split; give together with ``test`` to check leakage.
        test: Test side of a split.
        near_duplicate_threshold: Character 3-gram Jaccard similarity from which two different
            texts count as near-duplicates, in (0, 1].

    Returns:
        The :class:`AuditReport`, findings sorted by severity (errors first).

    Raises:
        ConfigError: Only one of ``train``/``test`` is given, or the threshold is not in (0, 1].
    """
    if (train is None) != (test is None):
        raise ConfigError("audit: give both train= and test= to check leakage, or neither.")
    if not isinstance(near_duplicate_threshold, (int, float)) or not 0.0 < near_duplicate_threshold <= 1.0:
        raise ConfigError(
            f"near_duplicate_threshold: got {near_duplicate_threshold!r}, expected a number in (0, 1] (e.g. 0.9)."
        )
    findings: list[Finding] = []
    n_groups = len(set(data.group))
    structure_findings(data, n_groups, findings)
    empty = empty_cells(data, findings)
    duplicates = {role: _duplicates(data, role, findings) for role in ("left", "right", "pair")}
    modalities = data.modality
    text_roles = [role for role in ("left", "right") if modalities[role] == "text"]
    # One search per role over every text of data, train and test, shared by both checks.
    sides = [d for d in (data, train, test) if d is not None]
    searched = {
        role: NearPairs.find(
            (t for d in sides for t in (d.left if role == "left" else d.right)), near_duplicate_threshold
        )
        for role in text_roles
    }
    near = {
        role: _near_duplicates(data, role, searched[role], near_duplicate_threshold, findings) for role in text_roles
    }
    one_to_many = {role: _one_to_many(data, role, findings) for role in ("left", "right")}
    lengths = {role: length_stats(data.left if role == "left" else data.right) for role in text_roles}
    for role, stats in lengths.items():
        findings.extend(length_findings(data, role, stats))
    labels = label_counts(data, findings)
    leaks = None
    if train is not None and test is not None:
        leaks = leakage(train, test, near_duplicate_threshold, searched, findings)
    order = {"error": 0, "warning": 1, "info": 2}
    findings.sort(key=lambda f: order[f.severity])
    report = AuditReport(
        rows=len(data),
        groups=n_groups,
        columns=data.columns.as_dict() if data.columns else {"left": None, "right": None, "group": None, "label": None},
        modalities=modalities,
        source=data.source,
        fingerprint=data.fingerprint(),
        near_duplicate_threshold=float(near_duplicate_threshold),
        empty_cells=empty,
        duplicates=duplicates,
        near_duplicates=near,
        one_to_many=one_to_many,
        lengths=lengths,
        labels=labels,
        leakage=leaks,
        findings=findings,
    )
    logger.info("Audit of %s: %s", data.source or "dataset", report.headline())
    return report
