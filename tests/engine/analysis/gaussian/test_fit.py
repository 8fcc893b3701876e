"""CrossModalGaussianFit against independent CCA computations, hand spectra and the 2-D example.

References avoid the estimator's code path: scikit-learn's iterative CCA (correlations of its
score pairs), scipy's generalized symmetric eigenproblem, scipy's multivariate normal density,
and data built so that its sample covariance is exactly a chosen matrix.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.linalg import eigh
from scipy.stats import multivariate_normal
from sklearn.base import clone
from sklearn.cross_decomposition import CCA

from engine.analysis.gaussian.fit import CrossModalGaussianFit, fit_cross_modal_gaussian
from engine.errors import ConfigError, DataError, NotFittedError

NOT_FITTED = (
    "This CrossModalGaussianFit instance is not fitted yet. Call 'fit' with appropriate arguments before using "
    "this estimator."
)


def exact_sample(joint: np.ndarray, n: int, seed: int = 0, mean: np.ndarray | None = None) -> np.ndarray:
    """n rows whose mean is ``mean`` (default 0) and whose 1/n sample covariance is exactly ``joint``."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, joint.shape[0]))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(z.T @ z / n)).T  # sample covariance now exactly I
    x = z @ np.linalg.cholesky(joint).T
    return x if mean is None else x + mean


def joint_with_correlations(sigmas: tuple[float, ...], n_u: int, n_v: int, seed: int = 0) -> np.ndarray:
    """A joint covariance with random C_uu, C_vv and canonical correlations exactly ``sigmas``."""
    rng = np.random.default_rng(seed)

    def spd_and_root(n: int) -> tuple[np.ndarray, np.ndarray]:
        x = rng.standard_normal((n, n))
        m = x @ x.T / n + 0.5 * np.eye(n)
        eig, vec = np.linalg.eigh(m)
        return m, (vec * np.sqrt(eig)) @ vec.T

    c_uu, r_u = spd_and_root(n_u)
    c_vv, r_v = spd_and_root(n_v)
    left = np.linalg.qr(rng.standard_normal((n_u, len(sigmas))))[0]
    right = np.linalg.qr(rng.standard_normal((n_v, len(sigmas))))[0]
    c_uv = r_u @ left @ np.diag(sigmas) @ right.T @ r_v
    return np.block([[c_uu, c_uv], [c_uv.T, c_vv]])


