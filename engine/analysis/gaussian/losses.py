"""Population values of the paper's losses for Gaussian data and linear encoders, in closed form.

These are the limits of the batch estimators in :mod:`engine.losses` (temperature 1, digest §3.5
constants: ``- log N`` for the conditional losses, the off-diagonal average for the joint loss) as
the batch size grows, so a trained model's batch loss can be compared with them directly.
``C`` is a :class:`~engine.analysis.gaussian.blocks.CovarianceBlocks` or ``(C_uu, C_uv, C_vv)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from engine.analysis.gaussian.blocks import CovarianceBlocks, check_parameter, sym_power, unpack_blocks
from engine.errors import DataError

Blocks = CovarianceBlocks | Sequence[ArrayLike]


def whitened_spectral_norm(a: ArrayLike, c: Blocks) -> float:
    """``||C_uu^{1/2} A C_vv^{1/2}||_2``; the bilinear model is a valid Gaussian iff this is < 1."""
    uu, _, vv = blocks = unpack_blocks(c)
    mat = check_parameter(a, "A", blocks.uv.shape)
    return float(np.linalg.norm(sym_power(uu, 0.5) @ mat @ sym_power(vv, 0.5), 2))


def conditional_loss_bilinear(a: ArrayLike, c: Blocks) -> float:
    """Population conditional loss with the bilinear tilting (eq. 42).

        L_cond(A) = 1/2 Tr(A^T C_uu A C_vv) - Tr(A^T C_uv)

    Each one-sided term -E log rho(u|v) and -E log rho(v|u) equals this same quadratic, so every
    weighting (lambda_u, lambda_v) with lambda_u + lambda_v = 2 ((1, 1) = CLIP, (2, 0), (0, 2))
    has this value. 2-D example: -2/9 at A = 4/9, -0.2083 at A = 1/3.

    Args:
        a: ``A = G^T H``. Shape: (n_u, n_v).
        c: Covariance blocks.

    Returns:
        The loss (finite for every A).
    """
    uu, uv, vv = blocks = unpack_blocks(c)
    mat = check_parameter(a, "A", blocks.uv.shape)
    return float(0.5 * np.trace(mat.T @ uu @ mat @ vv) - np.sum(mat * uv))


def joint_loss_bilinear(a: ArrayLike, c: Blocks) -> float:
    """Population joint loss with the bilinear tilting (eq. 52).

        L_joint(A) = -Tr(A^T C_uv) - 1/2 log det(I - C_vv A^T C_uu A)
                   = -Tr(A^T C_uv) - 1/2 sum_i log(1 - s_i^2),

    with s_i the singular values of ``C_uu^{1/2} A C_vv^{1/2}``. The partition function
    E_{u ~ mu_u, v ~ mu_v} exp(u^T A v) is infinite once the largest s_i reaches 1, so the loss is
    then ``+inf``; the spectral norm is checked directly because ``slogdet`` can return a finite
    value when an even number of eigenvalues cross 1. 2-D example: -0.18949 at A = 1/3.

    Args:
        a: ``A = G^T H``. Shape: (n_u, n_v).
        c: Covariance blocks.
    """
    uu, uv, vv = blocks = unpack_blocks(c)
    mat = check_parameter(a, "A", blocks.uv.shape)
    s = np.linalg.svd(sym_power(uu, 0.5) @ mat @ sym_power(vv, 0.5), compute_uv=False)
    if s[0] >= 1.0:
        return float("inf")
    return float(-np.sum(mat * uv) - 0.5 * np.sum(np.log1p(-(s**2))))


def l2_one_sided_loss(a: ArrayLike, b: ArrayLike, c: Blocks) -> float:
    """Population one-sided u|v loss (weights (2, 0)) with the L2 tilting (digest §5.2).

        L(A, B) = 1/2 Tr(B C_uu) - Tr(A^T C_uv) - 1/2 log det(I + C_uu B)
                  + 1/2 Tr(A^T (C_uu^{-1} + B)^{-1} A C_vv)

    where ``A = G^T H`` and ``B = G^T G``. The per-v normaliser E_u exp(-u^T B u / 2 + u^T A v) is
    finite iff ``C_uu^{-1} + B`` is positive definite; otherwise the loss is ``+inf``. 2-D
    example: -0.29389 = -I(u; v) at (A, B) = (0.8, 8/15).

    Args:
        a: ``A = G^T H``. Shape: (n_u, n_v).
        b: ``B = G^T G``, symmetric. Shape: (n_u, n_u).
        c: Covariance blocks.

    Raises:
        DataError: If B is not symmetric or a shape does not match the covariance.
    """
    uu, uv, vv = blocks = unpack_blocks(c)
    mat_a = check_parameter(a, "A", blocks.uv.shape)
    mat_b = check_parameter(b, "B", blocks.uu.shape)
    if not np.allclose(mat_b, mat_b.T, rtol=1e-8, atol=1e-12):
        raise DataError("B: not symmetric; B = G^T G must equal its transpose.")
    mat_b = (mat_b + mat_b.T) / 2.0
    precision = np.linalg.inv(uu) + mat_b
    eig = np.linalg.eigvalsh(precision)
    if eig[0] <= 0.0:
        return float("inf")
    # det(I + C_uu B) = det(C_uu) det(C_uu^{-1} + B), both positive here.
    logdet = np.linalg.slogdet(uu)[1] + float(np.sum(np.log(eig)))
    mean_term = np.trace(mat_a.T @ np.linalg.solve(precision, mat_a) @ vv)
    return float(0.5 * np.sum(mat_b * uu) - np.sum(mat_a * uv) - 0.5 * logdet + 0.5 * mean_term)
