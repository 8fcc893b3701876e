"""Two-way retrieval evaluation of paired embeddings (left -> right and right -> left)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from engine.errors import DataError
from engine.evaluate.gallery import evaluate_against_gallery
from engine.evaluate.scoring import ArrayLike


def evaluate_retrieval(
    left: ArrayLike,
    right: ArrayLike,
    groups: Sequence[Hashable],
    *,
    tilt: str = "cosine",
    ks: Sequence[int] = (1, 5, 10),
    chunk_size: int = 1024,
    device: str | None = None,
    return_ranks: bool = False,
) -> dict[str, Any]:
    """Retrieve right items from left queries and left items from right queries over N pairs.

    Row ``i`` of ``left`` and ``right`` is pair ``i``. The gallery of each direction is all N items
    of the other side, duplicates of a group included, and every item sharing the query's group
    is relevant (so a query of group size m has m relevant items). Left -> right scores
    ``s(left_i, right_j)``; right -> left ranks the same pairs from the other side.

    Args:
        left: (N, D) left embeddings (the paper's u).
        right: (N, D) right embeddings (the paper's v).
        groups: N group ids; pass the row ids when the data has no group column.
        tilt: The model's tilt: ``"cosine"``, ``"dot"`` or ``"l2"``.
        ks: Cut-offs for recall@k.
        chunk_size: Most queries scored at once; the score blocks stay within `scoring.MEMORY_BUDGET_BYTES` whatever N.
        device: Torch device to score on; ``None`` means cpu.
        return_ranks: Also return the per-query ranks under ``"ranks"``.

    Returns:
        ``{"left_to_right": metrics, "right_to_left": metrics}`` with metrics as in
        :func:`engine.evaluate.metrics.metrics_from_ranks`, plus ``"ranks"`` (one (N,) int array per
        direction) when ``return_ranks``.
    """
    n_left, n_right = len(left), len(right)
    if n_left != n_right or len(groups) != n_left:
        raise DataError(
            f"got {n_left} left embeddings, {n_right} right embeddings and {len(groups)} group ids; "
            "evaluation needs one left item, one right item and one group id per pair."
        )
    # The test gallery is the catalogue gallery whose items are the queries themselves.
    return evaluate_against_gallery(left, right, groups, left, right, groups, tilt=tilt, ks=ks, chunk_size=chunk_size,
                                    device=device, return_ranks=return_ranks)
