"""Bootstrap intervals and paired comparisons against hand values, brute force and simulation.

References do not reuse the module's vectorised code: estimates are checked against hand-computed
values and ``metrics_from_ranks``; intervals against a loop that resamples query indices explicitly
and calls ``metrics_from_ranks`` per resample; coverage and p-value calibration against simulated
test sets drawn from geometric rank distributions whose metrics are known in closed form:
``P(rank = 1) = p``, ``P(rank <= k) = 1 - (1 - p)^k`` and ``E[1 / rank] = -p log(p) / (1 - p)``.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from engine.analysis.evidence.bootstrap import (
    bootstrap_metrics,
    compare_runs,
    fine_tuning_effect,
    paired_difference,
    run_uncertainty,
)
from engine.analysis.evidence.verdict import fine_tuning_verdict, interval_text, verdict
from engine.errors import ConfigError, DataError
from engine.evaluate import metrics_from_ranks

P_HIT = 0.3


def geometric_truth(p: float) -> dict[str, float]:
    return {"recall@1": p, "recall@5": 1.0 - (1.0 - p) ** 5, "mrr": -p * math.log(p) / (1.0 - p)}


# ---------------------------------------------------------------------------------------------
# estimates and intervals


def test_estimates_equal_hand_values_and_metrics_from_ranks() -> None:
    ranks = np.array([1, 3, 1, 12, 6, 2, 1, 25])
    out = bootstrap_metrics(ranks, n_resamples=200)
    hand = {
        "recall@1": 3 / 8,
        "recall@5": 5 / 8,
        "recall@10": 6 / 8,
        "mrr": (1 + 1 / 3 + 1 + 1 / 12 + 1 / 6 + 1 / 2 + 1 + 1 / 25) / 8,
        "median_rank": 2.5,
    }
    reference = metrics_from_ranks(ranks, gallery_size=30)
    for name, value in hand.items():
        assert out[name]["estimate"] == pytest.approx(value, abs=1e-15)
        assert out[name]["estimate"] == reference[name]
        assert out[name]["low"] <= out[name]["estimate"] <= out[name]["high"]
    assert (out["n_queries"], out["n_resamples"], out["confidence"], out["method"]) == (8, 200, 0.95, "percentile")


@pytest.mark.parametrize("n_queries", [9, 40])  # odd and even: both branches of the median
@pytest.mark.parametrize("p", [0.25, 0.02])  # many ties, and ranks spread so even medians fall between two
def test_intervals_equal_brute_force_resampling(n_queries: int, p: float) -> None:
    ranks = np.random.default_rng(3).geometric(p, size=n_queries)
    n_resamples, seed = 300, 7
    out = bootstrap_metrics(ranks, n_resamples=n_resamples, confidence=0.9, seed=seed)
    # Same draws as the module (one chunk of query indices), metrics recomputed one resample at a time.
    idx = np.random.default_rng(seed).integers(0, n_queries, size=(n_resamples, n_queries))
    per_resample = [metrics_from_ranks(ranks[i], gallery_size=int(ranks.max())) for i in idx]
    for name in ("recall@1", "recall@5", "recall@10", "mrr", "median_rank"):
        values = np.array([m[name] for m in per_resample])
        low, high = np.quantile(values, [0.05, 0.95])
        assert out[name]["low"] == pytest.approx(low, abs=1e-12)
        assert out[name]["high"] == pytest.approx(high, abs=1e-12)


def test_intervals_cover_the_truth_at_the_nominal_rate() -> None:
    """400 simulated test sets of 200 queries: the 95% intervals should cover the truth ~95% of the time."""
    rng = np.random.default_rng(0)
    truth = geometric_truth(P_HIT)
    hits = {name: 0 for name in truth}
    n_sets = 400
    for i in range(n_sets):
        out = bootstrap_metrics(rng.geometric(P_HIT, size=200), ks=(1, 5), n_resamples=500, seed=i)
        for name, value in truth.items():
            hits[name] += out[name]["low"] <= value <= out[name]["high"]
    coverage = {name: h / n_sets for name, h in hits.items()}
    assert all(0.90 <= c <= 0.99 for c in coverage.values()), coverage


def test_narrower_confidence_gives_narrower_interval() -> None:
    ranks = np.random.default_rng(1).geometric(P_HIT, size=300)
    wide = bootstrap_metrics(ranks, confidence=0.99, n_resamples=500)["mrr"]
    narrow = bootstrap_metrics(ranks, confidence=0.5, n_resamples=500)["mrr"]
    assert wide["low"] < narrow["low"] < narrow["high"] < wide["high"]


def test_same_seed_same_result_other_seed_other_result() -> None:
    ranks = np.random.default_rng(2).geometric(P_HIT, size=150)
    first, again = bootstrap_metrics(ranks, seed=5, n_resamples=300), bootstrap_metrics(ranks, seed=5, n_resamples=300)
    other = bootstrap_metrics(ranks, seed=6, n_resamples=300)
    assert first == again
    assert first["mrr"] != other["mrr"]
    pair = np.random.default_rng(3).geometric(P_HIT, size=150)
    assert paired_difference(ranks, pair, metric="mrr", seed=5) == paired_difference(ranks, pair, metric="mrr", seed=5)


# ---------------------------------------------------------------------------------------------
# paired comparison


@pytest.mark.parametrize("metric", ["recall@1", "mrr"])
def test_identical_runs_differ_by_nothing(metric: str) -> None:
    ranks = np.random.default_rng(4).geometric(P_HIT, size=120)
    diff = paired_difference(ranks, ranks.copy(), metric=metric, n_resamples=300)
    assert (diff["estimate"], diff["low"], diff["high"], diff["p_value"]) == (0.0, 0.0, 0.0, 1.0)
    assert not diff["significant"] and diff["n_different"] == 0


@pytest.mark.parametrize("metric", ["recall@1", "mrr"])
def test_better_on_every_query_is_significant(metric: str) -> None:
    b = np.random.default_rng(5).geometric(P_HIT, size=120) + 1  # every rank >= 2
    a = np.maximum(1, b - 3)  # strictly better on every query; rank 1 for b <= 4
    diff = paired_difference(a, b, metric=metric, n_resamples=400)
    assert diff["p_value"] == pytest.approx(1 / 401)
    assert diff["significant"] and diff["estimate"] > 0 and diff["low"] > 0
    assert diff["estimate"] == pytest.approx(diff["value_a"] - diff["value_b"])


def test_median_rank_is_not_compared_between_runs() -> None:
    with pytest.raises(ConfigError, match="median_rank.*recall@k"):
        paired_difference(np.ones(4), np.ones(4), metric="median_rank")


def _flip_p_value(d: np.ndarray, signs: np.ndarray, delta: float) -> float:
    """Brute-force sign-flip p-value of H0 "the per-query differences are symmetric about delta"."""
    observed = abs(np.mean(d) - delta)
    flipped = np.abs((signs * (d - delta)).mean(axis=1))
    return (1 + np.count_nonzero(flipped >= observed - 1e-12)) / (1 + signs.shape[0])


def test_p_value_and_interval_equal_brute_force_test_inversion() -> None:
    """The p-value is the sign-flip test's; each interval end is where that test starts to reject."""
    rng = np.random.default_rng(6)
    b = rng.geometric(P_HIT, size=30)
    a = np.maximum(1, b + rng.integers(-2, 2, size=30))
    n_resamples, seed = 200, 11
    diff = paired_difference(a, b, metric="mrr", n_resamples=n_resamples, seed=seed)
    # The module draws one sign per query and flip, in one (B, Q) block for this size.
    signs = 2.0 * np.random.default_rng(seed).integers(0, 2, size=(n_resamples, a.size), dtype=np.int8) - 1.0
    d = 1.0 / a - 1.0 / b
    assert diff["estimate"] == pytest.approx(d.mean(), abs=1e-15)
    assert diff["p_value"] == pytest.approx(_flip_p_value(d, signs, 0.0))
    width = diff["high"] - diff["low"]
    for end, outward in ((diff["low"], -1), (diff["high"], 1)):
        assert _flip_p_value(d, signs, end - outward * 1e-3 * width) > 0.05  # just inside: kept
        assert _flip_p_value(d, signs, end + outward * 1e-3 * width) <= 0.05  # just outside: rejected


