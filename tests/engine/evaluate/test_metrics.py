"""Hand-computed retrieval metrics, tie handling, multi-positive groups and exact chance levels."""

from __future__ import annotations

import itertools
import json
import math
from fractions import Fraction

import numpy as np
import pytest

from engine.errors import ConfigError, DataError
from engine.evaluate import (
    chance_mrr,
    chance_recall_at_k,
    first_relevant_ranks,
    metrics_from_ranks,
    score_matrix,
)


def ranks_of(scores: list[list[float]], query_groups: list[str], gallery_groups: list[str]) -> list[int]:
    """Ranks for a hand-written score matrix: with the dot tilt, e_i . S[:, j] = S[i, j]."""
    s = np.asarray(scores, dtype=np.float32)
    queries, gallery = np.eye(s.shape[0], dtype=np.float32), s.T.copy()
    np.testing.assert_array_equal(score_matrix(queries, gallery, tilt="dot"), s)
    return first_relevant_ranks(queries, gallery, query_groups, gallery_groups, tilt="dot").tolist()


def test_hand_written_4x4_ranks_and_metrics() -> None:
    scores = [
        [9, 1, 2, 3],  # own item best -> rank 1
        [8, 7, 1, 0],  # one irrelevant item above -> rank 2
        [5, 6, 2, 4],  # three above -> rank 4
        [1, 2, 3, 4],  # rank 1
    ]
    ranks = ranks_of(scores, list("abcd"), list("abcd"))
    assert ranks == [1, 2, 4, 1]
    m = metrics_from_ranks(np.array(ranks), gallery_size=4)
    assert m["recall@1"] == pytest.approx(2 / 4)
    assert m["recall@5"] == pytest.approx(1.0)
    assert m["recall@10"] == pytest.approx(1.0)
    assert m["mrr"] == pytest.approx((1 + 1 / 2 + 1 / 4 + 1) / 4)
    assert m["median_rank"] == pytest.approx(1.5)
    assert m["mean_rank"] == pytest.approx(8 / 4)
    assert m["n_queries"] == 4 and m["gallery_size"] == 4


def test_recall_cutoffs_between_ranks() -> None:
    m = metrics_from_ranks(np.array([1, 3, 6, 10, 11, 40]), gallery_size=50, ks=(1, 5, 10))
    assert m["recall@1"] == pytest.approx(1 / 6)
    assert m["recall@5"] == pytest.approx(2 / 6)
    assert m["recall@10"] == pytest.approx(4 / 6)
    assert m["median_rank"] == pytest.approx(8.0)  # (6 + 10) / 2


def test_multi_positive_uses_best_relevant_and_ignores_the_second() -> None:
    gallery_groups = ["a", "a", "b", "c"]
    scores = [
        [5, 9, 7, 1],  # group a: best relevant 9 is on top; the other relevant (5) sits below 7 -> 1
        [3, 6, 8, 2],  # group a: best relevant 6 has one irrelevant above (8) -> 2, not 3
        [9, 8, 1, 0],  # group b: both 'a' items are irrelevant here and score above -> 3
    ]
    assert ranks_of(scores, ["a", "a", "b"], gallery_groups) == [1, 2, 3]


def test_ties_with_irrelevant_items_never_flatter() -> None:
    gallery_groups = ["a", "a", "b", "c"]
    scores = [
        [5, 5, 5, 1],  # group b: two irrelevant items tie with it -> counted above -> 3
        [4, 4, 4, 0],  # group a: relevant items tie each other (no penalty), one irrelevant ties -> 2
        [2, 2, 2, 2],  # group c: everything tied -> worst possible rank G - n + 1 = 4
    ]
    assert ranks_of(scores, ["b", "a", "c"], gallery_groups) == [3, 2, 4]


def test_constant_scores_give_the_worst_rank() -> None:
    # Zero vectors under cosine score 0 against everything: no tie may count as a hit.
    queries = np.zeros((3, 4), dtype=np.float32)
    gallery = np.random.default_rng(0).normal(size=(6, 4))
    groups = ["a", "a", "a", "b", "c", "d"]
    ranks = first_relevant_ranks(queries, gallery, ["a", "b", "c"], groups, tilt="cosine")
    assert ranks.tolist() == [6 - 3 + 1, 6, 6]


def brute_force_first_rank_distribution(g: int, n: int) -> dict[int, Fraction]:
    """Exact law of the first relevant position over all orderings of g items, n of them relevant."""
    counts: dict[int, int] = {}
    perms = list(itertools.permutations(range(g)))
    for perm in perms:
        first = 1 + min(perm.index(i) for i in range(n))
        counts[first] = counts.get(first, 0) + 1
    return {r: Fraction(c, len(perms)) for r, c in counts.items()}


