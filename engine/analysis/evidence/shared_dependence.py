"""How much two sides of paired embeddings share, estimated so that it holds at a few hundred pairs.

:mod:`engine.analysis.evidence.low_rank` stores it for every run; the method, its reasons and a
measured table are in ``docs/low-rank.md``.

Plain CCA of 384 + 384-dimensional embeddings on 78..2,000 pairs reports dependence that is not
there: noise directions alone reach canonical correlations near 1. :func:`estimate_shared_dependence`
therefore

1. reduces each side by PCA to ``p = min(d, N // 20, MAX_DIMENSIONS)`` dimensions (20 pairs per
   dimension per side), fitted on the same pairs (PCA does not look at the pairing);
2. computes the sample canonical correlations ``r_i`` of the reduced sides (QR + SVD, no
   shrinkage: the correction below is for the plain sample covariance);
3. counts the directions above **chance**: the ``SUPPORT_LEVEL`` quantile of the largest canonical
   correlation over ``n_permutations`` re-pairings of the same rows (shuffling one side keeps both
   marginals, embeddings' non-Gaussian shapes included, and destroys only the link);
4. corrects each supported ``r_i`` for its known upward bias at dimension-to-sample ratios
   ``c_u = p_u / N``, ``c_v = p_v / N`` by inverting the high-dimensional limit of a spiked
   canonical correlation (Bao, Hu, Pan and Zhou 2019, Ann. Statist. 47(1), Thm 2.3):
   ``r^2 -> rho^2 (1 - c_u + c_u / rho^2)(1 - c_v + c_v / rho^2)``;
5. reads the Gaussian mutual information ``-1/2 sum log(1 - rho_i^2)`` and the rank that holds
   90 % of it off the corrected ``rho_i`` of the supported directions (0 when none is supported);
6. gives 95 % intervals by resampling pairs: ``n_resamples`` half-samples without replacement,
   each re-estimated by steps 2-5 at its own size. A plain bootstrap draws pairs with replacement,
   and duplicated pairs inflate canonical correlations; a half-sample without replacement has no
   duplicates, and its spread around the full-sample estimate is that of the full-sample estimate
   around the truth (finite-population correction ``1/m - 1/N = 1/N`` at ``m = N/2``);
7. withholds what the data cannot support, with a reason code (:data:`REASONS`), and checks how
   Gaussian the leading canonical variates are (:func:`gaussianity`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats
from threadpoolctl import threadpool_limits

from engine.analysis import wording
from engine.analysis.checks import check_int, check_pairs
from engine.analysis.gaussian.fit import CAPTURE_TARGET, Array, captured_share, rank_for_share
from engine.analysis.wording import keyed

#: Stored as ``method`` so pages can tell this estimate from the plain CCA of older runs.
METHOD = "pca_cca_bias_corrected"
#: Pairs per kept dimension on each side: p = N // PAIRS_PER_DIMENSION.
PAIRS_PER_DIMENSION = 20
#: Upper cap on the PCA width per side (cost; 2,560+ pairs would otherwise keep more).
MAX_DIMENSIONS = 128
#: Fewer pairs than this: nothing is estimated (PCA would keep one dimension, half-samples 20 pairs).
MIN_PAIRS = 40
#: Fewer kept dimensions per side than this: the rank for 90 % is not stated (too few to count directions in).
MIN_RANK_DIMENSIONS = 10
#: A direction counts as shared when its correlation exceeds this quantile of chance's largest one.
SUPPORT_LEVEL = 0.99
#: Two-sided confidence of the stored intervals.
CONFIDENCE = 0.95
N_RESAMPLES = 200
N_PERMUTATIONS = 200
#: How many leading canonical variate pairs the Gaussianity check reads.
GAUSSIANITY_DIRECTIONS = 5

#: Why a number is withheld (stored code -> catalogue key ``analysis.LOW_RANK_WITHHELD[code]``).
REASONS = ("too_few_pairs", "no_shared_direction", "interval_includes_zero", "too_few_dimensions", "at_dimension_cap")
#: Gaussianity verdicts, closest first (catalogue table ``analysis.GAUSSIANITY_WORDS``).
GAUSSIANITY_LEVELS = ("close", "moderate", "far")
# Skewness / excess kurtosis beyond sampling noise (two standard errors) that still reads "close",
# and that still reads "moderate"; beyond the second pair it is "far".
CLOSE_SKEW, CLOSE_KURTOSIS = 0.5, 1.0
MODERATE_SKEW, MODERATE_KURTOSIS = 1.0, 3.0
#: Shapiro-Wilk level (after Bonferroni over the variates) below which the shape is not called "close".
SHAPIRO_LEVEL = 0.01
SHAPIRO_MAX_ROWS = 5000  # scipy's Shapiro-Wilk p-value is exact only up to 5,000 rows


def pca_width(n: int, d: int) -> int:
    """PCA width of one side for ``n`` pairs: ``min(d, n // 20, 128)``, at least 1."""
    return max(1, min(d, n // PAIRS_PER_DIMENSION, MAX_DIMENSIONS))


def pca_scores(x: Array, width: int) -> Array:
    """Centred scores on the top ``width`` principal components. Shape: (N, width)."""
    xc = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(xc, full_matrices=False)
    return xc @ vt[:width].T


def _basis(x: Array) -> Array:
    """Orthonormal basis of the centred columns of x (N, p) -> (N, rank)."""
    q, r = np.linalg.qr(x - x.mean(axis=0))
    keep = np.abs(np.diag(r)) > 1e-10 * max(float(np.abs(np.diag(r)).max(initial=0.0)), 1e-300)
    return q[:, keep]


def sample_canonical(x: Array, y: Array) -> tuple[Array, Array, Array]:
    """Sample canonical correlations of (x, y), descending, and the unit-variance canonical variates.

    Returns:
        r (K,), left variates (N, K), right variates (N, K), K = min of the two ranks.
    """
    qx, qy = _basis(x), _basis(y)
    a, r, bt = np.linalg.svd(qx.T @ qy, full_matrices=False)
    scale = math.sqrt(x.shape[0])
    return np.clip(r, 0.0, 1.0), qx @ a * scale, qy @ bt.T * scale


def corrected_squared_correlation(r2: float, c_u: float, c_v: float) -> float:
    """Population rho^2 whose spiked-CCA limit is the sample r^2 at ratios c_u, c_v (module doc, step 4).

    Solves ``(1-c_u)(1-c_v) x^2 + ((1-c_u) c_v + c_u (1-c_v) - r^2) x + c_u c_v = 0`` for its larger
    root; a sample value at or below the bulk edge maps to the detection threshold (the double root).
    With c_u = c_v = 0 it returns r^2.
    """
    a = (1.0 - c_u) * (1.0 - c_v)
    b = (1.0 - c_u) * c_v + c_u * (1.0 - c_v) - r2
    disc = b * b - 4.0 * a * c_u * c_v
    root = (-b + math.sqrt(max(disc, 0.0))) / (2.0 * a)
    return float(min(max(root, 0.0), 1.0 - 1e-12))


def chance_ceiling(qx: Array, qy: Array, n_permutations: int, rng: np.random.Generator,
                   rows: int | None = None) -> float:
    """``SUPPORT_LEVEL`` quantile of the largest canonical correlation after re-pairing rows at random.

    Args:
        qx, qy: Orthonormal bases of the two centred sides (see :func:`_basis`), (N, p), (N, q).
        n_permutations: Re-pairings drawn.
        rng: Random generator.
        rows: When given, each draw first takes this many rows without replacement (the chance
            level of a half-sample), re-centred and re-orthonormalised.
    """
    tops = np.empty(n_permutations)
    n = qx.shape[0]
    for i in range(n_permutations):
        if rows is None:
            a, b = qx, qy[rng.permutation(n)]
        else:
            pick = rng.choice(n, size=rows, replace=False)
            a, b = _basis(qx[pick]), _basis(qy[rng.permutation(pick)])
        tops[i] = np.linalg.norm(a.T @ b, 2)
    return float(np.quantile(tops, SUPPORT_LEVEL))


def _summary(r: Array, ceiling: float, n: int, p_u: int, p_v: int) -> dict[str, Any]:
    """Supported directions, corrected correlations, MI (nats) and rank for 90 % from sample r."""
    supported = int(np.sum(r > ceiling))
    rho2 = np.array([corrected_squared_correlation(float(x) ** 2, p_u / n, p_v / n) for x in r[:supported]])
    terms = -0.5 * np.log1p(-rho2)
    mi = float(np.sum(terms))
    share = captured_share(terms) if supported else np.zeros(0)
    return {
        "supported": supported,
        "rho": np.sqrt(rho2),
        "mi": mi,
        "share": share,
        "rank": rank_for_share(share) if mi > 0 else 0,
    }


def _quantiles(values: Array) -> list[float]:
    tail = (1.0 - CONFIDENCE) / 2.0
    return [float(np.quantile(values, tail)), float(np.quantile(values, 1.0 - tail))]


def gaussianity(left: Array, right: Array) -> dict[str, Any]:
    """How Gaussian the leading canonical variates are, beyond what sampling noise explains.

    Reads skewness and excess kurtosis of each variate (both sides), subtracts two standard errors
    (``sqrt(6/N)``, ``sqrt(24/N)``: what a Gaussian sample of this size shows by chance) and grades
    the worst excess: ``close`` (skew <= 0.5 and kurtosis <= 1, and no Shapiro-Wilk rejection at
    1 % after Bonferroni), ``moderate`` (<= 1 and <= 3), else ``far``. The paper's closed forms assume a Gaussian; the grade says how far to trust them.

    Args:
        left, right: Canonical variates, (N, k) each, k >= 1.

    Returns:
        ``{"level", "directions", "max_abs_skewness", "max_abs_excess_kurtosis", "shapiro_min_p"}``.
    """
    variates = np.hstack([left, right])
    n = variates.shape[0]
    skew = np.abs(stats.skew(variates, axis=0))
    kurt = np.abs(stats.kurtosis(variates, axis=0))  # excess: 0 for a Gaussian
    skew_excess = float(np.max(skew) - 2.0 * math.sqrt(6.0 / n))
    kurt_excess = float(np.max(kurt) - 2.0 * math.sqrt(24.0 / n))
    shapiro = [float(stats.shapiro(col[:SHAPIRO_MAX_ROWS]).pvalue) for col in variates.T]
    # A formal test that rejects (Bonferroni over the variates) rules out "close" even when the
    # skewness and kurtosis look small: the shape is off in some other way.
    rejected = min(shapiro) * len(shapiro) < SHAPIRO_LEVEL
    if skew_excess <= CLOSE_SKEW and kurt_excess <= CLOSE_KURTOSIS and not rejected:
        level = "close"
    elif skew_excess <= MODERATE_SKEW and kurt_excess <= MODERATE_KURTOSIS:
        level = "moderate"
    else:
        level = "far"
    return {
        "level": level,
        "directions": int(left.shape[1]),
        "max_abs_skewness": float(np.max(skew)),
        "max_abs_excess_kurtosis": float(np.max(kurt)),
        "shapiro_min_p": min(shapiro),
    }


def _withheld(n: int, point: dict[str, Any], mi_interval: list[float], cap: int) -> dict[str, str | None]:
    if n < MIN_PAIRS:
        return {"mutual_information": "too_few_pairs", "rank_for_90": "too_few_pairs"}
    if point["supported"] == 0:
        return {"mutual_information": "no_shared_direction", "rank_for_90": "no_shared_direction"}
    if mi_interval[0] <= 0.0:
        return {"mutual_information": "interval_includes_zero", "rank_for_90": "interval_includes_zero"}
    if cap < MIN_RANK_DIMENSIONS:
        return {"mutual_information": None, "rank_for_90": "too_few_dimensions"}
    return {"mutual_information": None, "rank_for_90": "at_dimension_cap" if point["supported"] >= cap else None}


def estimate_shared_dependence(
    U: ArrayLike,
    V: ArrayLike,
    *,
    n_resamples: int = N_RESAMPLES,
    n_permutations: int = N_PERMUTATIONS,
    seed: int = 0,
) -> dict[str, Any]:
    """Canonical correlations, mutual information and rank for 90 %, valid at small N (module doc).

    Expected values: for independent sides no supported direction (MI and rank withheld as
    ``no_shared_direction``) in about 99 % of samples; for k shared directions with correlations
    well above chance, MI and rank near the truth once N // 20 exceeds k.

    Args:
        U: Left embeddings. Shape: (N, d_u).
        V: Right embeddings, row i paired with row i of U. Shape: (N, d_v).
        n_resamples: Half-samples for the intervals (tests use ~30).
        n_permutations: Re-pairings for each chance level (tests use ~50).
        seed: Seed of the resampling and re-pairing.

    Returns:
        JSON-serialisable dict: ``method``, ``n_samples``, ``dim_u``, ``dim_v``, ``pca_u``,
        ``pca_v``, ``sample_correlations`` (raw, in the reduced space), ``chance_level``,
        ``supported_directions``, ``canonical_correlations`` (bias-corrected, supported directions
        only) and ``canonical_correlation_intervals`` ([low, high] per supported direction),
        ``mutual_information_nats``/``_bits`` and ``mutual_information_interval_bits`` (None when
        withheld), ``captured_dependence``, ``rank_for_90`` and ``rank_for_90_interval`` (None
        when withheld), ``withheld`` (per quantity a :data:`REASONS` code or None), ``gaussianity``
        (None with no supported direction), ``confidence``, ``n_resamples``, ``notes``.

    Raises:
        DataError: Bad arrays or differing row counts.
        ConfigError: Non-positive resample or permutation counts.
    """
    for name, value in (("n_resamples", n_resamples), ("n_permutations", n_permutations)):
        check_int(value, name, expected="a positive whole number, e.g. 200")
    u, v = check_pairs(U, V)
    # Hundreds of small QR/SVD calls: one BLAS thread is many times faster than several fighting
    # over shared cores (measured 50x on a loaded 2-core machine).
    with threadpool_limits(limits=1):
        return _estimate(u, v, int(n_resamples), int(n_permutations), seed)


def _estimate(u: Array, v: Array, n_resamples: int, n_permutations: int, seed: int) -> dict[str, Any]:
    n = u.shape[0]
    base: dict[str, Any] = {
        "method": METHOD, "n_samples": n, "dim_u": u.shape[1], "dim_v": v.shape[1], "confidence": CONFIDENCE,
        "n_resamples": int(n_resamples), "support_level": SUPPORT_LEVEL,
    }
    if n < MIN_PAIRS:
        base.update(_empty(n))
        wording.store(base, "notes", [keyed("analysis.LOW_RANK_TOO_FEW", n=n, minimum=MIN_PAIRS)])
        return base
    rng = np.random.default_rng(seed)
    p_u, p_v = pca_width(n, u.shape[1]), pca_width(n, v.shape[1])
    x, y = pca_scores(u, p_u), pca_scores(v, p_v)
    r, left, right = sample_canonical(x, y)
    qx, qy = _basis(x), _basis(y)
    ceiling = chance_ceiling(qx, qy, int(n_permutations), rng)
    point = _summary(r, ceiling, n, p_u, p_v)

    m = n // 2
    half_ceiling = chance_ceiling(qx, qy, int(n_permutations), rng, rows=m)
    reps = []
    for _ in range(int(n_resamples)):
        pick = rng.choice(n, size=m, replace=False)
        r_m = sample_canonical(x[pick], y[pick])[0]
        reps.append(_summary(r_m, half_ceiling, m, p_u, p_v))
    mi_reps = np.array([rep["mi"] for rep in reps]) / math.log(2.0)
    rank_reps = np.array([rep["rank"] for rep in reps], dtype=float)
    k = point["supported"]
    rho_reps = np.zeros((len(reps), k))
    for i, rep in enumerate(reps):
        j = min(k, rep["supported"])
        rho_reps[i, :j] = rep["rho"][:j]
    mi_interval = _quantiles(mi_reps)
    withheld = _withheld(n, point, mi_interval, min(p_u, p_v))
    mi_bits = point["mi"] / math.log(2.0)
    base.update({
        "pca_u": p_u,
        "pca_v": p_v,
        "sample_correlations": r.tolist(),
        "chance_level": ceiling,
        "supported_directions": k,
        "canonical_correlations": point["rho"].tolist(),
        "canonical_correlation_intervals": [_quantiles(rho_reps[:, i]) for i in range(k)],
        "mutual_information_nats": None if withheld["mutual_information"] else point["mi"],
        "mutual_information_bits": None if withheld["mutual_information"] else mi_bits,
        "mutual_information_interval_bits": mi_interval,
        "captured_dependence": point["share"].tolist(),
        "rank_for_90": None if withheld["rank_for_90"] else point["rank"],
        "rank_for_90_interval": [round(q) for q in _quantiles(rank_reps)],
        "withheld": withheld,
        "gaussianity": gaussianity(left[:, : min(max(k, 1), GAUSSIANITY_DIRECTIONS)],
                                   right[:, : min(max(k, 1), GAUSSIANITY_DIRECTIONS)]) if k else None,
    })
    notes = [keyed("analysis.LOW_RANK_METHOD", n=n, p_u=p_u, p_v=p_v, per_dim=PAIRS_PER_DIMENSION,
                   level=SUPPORT_LEVEL, resamples=int(n_resamples))]
    wording.store(base, "notes", notes)
    return base


def _empty(n: int) -> dict[str, Any]:
    """The stored fields when nothing can be estimated (too few pairs)."""
    return {
        "pca_u": 0, "pca_v": 0, "sample_correlations": [], "chance_level": None, "supported_directions": 0,
        "canonical_correlations": [], "canonical_correlation_intervals": [], "mutual_information_nats": None,
        "mutual_information_bits": None, "mutual_information_interval_bits": None, "captured_dependence": [],
        "rank_for_90": None, "rank_for_90_interval": None,
        "withheld": {"mutual_information": "too_few_pairs", "rank_for_90": "too_few_pairs"}, "gaussianity": None,
    }


__all__ = ["CAPTURE_TARGET", "GAUSSIANITY_LEVELS", "METHOD", "REASONS", "estimate_shared_dependence", "gaussianity",
           "pca_width"]
