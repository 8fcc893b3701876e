"""Low-rank (Gaussian / CCA) fit of paired embeddings, and a learned model's distance from its optimum.

The low-rank analysis of a run (digest §5):

* :func:`low_rank_analysis`: what a run stores as ``<run>/analysis/low_rank.json``;
* :func:`learned_vs_optimal`: how far a learned dual encoder is from the Gaussian optimum, after a
  linear read-out of its embeddings.

It stands on :func:`~engine.analysis.evidence.shared_dependence.estimate_shared_dependence` (the
canonical correlations, mutual information and rank for 90 % that a run reports, estimated so they
hold at 78..2,000 pairs: PCA to N / 20 per side, chance level by re-pairing, bias correction,
half-sample intervals, reasons when withheld, a Gaussianity check) and on
:class:`~engine.analysis.gaussian.fit.CrossModalGaussianFit` (canonical correlations, mutual
information, captured dependence by rank, closed-form optimal maps).

**learned_vs_optimal.**

The paper's optimum is a bilinear form ``s(u, v) = u^T A* v`` of data vectors. Texts and images
have no coordinates of their own, so :func:`learned_vs_optimal` uses the *base* model's embeddings
as the data coordinates:

1. Reduce the base embeddings of each side by PCA to ``p = min(max_dim, d, N // 20)`` dimensions
   (fitted on the pairs given, normally the test split), so the joint Gaussian has at least 10
   pairs per dimension. ``x_i``, ``y_i`` are the centred PCA scores.
2. Fit :class:`CrossModalGaussianFit` to ``(x, y)`` and take the optimum of the run's tilt in
   that space (:func:`optimum_for`): for cosine and dot the rank-k optima ``A*`` of the
   conditional (CLIP, Theorem 5.1) and joint (Theorem 5.6) losses; for L2 the one-sided L2
   optimum of Theorem 5.3 (full rank, or its rank-r form when the tuned width is below p).
3. Read out the tuned model's similarity as a bilinear form of the same features: the least-squares
   ``A_hat`` minimising ``sum_ij (S_ij - x_i^T A y_j)^2`` over the double-centred tuned score
   matrix S. Double centring removes additive terms ``f(u_i) + g(v_j)``, which no bilinear form
   of centred features can represent, so the read-out measures the *interaction* part of the
   score only (for the L2 tilt this drops ``-|g_u|^2/2`` and ``-|g_v|^2/2``, i.e. the paper's B
   and C terms, and keeps ``A = G^T H``). The solution is
   ``A_hat = (X^T X)^{-1} X^T U~ V~^T Y (Y^T Y)^{-1}``, i.e. exactly the product of the
   two linear regressions of the tuned embeddings U~, V~ on the base features; S (N x N) is never
   formed.
4. Compare in whitened coordinates, the geometry of the population conditional loss:
   ``W_hat = C_uu^{1/2} A_hat C_vv^{1/2}`` against ``W*_k = C_uu^{1/2} A* C_vv^{1/2}``, after the
   scale c >= 0 that best matches (the temperature and normalisation change the scale of scores,
   and a rescaled similarity ranks identically). ``relative_error = ||c W_hat - W*_k|| / ||W*_k||``
   is 0 for the optimum and 1 for a read-out with nothing in common with it.

The tuned embeddings' own canonical correlations (fitted the same way, PCA to the same widths) are
reported next to the base ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from engine.analysis import wording
from engine.analysis.checks import as_matrix, check_int, unit_rows
from engine.analysis.evidence.shared_dependence import (
    METHOD,
    estimate_shared_dependence,
    pca_scores,
)
from engine.analysis.gaussian.blocks import check_rank, sym_power
from engine.analysis.gaussian.fit import Array, CrossModalGaussianFit
from engine.analysis.gaussian.optima import l2_one_sided_optimum_rank
from engine.analysis.wording import keyed
from engine.errors import ConfigError, DataError
from engine.names import TILT_NAMES as READOUT_TILTS

__all__ = ["learned_vs_optimal", "low_rank_analysis", "optimum_for"]

#: Pairs per joint dimension kept by the automatic PCA width (so the Gaussian fit is not biased).
PAIRS_PER_DIMENSION = 10

#: Losses with a closed-form one-sided L2 optimum (Theorem 5.3 and its mirror); others use the nearest.
L2_ONE_SIDED_LOSSES = ("left-given-right", "right-given-left")


def _prepare(tuned: Array, tilt: str) -> Array:
    """Embeddings whose inner products are the tuned scores up to row/column terms, centred."""
    if tilt == "cosine":
        tuned = unit_rows(tuned)
    return tuned - tuned.mean(axis=0)


def _readout(
    x: Array, y: Array, left: Array, right: Array, fit: CrossModalGaussianFit, targets: dict[str, Array]
) -> dict[str, Any]:
    """Bilinear read-out of ``left @ right.T`` on features (x, y) and its distance to each target."""
    # Least squares with a Kronecker design: (X^T X) A (Y^T Y) = X^T S Y, and X^T S Y factorises.
    p_left = np.linalg.solve(x.T @ x, x.T @ left)  # (p_u, e): regression of left on x
    p_right = np.linalg.solve(y.T @ y, y.T @ right)  # (p_v, e)
    a_hat = p_left @ p_right.T  # (p_u, p_v)
    root_u = sym_power(fit.covariance_uu_, 0.5, floor=float(fit.eps))
    root_v = sym_power(fit.covariance_vv_, 0.5, floor=float(fit.eps))
    w_hat = root_u @ a_hat @ root_v
    # R^2 of the read-out on the double-centred score matrix, from (e x e) traces only.
    fitted_left, fitted_right = x @ p_left, y @ p_right
    total = float(np.sum((left.T @ left) * (right.T @ right)))
    explained = float(np.sum((fitted_left.T @ fitted_left) * (fitted_right.T @ fitted_right)))
    result: dict[str, Any] = {
        "r2": explained / total if total > 0 else 0.0,
        "whitened_singular_values": [],
    }
    norm_hat = float(np.linalg.norm(w_hat))
    for name, w_star in targets.items():
        inner = float(np.sum(w_hat * w_star))
        norm_star = float(np.linalg.norm(w_star))
        scale = max(inner, 0.0) / norm_hat**2 if norm_hat > 0 else 0.0
        result[name] = {
            "scale": scale,
            "alignment": inner / (norm_hat * norm_star) if norm_hat > 0 and norm_star > 0 else 0.0,
            "relative_error": float(np.linalg.norm(scale * w_hat - w_star)) / norm_star if norm_star > 0 else 0.0,
        }
    # Share of the full-rank optimal conditional-loss gain reached: 1 - ||c W_hat - W||^2 / ||W||^2.
    w_full = fit.whitened_cross_covariance_
    inner_full = float(np.sum(w_hat * w_full))
    c_full = max(inner_full, 0.0) / norm_hat**2 if norm_hat > 0 else 0.0
    gap = float(np.linalg.norm(c_full * w_hat - w_full)) ** 2
    result["share_of_optimal_conditional_gain"] = 1.0 - gap / max(float(np.linalg.norm(w_full)) ** 2, 1e-300)
    result["whitened_singular_values"] = np.linalg.svd(c_full * w_hat, compute_uv=False).tolist()
    return result


def optimum_for(
    fit: CrossModalGaussianFit, tilt: str, loss: str | None, rank: int, width: int
) -> tuple[dict[str, Array], dict[str, Any]]:
    """The whitened optimum (or optima) a run of this tilt and loss is compared with, and what it is.

    * cosine / dot: the bilinear optima of the CLIP (conditional, Theorem 5.1) and joint (Theorem
      5.6) losses at rank k, as before.
    * l2: the one-sided L2 optimum of Theorem 5.3, ``A* = C_u|v^-1 C_uv C_vv^-1`` (right-given-left:
      its mirror ``C_uu^-1 C_uv C_v|u^-1``) at full rank when the tuned width reaches the side's
      dimension, else the paper's rank-r form with r = the tuned width (eq. 50, numerical B*). In
      whitened coordinates both one-sided optima are ``U diag(sigma / (1 - sigma^2)) V^T``, so for
      CLIP and joint, which have no L2 closed form, the one-sided optimum is the nearest available.

    Returns:
        ``({target name: whitened matrix}, descriptor)``; the descriptor (stored as
        ``learned_vs_optimal.optimum``) has ``tilt``, ``loss``, ``targets``, ``theorem``, ``form``
        (``"rank"`` or ``"full"``), ``rank`` and ``exact_for_loss``.
    """
    root_u = sym_power(fit.covariance_uu_, 0.5, floor=float(fit.eps))
    root_v = sym_power(fit.covariance_vv_, 0.5, floor=float(fit.eps))
    if tilt != "l2":
        maps = fit.optimal_maps(rank, as_arrays=True)
        targets = {name: root_u @ maps[name]["A"] @ root_v for name in ("conditional", "joint")}
        return targets, {"tilt": tilt, "loss": loss, "targets": list(targets), "theorem": "5.1, 5.6", "form": "rank",
                         "rank": rank, "exact_for_loss": True}
    uu, uv, vv = fit.blocks()
    if loss == "right-given-left":
        side = vv.shape[0]
        r = None if width >= side else width
        a_t, _ = l2_one_sided_optimum_rank(vv, uv.T, uu, rank=r)
        a = a_t.T
    else:
        side = uu.shape[0]
        r = None if width >= side else width
        a, _ = l2_one_sided_optimum_rank(uu, uv, vv, rank=r)
    return {"l2": root_u @ a @ root_v}, {
        "tilt": tilt, "loss": loss, "targets": ["l2"], "theorem": "5.3", "form": "full" if r is None else "rank",
        "rank": side if r is None else r, "exact_for_loss": loss in L2_ONE_SIDED_LOSSES,
    }


def _widths(n: int, d_u: int, d_v: int, max_dim: int) -> tuple[int, int]:
    cap = max(1, n // (2 * PAIRS_PER_DIMENSION))
    return min(max_dim, d_u, cap, n - 1), min(max_dim, d_v, cap, n - 1)


def learned_vs_optimal(
    U_base: ArrayLike,
    V_base: ArrayLike,
    U_tuned: ArrayLike,
    V_tuned: ArrayLike,
    *,
    rank: int | None = None,
    tilt: str = "cosine",
    base_tilt: str = "cosine",
    max_dim: int = 64,
    shrinkage: str | float | None = "auto",
    loss: str | None = None,
) -> dict[str, Any]:
    """Distance of a tuned model's similarity from the Gaussian optimum of its tilt (module doc, :func:`optimum_for`).

    Expected values: 0 relative error (and share of gain 1) when the tuned scores are exactly
    ``x^T A* y`` for the fitted optimum, at any positive scale; about 1 for a read-out unrelated
    to it.

    Args:
        U_base: Base-model embeddings of the left items. Shape: (N, d_u).
        V_base: Base-model embeddings of the paired right items. Shape: (N, d_v).
        U_tuned: Tuned-model embeddings of the same left items. Shape: (N, e).
        V_tuned: Tuned-model embeddings of the same right items. Shape: (N, e).
        rank: Rank k of the optimum; None = min(p_u, p_v, e) (the tuned model's embedding width
            bounds the rank of its bilinear form).
        tilt: How the tuned model scores pairs: ``"cosine"`` (normalise, then dot), ``"dot"`` or
            ``"l2"`` (same bilinear part as ``"dot"``). The temperature does not matter.
        base_tilt: How the base model scores pairs, for the base model's own read-out (computed
            only when d_u == d_v).
        max_dim: Cap on the PCA width per side.
        shrinkage: Passed to :class:`CrossModalGaussianFit`.
        loss: The run's loss name (``engine.config.LOSS_NAMES``); picks the L2 optimum's side and
            says whether it is exact for that loss. None reads as a one-sided u|v loss.

    Returns:
        JSON-serialisable dict: ``n_pairs``, ``dims``, ``rank``, ``optimum`` (which optimum the
        read-outs are compared with, see :func:`optimum_for`), ``base_fit`` and ``tuned_fit``
        (``to_dict()`` summaries), ``mutual_information_ratio`` (tuned / base), ``readout``
        (``tuned`` and ``base``, each with one entry per target of ``optimum["targets"]``:
        ``conditional`` / ``joint`` for cosine and dot, ``l2`` for the L2 tilt, each with ``scale``,
        ``alignment``, ``relative_error``; plus ``share_of_optimal_conditional_gain``, ``r2`` and
        ``whitened_singular_values``), and ``notes`` stating the assumptions (English; keyed
        forms in ``notes_keyed``, see :func:`engine.analysis.wording.render_texts`).

    Raises:
        DataError: Bad arrays, differing row counts, or tuned sides of different widths.
        ConfigError: Unknown tilt, bad ``max_dim`` or ``rank``.
    """
    what = "(N pairs, d features) array"
    u_b, v_b, u_t, v_t = (
        as_matrix(x, name, what=what, min_rows=4)
        for x, name in ((U_base, "U_base"), (V_base, "V_base"), (U_tuned, "U_tuned"), (V_tuned, "V_tuned"))
    )
    n = u_b.shape[0]
    if any(a.shape[0] != n for a in (v_b, u_t, v_t)):
        raise DataError(
            f"learned_vs_optimal: row counts differ (U_base {n}, V_base {v_b.shape[0]}, U_tuned {u_t.shape[0]}, "
            f"V_tuned {v_t.shape[0]}); pass the embeddings of the same N pairs, in the same order, from both models."
        )
    if u_t.shape[1] != v_t.shape[1]:
        raise DataError(
            f"U_tuned has width {u_t.shape[1]} but V_tuned {v_t.shape[1]}; a dual encoder scores pairs by an inner "
            "product, so both sides must embed into the same space."
        )
    for name, value in (("tilt", tilt), ("base_tilt", base_tilt)):
        if value not in READOUT_TILTS:
            raise ConfigError(f"{name}: got {value!r}; expected one of {', '.join(READOUT_TILTS)}.")
    check_int(max_dim, "max_dim", expected="a positive integer (PCA width per side), e.g. 64")

    p_u, p_v = _widths(n, u_b.shape[1], v_b.shape[1], int(max_dim))
    x, y = pca_scores(u_b, p_u), pca_scores(v_b, p_v)
    base_fit = CrossModalGaussianFit(shrinkage=shrinkage).fit(x, y)
    k = check_rank(rank, min(p_u, p_v)) if rank is not None else min(p_u, p_v, u_t.shape[1])
    maps = base_fit.optimal_maps(k, as_arrays=True)
    targets, optimum = optimum_for(base_fit, tilt, loss, k, u_t.shape[1])

    readout = {"tuned": _readout(x, y, _prepare(u_t, tilt), _prepare(v_t, tilt), base_fit, targets), "base": None}
    if u_b.shape[1] == v_b.shape[1]:
        readout["base"] = _readout(x, y, _prepare(u_b, base_tilt), _prepare(v_b, base_tilt), base_fit, targets)

    q_u, q_v = min(p_u, u_t.shape[1]), min(p_v, v_t.shape[1])
    tuned_fit = CrossModalGaussianFit(shrinkage=shrinkage).fit(pca_scores(u_t, q_u), pca_scores(v_t, q_v))
    base_mi = base_fit.mutual_information_
    result = {
        "n_pairs": n,
        "dims": {"base_u": u_b.shape[1], "base_v": v_b.shape[1], "tuned": u_t.shape[1], "pca_u": p_u, "pca_v": p_v},
        "rank": k,
        "optimum": optimum,
        "tilt": tilt,
        "base_tilt": base_tilt,
        "base_fit": base_fit.to_dict(),
        "tuned_fit": tuned_fit.to_dict(),
        "mutual_information_ratio": tuned_fit.mutual_information_ / base_mi if base_mi > 0 else None,
        "optimal_loss": {"conditional": maps["conditional"]["optimal_loss"], "joint": maps["joint"]["optimal_loss"]},
        "readout": readout,
    }
    wording.store(result, "notes", _notes(n, p_u, p_v, base_fit, readout["base"] is None, optimum))
    return result


def _notes(n: int, p_u: int, p_v: int, base_fit: CrossModalGaussianFit, no_base: bool,
           optimum: dict[str, Any]) -> list[Any]:
    """The assumptions behind the comparison, as keyed sentences (:mod:`engine.analysis.wording`)."""
    notes: list[Any] = [
        keyed("analysis.LOW_RANK_NOTE_OPTIMUM", n=n, p_u=p_u, p_v=p_v),
        keyed("analysis.LOW_RANK_NOTE_READOUT"),
        keyed("analysis.LOW_RANK_NOTE_RESCALING"),
        keyed("analysis.LOW_RANK_NOTE_CANONICAL"),
    ]
    if base_fit.shrinkage_note_keyed_:
        notes.append(base_fit.shrinkage_note_keyed_)
    if no_base:
        notes.append(keyed("analysis.LOW_RANK_NOTE_NO_BASE"))
    if optimum["tilt"] == "l2":
        notes.append(keyed("analysis.LOW_RANK_NOTE_L2_OPTIMUM", {"form": "analysis.L2_OPTIMUM_FORM"},
                           form=optimum["form"]))
        if not optimum["exact_for_loss"] and optimum["loss"]:
            notes.append(keyed("analysis.LOW_RANK_NOTE_L2_NO_THEORY", loss=optimum["loss"]))
    return notes


def low_rank_analysis(
    embeddings: dict[str, Any], *, tilt: str, base_tilt: str, loss: str | None = None,
    n_resamples: int | None = None, seed: int = 0,
) -> dict[str, Any]:
    """The stored ``<run>/analysis/low_rank.json``: shared dependence of base and tuned, and learned vs optimal.

    Args:
        embeddings: The run's stored embeddings (``base_left``, ``base_right``, ``tuned_left``,
            ``tuned_right``; (N, d) arrays of the test pairs).
        tilt: The tuned model's tilt; base_tilt: the base model's scoring.
        loss: The run's loss name, for the L2 optimum.
        n_resamples: Half-samples for the intervals (None: the estimator's default).
        seed: Resampling seed.

    Returns:
        ``{"method", "base", "tuned", "learned_vs_optimal"}``; ``base`` and ``tuned`` are
        :func:`estimate_shared_dependence` results.
    """
    extra = {} if n_resamples is None else {"n_resamples": int(n_resamples)}
    return {
        "method": METHOD,
        "base": estimate_shared_dependence(embeddings["base_left"], embeddings["base_right"], seed=seed, **extra),
        "tuned": estimate_shared_dependence(embeddings["tuned_left"], embeddings["tuned_right"], seed=seed, **extra),
        "learned_vs_optimal": learned_vs_optimal(embeddings["base_left"], embeddings["base_right"],
                                                 embeddings["tuned_left"], embeddings["tuned_right"], tilt=tilt,
                                                 base_tilt=base_tilt, loss=loss),
    }
