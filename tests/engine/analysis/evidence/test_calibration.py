"""Calibration of softmax(S / tau) over a gallery: brute-force softmax, hand-made ECE, tau recovery."""

from __future__ import annotations

import json

import numpy as np
import pytest
from reference_scores import reference_matrix
from scipy.special import softmax

import engine.analysis.evidence.calibration as calibration
from engine.analysis.evidence.calibration import (
    calibration_report,
    fit_temperature,
    fit_temperature_to_scores,
    holdout_split,
    retrieval_probabilities,
    temperature_nll,
)
from engine.analysis.evidence.reliability import reliability
from engine.errors import ConfigError, DataError
from engine.evaluate import evaluate_retrieval

TILTS = ("cosine", "dot", "l2")
GROUPS_12 = ["a", "b", "b", "c", "d", "d", "d", "e", "f", "g", "h", "h"]


def paired(n: int, d: int = 6, noise: float = 0.8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, d))
    left, right = z + noise * rng.normal(size=(n, d)), z + noise * rng.normal(size=(n, d))
    return left.astype(np.float32), right.astype(np.float32)


# --- the conditional --------------------------------------------------------------------------


@pytest.mark.parametrize("tilt", TILTS)
@pytest.mark.parametrize("direction", ["left_to_right", "right_to_left"])
def test_probabilities_equal_brute_force_softmax(tilt: str, direction: str) -> None:
    left, right = paired(len(GROUPS_12), noise=1.0, seed=1)
    tau = 0.7
    out = retrieval_probabilities(left, right, GROUPS_12, tilt=tilt, temperature=tau, direction=direction, chunk_size=5)
    s = reference_matrix(left, right, tilt)
    s = s if direction == "left_to_right" else s.T
    p = softmax(s / tau, axis=1)  # rows: queries, columns: gallery
    g = np.array(GROUPS_12)
    for i in range(len(g)):
        top = int(np.argmax(p[i]))
        assert out.top1_index[i] == top
        assert out.top1_prob[i] == pytest.approx(p[i, top], rel=1e-5)
        assert out.top1_group_prob[i] == pytest.approx(p[i, g == g[top]].sum(), rel=1e-5)
        assert out.true_log_prob[i] == pytest.approx(np.log(p[i, g == g[i]].sum()), rel=1e-5, abs=1e-6)
        assert out.correct[i] == (g[top] == g[i])