@pytest.mark.parametrize("metric", ["recall@1", "mrr"])
def test_p_values_are_calibrated_under_the_null(metric: str) -> None:
    """Exchangeable, correlated runs: about 5% of p-values fall below 0.05 (the test is exact under this null).

    With few discordant queries the recall test, like McNemar's exact test, is conservative.
    """
    rng = np.random.default_rng(7)
    n_sims, rejections = 300, 0
    for i in range(n_sims):
        shared = rng.geometric(0.4, size=400)  # query difficulty both runs share
        a, b = shared + rng.geometric(0.5, size=400) - 1, shared + rng.geometric(0.5, size=400) - 1
        rejections += paired_difference(a, b, metric=metric, n_resamples=500, seed=i)["p_value"] < 0.05
    assert 0.01 <= rejections / n_sims <= 0.10, rejections / n_sims


def test_paired_interval_covers_the_true_difference() -> None:
    """Independent runs (the hardest case for pairing): 95% intervals of a - b cover the truth ~95%."""
    rng = np.random.default_rng(8)
    truth = 0.05  # recall@1 of geometric(0.35) minus that of geometric(0.30)
    n_sets, hits = 300, 0
    for i in range(n_sets):
        a, b = rng.geometric(P_HIT + 0.05, size=300), rng.geometric(P_HIT, size=300)
        diff = paired_difference(a, b, n_resamples=300, seed=i)
        hits += diff["low"] <= truth <= diff["high"]
    assert 0.90 <= hits / n_sets <= 0.99, hits / n_sets


