"""learned_vs_optimal: 0 for the optimal bilinear form (any scale, any tilt), large for others."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.analysis.evidence.low_rank import learned_vs_optimal
from engine.analysis.gaussian.fit import CrossModalGaussianFit
from engine.errors import ConfigError, DataError


def base_pairs(n: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, 3))
    u = z @ rng.standard_normal((3, 6)) + rng.standard_normal((n, 6)) + 1.0
    v = z @ rng.standard_normal((3, 5)) + rng.standard_normal((n, 5)) - 2.0
    return u, v


def optimal_embeddings(u: np.ndarray, v: np.ndarray, loss: str = "conditional", rank: int | None = None):
    """Embeddings G* (u - mean), H* (v - mean) whose dot products are the optimal bilinear form."""
    fit = CrossModalGaussianFit(shrinkage=None).fit(u, v)
    maps = fit.optimal_maps(rank, as_arrays=True)[loss]
    return (u - fit.mean_u_) @ maps["G"].T, (v - fit.mean_v_) @ maps["H"].T


@pytest.mark.parametrize("tilt", ["dot"])
def test_the_optimal_bilinear_form_reads_out_with_zero_error_at_any_scale(tilt: str) -> None:
    u, v = base_pairs()
    gu, hv = optimal_embeddings(u, v)
    result = learned_vs_optimal(u, v, 3.0 * gu, 3.0 * hv, tilt=tilt, shrinkage=None)
    json.dumps(result)
    tuned = result["readout"]["tuned"]
    assert result["rank"] == 5 and result["dims"]["pca_u"] == 6
    assert tuned["conditional"]["relative_error"] < 1e-9
    assert tuned["conditional"]["scale"] == pytest.approx(1 / 9, rel=1e-9)  # S was 9 x the optimum
    assert tuned["share_of_optimal_conditional_gain"] == pytest.approx(1.0, abs=1e-9)
    assert tuned["r2"] == pytest.approx(1.0, abs=1e-9)
    # The read-out's whitened spectrum is the canonical correlations.
    np.testing.assert_allclose(
        tuned["whitened_singular_values"], result["base_fit"]["canonical_correlations"], atol=1e-9
    )
    # The joint optimum has the same directions but shrunk correlations, so it is near, not equal.
    assert 0.01 < tuned["joint"]["relative_error"] < 0.3


def test_joint_optimum_is_recognised_as_such() -> None:
    u, v = base_pairs()
    gu, hv = optimal_embeddings(u, v, loss="joint")
    tuned = learned_vs_optimal(u, v, gu, hv, tilt="dot", shrinkage=None)["readout"]["tuned"]
    assert tuned["joint"]["relative_error"] < 1e-9
    assert tuned["conditional"]["relative_error"] > 0.01


def test_rank_k_optimum_is_matched_at_rank_k_only() -> None:
    u, v = base_pairs()
    gu, hv = optimal_embeddings(u, v, rank=2)
    at_2 = learned_vs_optimal(u, v, gu, hv, tilt="dot", rank=2, shrinkage=None)
    assert at_2["rank"] == 2
    assert at_2["readout"]["tuned"]["conditional"]["relative_error"] < 1e-9
    default = learned_vs_optimal(u, v, gu, hv, tilt="dot", shrinkage=None)
    assert default["rank"] == 2  # the tuned width (2) bounds the rank
    padded = np.hstack([gu, np.zeros((len(gu), 3))]), np.hstack([hv, np.zeros((len(hv), 3))])
    full = learned_vs_optimal(u, v, *padded, tilt="dot", shrinkage=None)
    assert full["rank"] == 5 and full["readout"]["tuned"]["conditional"]["relative_error"] > 0.05


def test_unrelated_tuned_models_are_far_from_the_optimum() -> None:
    u, v = base_pairs()
    rng = np.random.default_rng(5)
    # Pure noise: nothing to read out.
    noise = learned_vs_optimal(u, v, rng.standard_normal((2000, 5)), rng.standard_normal((2000, 5)), tilt="dot")
    assert noise["readout"]["tuned"]["conditional"]["relative_error"] > 0.95
    assert noise["readout"]["tuned"]["r2"] < 0.01
    # A random linear model of the same features: fully explained by the read-out, but the wrong form.
    lin = learned_vs_optimal(u, v, u @ rng.standard_normal((6, 4)), v @ rng.standard_normal((5, 4)), tilt="dot")
    assert lin["readout"]["tuned"]["r2"] == pytest.approx(1.0, abs=1e-9)
    assert lin["readout"]["tuned"]["conditional"]["relative_error"] > 0.5
    assert lin["readout"]["base"] is None  # base sides of widths 6 and 5 have no inner product


def test_r2_matches_a_brute_force_regression_of_the_double_centred_scores() -> None:
    u, v = base_pairs(n=120, seed=1)
    rng = np.random.default_rng(2)
    tu, tv = np.tanh(u @ rng.standard_normal((6, 4))), np.tanh(v @ rng.standard_normal((5, 4)))
    result = learned_vs_optimal(u, v, tu, tv, tilt="dot", shrinkage=None)
    assert result["dims"]["pca_u"] == 6 and result["dims"]["pca_v"] == 5  # N // 20 = 6 allows full width
    n = len(u)
    centre = np.eye(n) - 1.0 / n
    scores = centre @ tu @ tv.T @ centre  # (N, N), row and column offsets removed
    x, y = u - u.mean(axis=0), v - v.mean(axis=0)
    design = np.einsum("ia,jb->ijab", x, y).reshape(n * n, -1)  # rows: x_i (x) y_j
    coef, *_ = np.linalg.lstsq(design, scores.ravel(), rcond=None)
    residual = scores.ravel() - design @ coef
    r2 = 1.0 - residual @ residual / (scores.ravel() @ scores.ravel())
    assert result["readout"]["tuned"]["r2"] == pytest.approx(r2, abs=1e-9)
    assert 0.05 < r2 < 0.99  # a non-trivial, partial fit


def test_cosine_tilt_ignores_the_length_of_each_embedding() -> None:
    u, v = base_pairs(n=600)
    gu, hv = optimal_embeddings(u, v)
    rng = np.random.default_rng(3)
    stretched = gu * rng.uniform(0.5, 5.0, (len(gu), 1))
    a = learned_vs_optimal(u, v, stretched, hv, tilt="cosine")["readout"]["tuned"]
    unit = gu / np.linalg.norm(gu, axis=1, keepdims=True), hv / np.linalg.norm(hv, axis=1, keepdims=True)
    b = learned_vs_optimal(u, v, *unit, tilt="dot")["readout"]["tuned"]
    assert a["conditional"]["relative_error"] == pytest.approx(b["conditional"]["relative_error"], abs=1e-12)
    assert a["conditional"]["relative_error"] > 0.01  # normalising distorts the bilinear form


def test_pca_width_keeps_ten_pairs_per_dimension_and_notes_say_so() -> None:
    rng = np.random.default_rng(0)
    n, d = 200, 40
    z = rng.standard_normal((n, 5))
    u = z @ rng.standard_normal((5, d)) + rng.standard_normal((n, d))
    v = z @ rng.standard_normal((5, d)) + rng.standard_normal((n, d))
    result = learned_vs_optimal(u, v, u, v)
    assert result["dims"]["pca_u"] == result["dims"]["pca_v"] == 10  # 200 // 20
    assert result["base_fit"]["dim_u"] == 10 and result["tuned_fit"]["dim_u"] == 10
    assert result["readout"]["base"] is not None
    assert any("PCA" in note for note in result["notes"])
    assert result["mutual_information_ratio"] == pytest.approx(1.0, abs=1e-9)  # tuned == base here


def test_invalid_inputs() -> None:
    u, v = base_pairs(n=100)
    with pytest.raises(DataError, match="row counts"):
        learned_vs_optimal(u, v, u[:50], u[:50])
    with pytest.raises(DataError, match="same space"):
        learned_vs_optimal(u, v, u, v)
    with pytest.raises(ConfigError, match="tilt"):
        learned_vs_optimal(u, v, u, u, tilt="euclid")
    with pytest.raises(ConfigError, match="max_dim"):
        learned_vs_optimal(u, v, u, u, max_dim=0)


def l2_optimal_embeddings(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Embeddings G x, H y of an exact Theorem 5.3 model on the PCA features x, y learned_vs_optimal uses:
    G^T G = B* (the PD root) and G^T H = A* = C_u|v^-1 C_uv C_vv^-1, so -|Gx - Hy|^2 / 2 is the L2 optimum."""
    from engine.analysis.evidence.shared_dependence import pca_scores
    from engine.analysis.gaussian.blocks import sym_power
    from engine.analysis.gaussian.optima import l2_one_sided_optimum

    x, y = pca_scores(u, u.shape[1]), pca_scores(v, v.shape[1])
    a, b = l2_one_sided_optimum(*CrossModalGaussianFit(shrinkage=None).fit(x, y).blocks())
    g = sym_power(b, 0.5)
    h = np.linalg.solve(g.T, a)
    return x @ g.T, y @ h.T


