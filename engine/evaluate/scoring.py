"""Score a query set against a gallery with a model's tilt, in chunks of queries.

Only rankings are computed here, so the temperature is left out: dividing every score by the
same tau > 0 changes no order (paper Theorem 4.2, top-k retrieval is independent of tau).

Memory is bounded independently of the gallery size G: the gallery is cut into tiles and the
queries into chunks, both sized from :data:`MEMORY_BUDGET_BYTES`, and one ``(chunk, tile)`` score
block (with its masks and the tilt's temporaries) is alive at a time, never the full ``(Q, G)``
matrix. A gallery that fits in one tile is scored exactly as a single ``tilt_scores`` call would.
Past :data:`engine.evaluate.faiss_search.FAISS_MIN_GALLERY` items, top-k search on the CPU goes
to FAISS's exact (flat) search; ranks always stay here (they count items, which FAISS does not).
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterator, Sequence

import numpy as np
import torch
from torch import Tensor

from engine.analysis.checks import check_positive_int
from engine.errors import ConfigError, DataError
from engine.evaluate import faiss_search
from engine.evaluate.topk import merge_topk, stable_topk
from engine.losses.tilts import check_tilt, tilt_scores

logger = logging.getLogger(__name__)

ArrayLike = np.ndarray | Tensor

#: Bytes the chunked scorers may hold at once beyond the embeddings: a quarter for a gallery tile's
#: prepared copy (the cosine and l2 tilts copy the rows they score), half for score blocks.
MEMORY_BUDGET_BYTES = 256 * 2**20
# float32 (chunk, tile) blocks alive at once: the scores, the l2 tilt's temporaries, and the masks.
_BLOCK_COPIES = 6
_FLOAT_BYTES = 4


def _resolve_device(device: str | None) -> torch.device:
    try:
        dev = torch.device("cpu" if device is None else device)
    except RuntimeError as err:
        raise ConfigError(f"evaluate.device: got '{device}', expected 'cpu', 'cuda', 'cuda:N' or 'mps'.") from err
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"evaluate.device: got '{device}' but PyTorch sees no CUDA GPU here; pass device='cpu'.")
    return dev


def _all_finite(t: Tensor) -> bool:
    # In row blocks: torch.isfinite makes an |x| copy and boolean masks of the whole input, 2.6 GB
    # for a gallery of 1M x 384 float32.
    rows = max(1, MEMORY_BUDGET_BYTES // 8 // (t.shape[1] * _FLOAT_BYTES))
    return all(bool(torch.isfinite(t[start : start + rows]).all()) for start in range(0, t.shape[0], rows))


def _as_embeddings(x: ArrayLike, name: str) -> Tensor:
    """Return ``x`` as a detached float32 CPU tensor of shape (n, D), validating it."""
    t = torch.as_tensor(x.detach() if isinstance(x, Tensor) else np.asarray(x)).to("cpu", torch.float32)
    if t.ndim != 2 or t.shape[0] == 0 or t.shape[1] == 0:
        raise DataError(f"{name}: got an array of shape {tuple(t.shape)}, expected a non-empty 2-D (items, dim) array.")
    if not _all_finite(t):
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


def score_matrix(queries: ArrayLike, gallery: ArrayLike, tilt: str = "cosine") -> np.ndarray:
    """Full (Q, G) score matrix, for small problems and tests.

    Args:
        queries: (Q, D) embeddings.
        gallery: (G, D) embeddings.
        tilt: ``"cosine"`` (dot product of L2-normalised vectors), ``"dot"`` (raw dot product) or
            ``"l2"`` (minus half the squared Euclidean distance), as :func:`engine.losses.tilts.tilt_scores`.

    Returns:
        float32 array ``S`` with ``S[i, j]`` the score of gallery item ``j`` for query ``i``.
    """
    check_tilt(tilt)
    q, g = _as_pair(queries, gallery)
    with torch.no_grad():
        return tilt_scores(q, g, tilt).numpy()


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


def _plan(chunk_size: int, n_gallery: int, dim: int) -> tuple[int, int]:
    """Query chunk and gallery tile sizes that keep the working memory within the budget."""
    tile = min(n_gallery, max(1, MEMORY_BUDGET_BYTES // 4 // (dim * _FLOAT_BYTES)))
    chunk = min(chunk_size, max(1, MEMORY_BUDGET_BYTES // 2 // (tile * _FLOAT_BYTES * _BLOCK_COPIES)))
    return chunk, tile


class _TiledGallery:
    """Scores query chunks against a gallery tile by tile with the model's tilt.

    Cosine and dot are row-wise, so a row's score does not depend on its tile. The l2 tilt measures
    from a centre, by default the mean of the rows it is given, which differs between tiles:
    duplicated items in two tiles could get scores a rounding error apart and a tie would be
    broken. So every tile passes the whole gallery's mean, the centre one tile covering the whole
    gallery would use by default.
    """

    def __init__(self, gallery: Tensor, tilt: str, tile: int) -> None:
        self.gallery, self.tilt, self.tile = gallery, tilt, tile
        self.n = gallery.shape[0]
        self.centre = gallery.mean(dim=0)  # the l2 tilt's centre for every tile; cosine and dot ignore it

    def tiles(self) -> range:
        return range(0, self.n, self.tile)

    def scores(self, q_block: Tensor, start: int) -> Tensor:
        """(b, tile) scores of ``q_block`` against gallery rows ``start:start + tile``."""
        return tilt_scores(q_block, self.gallery[start : start + self.tile], self.tilt, centre=self.centre)


def _chunk_ranks(tiled: _TiledGallery, q_block: Tensor, codes: Tensor, g_codes: Tensor) -> Tensor:
    """Ranks of one query chunk: ``1 + #(irrelevant items with score >= best relevant score)``.

    With one tile the block is scored once. With several, a first pass finds each query's best
    relevant score and a second counts the items at or above it: both passes compare values of
    the same tiled score blocks, so ties are decided on identical numbers.
    """
    if tiled.tile >= tiled.n:
        scores = tiled.scores(q_block, 0)  # (b, G)
        relevant = codes == g_codes[None, :]
        best = scores.masked_fill(~relevant, float("-inf")).amax(dim=1, keepdim=True)  # (b, 1)
        return ((scores >= best) & ~relevant).sum(dim=1) + 1
    best = torch.full((q_block.shape[0], 1), float("-inf"), device=q_block.device)
    for start in tiled.tiles():
        relevant = codes == g_codes[None, start : start + tiled.tile]
        if not bool(relevant.any()):  # e.g. a test gallery: a chunk's own pairs lie in one or two tiles
            continue
        tile_best = tiled.scores(q_block, start).masked_fill_(~relevant, float("-inf")).amax(dim=1, keepdim=True)
        best = torch.maximum(best, tile_best)
    above = torch.zeros(q_block.shape[0], dtype=torch.int64, device=q_block.device)
    for start in tiled.tiles():
        relevant = codes == g_codes[None, start : start + tiled.tile]
        above += ((tiled.scores(q_block, start) >= best) & ~relevant).sum(dim=1)
    return above + 1


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
        chunk_size: Most queries scored at once; fewer when a (chunk, tile) block would exceed
            :data:`MEMORY_BUDGET_BYTES`, so memory does not grow with G.
        device: Torch device to score on; ``None`` means cpu.

    Returns:
        (Q,) int64 array of ranks in ``[1, G]``.

    Raises:
        DataError: a query has no relevant item in the gallery, or shapes/lengths disagree.
    """
    check_tilt(tilt)
    chunk_size = check_positive_int(chunk_size, "evaluate.chunk_size", 1024)
    dev = _resolve_device(device)
    q, g = _as_pair(queries, gallery)
    q_codes, g_codes = _group_codes(query_groups, gallery_groups, q.shape[0], g.shape[0])
    chunk, tile = _plan(chunk_size, g.shape[0], g.shape[1])
    ranks = np.empty(q.shape[0], dtype=np.int64)
    with torch.no_grad():
        tiled = _TiledGallery(g.to(dev), tilt, tile)
        g_codes = g_codes.to(dev)
        for start, q_block in _chunks(q, chunk, dev):
            codes = q_codes[start : start + q_block.shape[0]].to(dev)[:, None]  # (b, 1)
            ranks[start : start + q_block.shape[0]] = _chunk_ranks(tiled, q_block, codes, g_codes).cpu().numpy()
    logger.debug(
        "ranked %d queries against %d items (tilt=%s, chunk=%d, tile=%d)", q.shape[0], g.shape[0], tilt, chunk, tile
    )
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
        chunk_size: Most queries scored at once; fewer when a (chunk, tile) block would exceed
            :data:`MEMORY_BUDGET_BYTES`.
        device: Torch device to score on; ``None`` means cpu. On the CPU, galleries of at least
            :data:`engine.evaluate.faiss_search.FAISS_MIN_GALLERY` items are searched with FAISS
            (exact flat search) when ``faiss`` is installed.

    Returns:
        ``(indices, scores)``: int64 (Q, min(k, G)) gallery indices, best first, and their float32 scores.
    """
    check_tilt(tilt)
    chunk_size = check_positive_int(chunk_size, "evaluate.chunk_size", 1024)
    k = check_positive_int(k, "k", 5)
    dev = _resolve_device(device)
    q, g = _as_pair(queries, gallery)
    k = min(k, g.shape[0])
    if dev.type == "cpu" and g.shape[0] >= faiss_search.FAISS_MIN_GALLERY and faiss_search.faiss_available():
        return faiss_search.faiss_topk(q, g, k, tilt=tilt)
    chunk, tile = _plan(chunk_size, g.shape[0], g.shape[1])
    indices = np.empty((q.shape[0], k), dtype=np.int64)
    top_scores = np.empty((q.shape[0], k), dtype=np.float32)
    with torch.no_grad():
        tiled = _TiledGallery(g.to(dev), tilt, tile)
        for start, q_block in _chunks(q, chunk, dev):
            best = None
            for g_start in tiled.tiles():
                values, order = stable_topk(tiled.scores(q_block, g_start), k)
                best = merge_topk(best, (values, order + g_start), k)
            stop = start + q_block.shape[0]
            top_scores[start:stop] = best[0].cpu().numpy()
            indices[start:stop] = best[1].cpu().numpy()
    return indices, top_scores