def test_chunked_equals_unchunked_and_query_subset_selects_rows() -> None:
    left, right = paired(30, seed=2)
    groups = [i // 3 for i in range(30)]
    full = retrieval_probabilities(left, right, groups, tilt="cosine", temperature=0.05, chunk_size=1000)
    chunked = retrieval_probabilities(left, right, groups, tilt="cosine", temperature=0.05, chunk_size=4)
    rows = np.array([3, 17, 29, 0])
    subset = retrieval_probabilities(left, right, groups, tilt="cosine", temperature=0.05, query_indices=rows)
    for name in ("top1_index", "top1_prob", "top1_group_prob", "true_log_prob", "correct"):
        # Up to float32 round-off of the scores (1e-7), amplified by 1 / tau = 20.
        np.testing.assert_allclose(getattr(chunked, name), getattr(full, name), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(getattr(subset, name), getattr(full, name)[rows], rtol=1e-5, atol=1e-6)
    bare = retrieval_probabilities(left, right, tilt="cosine", temperature=0.05)
    assert bare.correct is None and bare.true_log_prob is None
    np.testing.assert_allclose(bare.top1_prob, full.top1_prob, rtol=1e-6)


@pytest.mark.parametrize("direction", ["left_to_right", "right_to_left"])
def test_accuracy_equals_recall_at_1_even_with_tied_duplicates(direction: str) -> None:
    left, right = paired(24, seed=7)
    # Duplicate items in other groups tie exactly with the true item; ties count against the model.
    left[5], right[5] = left[4], right[4]
    left[11], right[11] = left[10], right[10]
    groups = [f"g{i}" for i in range(24)]
    probs = retrieval_probabilities(left, right, groups, tilt="cosine", temperature=0.05, direction=direction)
    recall = evaluate_retrieval(left, right, groups, tilt="cosine")[direction]["recall@1"]
    assert probs.correct.mean() == pytest.approx(recall)
    assert not probs.correct[[4, 5, 10, 11]].any()
    # The tied pair splits the mass: the top-1 item holds at most half of it.
    assert np.all(probs.top1_prob[[4, 5]] <= 0.5 + 1e-6)


# --- reliability ------------------------------------------------------------------------------


def test_reliability_hand_example() -> None:
    out = reliability([0.9, 0.8, 0.3, 0.2], [1, 0, 0, 1], n_bins=2)
    # Bin [0, 0.5): confidence 0.25, accuracy 0.5; bin [0.5, 1]: confidence 0.85, accuracy 0.5.
    assert out["bins"]["count"] == [2, 2]
    assert out["bins"]["mean_confidence"] == pytest.approx([0.25, 0.85])
    assert out["bins"]["accuracy"] == pytest.approx([0.5, 0.5])
    assert out["ece"] == pytest.approx(0.5 * 0.25 + 0.5 * 0.35)
    assert out["mce"] == pytest.approx(0.35)
    assert out["accuracy"] == 0.5 and out["mean_confidence"] == pytest.approx(0.55)
    assert out["brier"] == pytest.approx((0.01 + 0.64 + 0.09 + 0.64) / 4)


def test_reliability_empty_bins_and_quantile_bins() -> None:
    out = reliability([0.95, 1.0, 0.55], [True, True, False], n_bins=4)
    assert out["bins"]["count"] == [0, 0, 1, 2]  # 1.0 falls in the last, closed bin
    assert out["bins"]["accuracy"][:2] == [None, None]
    assert out["ece"] == pytest.approx((0.55 + 2 * 0.025) / 3)
    q = reliability([0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9], [0, 0, 1, 0, 1, 1, 1, 1], n_bins=4, strategy="quantile")
    assert q["bins"]["count"] == [2, 2, 2, 2]
    # Gaps: |0 - .15|, |.5 - .35|, |1 - .65|, |1 - .85| -> mean 0.2125.
    assert q["ece"] == pytest.approx((0.15 + 0.15 + 0.35 + 0.15) / 4)
    tied = reliability([0.7] * 5, [1, 1, 0, 1, 0], n_bins=3, strategy="quantile")
    assert tied["bins"]["count"] == [5] and tied["ece"] == pytest.approx(0.1)
    json.dumps(out, allow_nan=False)


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_ece_small_when_calibrated_and_large_when_not(strategy: str) -> None:
    rng = np.random.default_rng(0)
    conf = rng.uniform(size=20_000)
    calibrated = rng.uniform(size=conf.size) < conf
    assert reliability(conf, calibrated, strategy=strategy)["ece"] < 0.02
    # Accuracy conf^2 against confidence conf: expected gap E[c - c^2] = 1/2 - 1/3 = 1/6.
    overconfident = rng.uniform(size=conf.size) < conf**2
    assert reliability(conf, overconfident, strategy=strategy)["ece"] == pytest.approx(1 / 6, abs=0.015)


# --- temperature fit --------------------------------------------------------------------------


def sample_true_items(scores: np.ndarray, tau: float, rng: np.random.Generator) -> np.ndarray:
    """Index of the true item per query, drawn from softmax(scores / tau)."""
    p = softmax(scores / tau, axis=1)
    return (p.cumsum(axis=1) > rng.uniform(size=(p.shape[0], 1))).argmax(axis=1)


@pytest.mark.parametrize("tau_true", [0.05, 0.3, 2.0])
def test_fit_recovers_the_temperature_that_generated_the_data(tau_true: float) -> None:
    rng = np.random.default_rng(1)
    scores = rng.normal(size=(3000, 25)) * (0.1 if tau_true < 0.1 else 1.0)
    relevant = np.eye(25, dtype=bool)[sample_true_items(scores, tau_true, rng)]
    assert fit_temperature_to_scores(scores, relevant, init=1.0) == pytest.approx(tau_true, rel=0.06)


def test_fit_recovers_tau_with_multi_item_groups() -> None:
    rng = np.random.default_rng(2)
    gallery_groups = np.repeat(np.arange(10), 3)  # 30 items in groups of 3
    scores = rng.normal(size=(3000, 30))
    truth = sample_true_items(scores, 0.5, rng)
    relevant = gallery_groups[None, :] == gallery_groups[truth][:, None]
    fitted = fit_temperature_to_scores(scores, relevant, init=0.1)
    assert fitted == pytest.approx(0.5, rel=0.08)
    # It is a minimum of the group-mass NLL.
    nll = temperature_nll(scores, relevant, fitted)
    assert nll <= temperature_nll(scores, relevant, fitted * 1.02)
    assert nll <= temperature_nll(scores, relevant, fitted / 1.02)


def test_temperature_nll_equals_a_loop() -> None:
    rng = np.random.default_rng(3)
    scores, relevant = rng.normal(size=(5, 4)), rng.uniform(size=(5, 4)) < 0.5
    relevant[:, 0] = True
    expected = np.mean([-np.log(softmax(s / 0.4)[r].sum()) for s, r in zip(scores, relevant)])
    assert temperature_nll(scores, relevant, 0.4) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("tilt", TILTS)
def test_fit_on_embeddings_equals_fit_on_their_scores(tilt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    left, right = paired(len(GROUPS_12), noise=1.0, seed=4)
    s = reference_matrix(left, right, tilt).T  # right -> left
    relevant = np.array(GROUPS_12)[:, None] == np.array(GROUPS_12)[None, :]
    expected = fit_temperature_to_scores(s, relevant, init=0.5)
    got = fit_temperature(left, right, GROUPS_12, tilt=tilt, direction="right_to_left", init=0.5)
    assert got == pytest.approx(expected, rel=1e-4)
    monkeypatch.setattr(calibration, "CACHE_ENTRIES", 0)  # re-score in chunks for every tau tried
    streamed = fit_temperature(left, right, GROUPS_12, tilt=tilt, direction="right_to_left", init=0.5, chunk_size=5)
    assert streamed == pytest.approx(got, rel=1e-5)


# --- held-out report --------------------------------------------------------------------------


def test_holdout_split_is_group_aware_and_ignores_row_order() -> None:
    groups = [f"p{i // 2}" for i in range(40)]
    fit, held = holdout_split(groups, fraction=0.25, seed=3)
    assert set(fit) | set(held) == set(range(40)) and not set(fit) & set(held)
    assert not {groups[i] for i in fit} & {groups[i] for i in held}
    assert len({groups[i] for i in fit}) == 5
    order = np.random.default_rng(0).permutation(40)
    fit2, _ = holdout_split([groups[i] for i in order], fraction=0.25, seed=3)
    assert {groups[order[i]] for i in fit2} == {groups[i] for i in fit}
    assert holdout_split(groups, fraction=0.25, seed=4)[0].tolist() != fit.tolist()


def test_report_fits_on_one_half_and_evaluates_on_the_other() -> None:
    n = 120
    left, right = paired(n, noise=0.9, seed=5)
    groups = [f"g{i}" for i in range(n)]
    report = calibration_report(left, right, groups, tilt="cosine", temperature=0.002, seed=1, n_bins=10)
    json.dumps(report, allow_nan=False)
    fit_rows, eval_rows = holdout_split(groups, fraction=0.5, seed=1)
    assert report["n_fit_queries"] == fit_rows.size and report["n_eval_queries"] == eval_rows.size
    for direction, result in report["directions"].items():
        expected_tau = fit_temperature(left, right, groups, tilt="cosine", direction=direction, init=0.002,
                                       query_indices=fit_rows)
        assert result["fitted_temperature"] == pytest.approx(expected_tau, rel=1e-6)
        probs = retrieval_probabilities(left, right, groups, tilt="cosine", temperature=0.002, direction=direction,
                                        query_indices=eval_rows)
        expected = reliability(probs.top1_group_prob, probs.correct, n_bins=10)
        assert result["training"]["ece"] == pytest.approx(expected["ece"])
        assert result["training"]["nll"] == pytest.approx(-probs.true_log_prob.mean())
        # Theorem 4.2: top-1 answers do not depend on tau, only the confidences do.
        assert result["training"]["accuracy"] == result["fitted"]["accuracy"] < 0.9
        # tau = 0.002 makes every answer look certain: over-confident, and the fit repairs it.
        assert result["training"]["mean_confidence"] > 0.95
        assert result["fitted"]["ece"] < result["training"]["ece"] / 2
        assert result["fitted"]["nll"] < result["training"]["nll"]
        assert "over-confident" in result["summary"]
    assert report["warnings"] and "fewer than 100" in report["warnings"][0]


def test_perfect_separation_is_reported_as_an_unidentified_fit() -> None:
    rng = np.random.default_rng(6)
    z = rng.normal(size=(20, 8))
    report = calibration_report(z, z, list(range(20)), tilt="cosine", temperature=0.05)
    assert all(d["fit_at_bound"] for d in report["directions"].values())
    assert any("edge of its search range" in w for w in report["warnings"])


# --- validation -------------------------------------------------------------------------------


def test_validation_errors_say_what_to_fix() -> None:
    left, right = paired(6)
    groups = list(range(6))
    with pytest.raises(ConfigError, match="final_temperature"):
        retrieval_probabilities(left, right, groups, tilt="cosine", temperature=0.0)
    with pytest.raises(ConfigError, match="left_to_right"):
        retrieval_probabilities(left, right, groups, tilt="cosine", temperature=0.1, direction="up")
    with pytest.raises(DataError, match=r"query_indices.*\[0, 5\]"):
        retrieval_probabilities(left, right, groups, tilt="cosine", temperature=0.1, query_indices=[6])
    with pytest.raises(DataError, match="one group id per pair"):
        fit_temperature(left, right, groups[:5], tilt="dot")
    with pytest.raises(DataError, match="same non-zero number"):
        reliability([0.5, 0.6], [1])
    with pytest.raises(DataError, match=r"\[0, 1\]"):
        reliability([1.5], [1])
    with pytest.raises(DataError, match="0/1"):
        reliability([0.5], [2])
    with pytest.raises(ConfigError, match="uniform, quantile"):
        reliability([0.5], [1], strategy="kmeans")
    with pytest.raises(ConfigError, match="uniform, quantile"):
        calibration_report(left, right, groups, tilt="cosine", temperature=0.05, strategy="equal")
    with pytest.raises(ConfigError, match="strictly between 0 and 1"):
        calibration_report(left, right, groups, tilt="cosine", temperature=0.05, holdout_fraction=1.0)
    with pytest.raises(DataError, match="at least 2 groups"):
        holdout_split(["x"] * 6)
    with pytest.raises(DataError, match="no relevant item"):
        temperature_nll(np.zeros((2, 2)), np.zeros((2, 2), dtype=bool), 1.0)
