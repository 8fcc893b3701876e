"""Closed-form optima of the paper's contrastive losses for Gaussian data and linear encoders.

Setting (digest §5): ``(u, v) ~ N(0, C)``, encoders ``g_u(u) = G u`` and ``g_v(v) = H v``
(unnormalised, temperature 1), so the bilinear ("dot") tilting depends only on ``A = G^T H`` and
the L2 tilting on ``A = G^T H`` and ``B = G^T G``. Everything hinges on the whitened
cross-covariance

    W = C_uu^{-1/2} C_uv C_vv^{-1/2} = U diag(sigma) V^T,

whose singular values ``sigma`` are the canonical correlations (in [0, 1)). For the paper's 2-D
example ``C = [[1.5, 1], [1, 1.5]]``: sigma = 2/3, h(sigma) = 1/2, A*_cond = 4/9, A*_joint = 1/3,
L2 one-sided A* = 0.8 and B* = 8/15; optimal values -2/9, -0.18949 and -0.29389 = -I(u; v).

References:
    - Baptista, Stuart, Tran, "A Mathematical Perspective On Contrastive Learning", 2025,
      https://arxiv.org/abs/2505.24134 (Theorems 5.1, 5.3, 5.6; Definition 5.5).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from engine.analysis.checks import check_int
from engine.analysis.gaussian.blocks import (
    Matrix,
    check_rank,
    sym_power,
    validate_blocks,
)
from engine.errors import ConfigError, DataError

BILINEAR_LOSSES = ("conditional", "joint")


def _whitening(c_uu: ArrayLike, c_uv: ArrayLike, c_vv: ArrayLike) -> tuple[Matrix, Matrix, Matrix]:
    """Return (C_uu^{-1/2}, W, C_vv^{-1/2}) for validated blocks."""
    uu, uv, vv = validate_blocks(c_uu, c_uv, c_vv)
    uu_isqrt = sym_power(uu, -0.5)
    vv_isqrt = sym_power(vv, -0.5)
    return uu_isqrt, uu_isqrt @ uv @ vv_isqrt, vv_isqrt


def whitened_cross_covariance(c_uu: ArrayLike, c_uv: ArrayLike, c_vv: ArrayLike) -> Matrix:
    """Whitened cross-covariance ``W = C_uu^{-1/2} C_uv C_vv^{-1/2}``, symmetric roots via ``eigh``.

    Args:
        c_uu: Covariance of u. Shape: (n_u, n_u).
        c_uv: Cross-covariance E[u v^T]. Shape: (n_u, n_v).
        c_vv: Covariance of v. Shape: (n_v, n_v).

    Returns:
        W. Shape: (n_u, n_v). For the 2-D example it is [[2/3]].

    Raises:
        DataError: If the blocks do not form a strictly positive-definite joint covariance.
    """
    return _whitening(c_uu, c_uv, c_vv)[1]


def canonical_correlations(c_uu: ArrayLike, c_uv: ArrayLike, c_vv: ArrayLike) -> NDArray[np.float64]:
    """Canonical correlations: the singular values of ``W``, descending, each in [0, 1).

    Returns:
        sigma. Shape: (min(n_u, n_v),).
    """
    return np.linalg.svd(whitened_cross_covariance(c_uu, c_uv, c_vv), compute_uv=False)


def h_shrink(sigma: ArrayLike) -> NDArray[np.float64] | float:
    """Joint-loss shrinkage ``h(s) = (sqrt(1 + 4 s^2) - 1) / (2 s)`` with ``h(0) = 0`` (Definition 5.5).

    Computed as ``2 s / (1 + sqrt(1 + 4 s^2))``, which is the same number without the 0/0 at s = 0.
    h is the positive root of ``s d^2 + d - s = 0``; ``h(2/3) = 1/2`` and ``h(1) = 0.618...``.

    Args:
        sigma: Canonical correlation(s), each >= 0. Scalar or array.

    Returns:
        h(sigma), a float for scalar input, else an array of the same shape.

    Raises:
        DataError: If any value is negative or not finite.
    """
    s = np.asarray(sigma, dtype=np.float64)
    if not np.all(np.isfinite(s)) or np.any(s < 0):
        raise DataError(f"sigma: got {sigma!r}; h is defined for finite values >= 0 (canonical correlations).")
    h = 2.0 * s / (1.0 + np.sqrt(1.0 + 4.0 * s**2))
    return float(h) if h.ndim == 0 else h


def _check_sigmas(sigmas: ArrayLike) -> NDArray[np.float64]:
    s = np.asarray(sigmas, dtype=np.float64).ravel()
    if s.size == 0 or not np.all(np.isfinite(s)) or np.any(s < 0) or np.any(s >= 1):
        raise DataError(
            f"sigmas: got {sigmas!r}; expected canonical correlations, each in [0, 1) "
            "(use canonical_correlations(C_uu, C_uv, C_vv))."
        )
    return np.sort(s)[::-1]


def _truncated(
    c_uu: ArrayLike, c_uv: ArrayLike, c_vv: ArrayLike, rank: int | None, loss: str
) -> tuple[Matrix, Matrix, NDArray[np.float64], Matrix, Matrix]:
    """(C_uu^{-1/2}, U_r, d_r, V_r, C_vv^{-1/2}) with d = sigma or h(sigma) for ``loss``."""
    if loss not in BILINEAR_LOSSES:
        raise ConfigError(f"loss: got {loss!r}; expected one of {', '.join(BILINEAR_LOSSES)}.")
    uu_isqrt, w, vv_isqrt = _whitening(c_uu, c_uv, c_vv)
    r = check_rank(rank, min(w.shape))
    u, s, vt = np.linalg.svd(w, full_matrices=False)
    # h is increasing, so shrinking keeps the SVD order and the top-r subspace is the same for both losses.
    d = s if loss == "conditional" else np.asarray(h_shrink(s))
    return uu_isqrt, u[:, :r], d[:r], vt[:r].T, vv_isqrt


def bilinear_conditional_optimum(
    c_uu: ArrayLike, c_uv: ArrayLike, c_vv: ArrayLike, rank: int | None = None
) -> Matrix:
    """Minimiser ``A*`` of the conditional loss, bilinear tilting, any weights (Thm 5.1, Remark D.1).

    Full rank (eq. 43): ``A* = C_uu^{-1} C_uv C_vv^{-1}``. Rank r (eq. 44):
    ``A*(r) = C_uu^{-1/2} W_r C_vv^{-1/2}`` with ``W_r`` the rank-r truncated SVD of W (unique when
    sigma_r > sigma_{r+1}; on a tie the SVD's order decides). 2-D example: 4/9.

    Args:
        c_uu, c_uv, c_vv: Covariance blocks, shapes (n_u, n_u), (n_u, n_v), (n_v, n_v).
        rank: Embedding dimension n_e in 1..min(n_u, n_v); None = full rank.

    Returns:
        A*. Shape: (n_u, n_v).

    Raises:
        DataError: If the blocks are not a valid covariance.
        ConfigError: If ``rank`` is out of range.
    """
    uu_isqrt, u, d, v, vv_isqrt = _truncated(c_uu, c_uv, c_vv, rank, "conditional")
    return uu_isqrt @ (u * d) @ v.T @ vv_isqrt


def joint_optimum(c_uu: ArrayLike, c_uv: ArrayLike, c_vv: ArrayLike, rank: int | None = None) -> Matrix:
    """Minimiser of the joint loss, bilinear tilting (Thm 5.6, eqs. 53-54).

    ``A*_joint(r) = C_uu^{-1/2} U_r h(Sigma_r) V_r^T C_vv^{-1/2}``: the conditional optimum's
    subspaces with each canonical correlation shrunk to h(sigma) < sigma. 2-D example: 1/3.

    Args:
        c_uu, c_uv, c_vv: Covariance blocks, shapes (n_u, n_u), (n_u, n_v), (n_v, n_v).
        rank: Embedding dimension n_e in 1..min(n_u, n_v); None = full rank.

    Returns:
        A*_joint. Shape: (n_u, n_v).
    """
    uu_isqrt, u, d, v, vv_isqrt = _truncated(c_uu, c_uv, c_vv, rank, "joint")
    return uu_isqrt @ (u * d) @ v.T @ vv_isqrt


def optimal_encoders_bilinear(
    c_uu: ArrayLike,
    c_uv: ArrayLike,
    c_vv: ArrayLike,
    rank: int | None = None,
    loss: Literal["conditional", "joint"] = "conditional",
) -> tuple[Matrix, Matrix]:
    """One pair of optimal linear encoders ``(G*, H*)`` with ``G*^T H* = A*`` (digest §5.5 step 3).

    ``G* = D^{1/2} U_r^T C_uu^{-1/2}`` and ``H* = D^{1/2} V_r^T C_vv^{-1/2}`` with D = Sigma_r
    (conditional) or h(Sigma_r) (joint): the top-r CCA directions. Any ``(Q G*, Q^{-T} H*)`` with Q
    invertible gives the same A and the same loss.

    Args:
        c_uu, c_uv, c_vv: Covariance blocks, shapes (n_u, n_u), (n_u, n_v), (n_v, n_v).
        rank: Embedding dimension n_e; None = min(n_u, n_v).
        loss: ``"conditional"`` (Thm 5.1) or ``"joint"`` (Thm 5.6).

    Returns:
        G* of shape (r, n_u) and H* of shape (r, n_v).
    """
    uu_isqrt, u, d, v, vv_isqrt = _truncated(c_uu, c_uv, c_vv, rank, loss)
    root = np.sqrt(d)[:, None]
    return root * (u.T @ uu_isqrt), root * (v.T @ vv_isqrt)


def l2_one_sided_optimum(c_uu: ArrayLike, c_uv: ArrayLike, c_vv: ArrayLike) -> tuple[Matrix, Matrix]:
    """Minimiser ``(A*, B*)`` of the one-sided u|v loss (weights (2, 0)) with the L2 tilting, full rank.

    Theorem 5.3 (eq. 49), valid when n_e >= n_u:
    ``A* = C_{u|v}^{-1} C_uv C_vv^{-1}`` and ``B* = C_{u|v}^{-1} - C_uu^{-1}``, with
    ``C_{u|v} = C_uu - C_uv C_vv^{-1} C_vu``. At this optimum the model conditional u|v equals the
    true one in mean and covariance (Cor. 5.4). 2-D example: A* = 0.8, B* = 8/15. The rank-r
    version has no closed form (digest §5.2) and is not provided.

    Returns:
        A* of shape (n_u, n_v) and B* (symmetric PSD) of shape (n_u, n_u).
    """
    uu, uv, vv = validate_blocks(c_uu, c_uv, c_vv)
    vv_inv = np.linalg.inv(vv)
    cond_prec = np.linalg.inv(uu - uv @ vv_inv @ uv.T)
    b = cond_prec - np.linalg.inv(uu)
    return cond_prec @ uv @ vv_inv, (b + b.T) / 2.0


def mutual_information(sigmas: ArrayLike) -> float:
    """Mutual information of a Gaussian pair, ``I(u; v) = -1/2 sum log(1 - sigma_i^2)``, in nats."""
    s = _check_sigmas(sigmas)
    return float(-0.5 * np.sum(np.log1p(-(s**2))))


def optimal_conditional_loss(sigmas: ArrayLike, rank: int | None = None) -> float:
    """Optimal population conditional loss, bilinear tilting: ``-1/2 sum_{i<=r} sigma_i^2``.

    Any weights (lambda_u, lambda_v) with lambda_u + lambda_v = 2 give this value. 2-D: -2/9.
    """
    s = _check_sigmas(sigmas)
    r = check_rank(rank, s.size)
    return float(-0.5 * np.sum(s[:r] ** 2))


def optimal_joint_loss(sigmas: ArrayLike, rank: int | None = None) -> float:
    """Optimal population joint loss: ``-sum_{i<=r} [sigma_i h_i + 1/2 log(1 - h_i^2)]``. 2-D: -0.18949."""
    s = _check_sigmas(sigmas)
    r = check_rank(rank, s.size)
    h = np.asarray(h_shrink(s[:r]))
    return float(-np.sum(s[:r] * h + 0.5 * np.log1p(-(h**2))))


def optimal_l2_one_sided_loss(sigmas: ArrayLike) -> float:
    """Optimal one-sided L2 loss at full rank: ``1/2 sum log(1 - sigma_i^2) = -I(u; v)``. 2-D: -0.29389."""
    return -mutual_information(sigmas)


def _l2_rank_objective(g_flat: NDArray[np.float64], r: int, uu: Matrix, uu_inv: Matrix, k_root: Matrix
                       ) -> tuple[float, NDArray[np.float64]]:
    """Eq. 50b up to constants, over B = G^T G, and its gradient in G (see l2_one_sided_optimum_rank)."""
    g = g_flat.reshape(r, -1)
    b = g.T @ g
    p = b + uu_inv
    sign, logdet_p = np.linalg.slogdet(p)
    if sign <= 0:
        return float("inf"), np.zeros_like(g_flat)
    eig, vec = np.linalg.eigh(k_root @ p @ k_root)
    top = vec[:, -r:]
    value = 0.5 * np.trace(b @ uu) - 0.5 * logdet_p - 0.5 * float(np.sum(eig[-r:]))
    grad_b = 0.5 * uu - 0.5 * np.linalg.inv(p) - 0.5 * k_root @ top @ top.T @ k_root
    return float(value), (2.0 * g @ ((grad_b + grad_b.T) / 2.0)).ravel()


def l2_one_sided_optimum_rank(
    c_uu: ArrayLike, c_uv: ArrayLike, c_vv: ArrayLike, rank: int | None = None
) -> tuple[Matrix, Matrix]:
    """Minimiser ``(A*(r), B*(r))`` of the one-sided u|v loss with the L2 tilting at rank r (Thm 5.3, eq. 50).

    ``B*(r)`` has no closed form: it minimises, over ``B = G^T G`` with ``G`` of shape (r, n_u),

        1/2 Tr(B C_uu) - 1/2 log det(I + C_uu B) - 1/2 ||[T(B)]_r||_F^2,

    with ``P_B = B + C_uu^{-1}`` and ``T(B) = P_B^{1/2} C_uv C_vv^{-1/2}`` (the loss after the best
    rank-r ``A`` for that B is put in; equivalent to eq. 50b). ``||[T]_r||^2`` is the sum of the top
    r eigenvalues of ``K^{1/2} P_B K^{1/2}`` with ``K = C_uv C_vv^{-1} C_vu``, which gives the
    gradient in closed form; L-BFGS starts from the top-r part of the full-rank ``B*``. Then
    ``A*(r) = P^{1/2} [T(B*(r))]_r C_vv^{-1/2}`` (eq. 50a). For r >= n_u it returns the closed form
    of :func:`l2_one_sided_optimum`.

    Args:
        c_uu, c_uv, c_vv: Covariance blocks, shapes (n_u, n_u), (n_u, n_v), (n_v, n_v).
        rank: Embedding dimension n_e >= 1; None (or >= n_u) = full rank.

    Returns:
        A*(r) of shape (n_u, n_v) and B*(r) (symmetric PSD, rank <= r) of shape (n_u, n_u).

    Raises:
        DataError: If the blocks are not a valid covariance.
        ConfigError: If ``rank`` is below 1.
    """
    from scipy.optimize import (
        minimize,  # only this numerical optimum needs scipy's optimiser
    )

    uu, uv, vv = validate_blocks(c_uu, c_uv, c_vv)
    n_u = uu.shape[0]
    if rank is not None:
        check_int(rank, "rank", expected="a whole number >= 1 (the embedding dimension)")
    if rank is None or rank >= n_u:
        return l2_one_sided_optimum(uu, uv, vv)
    r = int(rank)
    uu_inv = np.linalg.inv(uu)
    vv_isqrt = sym_power(vv, -0.5)
    k_root = sym_power(uv @ np.linalg.inv(vv) @ uv.T, 0.5)
    b_full = l2_one_sided_optimum(uu, uv, vv)[1]
    eig, vec = np.linalg.eigh(b_full)
    g0 = (vec[:, -r:] * np.sqrt(np.maximum(eig[-r:], 0.0))).T
    found = minimize(_l2_rank_objective, g0.ravel(), args=(r, uu, uu_inv, k_root), jac=True, method="L-BFGS-B",
                     options={"maxiter": 2000, "gtol": 1e-10, "ftol": 1e-14})
    g = found.x.reshape(r, n_u)
    b = g.T @ g
    p_root = sym_power(b + uu_inv, 0.5)
    left, s, right_t = np.linalg.svd(p_root @ uv @ vv_isqrt, full_matrices=False)
    a = p_root @ (left[:, :r] * s[:r]) @ right_t[:r] @ vv_isqrt
    return a, (b + b.T) / 2.0