def latent_pairs(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """u = A z + noise, v = B z + noise with a 3-dim shared z; u in R^5, v in R^4."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, 3))
    u = z @ rng.standard_normal((3, 5)) + rng.standard_normal((n, 5))
    v = z @ rng.standard_normal((3, 4)) + 0.8 * rng.standard_normal((n, 4))
    return u, v


# ------------------------------------------------------------------ canonical correlations


def test_canonical_correlations_match_sklearn_cca() -> None:
    u, v = latent_pairs(3000)
    fit = CrossModalGaussianFit(shrinkage=None).fit(u, v)
    cca = CCA(n_components=4, scale=False, max_iter=10000, tol=1e-12).fit(u, v)
    xs, ys = cca.transform(u, v)
    reference = [np.corrcoef(xs[:, i], ys[:, i])[0, 1] for i in range(4)]
    np.testing.assert_allclose(fit.canonical_correlations_, reference, atol=1e-6)
    assert fit.canonical_correlations_[0] > 0.8  # a real signal, not four zeros


def test_canonical_correlations_match_generalized_eigenproblem() -> None:
    u, v = latent_pairs(500, seed=3)
    x = np.hstack([u, v])
    cov = np.cov(x, rowvar=False, bias=True)
    d_u = u.shape[1]
    off = np.zeros_like(cov)
    off[:d_u, d_u:], off[d_u:, :d_u] = cov[:d_u, d_u:], cov[d_u:, :d_u]
    diag = np.zeros_like(cov)
    diag[:d_u, :d_u], diag[d_u:, d_u:] = cov[:d_u, :d_u], cov[d_u:, d_u:]
    # [[0, C_uv], [C_vu, 0]] x = rho blockdiag(C_uu, C_vv) x has eigenvalues +-sigma_i (and zeros).
    rho = eigh(off, diag, eigvals_only=True)[::-1][: v.shape[1]]
    fit = CrossModalGaussianFit(shrinkage=None).fit(u, v)
    np.testing.assert_allclose(fit.canonical_correlations_, rho, atol=1e-10)
    # Singular vectors: W V_ = U_ diag(sigma).
    np.testing.assert_allclose(
        fit.whitened_cross_covariance_ @ fit.V_, fit.U_ * fit.canonical_correlations_, atol=1e-10
    )


def test_known_canonical_correlations_are_recovered() -> None:
    sigmas = (0.9, 0.6, 0.3)
    joint = joint_with_correlations(sigmas, 5, 4)
    x = exact_sample(joint, 400, mean=np.arange(9.0))
    fit = CrossModalGaussianFit(shrinkage=None).fit(x[:, :5], x[:, 5:])
    np.testing.assert_allclose(fit.canonical_correlations_, [*sigmas, 0.0], atol=1e-9)
    np.testing.assert_allclose(fit.mean_u_, np.arange(5.0), atol=1e-12)
    # Plain random draws: close to the population values (standard error ~ (1 - sigma^2) / sqrt(N)).
    rng = np.random.default_rng(1)
    x = rng.standard_normal((20000, 9)) @ np.linalg.cholesky(joint).T
    fit = CrossModalGaussianFit().fit(x[:, :5], x[:, 5:])
    np.testing.assert_allclose(fit.canonical_correlations_[:3], sigmas, atol=0.03)


# ------------------------------------------------------------------ dependence summary


def test_captured_dependence_and_rank_for_90_on_a_hand_spectrum() -> None:
    sigmas = (0.95, 0.3, 0.3, 0.3)
    x = exact_sample(joint_with_correlations(sigmas, 4, 4, seed=2), 300)
    fit = CrossModalGaussianFit(shrinkage=None).fit(x[:, :4], x[:, 4:])
    big, small = -0.5 * math.log(1 - 0.95**2), -0.5 * math.log(1 - 0.3**2)  # 1.16390, 0.04716
    total = big + 3 * small
    np.testing.assert_allclose(
        fit.captured_dependence_, [big / total, (big + small) / total, (big + 2 * small) / total, 1.0], atol=1e-9
    )
    # 0.8916 < 0.9 at k = 1, 0.9277 at k = 2.
    assert fit.rank_for_90_ == 2
    energy = np.array([0.9025, 0.09, 0.09, 0.09])
    np.testing.assert_allclose(fit.captured_correlation_share_, np.cumsum(energy) / energy.sum(), atol=1e-9)
    summary = fit.to_dict()
    assert summary["rank_for_90_correlation_share"] == 3  # 0.770, 0.847, 0.923: the sigma^2 share needs one more
    assert summary["mutual_information_nats"] == pytest.approx(total, abs=1e-9)
    assert summary["mutual_information_bits"] == pytest.approx(total / math.log(2), abs=1e-9)


def test_mutual_information_of_the_2d_example() -> None:
    x = exact_sample(np.array([[1.5, 1.0], [1.0, 1.5]]), 50)
    fit = CrossModalGaussianFit(shrinkage=None).fit(x[:, :1], x[:, 1:])
    assert fit.canonical_correlations_[0] == pytest.approx(2 / 3, abs=1e-12)
    assert fit.mutual_information_ == pytest.approx(0.29389333245, abs=1e-9)  # -1/2 log(5/9)
    assert fit.mutual_information_bits_ == pytest.approx(0.42399845, abs=1e-7)
    assert fit.rank_for_90_ == 1 and fit.captured_dependence_.tolist() == [1.0]


def test_full_shrinkage_leaves_no_dependence() -> None:
    u, v = latent_pairs(200)
    fit = CrossModalGaussianFit(shrinkage=1.0).fit(u, v)
    np.testing.assert_allclose(fit.canonical_correlations_, 0.0, atol=1e-12)
    assert fit.mutual_information_ == 0.0 and fit.rank_for_90_ == 0
    assert fit.captured_dependence_.tolist() == [1.0] * 4


# ------------------------------------------------------------------ shrinkage


def test_shrinkage_note_and_reduced_bias_when_n_is_small() -> None:
    rng = np.random.default_rng(0)
    u, v = rng.standard_normal((60, 8)), rng.standard_normal((60, 8))  # independent: true sigma = 0
    plain = CrossModalGaussianFit(shrinkage=None).fit(u, v)
    auto = CrossModalGaussianFit().fit(u, v)
    assert plain.canonical_correlations_[0] > 0.5  # the upward bias the note warns about
    assert 0.0 < auto.shrinkage_ <= 1.0
    assert auto.canonical_correlations_[0] < plain.canonical_correlations_[0] - 0.1
    for fit in (plain, auto):
        assert "biased upwards" in fit.shrinkage_note_
        assert "60 pairs for 16 dimensions" in fit.shrinkage_note_
    assert "Ledoit-Wolf" in auto.shrinkage_note_ and "no shrinkage" in plain.shrinkage_note_
    assert auto.to_dict()["shrinkage_note"] == auto.shrinkage_note_


def test_no_shrinkage_note_with_plenty_of_pairs() -> None:
    u, v = latent_pairs(2000)
    fit = CrossModalGaussianFit().fit(u, v)
    assert fit.shrinkage_note_ is None
    assert fit.shrinkage_ < 0.05


def test_singular_covariance_is_flagged_and_capped() -> None:
    rng = np.random.default_rng(0)
    u, v = rng.standard_normal((10, 8)), rng.standard_normal((10, 8))  # N < D: sample covariance singular
    fit = CrossModalGaussianFit(shrinkage=None).fit(u, v)
    assert fit.canonical_correlations_[0] > 0.999
    assert np.isfinite(fit.mutual_information_)
    assert "numerically 1" in fit.shrinkage_note_
    with pytest.raises(DataError, match="shrinkage"):
        fit.optimal_maps()


def test_auto_shrinkage_does_not_depend_on_units() -> None:
    u, v = latent_pairs(80)
    a = CrossModalGaussianFit().fit(u, v)
    b = CrossModalGaussianFit().fit(1000.0 * u, 0.01 * v)
    assert a.shrinkage_ > 0.0
    assert b.shrinkage_ == pytest.approx(a.shrinkage_, rel=1e-9)
    np.testing.assert_allclose(b.canonical_correlations_, a.canonical_correlations_, atol=1e-9)


def test_center_false_uses_second_moments() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((100, 3)) + 2.0
    fit = CrossModalGaussianFit(shrinkage=None, center=False).fit(x[:, :2], x[:, 2:])
    np.testing.assert_allclose(fit.covariance_, x.T @ x / 100, atol=1e-12)
    np.testing.assert_allclose(fit.mean_u_, 0.0)


# ------------------------------------------------------------------ optimal maps and score


def test_optimal_maps_of_the_2d_example() -> None:
    x = exact_sample(np.array([[1.5, 1.0], [1.0, 1.5]]), 50, mean=np.array([3.0, -1.0]))
    maps = CrossModalGaussianFit(shrinkage=None).fit(x[:, :1], x[:, 1:]).optimal_maps()
    json.dumps(maps)
    assert maps["rank"] == 1 and maps["mean_u"] == pytest.approx([3.0])
    assert maps["conditional"]["A"][0][0] == pytest.approx(4 / 9, abs=1e-12)
    assert maps["joint"]["A"][0][0] == pytest.approx(1 / 3, abs=1e-12)
    assert maps["l2_left_given_right"]["A"][0][0] == pytest.approx(0.8, abs=1e-12)
    assert maps["l2_left_given_right"]["B"][0][0] == pytest.approx(8 / 15, abs=1e-12)
    assert maps["conditional"]["optimal_loss"] == pytest.approx(-2 / 9, abs=1e-12)
    assert maps["joint"]["optimal_loss"] == pytest.approx(-0.189492297107, abs=1e-9)
    assert maps["l2_left_given_right"]["optimal_loss"] == pytest.approx(-0.293893332451, abs=1e-9)
    g, h = maps["conditional"]["G"][0][0], maps["conditional"]["H"][0][0]
    assert g * h == pytest.approx(4 / 9, abs=1e-12)


def test_optimal_maps_at_rank_k_use_the_top_canonical_pairs() -> None:
    sigmas = (0.9, 0.6, 0.3)
    x = exact_sample(joint_with_correlations(sigmas, 5, 4), 300)
    fit = CrossModalGaussianFit(shrinkage=None).fit(x[:, :5], x[:, 5:])
    maps = fit.optimal_maps(2, as_arrays=True)
    c_uu, c_vv = fit.covariance_uu_, fit.covariance_vv_
    roots = [np.linalg.cholesky(c) for c in (c_uu, c_vv)]  # any square roots give the same singular values
    whitened = roots[0].T @ maps["conditional"]["A"] @ roots[1]
    np.testing.assert_allclose(np.linalg.svd(whitened, compute_uv=False)[:3], [0.9, 0.6, 0.0], atol=1e-9)
    cond = maps["conditional"]
    np.testing.assert_allclose(cond["G"].T @ cond["H"], cond["A"], atol=1e-12)
    assert maps["conditional"]["optimal_loss"] == pytest.approx(-0.5 * (0.81 + 0.36), abs=1e-9)
    with pytest.raises(ConfigError, match="rank"):
        fit.optimal_maps(5)


@pytest.mark.parametrize("shrinkage", [None, 0.3], ids=["plain", "fixed"])
def test_score_is_the_mean_gaussian_log_likelihood(shrinkage: float | None) -> None:
    u, v = latent_pairs(300)
    fit = CrossModalGaussianFit(shrinkage=shrinkage).fit(u, v)
    test_u, test_v = latent_pairs(50, seed=9)
    reference = multivariate_normal(np.concatenate([fit.mean_u_, fit.mean_v_]), fit.covariance_).logpdf(
        np.hstack([test_u, test_v])
    )
    assert fit.score(test_u, test_v) == pytest.approx(float(np.mean(reference)), rel=1e-10)
    with pytest.raises(DataError, match="widths"):
        fit.score(test_u[:, :3], test_v)


# ------------------------------------------------------------------ estimator contract


def test_not_fitted_error_uses_scikit_learn_wording() -> None:
    fit = CrossModalGaussianFit()
    for call in (fit.to_dict, fit.optimal_maps, lambda: fit.score(np.zeros((2, 1)), np.zeros((2, 1)))):
        with pytest.raises(NotFittedError) as info:
            call()
        assert str(info.value) == NOT_FITTED
        assert isinstance(info.value, AttributeError)


def test_params_are_stored_verbatim_and_fit_returns_self() -> None:
    fit = CrossModalGaussianFit(shrinkage=0.25, center=False, eps=1e-8)
    assert fit.get_params() == {"shrinkage": 0.25, "center": False, "eps": 1e-8}
    u, v = latent_pairs(100)
    assert fit.fit(u, v) is fit
    assert fit.shrinkage_ == 0.25 and fit.get_params()["shrinkage"] == 0.25
    copy = clone(fit)
    assert copy.get_params() == fit.get_params() and not hasattr(copy, "canonical_correlations_")
    with pytest.raises(TypeError):
        CrossModalGaussianFit("auto")  # type: ignore[misc]  # keyword-only


@pytest.mark.parametrize(
    "params", [{"shrinkage": 1.5}, {"shrinkage": "ledoit"}, {"shrinkage": True}, {"eps": 0.0}, {"center": "yes"}]
)
def test_invalid_params_raise_config_error_in_fit(params: dict) -> None:
    fit = CrossModalGaussianFit(**params)  # stored, not checked, at construction
    with pytest.raises(ConfigError):
        fit.fit(*latent_pairs(20))


def test_invalid_data_raises_data_error() -> None:
    u, v = latent_pairs(20)
    with pytest.raises(DataError, match="rows"):
        CrossModalGaussianFit().fit(u, v[:10])
    bad = u.copy()
    bad[0, 0] = np.nan
    with pytest.raises(DataError, match="NaN"):
        CrossModalGaussianFit().fit(bad, v)
    with pytest.raises(DataError, match="2-D"):
        CrossModalGaussianFit().fit(u[:, 0], v)


def test_free_function_twin_and_json_summary() -> None:
    u, v = latent_pairs(300)
    summary = fit_cross_modal_gaussian(u, v, shrinkage=None)
    assert summary == CrossModalGaussianFit(shrinkage=None).fit(u, v).to_dict()
    assert json.loads(json.dumps(summary)) == summary
    assert summary["dim_u"] == 5 and summary["dim_v"] == 4 and summary["n_samples"] == 300
    assert len(summary["canonical_correlations"]) == len(summary["captured_dependence"]) == 4
