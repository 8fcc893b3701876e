"""Validated paired embeddings and their tilt scores, one block of queries at a time.

Shared by the similarity-distribution and calibration analyses. Scores come from
:func:`engine.evaluate.score_matrix` (float32, the retrieval evaluation's scale: cosine in [-1, 1],
raw dot product, or minus the squared distance for ``l2``) and are returned as float64 so the
statistics downstream accumulate without float32 round-off. Only one ``(chunk_size, G)`` block
is alive at a time.

This module imports torch through :mod:`engine.evaluate`, so the analyses run in the job process;
the dashboard reads their stored JSON.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterator, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from engine.errors import ConfigError, DataError
from engine.evaluate import score_matrix
from engine.evaluate.scoring import check_tilt
from engine.names import DIRECTIONS

logger = logging.getLogger(__name__)



def check_positive_int(value: object, name: str, example: int) -> int:
    """Return ``value`` if it is a positive int (bools refused), else raise :class:`ConfigError`."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ConfigError(f"{name}: got {value!r}, expected a positive integer (e.g. {example}).")
    return int(value)


def check_direction(direction: str) -> str:
    """Return ``direction`` if it is ``"left_to_right"`` or ``"right_to_left"``."""
    if direction not in DIRECTIONS:
        raise ConfigError(
            f"direction: got {direction!r}, expected one of {', '.join(DIRECTIONS)} "
            "(left_to_right = left items are the queries, right items the gallery)."
        )
    return direction


def check_pairs(
    left: ArrayLike, right: ArrayLike, groups: Sequence[Hashable]
) -> tuple[NDArray[np.floating], NDArray[np.floating], NDArray[np.int64]]:
    """Validate N paired embeddings and their group ids.

    Args:
        left: (N, D) left embeddings (the paper's u); row ``i`` pairs with ``right[i]``.
        right: (N, D) right embeddings (v).
        groups: N group ids (any hashable compared with ``==``); equal ids are positives.

    Returns:
        ``(left, right, codes)``: the embeddings as arrays and an (N,) int64 array of group codes
        numbered in order of first appearance.

    Raises:
        DataError: Shapes, lengths or values are unusable (messages say how to fix them).
    """
    arrays = []
    for name, x in (("left", left), ("right", right)):
        a = np.asarray(x)
        if a.ndim != 2 or a.shape[0] == 0 or a.shape[1] == 0:
            raise DataError(f"{name}: got an array of shape {a.shape}, expected a non-empty 2-D (pairs, dim) array.")
        if not np.issubdtype(a.dtype, np.number) or not np.all(np.isfinite(a)):
            raise DataError(f"{name}: contains NaN, infinite or non-numeric values; re-encode the test split.")
        arrays.append(a)
    a_left, a_right = arrays
    if a_left.shape != a_right.shape or len(groups) != a_left.shape[0]:
        raise DataError(
            f"got left {a_left.shape}, right {a_right.shape} and {len(groups)} group ids; expected one left row, "
            "one right row of the same width and one group id per pair (embeddings.npz: *_left, *_right, test_groups)."
        )
    return a_left, a_right, group_codes(groups)


def group_codes(groups: Sequence[Hashable]) -> NDArray[np.int64]:
    """Integer code per group id, numbered in order of first appearance."""
    codes: dict[Hashable, int] = {}
    # .item() turns numpy scalars (e.g. from an npz string array) into plain hashable values.
    return np.array(
        [codes.setdefault(g.item() if isinstance(g, np.generic) else g, len(codes)) for g in groups], dtype=np.int64
    )


def score_blocks(
    queries: NDArray[np.floating], gallery: NDArray[np.floating], tilt: str, chunk_size: int
) -> Iterator[tuple[int, NDArray[np.float64]]]:
    """Yield ``(start, scores)`` with ``scores[r, j] = s(queries[start + r], gallery[j])`` in float64.

    Args:
        queries: (Q, D) query embeddings.
        gallery: (G, D) gallery embeddings.
        tilt: ``"cosine"``, ``"dot"`` or ``"l2"`` (score_matrix's scale, no temperature).
        chunk_size: Queries per block; memory is O(chunk_size * G).
    """
    check_tilt(tilt)
    check_positive_int(chunk_size, "chunk_size", 1024)
    for start in range(0, queries.shape[0], chunk_size):
        yield start, score_matrix(queries[start : start + chunk_size], gallery, tilt).astype(np.float64)
