"""Covariance blocks of a joint Gaussian (u, v) and the checks every Gaussian closed form shares.

The paper's Gaussian analysis (digest §5) takes a strictly positive-definite joint covariance

    C = [[C_uu, C_uv],
         [C_vu, C_vv]],   C_vu = C_uv^T,

split into blocks. Functions in :mod:`engine.analysis.gaussian.optima` take the three blocks as
separate arguments; the loss and conditional functions take them bundled as one ``C`` (a
:class:`CovarianceBlocks` or any 3-sequence ``(C_uu, C_uv, C_vv)``).

Everything is float64 NumPy. Matrix inputs that cannot be a valid covariance (wrong shape,
non-finite, asymmetric, not positive definite) raise :class:`~engine.errors.DataError`; settings
out of range (a rank, a sample count) raise :class:`~engine.errors.ConfigError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from engine.analysis.checks import as_matrix, is_integer
from engine.errors import ConfigError, DataError

#: Relative floor for eigenvalues in symmetric matrix powers. Inputs are checked positive definite
#: first, so clipping at ``EIGEN_FLOOR * largest eigenvalue`` only removes round-off (tiny negative
#: eigenvalues of a nearly singular block) instead of producing NaN or a huge inverse.
EIGEN_FLOOR = 1e-12

#: Relative tolerance for symmetry; covariances read from text or summed in float64 differ from
#: their transpose by round-off only.
SYMMETRY_RTOL = 1e-8

#: The joint covariance must have smallest eigenvalue above ``PD_RTOL * largest``; below that the
#: canonical correlations are numerically 1 and the mutual information and joint optimum blow up.
PD_RTOL = 1e-12

Matrix = NDArray[np.float64]


class CovarianceBlocks(NamedTuple):
    """The blocks ``(C_uu, C_uv, C_vv)`` of a joint covariance; unpack with ``*C`` where needed.

    Attributes:
        uu: Covariance of u. Shape: (n_u, n_u).
        uv: Cross-covariance E[u v^T]. Shape: (n_u, n_v).
        vv: Covariance of v. Shape: (n_v, n_v).
    """

    uu: Matrix
    uv: Matrix
    vv: Matrix

    @property
    def joint(self) -> Matrix:
        """The full joint covariance [[C_uu, C_uv], [C_vu, C_vv]]. Shape: (n_u + n_v, n_u + n_v)."""
        return np.block([[self.uu, self.uv], [self.uv.T, self.vv]])

    @classmethod
    def from_joint(cls, joint: ArrayLike, n_u: int) -> CovarianceBlocks:
        """Split a joint covariance whose first ``n_u`` coordinates are u.

        Raises:
            ConfigError: If ``n_u`` does not leave at least one coordinate for each of u and v.
            DataError: If ``joint`` is not a valid covariance.
        """
        full = _check_symmetric(_as_block(joint, "joint covariance"), "joint covariance")
        if not is_integer(n_u) or not 0 < n_u < full.shape[0]:
            raise ConfigError(
                f"n_u: got {n_u!r} for a {full.shape[0]}x{full.shape[0]} joint covariance; "
                f"expected an integer between 1 and {full.shape[0] - 1}."
            )
        return validate_blocks(full[:n_u, :n_u], full[:n_u, n_u:], full[n_u:, n_u:])


def _as_block(x: ArrayLike, name: str) -> Matrix:
    """Convert to a finite float64 2-D array, or raise a DataError naming ``name``."""
    return as_matrix(x, name, what="matrix (wrap scalars as [[x]] for 1-D variables)", fix="all entries must be finite")


def _check_symmetric(m: Matrix, name: str) -> Matrix:
    if m.shape[0] != m.shape[1]:
        raise DataError(f"{name}: got shape {m.shape}; a covariance block must be square.")
    scale = max(float(np.max(np.abs(m))), 1.0)
    gap = float(np.max(np.abs(m - m.T)))
    if gap > SYMMETRY_RTOL * scale:
        raise DataError(
            f"{name}: not symmetric (largest |M - M^T| entry is {gap:.3g}); "
            "a covariance must equal its transpose. Symmetrise it with (M + M.T) / 2 if this is round-off."
        )
    return (m + m.T) / 2.0


def validate_blocks(c_uu: ArrayLike, c_uv: ArrayLike, c_vv: ArrayLike) -> CovarianceBlocks:
    """Check that three blocks form a strictly positive-definite joint covariance.

    Args:
        c_uu: Covariance of u. Shape: (n_u, n_u).
        c_uv: Cross-covariance. Shape: (n_u, n_v).
        c_vv: Covariance of v. Shape: (n_v, n_v).

    Returns:
        The blocks as float64 arrays, with the diagonal blocks exactly symmetrised.

    Raises:
        DataError: On a shape mismatch, non-finite entries, asymmetry, or a joint covariance that
            is not strictly positive definite (canonical correlations would reach 1).
    """
    uu = _check_symmetric(_as_block(c_uu, "C_uu"), "C_uu")
    vv = _check_symmetric(_as_block(c_vv, "C_vv"), "C_vv")
    uv = _as_block(c_uv, "C_uv")
    if uv.shape != (uu.shape[0], vv.shape[0]):
        raise DataError(
            f"C_uv: got shape {uv.shape}; with C_uu {uu.shape} and C_vv {vv.shape} it must be "
            f"({uu.shape[0]}, {vv.shape[0]}) (rows follow u, columns follow v)."
        )
    blocks = CovarianceBlocks(uu, uv, vv)
    eig = np.linalg.eigvalsh(blocks.joint)
    if eig[0] <= PD_RTOL * max(eig[-1], 0.0) or eig[-1] <= 0.0:
        raise DataError(
            f"joint covariance [[C_uu, C_uv], [C_vu, C_vv]] is not strictly positive definite "
            f"(eigenvalues range from {eig[0]:.3g} to {eig[-1]:.3g}). u and v must not be exactly "
            "(linearly) dependent; add a small noise variance to the diagonal if they are."
        )
    return blocks


def unpack_blocks(c: CovarianceBlocks | Sequence[ArrayLike]) -> CovarianceBlocks:
    """Validate a bundled ``C`` given as :class:`CovarianceBlocks` or ``(C_uu, C_uv, C_vv)``."""
    if isinstance(c, np.ndarray) or not isinstance(c, Sequence) or len(c) != 3:
        raise DataError(
            f"C: got {type(c).__name__}; expected the three blocks (C_uu, C_uv, C_vv), e.g. a "
            "CovarianceBlocks. Use CovarianceBlocks.from_joint(joint, n_u) to split a full matrix."
        )
    return validate_blocks(*c)


def sym_power(m: Matrix, power: float, *, floor: float = EIGEN_FLOOR) -> Matrix:
    """Symmetric matrix power ``m ** power`` via ``eigh``, eigenvalues clipped at ``floor * largest``.

    Args:
        m: Symmetric positive (semi)definite matrix. Shape: (n, n).
        power: Exponent, e.g. 0.5 or -0.5.
        floor: Relative eigenvalue floor (no NaN, no huge inverse); :data:`EIGEN_FLOOR` by default.
    """
    eig, vec = np.linalg.eigh(m)
    eig = np.maximum(eig, floor * max(float(eig[-1]), np.finfo(np.float64).tiny))
    return (vec * eig**power) @ vec.T


def check_rank(rank: int | None, max_rank: int) -> int:
    """Return ``rank`` (``None`` means full, ``max_rank``) or raise a ConfigError."""
    if rank is None:
        return max_rank
    if not is_integer(rank) or not 1 <= rank <= max_rank:
        raise ConfigError(
            f"rank: got {rank!r}; expected an integer from 1 to min(n_u, n_v) = {max_rank}, "
            "or None for full rank."
        )
    return int(rank)


def check_parameter(a: ArrayLike, name: str, shape: tuple[int, int]) -> Matrix:
    """Convert a model parameter matrix (A, B, M) and check its shape against the covariance."""
    arr = _as_block(a, name)
    if arr.shape != shape:
        raise DataError(f"{name}: got shape {arr.shape}; with these covariance blocks it must be {shape}.")
    return arr
