"""Score a query set against a gallery with a model's tilt, in chunks of queries.

Only rankings are computed here, so the temperature is left out: dividing every score by the
same tau > 0 changes no order (paper Theorem 4.2, top-k retrieval is independent of tau).

Memory: the chunked functions hold one ``(chunk_size, G)`` score block at a time (plus a mask
of the same shape), never the full ``(Q, G)`` matrix.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterator, Sequence

import numpy as np
import torch
from torch import Tensor

from engine.config import TILT_NAMES
from engine.errors import ConfigError, DataError

logger = logging.getLogger(__name__)

ArrayLike = np.ndarray | Tensor


def check_tilt(tilt: str) -> str:
    """Return ``tilt`` if it is one of ``TILT_NAMES``, else raise :class:`ConfigError`."""
    if tilt not in TILT_NAMES:
        raise ConfigError(f"evaluate.tilt: got '{tilt}', expected one of {', '.join(TILT_NAMES)} (the model's tilt).")
    return tilt


def _check_chunk_size(chunk_size: int) -> int:
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ConfigError(f"evaluate.chunk_size: got {chunk_size!r}, expected a positive integer (e.g. 1024).")
    return chunk_size


def _resolve_device(device: str | None) -> torch.device:
    try:
        dev = torch.device("cpu" if device is None else device)
    except RuntimeError as err:
        raise ConfigError(f"evaluate.device: got '{device}', expected 'cpu', 'cuda', 'cuda:N' or 'mps'.") from err
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"evaluate.device: got '{device}' but PyTorch sees no CUDA GPU here; pass device='cpu'.")
    return dev


def _as_embeddings(x: ArrayLike, name: str) -> Tensor:
    """Return ``x`` as a detached float32 CPU tensor of shape (n, D), validating it."""
    t = torch.as_tensor(x.detach() if isinstance(x, Tensor) else np.asarray(x)).to("cpu", torch.float32)
    if t.ndim != 2 or t.shape[0] == 0 or t.shape[1] == 0:
        raise DataError(f"{name}: got an array of shape {tuple(t.shape)}, expected a non-empty 2-D (items, dim) array.")
    if not bool(torch.isfinite(t).all()):
        raise DataError(f"{name}: contains NaN or infinite values; re-encode the data or check the model outputs.")
    return t


def _as_pair(queries: ArrayLike, gallery: ArrayLike) -> tuple[Tensor, Tensor]:
    q = _as_embeddings(queries, "queries")
    g = _as_embeddings(gallery, "gallery")
    if q.shape[1] != g.shape[1]:
        raise DataError(
            f"queries have dimension {q.shape[1]} but gallery items have {g.shape[1]}; both sides must be "
            "embedded into the same space (add a projection head to the model)."
        )
    return q, g


def _prepare(x: Tensor, tilt: str) -> Tensor:
    # Normalising once per item (instead of per score) keeps a row's scores identical however
    # the queries are chunked.
    return torch.nn.functional.normalize(x, dim=1) if tilt == "cosine" else x


def _score_block(q: Tensor, g: Tensor, tilt: str) -> Tensor:
    """Scores of prepared queries ``q`` (b, D) against prepared gallery ``g`` (G, D) -> (b, G)."""
    dots = q @ g.T  # (b, G)
    if tilt != "l2":
        return dots
    # -|q - g|^2 expanded; fine for ranking because |q|^2 is constant along a row.
    return 2.0 * dots - q.pow(2).sum(1, keepdim=True) - g.pow(2).sum(1)[None, :]


def score_matrix(queries: ArrayLike, gallery: ArrayLike, tilt: str = "cosine") -> np.ndarray:
    """Full (Q, G) score matrix, for small problems and tests.

    Args:
        queries: (Q, D) embeddings.
        gallery: (G, D) embeddings.
        tilt: ``"cosine"`` (dot product of L2-normalised vectors), ``"dot"`` (raw dot product) or
            ``"l2"`` (minus the squared Euclidean distance).

    Returns:
        float32 array ``S`` with ``S[i, j]`` the score of gallery item ``j`` for query ``i``.
    """
    check_tilt(tilt)
    q, g = _as_pair(queries, gallery)
    with torch.no_grad():
        return _score_block(_prepare(q, tilt), _prepare(g, tilt), tilt).numpy()


def _group_codes(
    query_groups: Sequence[Hashable], gallery_groups: Sequence[Hashable], q: int, g: int
) -> tuple[Tensor, Tensor]:
    if len(query_groups) != q or len(gallery_groups) != g:
        raise DataError(
            f"got {len(query_groups)} query groups for {q} queries and {len(gallery_groups)} gallery groups for "
            f"{g} gallery items; pass exactly one group id per embedding row."
        )
    codes: dict[Hashable, int] = {}
    gallery_codes = [codes.setdefault(grp, len(codes)) for grp in gallery_groups]
    query_codes = [codes.get(grp, -1) for grp in query_groups]
    orphans = [i for i, c in enumerate(query_codes) if c == -1]
    if orphans:
        shown = ", ".join(f"query {i} (group {query_groups[i]!r})" for i in orphans[:5])
        raise DataError(
            f"{len(orphans)} of {q} queries have no relevant item in the gallery, e.g. {shown}. Every query's group "
            "must occur on the gallery side; evaluate on a split that keeps both sides of each pair together."
        )
    return torch.tensor(query_codes), torch.tensor(gallery_codes)


def _chunks(q: Tensor, chunk_size: int, device: torch.device) -> Iterator[tuple[int, Tensor]]:
    for start in range(0, q.shape[0], chunk_size):
        yield start, q[start : start + chunk_size].to(device)


def first_relevant_ranks(
    queries: ArrayLike,
    gallery: ArrayLike,
    query_groups: Sequence[Hashable],
    gallery_groups: Sequence[Hashable],
    *,
    tilt: str = "cosine",
    chunk_size: int = 1024,
    device: str | None = None,
) -> np.ndarray:
    """1-based rank of the best-ranked relevant gallery item for every query, chunked over queries.

    A gallery item is relevant to a query when their group ids are equal. Ties never flatter the
    model: with ``b`` the best score among a query's relevant items,
    ``rank = 1 + #(irrelevant items with score >= b)``, i.e. every irrelevant item tied with the
    best relevant one is counted as ranked above it. Other relevant items never push the rank down.

    Args:
        queries: (Q, D) embeddings.
        gallery: (G, D) embeddings.
        query_groups: Q group ids (any hashable; compared with ``==``).
        gallery_groups: G group ids.
        tilt: One of ``"cosine"``, ``"dot"``, ``"l2"``.
        chunk_size: Queries scored at once; memory is O(chunk_size * G).
        device: Torch device to score on; ``None`` means cpu.

    Returns:
        (Q,) int64 array of ranks in ``[1, G]``.

    Raises:
        DataError: a query has no relevant item in the gallery, or shapes/lengths disagree.
    """
    check_tilt(tilt)
    _check_chunk_size(chunk_size)
    dev = _resolve_device(device)
    q, g = _as_pair(queries, gallery)
    q_codes, g_codes = _group_codes(query_groups, gallery_groups, q.shape[0], g.shape[0])
    ranks = np.empty(q.shape[0], dtype=np.int64)
    with torch.no_grad():
        g_dev, g_codes = _prepare(g.to(dev), tilt), g_codes.to(dev)
        for start, q_block in _chunks(q, chunk_size, dev):
            scores = _score_block(_prepare(q_block, tilt), g_dev, tilt)  # (b, G)
            relevant = q_codes[start : start + q_block.shape[0]].to(dev)[:, None] == g_codes[None, :]  # (b, G)
            best = scores.masked_fill(~relevant, float("-inf")).amax(dim=1, keepdim=True)  # (b, 1)
            above = ((scores >= best) & ~relevant).sum(dim=1)  # (b,)
            ranks[start : start + q_block.shape[0]] = (above + 1).cpu().numpy()
    logger.debug("ranked %d queries against %d items (tilt=%s, chunk=%d)", q.shape[0], g.shape[0], tilt, chunk_size)
    return ranks


def per_query_topk(
    queries: ArrayLike,
    gallery: ArrayLike,
    k: int = 5,
    *,
    tilt: str = "cosine",
    chunk_size: int = 1024,
    device: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Top-k gallery items per query, chunked over queries.

    Ties are broken by the lower gallery index (stable sort), so results are reproducible.

    Args:
        queries: (Q, D) embeddings.
        gallery: (G, D) embeddings.
        k: Items to return per query; capped at G.
        tilt: One of ``"cosine"``, ``"dot"``, ``"l2"``.
        chunk_size: Queries scored at once; memory is O(chunk_size * G).
        device: Torch device to score on; ``None`` means cpu.

    Returns:
        ``(indices, scores)``: int64 (Q, min(k, G)) gallery indices, best first, and their float32 scores.
    """
    check_tilt(tilt)
    _check_chunk_size(chunk_size)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ConfigError(f"k: got {k!r}, expected a positive integer (e.g. 5).")
    dev = _resolve_device(device)
    q, g = _as_pair(queries, gallery)
    k = min(k, g.shape[0])
    indices = np.empty((q.shape[0], k), dtype=np.int64)
    top_scores = np.empty((q.shape[0], k), dtype=np.float32)
    with torch.no_grad():
        g_dev = _prepare(g.to(dev), tilt)
        for start, q_block in _chunks(q, chunk_size, dev):
            scores = _score_block(_prepare(q_block, tilt), g_dev, tilt)  # (b, G)
            values, order = torch.sort(scores, dim=1, descending=True, stable=True)
            stop = start + q_block.shape[0]
            indices[start:stop] = order[:, :k].cpu().numpy()
            top_scores[start:stop] = values[:, :k].cpu().numpy()
    return indices, top_scores
