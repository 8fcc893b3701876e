"""Chunked scoring equals a brute-force full-matrix reference; memory stays O(chunk_size * G)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from reference_scores import reference_matrix

import engine.evaluate.scoring as scoring
from engine.errors import DataError
from engine.evaluate import evaluate_retrieval, first_relevant_ranks, per_query_topk, score_matrix

TILTS = ("cosine", "dot", "l2")


def reference_ranks(scores: np.ndarray, qg: list, gg: list) -> np.ndarray:
    out = []
    for i, row in enumerate(scores):
        relevant = np.array([grp == qg[i] for grp in gg])
        best = row[relevant].max()
        out.append(1 + int(np.sum(row[~relevant] >= best)))
    return np.array(out)


@pytest.fixture
def problem() -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    rng = np.random.default_rng(0)
    # Varied norms so the three tilts rank differently.
    queries = rng.normal(size=(23, 6)) * rng.uniform(0.2, 3.0, size=(23, 1))
    gallery = rng.normal(size=(19, 6)) * rng.uniform(0.2, 3.0, size=(19, 1))
    gallery_groups = [f"g{i % 12}" for i in range(19)]  # groups of size 1 and 2
    query_groups = [f"g{j}" for j in rng.integers(0, 12, size=23)]
    return queries, gallery, query_groups, gallery_groups


@pytest.mark.parametrize("tilt", TILTS)
def test_score_matrix_matches_reference(problem: tuple, tilt: str) -> None:
    q, g, _, _ = problem
    np.testing.assert_allclose(score_matrix(q, g, tilt), reference_matrix(q, g, tilt), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("tilt", TILTS)
@pytest.mark.parametrize("chunk_size", [1, 3, 7, 23, 100])
def test_chunked_ranks_equal_full_matrix_ranks(problem: tuple, tilt: str, chunk_size: int) -> None:
    q, g, qg, gg = problem
    expected = reference_ranks(reference_matrix(q, g, tilt), qg, gg)
    full = first_relevant_ranks(q, g, qg, gg, tilt=tilt, chunk_size=len(q))
    chunked = first_relevant_ranks(q, g, qg, gg, tilt=tilt, chunk_size=chunk_size)
    np.testing.assert_array_equal(full, expected)
    np.testing.assert_array_equal(chunked, full)


def test_tilts_really_rank_differently(problem: tuple) -> None:
    q, g, qg, gg = problem
    ranks = {t: first_relevant_ranks(q, g, qg, gg, tilt=t).tolist() for t in TILTS}
    assert ranks["cosine"] != ranks["dot"] and ranks["cosine"] != ranks["l2"] and ranks["dot"] != ranks["l2"]


def test_l2_ranking_matches_cdist(problem: tuple) -> None:
    q, g, _, _ = problem
    dist = torch.cdist(torch.as_tensor(q), torch.as_tensor(g), compute_mode="donot_use_mm_for_euclid_dist").numpy()
    ours = score_matrix(q, g, "l2")
    np.testing.assert_allclose(ours, -0.5 * dist**2, rtol=1e-5, atol=1e-4)
    np.testing.assert_array_equal(np.argsort(-ours, axis=1, kind="stable"), np.argsort(dist, axis=1, kind="stable"))


@pytest.mark.parametrize("tilt", TILTS)
@pytest.mark.parametrize("chunk_size", [1, 7, 100])
def test_per_query_topk_matches_sorted_reference(problem: tuple, tilt: str, chunk_size: int) -> None:
    q, g, _, _ = problem
    indices, scores = per_query_topk(q, g, k=5, tilt=tilt, chunk_size=chunk_size)
    ref = reference_matrix(q, g, tilt)
    np.testing.assert_array_equal(indices, np.argsort(-ref, axis=1, kind="stable")[:, :5])
    np.testing.assert_allclose(scores, np.take_along_axis(ref, indices, axis=1), rtol=1e-5, atol=1e-4)
    assert per_query_topk(q, g, k=50, tilt=tilt)[0].shape == (len(q), len(g))  # k capped at G


def test_directions_are_transposed_problems() -> None:
    # With left = I and right_j = S[:, j], s(left_i, right_j) = S[i, j] under the dot tilt.
    s = np.array([[3.0, 0.0, 0.0], [5.0, 1.0, 0.0], [0.0, 0.0, 2.0]])
    result = evaluate_retrieval(np.eye(3), s.T.copy(), ["p", "q", "r"], tilt="dot", return_ranks=True)
    assert result["ranks"]["left_to_right"].tolist() == [1, 2, 1]  # rows of S
    assert result["ranks"]["right_to_left"].tolist() == [2, 1, 1]  # columns of S
    assert result["left_to_right"]["mrr"] == pytest.approx((1 + 1 / 2 + 1) / 3)
    assert result["right_to_left"]["recall@1"] == pytest.approx(2 / 3)


@pytest.mark.parametrize("tilt", TILTS)
def test_evaluate_retrieval_matches_reference(tilt: str) -> None:
    rng = np.random.default_rng(1)
    left, right = rng.normal(size=(15, 4)), rng.normal(size=(15, 4))
    groups = ["a", "a", "a"] + [f"r{i}" for i in range(12)]
    result = evaluate_retrieval(left, right, groups, tilt=tilt, chunk_size=4, return_ranks=True)
    expected_lr = reference_ranks(reference_matrix(left, right, tilt), groups, groups)
    expected_rl = reference_ranks(reference_matrix(right, left, tilt), groups, groups)
    np.testing.assert_array_equal(result["ranks"]["left_to_right"], expected_lr)
    np.testing.assert_array_equal(result["ranks"]["right_to_left"], expected_rl)
    assert result["left_to_right"]["recall@1"] == pytest.approx(np.mean(expected_lr <= 1))
    # Group of 3 -> chance 3/15 for three queries, 1/15 for the other twelve.
    assert result["left_to_right"]["chance"]["recall@1"] == pytest.approx((3 * 3 / 15 + 12 / 15) / 15)
    plain = {k: v for k, v in result.items() if k != "ranks"}
    assert json.loads(json.dumps(plain)) == plain and set(plain) == {"left_to_right", "right_to_left"}


def test_memory_is_bounded_by_chunk_size(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(2)
    q, g = rng.normal(size=(1000, 8)).astype(np.float32), rng.normal(size=(50, 8)).astype(np.float32)
    groups = [i % 50 for i in range(1000)]
    unpatched = first_relevant_ranks(q, g, groups, list(range(50)), chunk_size=1000)
    shapes: list[tuple[int, ...]] = []
    real_block = scoring.tilt_scores

    def spy(qb: torch.Tensor, gb: torch.Tensor, tilt: str, **centre) -> torch.Tensor:
        out = real_block(qb, gb, tilt, **centre)
        shapes.append(tuple(out.shape))
        return out

    monkeypatch.setattr(scoring, "tilt_scores", spy)
    ranks = first_relevant_ranks(q, g, groups, list(range(50)), chunk_size=16)
    assert len(shapes) == -(-1000 // 16)
    assert max(rows for rows, _ in shapes) == 16 and all(cols == 50 for _, cols in shapes)
    np.testing.assert_array_equal(ranks, unpatched)
    shapes.clear()
    per_query_topk(q, g, k=3, chunk_size=16)
    assert max(rows * cols for rows, cols in shapes) <= 16 * 50


@pytest.mark.gpu
def test_cuda_ranks_equal_cpu_ranks(problem: tuple) -> None:
    q, g, qg, gg = problem
    for tilt in TILTS:
        cpu = first_relevant_ranks(q, g, qg, gg, tilt=tilt, chunk_size=5)
        np.testing.assert_array_equal(first_relevant_ranks(q, g, qg, gg, tilt=tilt, chunk_size=5, device="cuda"), cpu)


def one_block_ranks(q: np.ndarray, g: np.ndarray, qg: list, gg: list, tilt: str) -> np.ndarray:
    """The single-block algorithm the tiled scorer replaced: full scores, boolean mask, tie rule."""
    scores = torch.as_tensor(score_matrix(q, g, tilt))
    codes = {grp: i for i, grp in enumerate(dict.fromkeys(gg))}
    relevant = torch.tensor([codes[x] for x in qg])[:, None] == torch.tensor([codes[x] for x in gg])[None, :]
    best = scores.masked_fill(~relevant, float("-inf")).amax(dim=1, keepdim=True)
    return (((scores >= best) & ~relevant).sum(dim=1) + 1).numpy()


@pytest.fixture
def tiled_problem() -> tuple[np.ndarray, np.ndarray, list[int], list[int]]:
    """A gallery of 600 items in groups of up to 3, with exact duplicates across groups (ties)."""
    rng = np.random.default_rng(3)
    gallery = (rng.normal(size=(600, 8)) * rng.uniform(0.2, 3.0, size=(600, 1))).astype(np.float32)
    gallery[500:] = gallery[:100]  # item 500 + i duplicates item i, in another group
    gallery_groups = [i // 3 for i in range(600)]
    queries = (gallery[:60] + 0.3 * rng.normal(size=(60, 8))).astype(np.float32)
    queries[:5] = gallery[:5]  # a query equal to its relevant item: its duplicate ties with it
    return queries, gallery, [i // 3 for i in range(60)], gallery_groups


@pytest.mark.parametrize("tilt", TILTS)
def test_tiled_gallery_equals_one_block(tiled_problem: tuple, tilt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    q, g, qg, gg = tiled_problem
    expected = one_block_ranks(q, g, qg, gg, tilt)
    expected_idx = np.argsort(-score_matrix(q, g, tilt), axis=1, kind="stable")[:, :7]
    assert scoring._plan(1024, len(g), g.shape[1]) == (1024, len(g))  # default budget: one tile here
    np.testing.assert_array_equal(first_relevant_ranks(q, g, qg, gg, tilt=tilt), expected)
    monkeypatch.setattr(scoring, "MEMORY_BUDGET_BYTES", 4 * 64 * 8 * 4)  # tiles of 64 rows, chunks of 2 queries
    assert scoring._plan(1024, len(g), g.shape[1]) == (2, 64)
    np.testing.assert_array_equal(first_relevant_ranks(q, g, qg, gg, tilt=tilt), expected)
    indices, scores = per_query_topk(q, g, k=7, tilt=tilt)
    np.testing.assert_array_equal(indices, expected_idx)
    np.testing.assert_allclose(scores, np.take_along_axis(score_matrix(q, g, tilt), indices, axis=1), rtol=1e-5, atol=1e-4)


def test_ties_with_duplicates_count_against_the_model(tiled_problem: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    q, g, qg, gg = tiled_problem
    monkeypatch.setattr(scoring, "MEMORY_BUDGET_BYTES", 4 * 64 * 8 * 4)
    ranks = first_relevant_ranks(q, g, qg, gg, tilt="dot")
    # Query i < 5 equals gallery item i; item 500 + i is the same vector in another group, so it ties
    # with the best relevant score and is counted above it: rank >= 2 (item 500+i sits in another tile).
    assert all(ranks[:5] >= 2)
    top = per_query_topk(q[:5], g, k=2, tilt="cosine")[0]
    assert top.tolist() == [[i, 500 + i] for i in range(5)]  # tied: the lower index first


def test_memory_does_not_grow_with_gallery(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(4)
    q, g = rng.normal(size=(40, 16)).astype(np.float32), rng.normal(size=(3000, 16)).astype(np.float32)
    monkeypatch.setattr(scoring, "MEMORY_BUDGET_BYTES", 2**18)
    shapes: list[tuple[int, ...]] = []
    real_block = scoring.tilt_scores

    def spy(qb: torch.Tensor, gb: torch.Tensor, tilt: str, **centre) -> torch.Tensor:
        shapes.append((qb.shape[0], gb.shape[0]))
        return real_block(qb, gb, tilt, **centre)

    monkeypatch.setattr(scoring, "tilt_scores", spy)
    first_relevant_ranks(q, g, list(range(40)), list(range(3000)), tilt="l2", chunk_size=1024)
    per_query_topk(q, g, k=10, tilt="cosine", chunk_size=1024)
    block_bytes = max(rows * cols for rows, cols in shapes) * 4 * scoring._BLOCK_COPIES
    assert block_bytes <= 2**18 // 2 and max(cols for _, cols in shapes) * 16 * 4 <= 2**18 // 4
    assert max(cols for _, cols in shapes) < 3000  # the gallery really was tiled


def test_non_finite_values_are_found_in_any_row_block(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scoring, "MEMORY_BUDGET_BYTES", 8 * 4 * 4 * 10)  # the check reads 10 rows at a time
    g = np.ones((95, 4), dtype=np.float32)
    g[93, 2] = np.nan
    with pytest.raises(DataError, match="NaN or infinite"):
        first_relevant_ranks(g[:3], g, [0, 1, 2], list(range(95)))
    g[93, 2] = np.inf
    with pytest.raises(DataError, match="NaN or infinite"):
        per_query_topk(g[:3], g, k=2)
