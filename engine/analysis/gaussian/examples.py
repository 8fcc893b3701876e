"""The paper's Gaussian examples as covariance blocks, and a sampler for synthetic pairs.

* :func:`paper_2d_example`: the 2-D illustration of §5.4 (digest §6.0).
* :func:`gp_example`: the Gaussian-process example of §6.1 (digest §6.1).
* :func:`sample_gaussian_pairs`: i.i.d. pairs from ``N(0, C)`` for training linear encoders.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from engine.analysis.checks import check_int, check_real
from engine.analysis.gaussian.blocks import CovarianceBlocks, validate_blocks
from engine.errors import ConfigError


def paper_2d_example() -> CovarianceBlocks:
    """The 2-D example ``C = [[1.5, 1], [1, 1.5]]`` with u, v scalars, as 1x1 blocks.

    Canonical correlation 2/3; see :mod:`engine.analysis.gaussian.optima` for its optima.
    """
    return CovarianceBlocks(np.array([[1.5]]), np.array([[1.0]]), np.array([[1.5]]))


def _positive_float(value: object, name: str, *, allow_zero: bool = False) -> float:
    bound = ">= 0" if allow_zero else "> 0"
    return check_real(value, name, low=0.0, closed=allow_zero, expected=f"a finite number {bound}")


def gp_example(
    n_u: int = 12,
    n_v: int = 5,
    *,
    length_scale: float = 3.0,
    alpha: float = 2.0,
    noise_std: float = 0.05,
    n_modes: int = 1000,
) -> CovarianceBlocks:
    """Joint covariance of the paper's Gaussian-process example (§6.1).

    The field w on (0, 1) has covariance ``(-Laplacian + length_scale^2 I)^{-alpha}`` (Neumann,
    mean-zero), i.e. the Karhunen-Loeve expansion ``w = sum_j sqrt(lambda_j) xi_j psi_j`` with
    ``psi_j(x) = sqrt(2) cos(j pi x)`` (L2-normalised), ``lambda_j = (j^2 pi^2 + length_scale^2)^{-alpha}``
    and ``xi_j ~ N(0, 1)``, truncated at ``n_modes``.

    * u: w at ``n_u`` points ``linspace(0, 1, n_u)`` (endpoints included; the paper does not say
      where its grid lies) plus independent ``N(0, noise_std^2)`` noise.
    * v: the first ``n_v`` normalised KL coefficients ``lambda_j^{-1/2} <w, psi_j> = xi_j``.

    Hence ``C_vv = I``, ``C_uv[i, j] = sqrt(lambda_j) psi_j(x_i)`` and
    ``C_uu = Psi diag(lambda) Psi^T + noise_std^2 I``.

    Args:
        n_u: Number of observation points (paper: 12).
        n_v: Number of KL coefficients in v (paper: 5); at most ``n_modes``.
        length_scale: The paper's tau (3), the GP's inverse length-scale; not a temperature.
        alpha: Smoothness exponent (paper: 2).
        noise_std: Observation noise standard deviation (paper: 0.05); must be > 0 so C_uu is
            positive definite for any n_u.
        n_modes: KL truncation (paper: 1000).

    Returns:
        The blocks, shapes (n_u, n_u), (n_u, n_v), (n_v, n_v).

    Raises:
        ConfigError: If a setting is out of range.
    """
    n_u = check_int(n_u, "n_u")
    n_v = check_int(n_v, "n_v")
    n_modes = check_int(n_modes, "n_modes")
    if n_v > n_modes:
        raise ConfigError(f"n_v: got {n_v}, more than n_modes = {n_modes}; v holds KL coefficients, so n_v <= n_modes.")
    length_scale = _positive_float(length_scale, "length_scale", allow_zero=True)
    alpha = _positive_float(alpha, "alpha")
    noise_std = _positive_float(noise_std, "noise_std")

    j = np.arange(1, n_modes + 1, dtype=np.float64)
    eigenvalues = (j**2 * np.pi**2 + length_scale**2) ** (-alpha)  # (n_modes,)
    x = np.linspace(0.0, 1.0, n_u)
    psi = np.sqrt(2.0) * np.cos(np.pi * np.outer(x, j))  # (n_u, n_modes)
    c_uu = (psi * eigenvalues) @ psi.T + noise_std**2 * np.eye(n_u)
    c_uv = psi[:, :n_v] * np.sqrt(eigenvalues[:n_v])
    return validate_blocks(c_uu, c_uv, np.eye(n_v))


def sample_gaussian_pairs(
    c_uu: ArrayLike, c_uv: ArrayLike, c_vv: ArrayLike, n: int, seed: int | np.random.Generator = 0
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Draw ``n`` i.i.d. pairs ``(u, v) ~ N(0, C)``.

    Args:
        c_uu, c_uv, c_vv: Covariance blocks, shapes (n_u, n_u), (n_u, n_v), (n_v, n_v).
        n: Number of pairs, >= 1.
        seed: Seed for ``numpy.random.default_rng``, or a Generator to continue a stream.

    Returns:
        u of shape (n, n_u) and v of shape (n, n_v).

    Raises:
        ConfigError: If ``n`` is not a positive integer.
        DataError: If the blocks are not a valid covariance.
    """
    n = check_int(n, "n")
    blocks = validate_blocks(c_uu, c_uv, c_vv)
    chol = np.linalg.cholesky(blocks.joint)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    z = rng.standard_normal((n, chol.shape[0])) @ chol.T  # (n, n_u + n_v)
    n_u = blocks.uu.shape[0]
    return z[:, :n_u], z[:, n_u:]
