"""One procedure per verdict: Holm's correction by hand, family-wise error under the null, and a
property test that a verdict's "significant" never disagrees with its interval or its p-value."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import binom

from engine.analysis.evidence.bootstrap import (
    compare_runs,
    fine_tuning_effect,
    min_resamples,
    paired_difference,
)
from engine.analysis.evidence.multiplicity import holm, holm_adjust
from engine.analysis.evidence.verdict import render_verdict
from engine.errors import ConfigError
from engine.i18n import override

DIRECTIONS = ("left_to_right", "right_to_left")

# ---------------------------------------------------------------------------------------------
# Holm by hand


def test_holm_adjusted_p_values_equal_hand_computation() -> None:
    # Sorted: 0.005 x 4 = 0.02; 0.01 x 3 = 0.03; 0.03 x 2 = 0.06; 0.04 x 1 = 0.04 -> max(0.06, 0.04) = 0.06.
    assert holm_adjust([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02], abs=1e-15)
    result = holm([0.01, 0.04, 0.03, 0.005], 0.05)
    # Steps at 0.05/4, 0.05/3, 0.05/2: 0.005 and 0.01 pass, 0.03 > 0.025 fails, so 0.04 is not tested.
    assert result.significant == (True, False, False, True)
    assert result.levels == (Fraction(0.05) / 3, Fraction(0.05) / 2, Fraction(0.05) / 2, Fraction(0.05) / 4)


def test_holm_stops_at_the_first_failure_even_when_a_later_p_value_is_below_its_own_step() -> None:
    # 0.02 > 0.05/3 fails at step 1; 0.04 <= 0.05 would pass step 3 alone but Holm never gets there.
    result = holm([0.02, 0.04, 0.02], 0.05)
    assert result.significant == (False, False, False)
    assert [float(p) for p in result.adjusted] == pytest.approx([0.06, 0.06, 0.06], abs=1e-15)
    assert set(result.levels) == {Fraction(0.05) / 3}  # every test was decided at the failed step
    assert holm([0.2], 0.05).adjusted == (Fraction(0.2),)  # a family of one is not adjusted


@pytest.mark.parametrize(("p_values", "alpha"), [([], 0.05), ([0.5, 1.5], 0.05), ([0.5], 0.0), (["x"], 0.05)])
def test_holm_rejects_bad_input(p_values: list, alpha: float) -> None:
    with pytest.raises(ConfigError, match="holm"):
        holm(p_values, alpha)


# ---------------------------------------------------------------------------------------------
# family-wise error under the null


def _null_comparison(rng: np.random.Generator, n_queries: int) -> dict[str, dict[str, np.ndarray]]:
    """Four runs with the same true rank distribution; queries share a difficulty (correlated runs)."""
    runs: dict[str, dict[str, np.ndarray]] = {name: {} for name in "abcd"}
    for direction in DIRECTIONS:
        shared = rng.geometric(0.4, size=n_queries)
        for by_direction in runs.values():
            by_direction[direction] = shared + rng.geometric(0.5, size=n_queries) - 1
    return runs


def test_null_comparisons_flag_at_most_five_percent_family_wise() -> None:
    """400 null 4-run comparisons (24 tests each): any "X beats Y" in at most 5% of them, binomial margin.

    The unadjusted p-values flag far more comparisons, so the family is real and the test could fail.
    """
    rng = np.random.default_rng(20)
    n_sims, flagged, raw = 400, 0, 0
    for i in range(n_sims):
        rows = compare_runs(_null_comparison(rng, 50), n_resamples=1000, seed=i)
        assert len(rows) == 24 and {r["family_size"] for r in rows} == {24}
        flagged += any(r["significant"] for r in rows)
        raw += any(r["p_value"] <= 0.05 for r in rows)
    allowed = binom.ppf(0.999, n_sims, 0.05)  # P(more than this | FWER = 5%) < 0.1%
    assert flagged <= allowed, (flagged, allowed)
    assert raw > 3 * allowed, raw  # without Holm about half the null comparisons would flag something


def test_family_raises_the_number_of_flips_so_every_level_is_reachable() -> None:
    runs = _null_comparison(np.random.default_rng(1), 20)
    rows = compare_runs(runs, n_resamples=100)
    assert {r["n_resamples"] for r in rows} == {min_resamples(24, 0.95)} == {960}
    assert all(np.isfinite(r["low"]) and np.isfinite(r["high"]) for r in rows)


# ---------------------------------------------------------------------------------------------
# property: "significant" never disagrees with the interval or the p-value


def _assert_agrees(row: dict) -> None:
    outside = row["low"] > 0 or row["high"] < 0
    assert row["significant"] == outside, row
    alpha = 1 - Fraction(row["family_confidence"])
    p = Fraction(row["p_adjusted"])  # a float of an exact fraction: allow its last bit
    assert (p <= alpha * (1 + Fraction(1, 10**9))) if row["significant"] else (p > alpha * (1 - Fraction(1, 10**9)))
    assert row["low"] <= row["estimate"] <= row["high"]
    assert row["p_value"] <= row["p_adjusted"] <= 1
    tested = row["verdict_key"].removeprefix("verdicts.")
    assert tested.endswith("_TESTED")
    assert (tested in ("WIN_TESTED", "TUNING_BETTER_TESTED", "TUNING_WORSE_TESTED")) == row["significant"]


ranks_arrays = st.integers(5, 40).flatmap(
    lambda q: st.lists(st.lists(st.integers(1, 6), min_size=q, max_size=q), min_size=2, max_size=4)
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    runs=ranks_arrays,
    shift=st.integers(0, 3),
    confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
    n_resamples=st.integers(100, 400),
    seed=st.integers(0, 10**6),
)
def test_significant_never_disagrees_with_the_interval(runs, shift, confidence, n_resamples, seed) -> None:
    arrays = [np.array(r) for r in runs]
    arrays[0] = np.maximum(1, arrays[0] - shift)  # sometimes a real difference, so both outcomes occur
    named = {f"run{i}": {d: a for d in DIRECTIONS} for i, a in enumerate(arrays)}
    for row in compare_runs(named, n_resamples=n_resamples, confidence=confidence, seed=seed):
        _assert_agrees(row)
    ranks = {f"{stage}_{d}": a for stage, a in (("tuned", arrays[0]), ("base", arrays[1])) for d in DIRECTIONS}
    for row in fine_tuning_effect(ranks, n_resamples=n_resamples, confidence=confidence, seed=seed):
        _assert_agrees(row)
    single = paired_difference(arrays[0], arrays[1], n_resamples=n_resamples, confidence=confidence, seed=seed)
    assert single["significant"] == (single["low"] > 0 or single["high"] < 0)


# ---------------------------------------------------------------------------------------------
# the verdict names its method


def _tested(adjustment: str, p: float, family: int) -> dict:
    return {"metric": "recall@1", "estimate": 0.031, "low": 0.008, "high": 0.054, "confidence": 0.9979,
            "significant": True, "p_value": p / family, "p_adjusted": p, "adjustment": adjustment,
            "family_size": family, "n_resamples": 2000}


def test_verdicts_name_the_method_and_quote_the_adjusted_p_value() -> None:
    from engine.analysis.evidence.verdict import fine_tuning_verdict_entry, verdict_entry

    win = verdict_entry("clip", "joint", _tested("holm", 0.012, 24), direction="left_to_right")
    assert win["verdict_key"] == "verdicts.WIN_TESTED"
    assert win["verdict"] == ("clip beats joint on R@1 (left → right) by 3.1 points, 99.79% CI 0.8–5.4 "
                              "(paired sign-flip test with Holm's correction over 24 tests: adjusted p = 0.012)")
    single = dict(_tested("none", 0.0004, 1), confidence=0.95, p_value=0.0004)
    tuning = fine_tuning_verdict_entry(single)
    assert tuning["verdict"] == "fine-tuning improves R@1 by 3.1 points, 95% CI 0.8–5.4 (paired sign-flip test: p < 0.001)"
    with override("ja"):
        assert render_verdict(win) == (
            "左 → 右のR@1ではclipがjointより3.1ポイント優れています（99.79%信頼区間：0.8～5.4。"
            "対応のある符号反転検定、24件の検定にホルム補正を適用、補正後p値 = 0.012）"
        )
        assert render_verdict(tuning) == (
            "ファインチューニングによりR@1が3.1ポイント改善しました（95%信頼区間：0.8～5.4。対応のある符号反転検定、p値 < 0.001）"
        )


def test_method_terms_are_in_the_glossary_in_both_languages() -> None:
    from engine.i18n import message

    for language in ("en", "ja"):
        glossary = message("charts.GLOSSARY", language)
        assert {"paired sign-flip test", "Holm's correction", "adjusted p-value"} <= set(glossary)
