"""Exact top-k search with FAISS (``faiss-cpu``) for large galleries.

FAISS's brute-force k-NN (the search behind ``IndexFlatIP`` / ``IndexFlatL2``, here without building
an index, so the gallery is not copied) is used past :data:`FAISS_MIN_GALLERY` items; below it, and
as the reference in tests, the torch path of :mod:`engine.evaluate.scoring` is used. Both are exact
searches, so they agree up to float32 rounding: items whose scores differ by a rounding error may
come in the other order.

Vectors are prepared for the model's tilt as :func:`engine.losses.tilts.tilt_scores` scores them:

* cosine: rows L2-normalised, then inner product;
* dot: raw rows, inner product;
* l2: both sides centred on the gallery mean (distances are translation invariant; centring keeps
  FAISS's ``|x|^2 + |y|^2 - 2<x, y>`` accurate), squared L2 distance ``d``, score ``s = -d / 2``
  (the paper's ``-|u - v|^2 / 2``).

The gallery is searched in tiles of at most :data:`engine.evaluate.scoring.MEMORY_BUDGET_BYTES` / 4
bytes (the share of a gallery tile there), so the prepared copies stay bounded; tile results are merged with the tie rule of
:mod:`engine.evaluate.topk` (equal scores: lower gallery index first).
"""

from __future__ import annotations

import importlib.util
import logging

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from engine.evaluate.topk import merge_topk
from engine.losses.tilts import _NORM_EPS, check_tilt

logger = logging.getLogger(__name__)

#: Galleries with at least this many items are searched with FAISS (top-k only; CPU only).
FAISS_MIN_GALLERY = 50_000


def faiss_available() -> bool:
    """True when the ``faiss`` module (``pip install faiss-cpu``) can be imported."""
    return importlib.util.find_spec("faiss") is not None


def _prepare(x: Tensor, tilt: str, centre: Tensor | None) -> np.ndarray:
    if tilt == "cosine":
        x = F.normalize(x, dim=-1, eps=_NORM_EPS)
    elif tilt == "l2":
        x = x - centre
    return np.ascontiguousarray(x.numpy(), dtype=np.float32)


def _lower_index_first(scores: Tensor, indices: Tensor) -> tuple[Tensor, Tensor]:
    """Reorder one tile's results so that equal scores list the lower index first (FAISS leaves them in heap order)."""
    indices, pos = indices.sort(dim=1)
    scores, order = scores.gather(1, pos).sort(dim=1, descending=True, stable=True)
    return scores, indices.gather(1, order)


def faiss_topk(queries: Tensor, gallery: Tensor, k: int, *, tilt: str = "cosine") -> tuple[np.ndarray, np.ndarray]:
    """Top-k gallery items per query by FAISS exact search, scored with the model's tilt.

    Args:
        queries: (Q, D) float32 CPU tensor (validated, as :func:`engine.evaluate.scoring.per_query_topk` passes it).
        gallery: (G, D) float32 CPU tensor.
        k: Items per query; capped at G.
        tilt: ``"cosine"``, ``"dot"`` or ``"l2"``.

    Returns:
        ``(indices, scores)``: int64 (Q, min(k, G)) gallery indices, best first, and their float32
        scores on the tilt's scale (``-d / 2`` for l2).

    Raises:
        ConfigError: Unknown tilt.
    """
    import faiss  # optional dependency: imported only when a large gallery is searched

    from engine.evaluate import scoring  # here, not at the top: scoring imports this module

    check_tilt(tilt)
    k = min(k, gallery.shape[0])
    metric = faiss.METRIC_L2 if tilt == "l2" else faiss.METRIC_INNER_PRODUCT
    centre = gallery.mean(dim=0) if tilt == "l2" else None
    xq = _prepare(queries, tilt, centre)
    tile = max(1, scoring.MEMORY_BUDGET_BYTES // 4 // (gallery.shape[1] * 4))  # as a tile in scoring
    best = None
    with torch.no_grad():
        for start in range(0, gallery.shape[0], tile):
            xb = _prepare(gallery[start : start + tile], tilt, centre)
            dist, idx = faiss.knn(xq, xb, min(k, xb.shape[0]), metric=metric)
            scores = torch.from_numpy(-0.5 * np.maximum(dist, 0.0) if tilt == "l2" else dist)
            best = merge_topk(best, _lower_index_first(scores, torch.from_numpy(idx + start)), k)
    logger.debug("faiss top-%d of %d queries against %d items (tilt=%s)", k, queries.shape[0], gallery.shape[0], tilt)
    return best[1].numpy().astype(np.int64), best[0].numpy().astype(np.float32)