# ---------------------------------------------------------------------------------------------
# runs


def _run(rng: np.random.Generator, p: float, base: np.ndarray) -> dict[str, np.ndarray]:
    return {
        "base_left_to_right": base, "base_right_to_left": base,
        "tuned_left_to_right": rng.geometric(p, size=base.size), "tuned_right_to_left": rng.geometric(p, size=base.size),
    }


def test_compare_runs_rows_and_verdicts() -> None:
    rng = np.random.default_rng(9)
    base = rng.geometric(0.2, size=400)
    runs = {"clip": _run(rng, 0.6, base), "joint": _run(rng, 0.3, base), "left": _run(rng, 0.3, base)}
    rows = compare_runs(runs, n_resamples=300)
    assert len(rows) == 3 * 2 * 2  # pairs x directions x metrics
    assert {(r["run_a"], r["run_b"]) for r in rows} == {("clip", "joint"), ("clip", "left"), ("joint", "left")}
    first = next(r for r in rows if r["run_b"] == "joint" and r["metric"] == "recall@1")
    assert first["significant"] and first["direction"] == "left_to_right"
    assert first["verdict"].startswith("clip beats joint on R@1 (left → right) by ")
    json.dumps(rows)  # stored as is in the run store
    base_rows = compare_runs(runs, which="base", metrics=("recall@1",), n_resamples=300)
    assert all(r["estimate"] == 0.0 and r["p_value"] == 1.0 for r in base_rows)


def test_fine_tuning_effect_and_run_uncertainty() -> None:
    rng = np.random.default_rng(10)
    ranks = _run(rng, 0.5, rng.geometric(0.2, size=300))
    rows = fine_tuning_effect(ranks, n_resamples=300)
    assert [(r["direction"], r["metric"]) for r in rows] == [
        ("left_to_right", "recall@1"), ("left_to_right", "mrr"), ("right_to_left", "recall@1"), ("right_to_left", "mrr"),
    ]
    assert rows[0]["verdict"].startswith("fine-tuning improves R@1 (left → right) by ")
    report = run_uncertainty(ranks, n_resamples=200)
    assert report["intervals"]["tuned"]["left_to_right"]["recall@1"]["estimate"] == np.mean(
        ranks["tuned_left_to_right"] == 1
    )
    json.dumps(report)


# ---------------------------------------------------------------------------------------------
# validation


def test_mismatched_lengths_name_both_lengths() -> None:
    with pytest.raises(DataError, match=r"ranks_a has 5 queries but ranks_b has 7"):
        paired_difference(np.ones(5), np.ones(7))
    runs = {"clip": {"left_to_right": np.ones(5)}, "joint": {"left_to_right": np.ones(6)}}
    with pytest.raises(DataError, match=r"'clip'.* 5 queries but .*'joint'.* 6"):
        compare_runs(runs, directions=("left_to_right",), n_resamples=100)


