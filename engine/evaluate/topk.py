"""Top-k selection with one tie rule, so that tiled, chunked and FAISS searches agree with a full sort.

The rule is the one of a stable descending sort of a whole row: higher score first, and among equal
scores the lower gallery index first. :func:`stable_topk` applies it to one score block without
sorting the whole row; :func:`merge_topk` merges the running best k of earlier gallery tiles with
those of a later tile (every earlier index is lower, so a stable sort keeps the rule).
"""

from __future__ import annotations

import torch
from torch import Tensor


def stable_topk(scores: Tensor, k: int) -> tuple[Tensor, Tensor]:
    """The k best columns per row of ``scores``, as ``torch.sort(..., stable=True)`` would give them.

    ``torch.topk`` selects fast but leaves tied values in any order and may pick any of several
    items tied at the k-th place; rows where that matters (more than k items at or above the k-th
    value) are re-done with a stable sort, which is rare outside duplicated embeddings.

    Args:
        scores: (b, n) scores.
        k: Columns to keep; capped at n.

    Returns:
        ``(values, indices)``, both (b, min(k, n)), best first, indices into the columns of ``scores``.
    """
    k = min(k, scores.shape[1])
    _, picked = torch.topk(scores, k, dim=1)
    picked, _ = picked.sort(dim=1)  # ascending index, so the stable sort below puts lower indices first
    values, pos = scores.gather(1, picked).sort(dim=1, descending=True, stable=True)
    indices = picked.gather(1, pos)
    ambiguous = ((scores >= values[:, -1:]).sum(dim=1) > k).nonzero().flatten()
    if ambiguous.numel():
        full_values, full_order = torch.sort(scores[ambiguous], dim=1, descending=True, stable=True)
        values[ambiguous], indices[ambiguous] = full_values[:, :k], full_order[:, :k]
    return values, indices


def merge_topk(best: tuple[Tensor, Tensor] | None, tile: tuple[Tensor, Tensor], k: int) -> tuple[Tensor, Tensor]:
    """Merge the running best k with a later tile's best k (global indices, all higher than ``best``'s).

    Args:
        best: ``(values, indices)`` kept so far, or None before the first tile.
        tile: ``(values, indices)`` of the next tile, already offset to global gallery indices.
        k: Items to keep per row.

    Returns:
        The merged ``(values, indices)``, best first, at most k per row.
    """
    if best is None:
        return tile
    values = torch.cat([best[0], tile[0]], dim=1)
    indices = torch.cat([best[1], tile[1]], dim=1)
    values, pos = values.sort(dim=1, descending=True, stable=True)
    return values[:, :k], indices.gather(1, pos[:, :k])
