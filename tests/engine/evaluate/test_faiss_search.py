"""FAISS search equals the exact torch search (the reference) on a 10k gallery, for every tilt."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import engine.evaluate.faiss_search as faiss_search
import engine.evaluate.scoring as scoring
from engine.evaluate import per_query_topk, score_matrix

TILTS = ("cosine", "dot", "l2")
K = 10


@pytest.fixture(scope="module")
def gallery_10k() -> tuple[torch.Tensor, torch.Tensor]:
    rng = np.random.default_rng(5)
    # Varied norms so that the three tilts rank differently; an offset so l2 needs its centring.
    gallery = rng.normal(size=(10_000, 32)) * rng.uniform(0.2, 3.0, size=(10_000, 1)) + 2.0
    queries = gallery[rng.choice(10_000, 200, replace=False)] + rng.normal(size=(200, 32))
    return torch.tensor(queries, dtype=torch.float32), torch.tensor(gallery, dtype=torch.float32)


def assert_same_search(q: torch.Tensor, g: torch.Tensor, tilt: str, found: tuple, exact: tuple) -> None:
    """Indices equal wherever the exact scores are not tied to within rounding; scores allclose.

    Two exact searches may order items whose scores differ by a float32 rounding error either way,
    so where neighbouring exact scores are that close we compare rank values (the exact scores of
    the items found), not the index order.
    """
    (idx, scores), (ref_idx, ref_scores) = found, exact
    tol = 1e-5 * max(1.0, float(np.abs(ref_scores).max()))
    np.testing.assert_allclose(scores, ref_scores, rtol=1e-5, atol=tol)
    full = score_matrix(q, g, tilt)
    np.testing.assert_allclose(np.take_along_axis(full, idx, axis=1), ref_scores, rtol=1e-5, atol=tol)
    gaps = np.diff(ref_scores, axis=1, prepend=np.inf, append=-np.inf)
    clear = (np.abs(gaps[:, :-1]) > tol) & (np.abs(gaps[:, 1:]) > tol)
    assert clear.mean() > 0.9  # the comparison below really covers most places
    np.testing.assert_array_equal(idx[clear], ref_idx[clear])


@pytest.mark.parametrize("tilt", TILTS)
def test_faiss_equals_exact_search_on_10k(gallery_10k: tuple, tilt: str) -> None:
    q, g = gallery_10k
    exact = per_query_topk(q, g, k=K, tilt=tilt)  # 10k < FAISS_MIN_GALLERY: the torch path
    assert_same_search(q, g, tilt, faiss_search.faiss_topk(q, g, K, tilt=tilt), exact)


@pytest.mark.parametrize("tilt", TILTS)
def test_faiss_tiles_merge_like_one_search(gallery_10k: tuple, tilt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    q, g = gallery_10k
    whole = faiss_search.faiss_topk(q, g, K, tilt=tilt)
    monkeypatch.setattr(scoring, "MEMORY_BUDGET_BYTES", 4 * 32 * 4 * 999)  # 11 tiles, the last of 10 rows
    tiled = faiss_search.faiss_topk(q, g, K, tilt=tilt)
    assert_same_search(q, g, tilt, tiled, whole)


def test_large_galleries_go_to_faiss(gallery_10k: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    q, g = gallery_10k
    exact = per_query_topk(q, g, k=K, tilt="l2")
    calls: list[int] = []
    real = faiss_search.faiss_topk

    def spy(*args: object, **kwargs: object) -> tuple:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(faiss_search, "faiss_topk", spy)
    monkeypatch.setattr(faiss_search, "FAISS_MIN_GALLERY", 5_000)
    assert_same_search(q, g, "l2", per_query_topk(q, g, k=K, tilt="l2"), exact)
    assert calls == [1]
    per_query_topk(q, g[:4_999], k=K, tilt="l2")  # below the threshold: exact torch path
    assert calls == [1]


@pytest.mark.parametrize("tile_rows", [4, 1])  # one tile, and one tile per item (ties merged across tiles)
def test_exact_ties_keep_the_lower_index_first(tile_rows: int, monkeypatch: pytest.MonkeyPatch) -> None:
    g = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 0.0]])
    monkeypatch.setattr(scoring, "MEMORY_BUDGET_BYTES", 4 * 2 * 4 * tile_rows)
    idx, scores = faiss_search.faiss_topk(torch.tensor([[2.0, 0.0]]), g, 3, tilt="dot")
    assert scores.tolist() == [[2.0, 2.0, 2.0]] and idx.tolist() == [[0, 2, 3]]