@pytest.mark.parametrize("confidence", [0.0, 1.0, 1.5, -0.1, True])
def test_confidence_outside_open_interval(confidence: float) -> None:
    with pytest.raises(ConfigError, match="bootstrap.confidence"):
        bootstrap_metrics(np.ones(4), confidence=confidence)
    with pytest.raises(ConfigError, match="bootstrap.confidence"):
        paired_difference(np.ones(4), np.ones(4), confidence=confidence)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: bootstrap_metrics(np.array([1, 0, 2])), DataError, "smallest rank of 0"),
        (lambda: bootstrap_metrics(np.array([1.5, 2.0])), DataError, "whole numbers"),
        (lambda: bootstrap_metrics(np.array([], dtype=int)), DataError, "non-empty"),
        (lambda: bootstrap_metrics(np.array([1, 9]), gallery_size=5), DataError, "gallery size 5"),
        (lambda: bootstrap_metrics(np.ones(3), n_resamples=10), ConfigError, "n_resamples: got 10"),
        (lambda: bootstrap_metrics(np.ones(3), ks=(0,)), ConfigError, "bootstrap.ks"),
        (lambda: paired_difference(np.ones(3), np.ones(3), metric="ndcg"), ConfigError, "'ndcg'"),
        (lambda: compare_runs({"a": {}}, n_resamples=100), ConfigError, "at least 2"),
        (lambda: compare_runs({"a": {}, "b": {}}, which="best"), ConfigError, "'best'"),
        (lambda: compare_runs({"a": {}, "b": {}}, n_resamples=100), DataError, "tuned_left_to_right"),
        (lambda: fine_tuning_effect({"left_to_right": np.ones(3)}), DataError, "expected .tuned_left_to_right."),
    ],
)
def test_invalid_input_is_rejected(call, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()


# ---------------------------------------------------------------------------------------------
# verdicts


def _diff(metric: str, estimate: float, low: float, high: float, significant: bool) -> dict:
    return {
        "metric": metric, "estimate": estimate, "low": low, "high": high, "confidence": 0.95,
        "significant": significant, "higher_is_better": metric != "median_rank",
    }


@pytest.mark.parametrize(
    ("diff", "expected"),
    [
        (_diff("recall@1", 0.031, 0.008, 0.054, True), "clip beats joint on R@1 by 3.1 points, 95% CI 0.8–5.4"),
        (_diff("recall@1", -0.031, -0.054, -0.008, True), "joint beats clip on R@1 by 3.1 points, 95% CI 0.8–5.4"),
        (
            _diff("recall@1", -0.004, -0.021, 0.013, False),
            "clip vs joint on R@1: the difference (-0.4 points, 95% CI -2.1–1.3) is not significant: "
            "treat them as tied on this test set",
        ),
        (_diff("mrr", 0.025, 0.01, 0.04, True), "clip beats joint on MRR by 2.5 points, 95% CI 1.0–4.0"),
        (_diff("median_rank", -2.0, -3.0, -1.0, True), "clip beats joint on median rank by 2.0 ranks, 95% CI 1.0–3.0"),
        (_diff("median_rank", 1.5, 0.5, 2.5, True), "joint beats clip on median rank by 1.5 ranks, 95% CI 0.5–2.5"),
    ],
    ids=["win", "loss", "tie", "mrr-win", "median-win", "median-loss"],
)
def test_verdict_text(diff: dict, expected: str) -> None:
    assert verdict("clip", "joint", diff) == expected


def test_fine_tuning_verdict_and_interval_text() -> None:
    assert fine_tuning_verdict(_diff("recall@1", 0.031, 0.008, 0.054, True)) == (
        "fine-tuning improves R@1 by 3.1 points, 95% CI 0.8–5.4"
    )
    assert fine_tuning_verdict(_diff("mrr", -0.012, -0.02, -0.003, True), metric_label="MRR (left → right)") == (
        "fine-tuning worsens MRR (left → right) by 1.2 points, 95% CI 0.3–2.0"
    )
    assert fine_tuning_verdict(_diff("recall@5", 0.0004, -0.01, 0.018, False)) == (
        "fine-tuning changes R@5 by 0.0 points, 95% CI -1.0–1.8, which is not significant: "
        "treat base and tuned as tied on this test set"
    )
    assert interval_text("recall@1", {"estimate": 0.6234, "low": 0.601, "high": 0.645}) == "R@1 62.3 (95% CI 60.1–64.5)"
