"""The paper's Gaussian closed forms against hand values, independent formulas and brute force.

References used here do not reuse the module's formulas: population losses are checked through
Gaussian KL divergences (J = L + I(u; v), Theorems 3.2 and 3.8), model laws through the precision
matrices of eqs. 40 and 47, and optima through scipy minimisation over the encoders (G, H).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from engine.analysis import (
    CovarianceBlocks,
    bilinear_conditional_optimum,
    canonical_correlations,
    conditional_loss_bilinear,
    conditional_mean_error,
    gp_example,
    h_shrink,
    joint_loss_bilinear,
    joint_optimum,
    l2_one_sided_loss,
    l2_one_sided_optimum,
    model_conditional_u_given_v_bilinear,
    model_conditional_u_given_v_l2,
    model_marginal_cov_u,
    mutual_information,
    optimal_conditional_loss,
    optimal_encoders_bilinear,
    optimal_joint_loss,
    optimal_l2_one_sided_loss,
    paper_2d_example,
    sample_gaussian_pairs,
    true_conditional_u_given_v,
    whitened_cross_covariance,
    whitened_spectral_norm,
)
from engine.analysis.gaussian.blocks import sym_power
from engine.errors import ConfigError, DataError

# ---------------------------------------------------------------- independent references


def _logdet(m: np.ndarray) -> float:
    sign, value = np.linalg.slogdet(m)
    assert sign > 0
    return float(value)


def _mi_reference(c: CovarianceBlocks) -> float:
    """I(u; v) = 1/2 [log det C_uu + log det C_vv - log det C], no canonical correlations involved."""
    return 0.5 * (_logdet(c.uu) + _logdet(c.vv) - _logdet(c.joint))


def _conditional_from_precision(precision: np.ndarray, n_u: int) -> tuple[np.ndarray, np.ndarray]:
    """u | v of N(0, precision^{-1}): N(-P_uu^{-1} P_uv v, P_uu^{-1})."""
    cov = np.linalg.inv(precision[:n_u, :n_u])
    return -cov @ precision[:n_u, n_u:], cov


def _expected_kl(m0: np.ndarray, s0: np.ndarray, m1: np.ndarray, s1: np.ndarray, c_cond: np.ndarray) -> float:
    """E_x KL(N(m0 x, s0) || N(m1 x, s1)) for x ~ N(0, c_cond)."""
    s1_inv = np.linalg.inv(s1)
    diff = m1 - m0
    k = s0.shape[0]
    return 0.5 * (np.trace(s1_inv @ s0) + np.trace(diff.T @ s1_inv @ diff @ c_cond) - k + _logdet(s1) - _logdet(s0))


def _bilinear_precision(a: np.ndarray, c: CovarianceBlocks) -> np.ndarray:
    """Precision of the tilted law exp(u^T A v) mu_u mu_v (eq. 40)."""
    return np.block([[np.linalg.inv(c.uu), -a], [-a.T, np.linalg.inv(c.vv)]])


def _swap(c: CovarianceBlocks) -> CovarianceBlocks:
    return CovarianceBlocks(c.vv, c.uv.T, c.uu)


def _random_contraction(c: CovarianceBlocks, rng: np.random.Generator, norm: float) -> np.ndarray:
    """A whose whitened matrix C_uu^{1/2} A C_vv^{1/2} has spectral norm ``norm``."""
    m = rng.standard_normal(c.uv.shape)
    m *= norm / np.linalg.norm(m, 2)
    return sym_power(c.uu, -0.5) @ m @ sym_power(c.vv, -0.5)


# ---------------------------------------------------------------- the paper's 2-D example

C2 = paper_2d_example()
SIGMA2 = canonical_correlations(*C2)
A_COND2 = bilinear_conditional_optimum(*C2)
A_JOINT2 = joint_optimum(*C2)
A_L2, B_L2 = l2_one_sided_optimum(*C2)

PAPER_2D_VALUES = {
    "sigma": (lambda: SIGMA2[0], 2 / 3),
    "h(sigma)": (lambda: h_shrink(SIGMA2[0]), 1 / 2),
    "A*_cond": (lambda: A_COND2[0, 0], 4 / 9),
    "A*_joint": (lambda: A_JOINT2[0, 0], 1 / 3),
    "cond mean map": (lambda: model_conditional_u_given_v_bilinear(A_COND2, C2)[0][0, 0], 2 / 3),
    "cond cov": (lambda: model_conditional_u_given_v_bilinear(A_COND2, C2)[1][0, 0], 1.5),
    "joint mean map": (lambda: model_conditional_u_given_v_bilinear(A_JOINT2, C2)[0][0, 0], 0.5),
    "marginal var cond": (lambda: model_marginal_cov_u(A_COND2, C2)[0, 0], 2.7),
    "marginal var joint": (lambda: model_marginal_cov_u(A_JOINT2, C2)[0, 0], 2.0),
    "true mean map": (lambda: true_conditional_u_given_v(C2)[0][0, 0], 2 / 3),
    "true cov": (lambda: true_conditional_u_given_v(C2)[1][0, 0], 5 / 6),
    "L2 B*": (lambda: B_L2[0, 0], 8 / 15),
    "L2 A*": (lambda: A_L2[0, 0], 0.8),
    "L2 mean map": (lambda: model_conditional_u_given_v_l2(A_L2, B_L2, C2)[0][0, 0], 2 / 3),
    "L2 cov": (lambda: model_conditional_u_given_v_l2(A_L2, B_L2, C2)[1][0, 0], 5 / 6),
    "L*_cond": (lambda: conditional_loss_bilinear(A_COND2, C2), -2 / 9),
    "L*_cond closed": (lambda: optimal_conditional_loss(SIGMA2), -2 / 9),
    # -(1/3 + log(3/4) / 2)
    "L*_joint": (lambda: joint_loss_bilinear(A_JOINT2, C2), -0.189492297107),
    "L*_joint closed": (lambda: optimal_joint_loss(SIGMA2), -0.189492297107),
    # log(5/9) / 2
    "L2 L*": (lambda: l2_one_sided_loss(A_L2, B_L2, C2), -0.293893332451),
    "L2 L* closed": (lambda: optimal_l2_one_sided_loss(SIGMA2), -0.293893332451),
    "I(u;v)": (lambda: mutual_information(SIGMA2), 0.293893332451),
    # 1/2 (1/9) 2.25 - 1/3
    "L_cond(A*_joint)": (lambda: conditional_loss_bilinear(A_JOINT2, C2), -5 / 24),
}


@pytest.mark.parametrize("name", list(PAPER_2D_VALUES))
def test_paper_2d_values(name: str) -> None:
    compute, expected = PAPER_2D_VALUES[name]
    assert compute() == pytest.approx(expected, abs=1e-10)


def test_paper_2d_printed_roundings_and_theorem_3_10_ordering() -> None:
    l_cond = conditional_loss_bilinear(A_COND2, C2)
    l_cond_at_joint = conditional_loss_bilinear(A_JOINT2, C2)
    l_joint = joint_loss_bilinear(A_JOINT2, C2)
    assert round(l_cond, 4) == -0.2222
    assert round(l_joint, 5) == -0.18949
    assert round(l2_one_sided_loss(A_L2, B_L2, C2), 5) == -0.29389
    assert round(l_cond_at_joint, 4) == -0.2083
    assert l_cond < l_cond_at_joint < l_joint
    # Corollary 5.7: C_uu < Cov_joint < Cov_cond.
    assert 1.5 < model_marginal_cov_u(A_JOINT2, C2)[0, 0] < model_marginal_cov_u(A_COND2, C2)[0, 0]


# ---------------------------------------------------------------- whitening, h


def test_canonical_correlations_match_the_eigenvalue_definition(blocks: CovarianceBlocks) -> None:
    # CCA: sigma^2 are the eigenvalues of C_uu^{-1} C_uv C_vv^{-1} C_vu.
    prod = np.linalg.solve(blocks.uu, blocks.uv) @ np.linalg.solve(blocks.vv, blocks.uv.T)
    expected = np.sqrt(np.sort(np.linalg.eigvals(prod).real)[::-1][: blocks.vv.shape[0]])
    np.testing.assert_allclose(canonical_correlations(*blocks), expected, rtol=1e-10)
    w = whitened_cross_covariance(*blocks)
    assert w.shape == blocks.uv.shape
    # Cholesky whitening differs by orthogonal factors only, so it has the same singular values.
    chol_w = np.linalg.solve(np.linalg.cholesky(blocks.uu), blocks.uv) @ np.linalg.inv(np.linalg.cholesky(blocks.vv)).T
    np.testing.assert_allclose(np.linalg.svd(w, compute_uv=False), np.linalg.svd(chol_w, compute_uv=False), rtol=1e-10)


def test_mutual_information_matches_log_determinants(blocks: CovarianceBlocks) -> None:
    assert mutual_information(canonical_correlations(*blocks)) == pytest.approx(_mi_reference(blocks), rel=1e-10)


def test_h_shrink_properties() -> None:
    s = np.linspace(0.0, 1.0, 101)
    h = h_shrink(s)
    assert h.shape == s.shape
    np.testing.assert_allclose(s * h**2 + h - s, 0.0, atol=1e-14)  # the defining quadratic
    assert h_shrink(0.0) == 0.0
    assert h_shrink(1.0) == pytest.approx((np.sqrt(5) - 1) / 2, abs=1e-15)
    assert np.all(h[1:] < s[1:]) and np.all(np.diff(h) > 0)
    assert h_shrink(1e-8) / 1e-8 == pytest.approx(1.0, abs=1e-12)
    with pytest.raises(DataError, match=">= 0"):
        h_shrink([0.5, -0.1])


# ---------------------------------------------------------------- population losses vs KL references


def test_conditional_loss_is_symmetric_kl_minus_mutual_information(blocks: CovarianceBlocks) -> None:
    rng = np.random.default_rng(1)
    for _ in range(3):
        a = _random_contraction(blocks, rng, 0.8)
        m_u, s_u = _conditional_from_precision(_bilinear_precision(a, blocks), 4)
        m_v, s_v = _conditional_from_precision(_bilinear_precision(a.T, _swap(blocks)), 3)
        t_u, ts_u = true_conditional_u_given_v(blocks)
        t_v, ts_v = true_conditional_u_given_v(_swap(blocks))
        j_cond = 0.5 * _expected_kl(t_u, ts_u, m_u, s_u, blocks.vv) + 0.5 * _expected_kl(t_v, ts_v, m_v, s_v, blocks.uu)
        assert conditional_loss_bilinear(a, blocks) == pytest.approx(j_cond - _mi_reference(blocks), abs=1e-10)
        mean_map, cov = model_conditional_u_given_v_bilinear(a, blocks)
        np.testing.assert_allclose(mean_map, m_u, atol=1e-10)
        np.testing.assert_allclose(cov, s_u, atol=1e-10)


def test_joint_loss_is_joint_kl_minus_mutual_information(blocks: CovarianceBlocks) -> None:
    rng = np.random.default_rng(2)
    for norm in (0.3, 0.9, 0.99):
        a = _random_contraction(blocks, rng, norm)
        model_cov = np.linalg.inv(_bilinear_precision(a, blocks))
        kl = _expected_kl(np.zeros((7, 1)), blocks.joint, np.zeros((7, 1)), model_cov, np.eye(1))
        assert joint_loss_bilinear(a, blocks) == pytest.approx(kl - _mi_reference(blocks), abs=1e-9)
        assert whitened_spectral_norm(a, blocks) == pytest.approx(norm, abs=1e-12)
        # Theorem 3.10, and Corollary 5.7's marginal equals the uu block of the inverse precision.
        assert conditional_loss_bilinear(a, blocks) <= joint_loss_bilinear(a, blocks)
        np.testing.assert_allclose(model_marginal_cov_u(a, blocks), model_cov[:4, :4], atol=1e-9)


def test_joint_loss_is_infinite_outside_the_unit_ball_even_when_slogdet_is_finite() -> None:
    c = CovarianceBlocks(np.eye(2), np.zeros((2, 2)), np.eye(2))
    a = np.diag([1.5, 2.0])  # two whitened singular values above 1: det(I - A^T A) > 0
    sign, _ = np.linalg.slogdet(np.eye(2) - a.T @ a)
    assert sign > 0  # the trap a plain slogdet would fall into
    assert joint_loss_bilinear(a, c) == float("inf")
    assert joint_loss_bilinear(np.diag([0.5, 1.0]), c) == float("inf")
    with pytest.raises(DataError, match="no finite normaliser"):
        model_marginal_cov_u(a, c)


def test_l2_loss_is_expected_kl_minus_mutual_information(blocks: CovarianceBlocks) -> None:
    rng = np.random.default_rng(3)
    for _ in range(3):
        g = rng.standard_normal((4, 4))
        a, b = g.T @ rng.standard_normal((4, 3)), g.T @ g
        precision = np.block([[b + np.linalg.inv(blocks.uu), -a], [-a.T, np.linalg.inv(blocks.vv)]])
        m_u, s_u = _conditional_from_precision(precision, 4)
        t_u, ts_u = true_conditional_u_given_v(blocks)
        kl = _expected_kl(t_u, ts_u, m_u, s_u, blocks.vv)
        assert l2_one_sided_loss(a, b, blocks) == pytest.approx(kl - _mi_reference(blocks), abs=1e-9)
        mean_map, cov = model_conditional_u_given_v_l2(a, b, blocks)
        np.testing.assert_allclose(mean_map, m_u, atol=1e-10)
        np.testing.assert_allclose(cov, s_u, atol=1e-10)
    assert l2_one_sided_loss(np.zeros((4, 3)), -10.0 * np.eye(4), blocks) == float("inf")


# ---------------------------------------------------------------- optima vs brute force


def _minimise_over_encoders(loss, n_e: int, n_u: int, n_v: int, seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    rng = np.random.default_rng(seed)
    x0 = 0.1 * rng.standard_normal(n_e * (n_u + n_v))

    def split(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return x[: n_e * n_u].reshape(n_e, n_u), x[n_e * n_u :].reshape(n_e, n_v)

    # The joint loss is +inf outside the whitened unit ball; finite differences across that edge give
    # inf - inf, which BFGS's line search survives, so silence the NaN warning rather than the result.
    with np.errstate(invalid="ignore"):
        res = minimize(lambda x: loss(*split(x)), x0, method="BFGS", options={"gtol": 1e-9, "maxiter": 5000})
    g, h = split(res.x)
    return g, h, float(res.fun)


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_bilinear_conditional_optimum_matches_direct_minimisation(blocks: CovarianceBlocks, rank: int) -> None:
    g, h, value = _minimise_over_encoders(lambda g, h: conditional_loss_bilinear(g.T @ h, blocks), rank, 4, 3, rank)
    sigmas = canonical_correlations(*blocks)
    a_star = bilinear_conditional_optimum(*blocks, rank=rank)
    assert value == pytest.approx(optimal_conditional_loss(sigmas, rank), abs=1e-8)
    assert conditional_loss_bilinear(a_star, blocks) == pytest.approx(optimal_conditional_loss(sigmas, rank), abs=1e-12)
    np.testing.assert_allclose(g.T @ h, a_star, atol=1e-4)  # A is invariant to (QG, Q^{-T}H)
    g_star, h_star = optimal_encoders_bilinear(*blocks, rank=rank)
    assert g_star.shape == (rank, 4) and h_star.shape == (rank, 3)
    np.testing.assert_allclose(g_star.T @ h_star, a_star, atol=1e-12)


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_joint_optimum_matches_direct_minimisation(blocks: CovarianceBlocks, rank: int) -> None:
    g, h, value = _minimise_over_encoders(lambda g, h: joint_loss_bilinear(g.T @ h, blocks), rank, 4, 3, rank)
    sigmas = canonical_correlations(*blocks)
    a_star = joint_optimum(*blocks, rank=rank)
    assert value == pytest.approx(optimal_joint_loss(sigmas, rank), abs=1e-8)
    assert joint_loss_bilinear(a_star, blocks) == pytest.approx(optimal_joint_loss(sigmas, rank), abs=1e-12)
    np.testing.assert_allclose(g.T @ h, a_star, atol=1e-4)
    whitened = sym_power(blocks.uu, 0.5) @ a_star @ sym_power(blocks.vv, 0.5)
    singular = np.linalg.svd(whitened, compute_uv=False)
    np.testing.assert_allclose(singular[:rank], h_shrink(sigmas[:rank]), atol=1e-12)
    np.testing.assert_allclose(singular[rank:], 0.0, atol=1e-12)
    g_star, h_star = optimal_encoders_bilinear(*blocks, rank=rank, loss="joint")
    np.testing.assert_allclose(g_star.T @ h_star, a_star, atol=1e-12)


def test_full_rank_optima_match_eq_43_and_eq_49(blocks: CovarianceBlocks) -> None:
    uu_inv, vv_inv = np.linalg.inv(blocks.uu), np.linalg.inv(blocks.vv)
    np.testing.assert_allclose(bilinear_conditional_optimum(*blocks), uu_inv @ blocks.uv @ vv_inv, atol=1e-12)
    a_l2, b_l2 = l2_one_sided_optimum(*blocks)
    # Theorem 5.3's first form of B*: C_uu^{-1} C_uv C_{v|u}^{-1} C_vu C_uu^{-1}.
    cond_vu = blocks.vv - blocks.uv.T @ uu_inv @ blocks.uv
    np.testing.assert_allclose(b_l2, uu_inv @ blocks.uv @ np.linalg.inv(cond_vu) @ blocks.uv.T @ uu_inv, atol=1e-12)
    mean_map, cov = model_conditional_u_given_v_l2(a_l2, b_l2, blocks)
    true_map, true_cov = true_conditional_u_given_v(blocks)
    np.testing.assert_allclose(mean_map, true_map, atol=1e-12)
    np.testing.assert_allclose(cov, true_cov, atol=1e-12)


def test_l2_one_sided_optimum_matches_direct_minimisation(blocks: CovarianceBlocks) -> None:
    g, h, value = _minimise_over_encoders(lambda g, h: l2_one_sided_loss(g.T @ h, g.T @ g, blocks), 4, 4, 3, 7)
    a_star, b_star = l2_one_sided_optimum(*blocks)
    sigmas = canonical_correlations(*blocks)
    assert value == pytest.approx(optimal_l2_one_sided_loss(sigmas), abs=1e-8)
    np.testing.assert_allclose(g.T @ h, a_star, atol=1e-4)
    np.testing.assert_allclose(g.T @ g, b_star, atol=1e-4)


def test_conditional_mean_error_against_monte_carlo(blocks: CovarianceBlocks) -> None:
    true_map = true_conditional_u_given_v(blocks)[0]
    assert conditional_mean_error(true_map, blocks) == pytest.approx(0.0, abs=1e-12)
    # At the conditional optimum the bilinear mean is exact (Cor. 5.2); at the joint optimum it is shrunk.
    map_cond = model_conditional_u_given_v_bilinear(bilinear_conditional_optimum(*blocks), blocks)[0]
    assert conditional_mean_error(map_cond, blocks) == pytest.approx(0.0, abs=1e-12)
    map_joint = model_conditional_u_given_v_bilinear(joint_optimum(*blocks), blocks)[0]
    _, v = sample_gaussian_pairs(*blocks, n=200_000, seed=0)
    mc = float(np.mean(np.sum(((map_joint - true_map) @ v.T) ** 2, axis=0)))
    exact = conditional_mean_error(map_joint, blocks)
    assert exact > 1e-3
    assert exact == pytest.approx(mc, rel=0.02)


# ---------------------------------------------------------------- examples and sampling


def test_gp_example_structure_and_hand_values() -> None:
    c = gp_example()
    assert c.uu.shape == (12, 12) and c.uv.shape == (12, 5) and c.vv.shape == (5, 5)
    np.testing.assert_array_equal(c.vv, np.eye(5))
    # C_uv[0, 0] = sqrt(lambda_1) psi_1(0) = sqrt(2) / (pi^2 + 9).
    assert c.uv[0, 0] == pytest.approx(np.sqrt(2) / (np.pi**2 + 9), rel=1e-12)
    # C_uu[0, 0] = 2 sum_j (j^2 pi^2 + 9)^-2 + 0.05^2, the series summed in closed form with a = 3/pi:
    # sum 1/(j^2 + a^2)^2 = -f'(a) / (2a), f(a) = (pi a coth(pi a) - 1) / (2 a^2).
    a = 3 / np.pi
    coth = 1 / np.tanh(np.pi * a)
    f_prime = (np.pi * coth - np.pi**2 * a / np.sinh(np.pi * a) ** 2) / (2 * a**2) - (np.pi * a * coth - 1) / a**3
    assert c.uu[0, 0] == pytest.approx(2 * (-f_prime / (2 * a)) / np.pi**4 + 0.0025, rel=1e-8)
    # Mirror symmetry of the grid: x = 0 and x = 1 have the same variance.
    assert c.uu[-1, -1] == pytest.approx(c.uu[0, 0], rel=1e-12)
    assert 0.9 < canonical_correlations(*c)[0] < 1.0


def test_sample_gaussian_pairs_covariance_and_reproducibility(blocks: CovarianceBlocks) -> None:
    u, v = sample_gaussian_pairs(*blocks, n=100_000, seed=0)
    assert u.shape == (100_000, 4) and v.shape == (100_000, 3)
    empirical = np.cov(np.hstack([u, v]).T, bias=True)
    np.testing.assert_allclose(empirical, blocks.joint, atol=0.03)
    u2, _ = sample_gaussian_pairs(*blocks, n=5, seed=0)
    np.testing.assert_array_equal(u2, u[:5])


# ---------------------------------------------------------------- validation


def test_invalid_inputs_raise_clear_errors(blocks_seed0: CovarianceBlocks) -> None:
    with pytest.raises(DataError, match="not strictly positive definite"):
        bilinear_conditional_optimum([[1.0]], [[1.0]], [[1.0]])
    with pytest.raises(DataError, match="not symmetric"):
        canonical_correlations([[1.0, 0.5], [0.0, 1.0]], [[0.1], [0.1]], [[1.0]])
    with pytest.raises(DataError, match=r"must be \(2, 1\)"):
        canonical_correlations(np.eye(2), [[0.1, 0.1]], [[1.0]])
    with pytest.raises(DataError, match="2-D matrix"):
        canonical_correlations(1.0, 0.5, 1.0)
    with pytest.raises(DataError, match="NaN"):
        canonical_correlations([[np.nan]], [[0.5]], [[1.0]])
    blocks = blocks_seed0
    for bad_rank in (0, 4, 1.5, True):
        with pytest.raises(ConfigError, match="rank"):
            joint_optimum(*blocks, rank=bad_rank)
    with pytest.raises(ConfigError, match="loss"):
        optimal_encoders_bilinear(*blocks, loss="cosine")
    with pytest.raises(DataError, match=r"A: got shape \(3, 4\)"):
        conditional_loss_bilinear(np.zeros((3, 4)), blocks)
    with pytest.raises(DataError, match="three blocks"):
        conditional_loss_bilinear(np.zeros((4, 3)), blocks.joint)
    with pytest.raises(DataError, match=r"\[0, 1\)"):
        mutual_information([0.5, 1.0])
    with pytest.raises(ConfigError, match="n: got 0"):
        sample_gaussian_pairs(*blocks, n=0, seed=0)
    with pytest.raises(ConfigError, match="n_v"):
        gp_example(n_v=6, n_modes=5)
    with pytest.raises(ConfigError, match="noise_std"):
        gp_example(noise_std=0.0)
