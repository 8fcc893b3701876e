"""Deterministic, group-aware train/test split, stratified by label when there is one.

Groups are ordered by a seeded hash of the group id rather than by a shuffled list, so a group's
side depends only on the seed and its rank, not on the order of the rows in the file.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections import Counter, defaultdict

from engine.data.dataset import PairDataset
from engine.data.validation import MIN_PAIRS_FOR_SPLIT, check_splittable
from engine.errors import ConfigError

logger = logging.getLogger(__name__)


def _rank_key(seed: int, group: str) -> str:
    return hashlib.sha256(f"{seed}\x1f{group}".encode()).hexdigest()


def _group_labels(data: PairDataset) -> dict[str, str]:
    """Each group's most frequent label (ties: the smallest label), or "" without labels."""
    if data.label is None:
        return {g: "" for g in data.group}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for g, label in zip(data.group, data.label, strict=True):
        counts[g][label] += 1
    return {g: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for g, c in counts.items()}


def _quotas(sizes: dict[str, int], total: int, test_size: float) -> dict[str, int]:
    """Split ``total`` test groups over strata in proportion to their sizes (largest remainder)."""
    exact = {s: test_size * n for s, n in sizes.items()}
    quota = {s: min(sizes[s], math.floor(x)) for s, x in exact.items()}
    order = sorted(sizes, key=lambda s: (-(exact[s] - math.floor(exact[s])), -sizes[s], s))
    i = 0
    while sum(quota.values()) < total:
        s = order[i % len(order)]
        if quota[s] < sizes[s]:
            quota[s] += 1
        i += 1
    while sum(quota.values()) > total:  # only if floors overshoot, which rounding cannot cause; kept for safety
        s = max(quota, key=lambda k: (quota[k], k))
        quota[s] -= 1
    return quota


def split_pairs(
    data: PairDataset, *, test_size: float = 0.2, seed: int = 0, min_pairs: int = MIN_PAIRS_FOR_SPLIT
) -> tuple[PairDataset, PairDataset]:
    """Split into train and test so that all rows of a group land on the same side.

    The test side gets ``round(test_size * n_groups)`` groups (at least one, and at least one
    group stays in train). With labels, each group takes its most frequent label and the test
    groups are spread over labels in proportion to their group counts. Rows keep their original
    order on both sides. The same data and seed always give the same split, whatever the row order.

    Args:
        data: The pairs to split.
        test_size: Fraction of groups for the test side, strictly between 0 and 1.
        seed: Split seed.
        min_pairs: Refuse data with fewer pairs than this.

    Returns:
        ``(train, test)``.

    Raises:
        ConfigError: ``test_size`` is not in (0, 1).
        DataError: Fewer than ``min_pairs`` pairs or fewer than 2 groups.
    """
    if isinstance(test_size, bool) or not isinstance(test_size, (int, float)) or not 0.0 < test_size < 1.0:
        raise ConfigError(f"test_size: got {test_size!r}, expected a fraction strictly between 0 and 1 (e.g. 0.2).")
    strata = _group_labels(data)
    check_splittable(len(data), len(strata), min_pairs=min_pairs)
    n_groups = len(strata)
    n_test = min(max(round(test_size * n_groups), 1), n_groups - 1)
    by_stratum: dict[str, list[str]] = defaultdict(list)
    for g, s in strata.items():
        by_stratum[s].append(g)
    quota = _quotas({s: len(gs) for s, gs in by_stratum.items()}, n_test, test_size)
    test_groups: set[str] = set()
    for s, groups in by_stratum.items():
        ranked = sorted(groups, key=lambda g: _rank_key(seed, g))
        test_groups.update(ranked[: quota[s]])
    test_idx = [i for i, g in enumerate(data.group) if g in test_groups]
    train_idx = [i for i, g in enumerate(data.group) if g not in test_groups]
    logger.info(
        "Split %d pairs / %d groups into %d train and %d test pairs (%d test groups, seed %d).",
        len(data),
        n_groups,
        len(train_idx),
        len(test_idx),
        len(test_groups),
        seed,
    )
    return data.subset(train_idx), data.subset(test_idx)
