"""Conditionals and marginals of the learned Gaussian models versus the truth (digest §2, §5).

A conditional law u | v is returned as ``(M, cov)``: ``N(M v, cov)``. The bilinear tilting gets
the mean right at its conditional-loss optimum but keeps the marginal covariance (Cor. 5.2); the
L2 tilting with the one-sided loss matches both (Cor. 5.4). For the 2-D example the truth is
``N(0.667 v, 0.8333)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from engine.analysis.gaussian.blocks import Matrix, check_parameter, sym_power, unpack_blocks
from engine.analysis.gaussian.losses import Blocks
from engine.errors import DataError


def true_conditional_u_given_v(c: Blocks) -> tuple[Matrix, Matrix]:
    """True u | v: ``(C_uv C_vv^{-1}, C_uu - C_uv C_vv^{-1} C_vu)`` (eq. 37).

    Returns:
        Mean map of shape (n_u, n_v) and covariance C_{u|v} of shape (n_u, n_u).
    """
    uu, uv, vv = unpack_blocks(c)
    mean_map = np.linalg.solve(vv, uv.T).T
    cov = uu - mean_map @ uv.T
    return mean_map, (cov + cov.T) / 2.0


def model_conditional_u_given_v_bilinear(a: ArrayLike, c: Blocks) -> tuple[Matrix, Matrix]:
    """Model u | v under the bilinear tilting: ``N(C_uu A v, C_uu)`` (eq. 41).

    Args:
        a: ``A = G^T H``. Shape: (n_u, n_v).
        c: Covariance blocks.

    Returns:
        Mean map ``C_uu A`` of shape (n_u, n_v) and covariance ``C_uu`` of shape (n_u, n_u).
    """
    blocks = unpack_blocks(c)
    mat = check_parameter(a, "A", blocks.uv.shape)
    return blocks.uu @ mat, blocks.uu.copy()


def model_conditional_u_given_v_l2(a: ArrayLike, b: ArrayLike, c: Blocks) -> tuple[Matrix, Matrix]:
    """Model u | v under the L2 tilting: ``N(P^{-1} A v, P^{-1})`` with ``P = B + C_uu^{-1}`` (eq. 48).

    Args:
        a: ``A = G^T H``. Shape: (n_u, n_v).
        b: ``B = G^T G``. Shape: (n_u, n_u).
        c: Covariance blocks.

    Raises:
        DataError: If ``B + C_uu^{-1}`` is not positive definite (no such conditional law).
    """
    blocks = unpack_blocks(c)
    mat_a = check_parameter(a, "A", blocks.uv.shape)
    mat_b = check_parameter(b, "B", blocks.uu.shape)
    precision = (mat_b + mat_b.T) / 2.0 + np.linalg.inv(blocks.uu)
    if np.linalg.eigvalsh(precision)[0] <= 0.0:
        raise DataError(
            "B: B + C_uu^{-1} is not positive definite, so the L2 model has no u|v law; "
            "pass B = G^T G, which is positive semidefinite."
        )
    cov = np.linalg.inv(precision)
    cov = (cov + cov.T) / 2.0
    return cov @ mat_a, cov


def conditional_mean_error(mean_map: ArrayLike, c: Blocks) -> float:
    """Mean squared error of a linear conditional mean, averaged over v (the paper's §6.1 metric).

        E_v |M v - C_uv C_vv^{-1} v|^2 = Tr((M - C_uv C_vv^{-1}) C_vv (M - C_uv C_vv^{-1})^T)

    Args:
        mean_map: M, e.g. ``C_uu A`` (bilinear) or ``(B + C_uu^{-1})^{-1} A`` (L2). Shape: (n_u, n_v).
        c: Covariance blocks.
    """
    blocks = unpack_blocks(c)
    diff = check_parameter(mean_map, "M", blocks.uv.shape) - true_conditional_u_given_v(blocks)[0]
    return float(np.trace(diff @ blocks.vv @ diff.T))


def model_marginal_cov_u(a: ArrayLike, c: Blocks) -> Matrix:
    """Marginal covariance of u under the bilinear model (Cor. 5.7, eq. 71).

        Cov_nu(u) = C_uu + C_uu A (C_vv^{-1} - A^T C_uu A)^{-1} A^T C_uu

    It exceeds C_uu whenever A != 0; 2-D example: 2.7 at the conditional optimum, 2.0 at the joint
    optimum, against the true 1.5.

    Raises:
        DataError: If ``||C_uu^{1/2} A C_vv^{1/2}||_2 >= 1``: the tilted law is then not normalisable.
    """
    uu, _, vv = blocks = unpack_blocks(c)
    mat = check_parameter(a, "A", blocks.uv.shape)
    norm = float(np.linalg.norm(sym_power(uu, 0.5) @ mat @ sym_power(vv, 0.5), 2))
    if norm >= 1.0:
        raise DataError(
            f"A: whitened spectral norm ||C_uu^(1/2) A C_vv^(1/2)||_2 = {norm:.4g} >= 1, so exp(u^T A v) "
            "times the marginals has no finite normaliser and the model has no marginal; shrink A."
        )
    inner = np.linalg.inv(vv) - mat.T @ uu @ mat
    cov = uu + uu @ mat @ np.linalg.solve(inner, mat.T @ uu)
    return (cov + cov.T) / 2.0