@pytest.mark.parametrize("loss", ["left-given-right", "clip"])
def test_the_exact_theorem_5_3_optimum_reads_as_distance_zero_for_l2(loss: str) -> None:
    from engine.analysis.gaussian.examples import gp_example, sample_gaussian_pairs

    u, v = sample_gaussian_pairs(*gp_example(), 2000, seed=0)  # the paper's GP example, 12 x 5
    gu, hv = l2_optimal_embeddings(u, v)
    result = learned_vs_optimal(u, v, 2.0 * gu, 2.0 * hv, tilt="l2", shrinkage=None, loss=loss)
    json.dumps(result)
    assert result["optimum"] == {"tilt": "l2", "loss": loss, "targets": ["l2"], "theorem": "5.3", "form": "full",
                                 "rank": 12, "exact_for_loss": loss == "left-given-right"}
    assert result["readout"]["tuned"]["l2"]["relative_error"] < 1e-9
    assert "conditional" not in result["readout"]["tuned"]
    assert any("Theorem 5.3" in note for note in result["notes"])
    assert any("no closed form for the clip loss" in note for note in result["notes"]) == (loss == "clip")
    # Judged against the dot-product optimum, as before, the same exact model read as 0.63 away.
    old_way = learned_vs_optimal(u, v, gu, hv, tilt="dot", shrinkage=None)
    assert old_way["readout"]["tuned"]["conditional"]["relative_error"] == pytest.approx(0.63, abs=0.02)


def test_l2_runs_narrower_than_the_features_use_the_rank_r_form() -> None:
    u, v = base_pairs()
    gu, hv = optimal_embeddings(u, v, rank=2)
    result = learned_vs_optimal(u, v, gu, hv, tilt="l2", shrinkage=None, loss="left-given-right")
    assert result["optimum"]["form"] == "rank" and result["optimum"]["rank"] == 2
    assert 0 < result["readout"]["tuned"]["l2"]["relative_error"] < 1


def test_dot_and_cosine_runs_keep_the_bilinear_optima() -> None:
    u, v = base_pairs()
    gu, hv = optimal_embeddings(u, v)
    for tilt in ("dot", "cosine"):
        result = learned_vs_optimal(u, v, gu, hv, tilt=tilt, shrinkage=None)
        assert result["optimum"]["targets"] == ["conditional", "joint"] and result["optimum"]["theorem"] == "5.1, 5.6"
