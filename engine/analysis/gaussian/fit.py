"""How much cross-modal dependence paired embeddings hold, and at what rank (digest §5).

The low-rank analysis of a run (:mod:`engine.analysis.evidence.low_rank`) reads a run's embeddings
through it.

:class:`CrossModalGaussianFit` fits one joint Gaussian to paired embeddings ``U`` (left, the
paper's u) and ``V`` (right, v) and reads the paper's Gaussian analysis off it:

* the whitened cross-covariance ``W = C_uu^{-1/2} C_uv C_vv^{-1/2} = U diag(sigma) V^T``, whose
  singular values ``sigma`` are the canonical correlations (CCA);
* the Gaussian mutual information ``I(u; v) = -1/2 sum_i log(1 - sigma_i^2)`` and the share of it
  carried by the top-k canonical pairs, plus the smallest k reaching 90 % (``rank_for_90_``);
* the closed-form optimal rank-k linear maps of the paper's losses for that Gaussian
  (:meth:`CrossModalGaussianFit.optimal_maps`).

For the 2-D example ``C = [[1.5, 1], [1, 1.5]]``: sigma = 2/3, I = 0.29389 nats (0.42400 bits),
all of it at rank 1.

**Small samples.** Canonical correlations estimated from ``N`` pairs in ``D = d_u + d_v``
dimensions are biased upwards: with N close to D, noise directions alone reach correlations near
1. Ledoit-Wolf shrinkage (``shrinkage="auto"``) pulls them back; ``shrinkage_note_`` says in
words when N < 10 D and the spectrum is only indicative.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator
from sklearn.covariance import ledoit_wolf_shrinkage

from engine.analysis import wording
from engine.analysis.checks import check_pairs, check_real, is_real
from engine.analysis.gaussian.blocks import CovarianceBlocks, check_rank, sym_power
from engine.analysis.gaussian.optima import (
    bilinear_conditional_optimum,
    canonical_correlations,
    joint_optimum,
    l2_one_sided_optimum,
    optimal_conditional_loss,
    optimal_encoders_bilinear,
    optimal_joint_loss,
    optimal_l2_one_sided_loss,
)
from engine.analysis.wording import keyed
from engine.errors import ConfigError, DataError, NotFittedError

logger = logging.getLogger(__name__)

#: Below this many pairs per joint dimension the fitted spectrum is flagged as biased upwards.
PAIRS_PER_DIMENSION = 10

#: Share of the mutual information that ``rank_for_90_`` must reach.
CAPTURE_TARGET = 0.9

#: Canonical correlations are capped just below 1 for the mutual information, which is infinite at
#: 1; a singular covariance (more dimensions than pairs, no shrinkage) would otherwise give inf.
SIGMA_CAP = 1.0 - 1e-12

Array = NDArray[np.float64]


def captured_share(parts: Array) -> Array:
    """Cumulative share of ``sum(parts)`` held by the first k parts, k = 1..len; all 1 if the sum is 0."""
    total = float(np.sum(parts))
    if total <= 0.0:
        return np.ones_like(parts)
    return np.minimum(np.cumsum(parts) / total, 1.0)


def rank_for_share(share: Array, target: float = CAPTURE_TARGET) -> int:
    """Smallest k (1-based) whose cumulative share reaches ``target`` (callers map "no dependence" to 0)."""
    # Round-off can leave an exact 0.9 at 0.8999999; compare with a tiny slack.
    return int(np.argmax(share >= target - 1e-12)) + 1


def mutual_information_terms(sigma: Array) -> Array:
    """Per-pair Gaussian mutual information ``-1/2 log(1 - sigma_i^2)`` in nats."""
    s = np.minimum(sigma, SIGMA_CAP)
    return -0.5 * np.log1p(-(s**2))


def _not_fitted(estimator: object) -> NotFittedError:
    name = type(estimator).__name__
    return NotFittedError(
        f"This {name} instance is not fitted yet. Call 'fit' with appropriate arguments before using this estimator."
    )


class CrossModalGaussianFit(BaseEstimator):  # type: ignore[misc]
    """Joint Gaussian of paired embeddings: canonical correlations, mutual information, optimal maps.

    Fits ``N(mean, C)`` to the stacked pairs ``[u, v]`` (float64), optionally shrinks ``C``, and
    computes ``W = C_uu^{-1/2} C_uv C_vv^{-1/2}`` by symmetric eigendecomposition. Expected values
    for the paper's 2-D example (exact covariance, no shrinkage): ``canonical_correlations_ =
    [2/3]``, ``mutual_information_ = 0.29389``, ``captured_dependence_ = [1.0]``,
    ``rank_for_90_ = 1``.

    Args:
        shrinkage: ``"auto"`` for the Ledoit-Wolf amount, a float in [0, 1] for a fixed amount, or
            None for the plain sample covariance. Shrinkage pulls ``C`` towards a multiple of the
            identity; both sides are first put on the same average variance, so the result does
            not depend on the units of either side.
        center: Subtract the sample means (True), or treat the data as mean zero and use second
            moments (False; the paper's Remark D.2).
        eps: Relative eigenvalue floor in ``C_uu^{-1/2}`` and ``C_vv^{-1/2}``: eigenvalues below
            ``eps * largest`` are raised to it.

    Attributes:
        n_samples_: Number of pairs N.
        n_features_u_, n_features_v_: d_u and d_v.
        mean_u_, mean_v_: Means, shapes (d_u,), (d_v,) (zeros when ``center=False``).
        covariance_: Joint covariance after shrinkage, shape (d_u + d_v, d_u + d_v).
        covariance_uu_, covariance_uv_, covariance_vv_: Its blocks (views into ``covariance_``).
        shrinkage_: Shrinkage amount actually applied, in [0, 1].
        shrinkage_note_: Plain-words warning when N < 10 (d_u + d_v) (or the covariance is
            singular), else None; in English.
        shrinkage_note_keyed_: The same as keyed parts (:mod:`engine.analysis.wording`), or None.
        whitened_cross_covariance_: W, shape (d_u, d_v).
        canonical_correlations_: Singular values of W, descending, shape (K,), K = min(d_u, d_v).
        U_, V_: Left and right singular vectors of W, shapes (d_u, K) and (d_v, K).
        mutual_information_: ``-1/2 sum log(1 - sigma_i^2)`` in nats.
        mutual_information_bits_: The same in bits.
        captured_dependence_: Share of the mutual information carried by the top-k canonical
            pairs, k = 1..K, shape (K,).
        captured_correlation_share_: Share of ``sum sigma_i^2`` carried by the top k, shape (K,).
        rank_for_90_: Smallest k with ``captured_dependence_[k - 1] >= 0.9`` (0 if sigma = 0).
    """

    def __init__(self, *, shrinkage: str | float | None = "auto", center: bool = True, eps: float = 1e-10) -> None:
        self.shrinkage = shrinkage
        self.center = center
        self.eps = eps

    # ------------------------------------------------------------------ fitting

    def _check_params(self) -> None:
        s = self.shrinkage
        if not (s is None or (isinstance(s, str) and s == "auto") or (is_real(s) and 0.0 <= float(s) <= 1.0)):
            raise ConfigError(
                f"shrinkage: got {s!r}; expected 'auto' (Ledoit-Wolf), a number in [0, 1], or None (no shrinkage)."
            )
        if not isinstance(self.center, (bool, np.bool_)):
            raise ConfigError(f"center: got {self.center!r}; expected True or False.")
        check_real(self.eps, "eps", low=0.0, high=1.0, expected="a relative eigenvalue floor in (0, 1), e.g. 1e-10")

    def fit(self, U: ArrayLike, V: ArrayLike) -> CrossModalGaussianFit:  # paper's names
        """Fit the joint Gaussian and its canonical-correlation summary.

        Args:
            U: Left embeddings, row i paired with row i of V. Shape: (N, d_u).
            V: Right embeddings. Shape: (N, d_v).

        Returns:
            self.

        Raises:
            ConfigError: If a constructor parameter is out of range.
            DataError: If U or V is not a finite 2-D array, they differ in rows, or N < 2.
        """
        self._check_params()
        u, v = check_pairs(U, V)
        n, d_u = u.shape
        d_v = v.shape[1]
        x = np.hstack([u, v])  # (N, d_u + d_v)
        mean = x.mean(axis=0) if self.center else np.zeros(x.shape[1])
        self.covariance_, self.shrinkage_ = self._shrunk_covariance(x - mean, d_u)
        self.n_samples_, self.n_features_u_, self.n_features_v_ = n, d_u, d_v
        self.mean_u_, self.mean_v_ = mean[:d_u], mean[d_u:]
        self.covariance_uu_ = self.covariance_[:d_u, :d_u]
        self.covariance_uv_ = self.covariance_[:d_u, d_u:]
        self.covariance_vv_ = self.covariance_[d_u:, d_u:]

        eps = float(self.eps)
        # covariance_ is exactly symmetric (_shrunk_covariance averages it with its transpose), as eigh assumes.
        uu_isqrt = sym_power(self.covariance_uu_, -0.5, floor=eps)
        w = uu_isqrt @ self.covariance_uv_ @ sym_power(self.covariance_vv_, -0.5, floor=eps)  # (d_u, d_v)
        left, sigma, right_t = np.linalg.svd(w, full_matrices=False)
        self.whitened_cross_covariance_ = w
        self.canonical_correlations_ = sigma
        self.U_, self.V_ = left, right_t.T

        mi_terms = mutual_information_terms(sigma)
        self.mutual_information_ = float(np.sum(mi_terms))
        self.mutual_information_bits_ = self.mutual_information_ / math.log(2.0)
        self.captured_dependence_ = captured_share(mi_terms)
        self.captured_correlation_share_ = captured_share(sigma**2)
        self.rank_for_90_ = rank_for_share(self.captured_dependence_) if self.mutual_information_ > 0 else 0
        self.shrinkage_note_keyed_ = self._note(n, d_u + d_v, bool(sigma.size and sigma[0] >= SIGMA_CAP))
        self.shrinkage_note_ = wording.english(self.shrinkage_note_keyed_) if self.shrinkage_note_keyed_ else None
        if self.shrinkage_note_:
            logger.info("CrossModalGaussianFit: %s", self.shrinkage_note_)
        return self

    def _shrunk_covariance(self, xc: Array, d_u: int) -> tuple[Array, float]:
        """Covariance of the centred data after shrinkage, and the amount used."""
        n = xc.shape[0]
        # Shrink on a common scale: the Ledoit-Wolf target is a multiple of the identity, which
        # would otherwise favour whichever side happens to have larger numbers.
        var = np.mean(xc**2, axis=0)
        side_u, side_v = (math.sqrt(max(float(part.mean()), 1e-300)) for part in (var[:d_u], var[d_u:]))
        scale = np.concatenate([np.full(d_u, side_u), np.full(xc.shape[1] - d_u, side_v)])
        z = xc / scale
        emp = z.T @ z / n
        if isinstance(self.shrinkage, str):  # "auto", checked in _check_params
            amount = float(ledoit_wolf_shrinkage(z, assume_centered=True))
        elif self.shrinkage is None:
            amount = 0.0
        else:
            amount = float(self.shrinkage)
        mu = float(np.trace(emp)) / emp.shape[0]
        shrunk = (1.0 - amount) * emp + amount * mu * np.eye(emp.shape[0])
        cov = shrunk * np.outer(scale, scale)
        return (cov + cov.T) / 2.0, amount

    def _note(self, n: int, dim: int, saturated: bool) -> list[dict[str, Any]] | None:
        if n >= PAIRS_PER_DIMENSION * dim and not saturated:
            return None
        how = (
            keyed("analysis.SHRINKAGE_AUTO", amount=float(self.shrinkage_))
            if isinstance(self.shrinkage, str)
            else keyed("analysis.SHRINKAGE_FIXED", amount=float(self.shrinkage_))
            if self.shrinkage_ > 0
            else keyed("analysis.SHRINKAGE_NONE")
        )
        parts = [keyed("analysis.SHRINKAGE_NOTE", n=n, dim=dim, per_dim=n / dim, minimum=PAIRS_PER_DIMENSION, how=how)]
        if saturated:
            parts.append(keyed("analysis.SHRINKAGE_SATURATED"))
        return parts

    # ------------------------------------------------------------------ results

    def _check_fitted(self) -> None:
        if not hasattr(self, "canonical_correlations_"):
            raise _not_fitted(self)

    def blocks(self) -> CovarianceBlocks:
        """The fitted covariance as :class:`CovarianceBlocks` for the closed forms of :mod:`engine.analysis.gaussian.optima`."""
        self._check_fitted()
        return CovarianceBlocks(self.covariance_uu_.copy(), self.covariance_uv_.copy(), self.covariance_vv_.copy())

    def optimal_maps(self, rank: int | None = None, *, as_arrays: bool = False) -> dict[str, Any]:
        """Closed-form optimal linear maps of the paper's losses for the fitted Gaussian (digest §5.5).

        The maps act on centred embeddings (``u - mean_u_``, ``v - mean_v_``; affine encoders,
        the paper's footnote 4), with temperature 1 and unnormalised encoders:

        * ``conditional``: bilinear ("dot") tilt with CLIP or either one-sided conditional loss
          (Theorem 5.1): ``A*(k) = C_uu^{-1/2} U_k Sigma_k V_k^T C_vv^{-1/2}``, encoders
          ``G = Sigma_k^{1/2} U_k^T C_uu^{-1/2}``, ``H = Sigma_k^{1/2} V_k^T C_vv^{-1/2}`` (the top-k
          CCA directions), optimal loss ``-1/2 sum_{i<=k} sigma_i^2``;
        * ``joint``: the same with ``sigma -> h(sigma)`` (Theorem 5.6);
        * ``l2_left_given_right``: L2 tilt, one-sided u|v loss (Theorem 5.3), **full rank only**
          (it needs n_e >= d_u; the rank-k optimum has no closed form): ``A*``, ``B*`` and the
          optimal loss ``-I(u; v)``.

        Args:
            rank: k in 1..min(d_u, d_v); None = full rank.
            as_arrays: Return matrices as NumPy arrays instead of nested lists (lists keep the
                dict JSON-serialisable; for 384-dim embeddings they are large).

        Returns:
            ``{"rank", "mean_u", "mean_v", "conditional": {"A", "G", "H", "optimal_loss"},
            "joint": {...same}, "l2_left_given_right": {"A", "B", "optimal_loss", "rank", "note"}}``.

        Raises:
            NotFittedError: Before :meth:`fit`.
            ConfigError: If ``rank`` is out of range.
            DataError: If the fitted covariance is singular (fit with shrinkage to avoid this).
        """
        self._check_fitted()
        k = check_rank(rank, self.canonical_correlations_.size)
        blocks = self.blocks()
        try:
            sigma = canonical_correlations(*blocks)
            a_cond = bilinear_conditional_optimum(*blocks, rank=k)
            a_joint = joint_optimum(*blocks, rank=k)
            enc_cond = optimal_encoders_bilinear(*blocks, rank=k, loss="conditional")
            enc_joint = optimal_encoders_bilinear(*blocks, rank=k, loss="joint")
            a_l2, b_l2 = l2_one_sided_optimum(*blocks)
        except DataError as exc:
            raise DataError(
                f"optimal_maps: the fitted covariance of {self.n_samples_} pairs in "
                f"{self.n_features_u_ + self.n_features_v_} dimensions cannot be inverted ({exc}). "
                "Refit with shrinkage='auto' or a shrinkage > 0."
            ) from exc
        out = (lambda m: m) if as_arrays else (lambda m: np.asarray(m).tolist())
        return {
            "rank": k,
            "mean_u": out(self.mean_u_),
            "mean_v": out(self.mean_v_),
            "conditional": {
                "A": out(a_cond),
                "G": out(enc_cond[0]),
                "H": out(enc_cond[1]),
                "optimal_loss": optimal_conditional_loss(sigma, k),
            },
            "joint": {
                "A": out(a_joint),
                "G": out(enc_joint[0]),
                "H": out(enc_joint[1]),
                "optimal_loss": optimal_joint_loss(sigma, k),
            },
            "l2_left_given_right": {
                "A": out(a_l2),
                "B": out(b_l2),
                "optimal_loss": optimal_l2_one_sided_loss(sigma),
                "rank": "full",
                "note": "Full rank (needs an embedding dimension >= d_u); the rank-k L2 optimum has no closed form.",
            },
        }

    def score(self, U: ArrayLike, V: ArrayLike) -> float:
        """Mean Gaussian log-likelihood per pair (nats) of ``(U, V)`` under the fitted joint law.

        Args:
            U: Left embeddings. Shape: (M, d_u).
            V: Right embeddings. Shape: (M, d_v).

        Raises:
            NotFittedError: Before :meth:`fit`.
            DataError: Bad arrays, or widths that differ from the fitted ones.
        """
        self._check_fitted()
        u, v = check_pairs(U, V)
        if u.shape[1] != self.n_features_u_ or v.shape[1] != self.n_features_v_:
            raise DataError(
                f"score: got widths ({u.shape[1]}, {v.shape[1]}); the model was fitted on "
                f"({self.n_features_u_}, {self.n_features_v_}). Score embeddings from the same encoders."
            )
        x = np.hstack([u - self.mean_u_, v - self.mean_v_])  # (M, D)
        eig, vec = np.linalg.eigh(self.covariance_)
        eig = np.maximum(eig, float(self.eps) * eig[-1])
        proj = x @ vec  # (M, D)
        maha = np.sum(proj**2 / eig, axis=1)
        return float(-0.5 * (x.shape[1] * math.log(2.0 * math.pi) + np.sum(np.log(eig)) + np.mean(maha)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable summary: spectrum, captured-dependence curves, rank for 90 %, MI, note.

        Raises:
            NotFittedError: Before :meth:`fit`.
        """
        self._check_fitted()
        return {
            "n_samples": int(self.n_samples_),
            "dim_u": int(self.n_features_u_),
            "dim_v": int(self.n_features_v_),
            "center": bool(self.center),
            "shrinkage": self.shrinkage if isinstance(self.shrinkage, (str, type(None))) else float(self.shrinkage),
            "shrinkage_applied": float(self.shrinkage_),
            "shrinkage_note": self.shrinkage_note_,
            "shrinkage_note_keyed": self.shrinkage_note_keyed_,
            "canonical_correlations": self.canonical_correlations_.tolist(),
            "captured_dependence": self.captured_dependence_.tolist(),
            "captured_correlation_share": self.captured_correlation_share_.tolist(),
            "rank_for_90": int(self.rank_for_90_),
            "rank_for_90_correlation_share": (
                rank_for_share(self.captured_correlation_share_) if self.mutual_information_ > 0 else 0
            ),
            "mutual_information_nats": float(self.mutual_information_),
            "mutual_information_bits": float(self.mutual_information_bits_),
        }


def fit_cross_modal_gaussian(U: ArrayLike, V: ArrayLike, **kwargs: Any) -> dict[str, Any]:
    """Free-function twin of :class:`CrossModalGaussianFit`: fit and return ``to_dict()``.

    Args:
        U: Left embeddings. Shape: (N, d_u).
        V: Right embeddings. Shape: (N, d_v).
        **kwargs: ``shrinkage``, ``center``, ``eps`` as in the estimator.

    Returns:
        The JSON-serialisable summary of :meth:`CrossModalGaussianFit.to_dict`.
    """
    return CrossModalGaussianFit(**kwargs).fit(U, V).to_dict()
