"""Tilt scores of paired embeddings, one block of queries at a time.

Shared by the similarity-distribution and calibration analyses. Scores come from
:func:`engine.evaluate.score_matrix` (float32, the retrieval evaluation's scale: cosine in [-1, 1],
raw dot product, or minus half the squared distance for ``l2``) and are returned as float64 so the
statistics downstream accumulate without float32 round-off. Only one ``(chunk_size, G)`` block
is alive at a time.

This module imports torch through :mod:`engine.evaluate`, so the analyses run in the job process;
the dashboard reads their stored JSON.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from engine.analysis.checks import check_positive_int
from engine.evaluate import score_matrix
from engine.evaluate.scoring import check_tilt


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
