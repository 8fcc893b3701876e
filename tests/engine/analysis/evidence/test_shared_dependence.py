"""The small-sample shared-dependence estimator against synthetic pairs with a known truth (d = 384).

The truth (engine.analysis.evidence.dependence_examples): independent sides share 0 bits; five shared
directions at correlation 0.9 share 5.99 bits, all five needed for 90 %. The old estimator (plain
CCA of the raw 384 + 384 dimensions, Ledoit-Wolf) reported tens of bits and ~60-200 directions
for both (docs/low-rank.md). Small resample counts keep each case to a few seconds.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from engine.analysis.evidence.dependence_examples import (
    shared_direction_pairs,
    true_mutual_information_bits,
)
from engine.analysis.evidence.shared_dependence import (
    MIN_PAIRS,
    corrected_squared_correlation,
    estimate_shared_dependence,
    gaussianity,
    sample_canonical,
)
from engine.errors import ConfigError, DataError

FAST = {"n_resamples": 30, "n_permutations": 50}
TRUTH = true_mutual_information_bits(5, 0.9)


def test_truth_of_the_synthetic_pairs() -> None:
    assert TRUTH == pytest.approx(5.9898, abs=1e-4)
    u, v = shared_direction_pairs(20000, d=20, shared=2, correlation=0.6, seed=3)
    r = sample_canonical(u - u.mean(0), v - v.mean(0))[0]
    assert r[:2] == pytest.approx([0.6, 0.6], abs=0.02) and r[2] < 0.08  # noise: about sqrt(20 / 20000) = 0.03


@pytest.mark.parametrize("n", [78, 400, 2000])
def test_independent_sides_report_no_dependence(n: int) -> None:
    u, v = shared_direction_pairs(n, shared=0, seed=0)
    result = estimate_shared_dependence(u, v, **FAST)
    json.dumps(result)
    assert result["supported_directions"] == 0
    assert result["mutual_information_bits"] is None and result["rank_for_90"] is None
    assert result["withheld"] == {"mutual_information": "no_shared_direction", "rank_for_90": "no_shared_direction"}
    assert result["mutual_information_interval_bits"][0] == 0.0  # the interval contains 0
    assert result["gaussianity"] is None
    assert result["pca_u"] == min(384, n // 20)


def test_five_shared_directions_at_2000_pairs_cover_the_truth() -> None:
    u, v = shared_direction_pairs(2000, seed=0)
    result = estimate_shared_dependence(u, v, **FAST)
    low, high = result["mutual_information_interval_bits"]
    assert low <= TRUTH <= high
    assert abs(result["mutual_information_bits"] - TRUTH) < 0.2
    assert abs(result["rank_for_90"] - 5) <= 1 and result["supported_directions"] == 5
    assert result["canonical_correlations"] == pytest.approx([0.9] * 5, abs=0.03)
    for (lo, hi), rho in zip(result["canonical_correlation_intervals"], result["canonical_correlations"]):
        assert lo <= rho <= hi
    assert result["withheld"] == {"mutual_information": None, "rank_for_90": None}
    assert result["gaussianity"]["level"] == "close"


def test_at_400_pairs_the_rank_is_right_and_the_information_a_lower_bound() -> None:
    # 20 kept dimensions per side out of 384: PCA at d/N ~ 1 catches the shared directions only in
    # part, so the mutual information of the kept dimensions is below the whole (measured 5.1-5.4).
    u, v = shared_direction_pairs(400, seed=0)
    result = estimate_shared_dependence(u, v, **FAST)
    assert result["pca_u"] == 20 and abs(result["rank_for_90"] - 5) <= 1
    low, _high = result["mutual_information_interval_bits"]
    assert 0 < low and result["mutual_information_bits"] <= TRUTH + 0.2
    assert result["mutual_information_bits"] > 0.6 * TRUTH


def test_at_78_pairs_only_three_dimensions_are_examined_and_no_rank_is_stated() -> None:
    # 78 // 20 = 3 dimensions per side: dependence is found (about 1.2-1.7 bits, a lower bound of
    # the true 6.0), the number of directions is withheld as too few dimensions to count in.
    u, v = shared_direction_pairs(78, seed=0)
    result = estimate_shared_dependence(u, v, **FAST)
    assert result["pca_u"] == 3
    assert result["rank_for_90"] is None and result["withheld"]["rank_for_90"] == "too_few_dimensions"
    low, high = result["mutual_information_interval_bits"]
    assert 0 < low <= result["mutual_information_bits"] <= high < TRUTH


def test_too_few_pairs_withholds_everything() -> None:
    u, v = shared_direction_pairs(MIN_PAIRS - 1, d=16, seed=0)
    result = estimate_shared_dependence(u, v, **FAST)
    json.dumps(result)
    assert result["withheld"] == {"mutual_information": "too_few_pairs", "rank_for_90": "too_few_pairs"}
    assert result["mutual_information_bits"] is None and result["canonical_correlations"] == []
    assert "at least 40" in result["notes"][0]


def test_same_seed_same_result() -> None:
    u, v = shared_direction_pairs(300, d=64, seed=4)
    assert estimate_shared_dependence(u, v, **FAST, seed=7) == estimate_shared_dependence(u, v, **FAST, seed=7)


@pytest.mark.parametrize("rho2,c_u,c_v", [(0.81, 0.05, 0.05), (0.5, 0.1, 0.02), (0.3, 0.05, 0.05)])
def test_bias_correction_inverts_the_spiked_cca_limit(rho2: float, c_u: float, c_v: float) -> None:
    r2 = rho2 * (1 - c_u + c_u / rho2) * (1 - c_v + c_v / rho2)  # Bao et al. 2019, Thm 2.3
    assert r2 > rho2
    assert corrected_squared_correlation(r2, c_u, c_v) == pytest.approx(rho2, rel=1e-10)
    assert corrected_squared_correlation(0.42, 0.0, 0.0) == pytest.approx(0.42)


def test_bias_correction_matches_simulated_sample_correlations() -> None:
    # One shared direction at rho = 0.7 among p = q = 100 noise dimensions, N = 1000 (c = 0.1).
    rng = np.random.default_rng(0)
    n, p = 1000, 100
    x, y = rng.standard_normal((n, p)), rng.standard_normal((n, p))
    y[:, 0] = 0.7 * x[:, 0] + math.sqrt(1 - 0.49) * y[:, 0]
    r = sample_canonical(x, y)[0][0]
    assert r > 0.72  # plain CCA is biased upwards
    assert math.sqrt(corrected_squared_correlation(r**2, p / n, p / n)) == pytest.approx(0.7, abs=0.02)


def test_gaussianity_grades_gaussian_and_heavy_tailed_variates() -> None:
    rng = np.random.default_rng(0)
    normal = rng.standard_normal((2000, 2))
    assert gaussianity(normal[:, :1], normal[:, 1:])["level"] == "close"
    heavy = rng.standard_t(3, size=(2000, 2))
    check = gaussianity(heavy[:, :1], heavy[:, 1:])
    assert check["level"] == "far" and check["max_abs_excess_kurtosis"] > 3
    skewed = rng.exponential(size=(2000, 2))
    assert gaussianity(skewed[:, :1], skewed[:, 1:])["level"] == "far"


def test_bad_inputs() -> None:
    u, v = shared_direction_pairs(100, d=8, shared=2, seed=0)
    with pytest.raises(DataError, match="rows"):
        estimate_shared_dependence(u, v[:50])
    with pytest.raises(ConfigError, match="n_resamples"):
        estimate_shared_dependence(u, v, n_resamples=0)


def test_collapsed_embeddings_share_nothing() -> None:
    u = np.ones((100, 16))
    v = np.random.default_rng(0).standard_normal((100, 16))
    result = estimate_shared_dependence(u, v, **FAST)
    assert result["withheld"]["mutual_information"] == "no_shared_direction" and result["sample_correlations"] == []
