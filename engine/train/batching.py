"""Batches in which no text and no group appears twice.

In-batch contrastive losses treat every other row of a batch as a negative. Two rows with the
same description (or of the same product) would then be pushed apart although they match: a
false negative. Rows that would clash are deferred to a later batch instead of dropped, so every
row is still seen once per epoch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def no_duplicate_batches(
    left: Sequence[str],
    right: Sequence[str],
    group: Sequence[str],
    batch_size: int,
    *,
    seed: int,
    min_batch: int = 2,
) -> list[list[int]]:
    """Shuffle row indices and cut them into clash-free batches.

    Args:
        left, right, group: Per-row values; a batch never holds two equal lefts, rights or groups.
        batch_size: Target batch size.
        seed: Shuffle seed (callers pass ``seed + epoch`` so each epoch differs but is reproducible).
        min_batch: A final batch smaller than this is dropped (a one-row batch has no negative).

    Returns:
        A list of batches, each a list of row indices.
    """
    order = list(np.random.default_rng(seed).permutation(len(left)))
    batches: list[list[int]] = []
    while order:
        batch: list[int] = []
        seen_left: set[str] = set()
        seen_right: set[str] = set()
        seen_group: set[str] = set()
        deferred: list[int] = []
        for position, idx in enumerate(order):
            if len(batch) == batch_size:
                deferred.extend(order[position:])
                break
            if left[idx] in seen_left or right[idx] in seen_right or group[idx] in seen_group:
                deferred.append(idx)
                continue
            batch.append(idx)
            seen_left.add(left[idx])
            seen_right.add(right[idx])
            seen_group.add(group[idx])
        if len(batch) >= min_batch:
            batches.append(batch)
        elif not deferred or len(batch) == 0:
            break
        order = deferred if len(batch) >= min_batch else []
    return batches