@pytest.mark.parametrize("n", [1, 2, 3, 6])
def test_chance_levels_match_enumeration(n: int) -> None:
    g = 6
    law = brute_force_first_rank_distribution(g, n)
    for k in range(1, g + 2):
        expected = sum(p for r, p in law.items() if r <= k)
        assert chance_recall_at_k(g, k, n) == pytest.approx(float(expected), abs=1e-12)
    assert chance_mrr(g, n) == pytest.approx(float(sum(p / r for r, p in law.items())), abs=1e-12)


def test_chance_levels_closed_forms_for_larger_gallery() -> None:
    g = 500
    assert chance_recall_at_k(g, 10) == pytest.approx(10 / g, rel=1e-9)
    harmonic = sum(1 / r for r in range(1, g + 1))
    assert chance_mrr(g) == pytest.approx(harmonic / g, rel=1e-9)
    expected = 1 - math.comb(g - 4, 10) / math.comb(g, 10)
    assert chance_recall_at_k(g, 10, 4) == pytest.approx(expected, rel=1e-9)


def test_chance_levels_match_simulation() -> None:
    rng = np.random.default_rng(0)
    g, n, trials = 20, 3, 20000
    first = np.array([1 + np.flatnonzero(rng.permutation(g) < n)[0] for _ in range(trials)])
    assert chance_recall_at_k(g, 5, n) == pytest.approx(np.mean(first <= 5), abs=0.015)
    assert chance_mrr(g, n) == pytest.approx(np.mean(1 / first), abs=0.01)


def test_metrics_chance_is_averaged_over_group_sizes() -> None:
    n_relevant = np.array([1, 1, 2, 3])
    m = metrics_from_ranks(np.array([1, 2, 1, 4]), gallery_size=10, ks=(1, 5), n_relevant=n_relevant)
    for k in (1, 5):
        expected = np.mean([chance_recall_at_k(10, k, int(n)) for n in n_relevant])
        assert m["chance"][f"recall@{k}"] == pytest.approx(expected)
    assert m["chance"]["recall@1"] == pytest.approx((0.1 + 0.1 + 0.2 + 0.3) / 4)
    assert m["chance_mrr"] == pytest.approx(np.mean([chance_mrr(10, int(n)) for n in n_relevant]))


def test_metrics_are_plain_json_values() -> None:
    m = metrics_from_ranks(np.array([1, 2, 3], dtype=np.int32), gallery_size=3)
    assert json.loads(json.dumps(m)) == m
    assert all(type(v) in (float, int, dict) for v in m.values())
    assert set(m) >= {"recall@1", "recall@5", "recall@10", "mrr", "median_rank", "chance", "chance_mrr"}


@pytest.mark.parametrize(
    ("ranks", "kwargs", "error", "fragment"),
    [
        (np.array([0, 1]), {"gallery_size": 3}, DataError, "[1, 3]"),
        (np.array([1, 4]), {"gallery_size": 3}, DataError, "[1, 3]"),
        (np.array([1.5]), {"gallery_size": 3}, DataError, "whole numbers"),
        (np.array([], dtype=int), {"gallery_size": 3}, DataError, "non-empty"),
        (np.array([1]), {"gallery_size": 3, "ks": (0, 5)}, ConfigError, "positive integers"),
        (np.array([1, 2]), {"gallery_size": 3, "n_relevant": np.array([1, 4])}, DataError, "between 1 and 3"),
    ],
)
def test_bad_inputs_are_explained(ranks: np.ndarray, kwargs: dict, error: type, fragment: str) -> None:
    with pytest.raises(error, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        metrics_from_ranks(ranks, **kwargs)


def test_tilt_typo_lists_valid_tilts() -> None:
    x = np.ones((2, 3))
    calls = (lambda: score_matrix(x, x, tilt="cosin"), lambda: first_relevant_ranks(x, x, [0, 1], [0, 1], tilt="cosin"))
    for call in calls:
        with pytest.raises(ConfigError) as info:
            call()
        assert all(word in str(info.value) for word in ("'cosin'", "cosine", "dot", "l2"))


def test_query_without_relevant_item_is_explained() -> None:
    x = np.eye(3)
    with pytest.raises(DataError, match=r"1 of 3 queries have no relevant item.*query 2 \(group 'z'\)"):
        first_relevant_ranks(x, x, ["a", "b", "z"], ["a", "b", "c"])
