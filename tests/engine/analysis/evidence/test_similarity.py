"""Similarity distributions against brute-force references and hand-computed values."""

from __future__ import annotations

import json

import numpy as np
import pytest
from reference_scores import reference_matrix
from sklearn.metrics import roc_auc_score

from engine.analysis.evidence.similarity import (
    MESSAGES,
    best_f1_threshold,
    compare_distributions,
    hardest_negatives,
    in_batch_negative_scores,
    roc_auc,
    similarity_distributions,
)
from engine.errors import ConfigError, DataError

TILTS = ("cosine", "dot", "l2")


def paired(n: int = 40, d: int = 8, noise: float = 0.7, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Pairs sharing a latent z, so true pairs score clearly higher than random ones."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, d))
    left = z + noise * rng.normal(size=(n, d))
    right = z + noise * rng.normal(size=(n, d))
    return left.astype(np.float32), right.astype(np.float32)


# Groups of sizes 1, 2 and 3 (multi-positive), as strings like a real group column.
GROUPS_17 = [f"g{k}" for k in (0, 1, 1, 2, 3, 3, 3, 4, 5, 6, 6, 7, 8, 9, 10, 11, 11)]


# --- AUC --------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_auc_equals_sklearn_with_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # Rounded scores: many ties inside and across the two sets.
    pos = np.round(rng.normal(0.5, 1.0, size=137), 1)
    neg = np.round(rng.normal(0.0, 1.0, size=211), 1)
    expected = roc_auc_score(np.r_[np.ones(pos.size), np.zeros(neg.size)], np.r_[pos, neg])
    assert roc_auc(pos, neg) == pytest.approx(expected, abs=1e-12)


def test_auc_extremes_and_full_tie() -> None:
    assert roc_auc([3.0, 4.0], [1.0, 2.0]) == 1.0
    assert roc_auc([1.0, 2.0], [3.0, 4.0]) == 0.0
    assert roc_auc([1.0, 1.0], [1.0, 1.0, 1.0]) == 0.5
    # Hand count: pairs (2>1 win), (2=2 half), (0<1 loss), (0<2 loss) -> 1.5 / 4.
    assert roc_auc([2.0, 0.0], [1.0, 2.0]) == pytest.approx(0.375)


# --- threshold --------------------------------------------------------------------------------


def test_threshold_hand_example() -> None:
    out = best_f1_threshold([0.9, 0.8, 0.4], [0.7, 0.3])
    # Thresholds 0.9, 0.8, 0.7, 0.4, 0.3 give F1 = 1/2, 4/5, 2/3, 6/7, 3/4.
    assert out["threshold"] == pytest.approx(0.4)
    assert out["precision"] == pytest.approx(0.75)
    assert out["recall"] == pytest.approx(1.0)
    assert out["f1"] == pytest.approx(6 / 7)
    assert out["curve"]["threshold"] == pytest.approx([0.9, 0.8, 0.7, 0.4, 0.3])
    assert out["curve"]["recall"] == pytest.approx([1 / 3, 2 / 3, 2 / 3, 1.0, 1.0])
    assert out["curve"]["precision"] == pytest.approx([1.0, 1.0, 2 / 3, 0.75, 0.6])


def test_threshold_counts_tied_scores_together() -> None:
    # A threshold at 0.5 accepts all three tied scores: 2 true of 3 accepted.
    out = best_f1_threshold([0.5, 0.5, 0.1], [0.5, 0.0])
    assert out["curve"]["threshold"] == pytest.approx([0.5, 0.1, 0.0])
    assert out["curve"]["precision"][0] == pytest.approx(2 / 3)
    assert out["threshold"] == pytest.approx(0.1) and out["f1"] == pytest.approx(6 / 7)


def test_threshold_matches_brute_force_and_curve_is_thinned() -> None:
    rng = np.random.default_rng(3)
    pos, neg = np.round(rng.normal(1, 1, 700), 2), np.round(rng.normal(0, 1, 500), 2)
    best_f1, best_t = -1.0, None
    for t in np.unique(np.r_[pos, neg])[::-1]:  # high to low: ties keep the higher threshold
        tp, fp = np.sum(pos >= t), np.sum(neg >= t)
        f1 = 2 * tp / (2 * tp + fp + (pos.size - tp))
        if f1 > best_f1 + 1e-15:
            best_f1, best_t = f1, t
    out = best_f1_threshold(pos, neg)
    assert out["threshold"] == pytest.approx(best_t) and out["f1"] == pytest.approx(best_f1)
    curve = out["curve"]
    assert len(curve["threshold"]) <= 200 and out["threshold"] in curve["threshold"]
    assert np.all(np.diff(curve["threshold"]) < 0) and np.all(np.diff(curve["recall"]) >= 0)
    assert curve["recall"][-1] == 1.0


# --- score populations ------------------------------------------------------------------------


@pytest.mark.parametrize("tilt", TILTS)
def test_hardest_negative_equals_brute_force_loop(tilt: str) -> None:
    left, right = paired(n=len(GROUPS_17), noise=1.0, seed=1)
    scores, index = hardest_negatives(left, right, GROUPS_17, tilt=tilt, chunk_size=4)
    ref = reference_matrix(left, right, tilt)
    for i, gi in enumerate(GROUPS_17):
        best_j, best_s = -1, -np.inf
        for j, gj in enumerate(GROUPS_17):
            if gj != gi and ref[i, j] > best_s:
                best_j, best_s = j, ref[i, j]
        assert index[i] == best_j
        assert scores[i] == pytest.approx(best_s, rel=1e-5, abs=1e-5)


@pytest.mark.parametrize("tilt", TILTS)
def test_positives_and_histograms_match_brute_force(tilt: str) -> None:
    left, right = paired(n=len(GROUPS_17), seed=2)
    out = similarity_distributions(left, right, GROUPS_17, tilt=tilt, batch_size=5, n_bins=12)
    ref = reference_matrix(left, right, tilt)
    same = np.array([[a == b for b in GROUPS_17] for a in GROUPS_17])
    positives = ref[same]
    assert positives.size == 1 + 4 + 1 + 9 + 1 + 1 + 4 + 1 + 1 + 1 + 1 + 4  # sum of squared group sizes
    summary = out["summary"]["positive"]
    assert summary["count"] == positives.size
    assert summary["mean"] == pytest.approx(positives.mean(), rel=1e-5, abs=1e-5)
    assert summary["p50"] == pytest.approx(np.median(positives), rel=1e-5, abs=1e-5)
    assert len(out["bin_edges"]) == 13
    for name, counts in out["counts"].items():
        assert sum(counts) == out["summary"][name]["count"]  # nothing falls off the shared grid
    assert out["summary"]["hardest"]["count"] == len(GROUPS_17)
    every_min = min(s["min"] for s in out["summary"].values())
    assert out["bin_edges"][0] == pytest.approx(every_min)


def test_in_batch_negatives_are_different_group_pairs_of_one_epoch() -> None:
    left, right = paired(n=len(GROUPS_17), seed=4)
    ref = reference_matrix(left, right, "dot")
    different = np.array([[a != b for b in GROUPS_17] for a in GROUPS_17])
    scores = in_batch_negative_scores(left, right, GROUPS_17, tilt="dot", batch_size=17, seed=0)
    # One batch holding every pair: exactly the different-group pairs.
    assert np.sort(scores) == pytest.approx(np.sort(ref[different]), rel=1e-5)
    small = in_batch_negative_scores(left, right, GROUPS_17, tilt="dot", batch_size=4, seed=5)
    assert 0 < small.size < different.sum()
    assert all(np.isclose(ref[different], s, rtol=1e-5).any() for s in small)
    capped = in_batch_negative_scores(left, right, GROUPS_17, tilt="dot", batch_size=4, seed=5, max_negatives=7)
    assert capped == pytest.approx(small[:7])
    assert in_batch_negative_scores(left, right, GROUPS_17, tilt="dot", batch_size=4, seed=6).tolist() != small.tolist()


def test_chunked_equals_unchunked_including_the_positive_subsample() -> None:
    left, right = paired(n=len(GROUPS_17), seed=5)
    options = {"tilt": "cosine", "batch_size": 6, "max_positives": 11, "seed": 3}
    one = similarity_distributions(left, right, GROUPS_17, chunk_size=1000, **options)
    many = similarity_distributions(left, right, GROUPS_17, chunk_size=3, **options)
    assert one["summary"]["positive"]["count"] == 11
    # float32 matrix products may differ in the last bit between block shapes; nothing more.
    assert_same_tree(one, many)


def assert_same_tree(a: object, b: object) -> None:
    """Equal nested dicts/lists, floats up to float32 round-off, everything else exactly."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys()
        for key in a:
            assert_same_tree(a[key], b[key])
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b)
        for x, y in zip(a, b):
            assert_same_tree(x, y)
    elif isinstance(a, float):
        assert b == pytest.approx(a, rel=1e-6, abs=1e-6)
    else:
        assert a == b


# --- collapse and warnings --------------------------------------------------------------------


def test_healthy_model_has_no_warnings_and_good_separation() -> None:
    left, right = paired(n=60, noise=0.3, seed=6)
    out = similarity_distributions(left, right, [str(i) for i in range(60)], tilt="cosine")
    assert out["auc"]["in_batch"] > 0.95 and out["auc"]["hardest"] > 0.8
    assert out["warnings"] == [] and not out["collapse"]["flag"]
    json.dumps(out, allow_nan=False)


@pytest.mark.parametrize("tilt", TILTS)
def test_collapsed_embeddings_are_flagged(tilt: str) -> None:
    rng = np.random.default_rng(7)
    point = rng.normal(size=8) * 3
    left = point + 1e-6 * rng.normal(size=(30, 8))
    right = point + 1e-6 * rng.normal(size=(30, 8))
    out = similarity_distributions(left, right, list(range(30)), tilt=tilt)
    assert out["collapse"]["flag"] and out["collapse"]["relative_std"] < 1e-3
    assert any("collapsed" in w for w in out["warnings"])


def test_unrelated_sides_warn_about_overlap() -> None:
    rng = np.random.default_rng(8)
    out = similarity_distributions(rng.normal(size=(80, 16)), rng.normal(size=(80, 16)), list(range(80)))
    assert 0.4 <= out["auc"]["in_batch"] < 0.6 and out["collapse"]["flag"]
    assert any("barely score higher" in w for w in out["warnings"])


# --- comparison -------------------------------------------------------------------------------


def test_compare_distributions_reports_the_shift() -> None:
    groups = [str(i) for i in range(50)]
    base = similarity_distributions(*paired(n=50, noise=1.5, seed=9), groups)
    tuned = similarity_distributions(*paired(n=50, noise=0.3, seed=9), groups)
    out = compare_distributions(base, tuned)
    assert out["auc_hardest"]["change"] == pytest.approx(tuned["auc"]["hardest"] - base["auc"]["hardest"])
    assert out["threshold"]["tuned"] == tuned["threshold"]["threshold"] and out["thresholds_comparable"]
    assert f"rose from {base['auc']['hardest']:.3f} to {tuned['auc']['hardest']:.3f}" in out["takeaways"][0]
    assert any("threshold" in t and "moved" in t for t in out["takeaways"])
    same = compare_distributions(tuned, tuned)
    assert "stayed at" in same["takeaways"][0]
    dot = similarity_distributions(*paired(n=50, noise=0.3, seed=9), groups, tilt="dot")
    assert not compare_distributions(base, dot)["thresholds_comparable"]
    assert MESSAGES["tilts_differ"].split("{")[0] in compare_distributions(base, dot)["takeaways"][-1]
    json.dumps(out, allow_nan=False)


# --- validation -------------------------------------------------------------------------------


def test_validation_errors_say_what_to_fix() -> None:
    left, right = paired(n=6)
    with pytest.raises(DataError, match="one group id per pair"):
        similarity_distributions(left, right, ["a"] * 5)
    with pytest.raises(DataError, match="same group id"):
        similarity_distributions(left, right, ["a"] * 6)
    with pytest.raises(DataError, match="NaN"):
        similarity_distributions(np.full((6, 8), np.nan), right, list(range(6)))
    with pytest.raises(ConfigError, match="at least 2"):
        in_batch_negative_scores(left, right, list(range(6)), batch_size=1)
    with pytest.raises(ConfigError, match="expected one of cosine, dot, l2"):
        similarity_distributions(left, right, list(range(6)), tilt="euclid")
    with pytest.raises(ConfigError, match="chunk_size"):
        similarity_distributions(left, right, list(range(6)), chunk_size=0)
    with pytest.raises(DataError, match="no scores"):
        roc_auc([], [1.0])
    with pytest.raises(DataError, match="similarity_distributions"):
        compare_distributions({"tilt": "cosine"}, {})
