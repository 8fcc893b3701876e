"""Retrieval of a query set against a larger gallery: the production-like "catalogue" gallery.

On the test gallery (:func:`engine.evaluate.retrieval.evaluate_retrieval`) a test query is ranked
against the other test items only. In production a query searches the whole catalogue, so here
the gallery is every item of the data file: the test items (the queries' own pairs) and the
training items as distractors. Nothing is trained on the test items; only the gallery grows.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

from engine.config import GALLERIES  # noqa: F401  (re-exported: the gallery names live with the config)
from engine.errors import DataError
from engine.evaluate.metrics import metrics_from_ranks
from engine.evaluate.scoring import ArrayLike, first_relevant_ranks

logger = logging.getLogger(__name__)


def evaluate_against_gallery(
    query_left: ArrayLike,
    query_right: ArrayLike,
    query_groups: Sequence[Hashable],
    gallery_left: ArrayLike,
    gallery_right: ArrayLike,
    gallery_groups: Sequence[Hashable],
    *,
    tilt: str = "cosine",
    ks: Sequence[int] = (1, 5, 10),
    chunk_size: int = 1024,
    device: str | None = None,
    return_ranks: bool = False,
) -> dict[str, Any]:
    """Rank every query pair's other side among all gallery items of that side, in both directions.

    Left -> right ranks ``gallery_right`` for each ``query_left[i]``; right -> left ranks
    ``gallery_left`` for each ``query_right[i]``. A gallery item is relevant to a query when it
    has the query's group, so a query whose group holds m gallery items has m relevant items
    (its own pair must be among them: pass the query pairs inside the gallery).

    Args:
        query_left: (Q, D) left embeddings of the query pairs.
        query_right: (Q, D) right embeddings of the query pairs.
        query_groups: Q group ids.
        gallery_left: (G, D) left embeddings of every gallery pair.
        gallery_right: (G, D) right embeddings of every gallery pair.
        gallery_groups: G group ids.
        tilt: The model's tilt: ``"cosine"``, ``"dot"`` or ``"l2"``.
        ks: Cut-offs for recall@k.
        chunk_size: Most queries scored at once; the score blocks stay within `scoring.MEMORY_BUDGET_BYTES` whatever G.
        device: Torch device to score on; ``None`` means cpu.
        return_ranks: Also return the per-query ranks under ``"ranks"``.

    Returns:
        ``{"left_to_right": metrics, "right_to_left": metrics}`` with metrics as in
        :func:`engine.evaluate.metrics.metrics_from_ranks` (``gallery_size`` is G), plus
        ``"ranks"`` (one (Q,) int array per direction) when ``return_ranks``.

    Raises:
        DataError: Lengths disagree, or a query's group has no item in the gallery.
    """
    n_q, n_g = len(query_left), len(gallery_left)
    if len(query_right) != n_q or len(query_groups) != n_q or len(gallery_right) != n_g or len(gallery_groups) != n_g:
        raise DataError(
            f"got {n_q} left and {len(query_right)} right query embeddings with {len(query_groups)} group ids, and "
            f"{n_g} left and {len(gallery_right)} right gallery embeddings with {len(gallery_groups)} group ids; "
            "evaluation needs one left item, one right item and one group id per pair on each side."
        )
    sizes = Counter(gallery_groups)
    n_relevant = np.array([sizes.get(g, 0) for g in query_groups], dtype=np.int64)
    options: dict[str, Any] = {"tilt": tilt, "chunk_size": chunk_size, "device": device}
    ranks = {
        "left_to_right": first_relevant_ranks(query_left, gallery_right, query_groups, gallery_groups, **options),
        "right_to_left": first_relevant_ranks(query_right, gallery_left, query_groups, gallery_groups, **options),
    }
    out: dict[str, Any] = {
        name: metrics_from_ranks(r, gallery_size=n_g, ks=ks, n_relevant=n_relevant) for name, r in ranks.items()
    }
    logger.info(
        "retrieval of %d queries against %d items (tilt=%s): R@1 left->right %.3f, right->left %.3f",
        n_q, n_g, tilt, out["left_to_right"]["recall@1"], out["right_to_left"]["recall@1"],
    )
    if return_ranks:
        out["ranks"] = ranks
    return out
