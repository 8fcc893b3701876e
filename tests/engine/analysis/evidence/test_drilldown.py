"""Per-query drill-down: ranks and top-k against brute force, wins/losses order, attached texts."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.analysis.evidence.drilldown import attach_texts, drilldown
from engine.errors import ConfigError, DataError


def brute_force(queries, gallery, groups, tilt, k):
    """Pessimistic first-relevant ranks and top-k by a plain double loop over numpy scores."""
    q, g = np.asarray(queries, np.float64), np.asarray(gallery, np.float64)
    if tilt == "cosine":
        q, g = q / np.linalg.norm(q, axis=1, keepdims=True), g / np.linalg.norm(g, axis=1, keepdims=True)
    ranks, tops = [], []
    for i in range(len(q)):
        if tilt == "l2":
            scores = -np.sum((g - q[i]) ** 2, axis=1)
        else:
            scores = g @ q[i]
        relevant = np.array([groups[j] == groups[i] for j in range(len(g))])
        best = scores[relevant].max()
        ranks.append(1 + int(np.sum((scores >= best) & ~relevant)))
        tops.append(sorted(range(len(g)), key=lambda j: -scores[j])[:k])
    return ranks, tops


@pytest.mark.parametrize("direction", ["left_to_right", "right_to_left"])
def test_ranks_and_topk_equal_a_brute_force_computation(direction):
    rng = np.random.default_rng(0)
    n, d = 30, 6
    base_left, base_right = rng.standard_normal((n, d)), rng.standard_normal((n, d))
    tuned_left = rng.standard_normal((n, d))
    tuned_right = tuned_left + 0.8 * rng.standard_normal((n, d))
    groups = [f"g{i // 3}" if i < 9 else f"g{i}" for i in range(n)]  # three groups of three, then singletons
    drill = drilldown(
        base_left, base_right, tuned_left, tuned_right, groups,
        tilt_base="cosine", tilt_tuned="l2", k=4, direction=direction, chunk_size=7,
    )
    if direction == "left_to_right":
        base_ref = brute_force(base_left, base_right, groups, "cosine", 4)
        tuned_ref = brute_force(tuned_left, tuned_right, groups, "l2", 4)
    else:
        base_ref = brute_force(base_right, base_left, groups, "cosine", 4)
        tuned_ref = brute_force(tuned_right, tuned_left, groups, "l2", 4)
    queries = drill["queries"]
    assert queries["base_rank"] == base_ref[0]
    assert queries["tuned_rank"] == tuned_ref[0]
    assert queries["base_topk"] == base_ref[1]
    assert queries["tuned_topk"] == tuned_ref[1]
    assert queries["rank_change"] == [b - t for b, t in zip(base_ref[0], tuned_ref[0])]
    change = np.array(queries["rank_change"])
    summary = drill["summary"]
    assert (summary["improved"], summary["unchanged"], summary["worse"]) == (
        int(np.sum(change > 0)), int(np.sum(change == 0)), int(np.sum(change < 0))
    )
    assert summary["hits@4"]["tuned"] == sum(r <= 4 for r in tuned_ref[0])
    assert summary["mean_rank"]["base"] == pytest.approx(np.mean(base_ref[0]))
    assert summary["median_rank"]["tuned"] == pytest.approx(np.median(tuned_ref[0]))
    assert drill["query_side"] == direction.split("_")[0]
    json.dumps(drill, allow_nan=False)


def scores_with_ranks(ranks):
    """A query matrix whose dot scores against the identity gallery put true item i at rank ranks[i]."""
    n = len(ranks)
    s = np.zeros((n, n))
    for i, rank in enumerate(ranks):
        others = [j for j in range(n) if j != i]
        for position, j in enumerate(others):
            # rank - 1 distinct scores above the true item's 0.5, the rest distinct and below it
            s[i, j] = 1.0 - 0.01 * position if position < rank - 1 else 0.4 - 0.01 * position
        s[i, i] = 0.5
    return s


BASE_RANKS = [1, 3, 5, 2, 4, 3]
TUNED_RANKS = [1, 1, 3, 4, 2, 5]  # changes: 0, +2, +2, -2, +2, -2


def hand_made(**options):
    eye = np.eye(len(BASE_RANKS))
    groups = [f"p{i}" for i in range(len(BASE_RANKS))]
    return drilldown(
        scores_with_ranks(BASE_RANKS), eye, scores_with_ranks(TUNED_RANKS), eye, groups,
        tilt_base="dot", tilt_tuned="dot", **options,
    )


def test_hand_made_wins_losses_and_counts():
    drill = hand_made(k=3, n_examples=10)
    assert drill["queries"]["base_rank"] == BASE_RANKS
    assert drill["queries"]["tuned_rank"] == TUNED_RANKS
    summary = drill["summary"]
    assert (summary["improved"], summary["unchanged"], summary["worse"]) == (3, 1, 2)
    assert summary["hits@3"] == {"base": 4, "tuned": 4}
    assert "higher for 3 of 6 queries, lower for 2 and the same for 1" in summary["takeaway"]
    # equal improvements of 2: the one ending nearest the top first (tuned ranks 1, 2, 3)
    assert [w["query"] for w in drill["wins"]] == [1, 4, 2]
    # equal regressions of 2: the one that started nearest the top first (base ranks 2, 3)
    assert [loss["query"] for loss in drill["losses"]] == [3, 5]
    win = drill["wins"][0]
    assert (win["base_rank"], win["tuned_rank"], win["rank_change"]) == (3, 1, 2)
    assert win["tuned_topk"][0] == 1 and win["tuned_topk_relevant"] == [True, False, False]
    assert win["base_topk"][2] == 1 and win["base_topk_relevant"] == [False, False, True]
    assert win["relevant"] == [1] and win["true_index"] == 1
    assert win["base_scores"] == [1.0, 0.99, 0.5]


def test_n_examples_caps_the_lists():
    drill = hand_made(n_examples=1)
    assert [w["query"] for w in drill["wins"]] == [1]
    assert [loss["query"] for loss in drill["losses"]] == [3]
    assert hand_made(n_examples=0)["wins"] == []


def test_attach_texts_adds_texts_to_examples_only_and_keeps_them_verbatim():
    drill = hand_made(k=2, n_examples=2)
    left = [f"<b>query {i}</b> & co" for i in range(6)]
    right = [f"item {i}\n'quoted'" for i in range(6)]
    rows = [10 + 2 * i for i in range(6)]
    out = attach_texts(drill, left, right, rows)
    win = out["wins"][0]  # query 1
    assert win["query_text"] == "<b>query 1</b> & co" and win["query_row"] == 12
    assert win["true_text"] == "item 1\n'quoted'" and win["true_row"] == 12
    assert win["base_topk_texts"] == [right[j] for j in win["base_topk"]]
    assert win["tuned_topk_rows"] == [rows[j] for j in win["tuned_topk"]]
    assert "query_text" not in drill["wins"][0]  # the input is not modified
    json.dumps(out, allow_nan=False)


def test_attach_texts_follows_the_direction():
    eye = np.eye(6)
    drill = drilldown(
        eye, scores_with_ranks(BASE_RANKS), eye, scores_with_ranks(TUNED_RANKS), [str(i) for i in range(6)],
        tilt_tuned="dot", tilt_base="dot", direction="right_to_left", k=2,
    )
    assert drill["queries"]["base_rank"] == BASE_RANKS
    out = attach_texts(drill, [f"L{i}" for i in range(6)], [f"R{i}" for i in range(6)], list(range(1, 7)))
    win = out["wins"][0]
    assert win["query_text"] == f"R{win['query']}" and win["true_text"] == f"L{win['query']}"
    assert all(text.startswith("L") for text in win["tuned_topk_texts"])


def test_inputs_are_validated():
    eye = np.eye(4)
    groups = list("abcd")
    with pytest.raises(ConfigError, match="direction"):
        drilldown(eye, eye, eye, eye, groups, tilt_tuned="cosine", direction="both")
    with pytest.raises(ConfigError, match="tilt"):
        drilldown(eye, eye, eye, eye, groups, tilt_tuned="angular")
    with pytest.raises(ConfigError, match="n_examples"):
        drilldown(eye, eye, eye, eye, groups, tilt_tuned="cosine", n_examples=-1)
    with pytest.raises(DataError, match="groups 3"):
        drilldown(eye, eye, eye, eye, groups[:3], tilt_tuned="cosine")
    drill = drilldown(eye, eye, eye, eye, groups, tilt_tuned="cosine")
    with pytest.raises(DataError, match="rows 3"):
        attach_texts(drill, groups, groups, [1, 2, 3])
