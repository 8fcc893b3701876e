"""Zero-shot classification, linear head, sampling from the conditional, diversity."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from scipy.special import logsumexp
from scipy.stats import chisquare

from engine.analysis.labels import (
    accuracy,
    conditional_weights,
    diversity,
    linear_head,
    sample_conditional,
    tilt_scores,
    zero_shot_classify,
)
from engine.errors import ConfigError, DataError
from engine.losses import similarity_matrix


@pytest.mark.parametrize("tilt", ["cosine", "dot", "l2"])
def test_tilt_scores_match_the_torch_loss_tilts(tilt: str) -> None:
    rng = np.random.default_rng(0)
    u, v = rng.standard_normal((5, 3)), rng.standard_normal((4, 3))
    reference = similarity_matrix(torch.from_numpy(u), torch.from_numpy(v), tilt, 1.0).numpy()
    np.testing.assert_allclose(tilt_scores(u, v, tilt), reference, atol=1e-12)


def test_zero_shot_hand_computed() -> None:
    items = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    label_emb = np.array([[1.0, 0.0], [0.0, 2.0]])
    # cosine: item 3 ties (both 1/sqrt 2) -> first label; dot: item 3 scores 1 vs 2 -> "b"
    cos = zero_shot_classify(items, label_emb, ["a", "b"], tilt="cosine", true_labels=["a", "b", "b"])
    assert cos["predictions"] == ["a", "b", "a"]
    assert cos["accuracy"] == pytest.approx(2 / 3)
    assert cos["scores_top"] == pytest.approx([1.0, 1.0, 1 / math.sqrt(2)])
    dot = zero_shot_classify(items, label_emb, ["a", "b"], tilt="dot", temperature=1.0)
    assert dot["predictions"] == ["a", "b", "b"]
    # softmax of (1, 2) for item 3
    assert dot["probabilities"][2] == pytest.approx([1 / (1 + math.e), math.e / (1 + math.e)])
    json.dumps(dot, allow_nan=False)


def test_zero_shot_rejects_label_count_mismatch() -> None:
    with pytest.raises(DataError, match="labels"):
        zero_shot_classify(np.ones((2, 2)), np.ones((3, 2)), ["a", "b"])


def test_accuracy_by_hand() -> None:
    assert accuracy(["a", "b", "c", "a"], ["a", "b", "a", "b"]) == 0.5
    with pytest.raises(DataError):
        accuracy(["a"], ["a", "b"])


def _separable(seed: int, n: int) -> tuple[np.ndarray, list[str]]:
    """Three classes around well-separated directions in 5-D, with a small spread."""
    rng = np.random.default_rng(seed)
    centres = np.eye(5)[:3] * 3.0
    y = rng.integers(0, 3, n)
    x = centres[y] + 0.3 * rng.standard_normal((n, 5))
    return x, [f"c{k}" for k in y]


def test_linear_head_is_perfect_on_separable_data() -> None:
    x_train, y_train = _separable(0, 120)
    x_test, y_test = _separable(1, 60)
    out = linear_head(x_train, y_train, x_test, y_test, temperature=0.1, epochs=30, lr=0.05, seed=0)
    assert out["accuracy"] == 1.0
    assert out["train_accuracy"] == 1.0
    assert out["labels"] == ["c0", "c1", "c2"]
    assert out["loss_per_epoch"][-1] < out["loss_per_epoch"][0]
    json.dumps(out, allow_nan=False)


def test_linear_head_learns_beyond_its_nearest_centroid_start() -> None:
    # The class is the sign of s - t, but s and t share a large noise z: the class means differ only
    # along s, so the nearest-centroid start is near chance, while a linear head on s - t is exact.
    rng = np.random.default_rng(2)
    n = 200
    y = rng.integers(0, 2, n)
    z = rng.standard_normal(n)
    x = np.column_stack([np.full(n, 3.0), z + np.where(y == 1, 0.2, -0.2), z])
    labels = [int(k) for k in y]
    start = linear_head(x, labels, x, labels, temperature=0.05, epochs=1, lr=1e-9, seed=0)
    trained = linear_head(x, labels, x, labels, temperature=0.05, epochs=30, lr=0.05, seed=0)
    assert start["accuracy"] < 0.7
    assert trained["accuracy"] == 1.0


def test_linear_head_loss_and_predictions_follow_eq_34_and_35() -> None:
    x_train, y_train = _separable(3, 60)
    x_test, y_test = _separable(4, 20)
    tau = 0.5
    out = linear_head(x_train, y_train, x_test, y_test, temperature=tau, epochs=3, lr=0.01, seed=0,
                      return_params=True)
    g, f = np.array(out["G"]), np.array(out["F"])
    unit_train = x_train / np.linalg.norm(x_train, axis=1, keepdims=True)
    logits = unit_train @ g / tau + f
    y = np.array([out["labels"].index(t) for t in y_train])
    loss = np.mean(-logits[np.arange(len(y)), y] + logsumexp(logits, axis=1))
    assert out["loss_per_epoch"][-1] == pytest.approx(loss, rel=1e-10)
    unit_test = x_test / np.linalg.norm(x_test, axis=1, keepdims=True)
    assert out["predictions"] == [out["labels"][i] for i in (unit_test @ g / tau + f).argmax(axis=1)]


def test_linear_head_is_seeded() -> None:
    x, y = _separable(5, 50)
    a = linear_head(x, y, x, y, epochs=2, seed=1, return_params=True)
    b = linear_head(x, y, x, y, epochs=2, seed=1, return_params=True)
    assert a["G"] == b["G"]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"temperature": 0.0}, ConfigError), ({"epochs": 0}, ConfigError), ({"lr": -1.0}, ConfigError)],
)
def test_linear_head_rejects_bad_settings(kwargs, error) -> None:
    x, y = _separable(0, 20)
    with pytest.raises(error):
        linear_head(x, y, x, y, **kwargs)


def test_linear_head_needs_two_labels() -> None:
    x = np.ones((4, 2))
    with pytest.raises(DataError, match="at least 2"):
        linear_head(x, ["a"] * 4, x, ["a"] * 4)


def test_conditional_weights_hand_computed() -> None:
    bank = np.array([[1.0], [2.0], [0.0]])
    w = conditional_weights(np.array([1.0]), bank, tilt="dot", temperature=0.5)
    expected = np.exp([2.0, 4.0, 0.0]) / np.exp([2.0, 4.0, 0.0]).sum()
    np.testing.assert_allclose(w, expected)


def test_sampling_frequencies_match_softmax_weights() -> None:
    rng = np.random.default_rng(0)
    bank = rng.standard_normal((6, 3))
    query = rng.standard_normal(3)
    weights = conditional_weights(query, bank, tilt="cosine", temperature=0.5)
    draws = sample_conditional(query, bank, tilt="cosine", temperature=0.5, n_samples=30_000, seed=7)
    observed = np.bincount(draws, minlength=6)
    assert chisquare(observed, weights * draws.size).pvalue > 0.01
    np.testing.assert_allclose(observed / draws.size, weights, atol=0.01)


def test_sampling_is_seeded_and_batched() -> None:
    rng = np.random.default_rng(1)
    bank, queries = rng.standard_normal((10, 4)), rng.standard_normal((3, 4))
    a = sample_conditional(queries, bank, tilt="dot", temperature=1.0, n_samples=16, seed=3)
    b = sample_conditional(queries, bank, tilt="dot", temperature=1.0, n_samples=16, seed=3)
    assert a.shape == (3, 16) and np.array_equal(a, b)
    assert a.min() >= 0 and a.max() < 10
    single = sample_conditional(queries[0], bank, tilt="dot", temperature=1.0, n_samples=5, seed=3)
    assert single.shape == (5,)


def test_cold_temperature_collapses_and_hot_spreads() -> None:
    rng = np.random.default_rng(2)
    bank, query = rng.standard_normal((50, 4)), rng.standard_normal(4)
    cold = sample_conditional(query, bank, tilt="dot", temperature=1e-3, n_samples=16, seed=0)
    hot = sample_conditional(query, bank, tilt="dot", temperature=1e3, n_samples=16, seed=0)
    assert diversity(cold)["n_distinct"] == 1
    assert diversity(hot)["n_distinct"] >= 10


def test_diversity_hand_computed() -> None:
    bank = np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]])
    out = diversity(np.array([0, 0, 1, 2]), bank)
    assert out["n_draws"] == 4 and out["n_distinct"] == 3
    assert out["distinct_fraction"] == 0.75
    assert out["effective_number"] == pytest.approx(math.exp(-(0.5 * math.log(0.5) + 2 * 0.25 * math.log(0.25))))
    # draw pairs: (0,0)=0, (0,1)=5 twice, (0,2)=1 twice, (1,2)=sqrt(18); mean over the 6 pairs
    assert out["mean_pairwise_distance"] == pytest.approx((0 + 5 + 5 + 1 + 1 + math.sqrt(18)) / 6)
    assert out["mean_pairwise_distance_distinct"] == pytest.approx((5 + 1 + math.sqrt(18)) / 3)
    collapsed = diversity(np.array([4, 4, 4]))
    assert collapsed["n_distinct"] == 1 and collapsed["effective_number"] == pytest.approx(1.0)


def test_diversity_of_several_rows_is_the_row_mean() -> None:
    out = diversity(np.array([[0, 0, 0, 0], [0, 1, 2, 3]]))
    assert out["n_distinct"] == 2.5
    assert [r["n_distinct"] for r in out["per_row"]] == [1, 4]


def test_diversity_rejects_out_of_bank_indices() -> None:
    with pytest.raises(DataError, match="positions"):
        diversity(np.array([0, 5]), np.zeros((3, 2)))
