"""Calibration of the learned conditional softmax(S / tau) over a gallery (paper §4, digest §4).

With the test split's other side as the bank, the model's conditional for a query is
``p_j = softmax_j(S_j / tau)`` over the gallery items ``j``, where ``S`` is the un-tempered tilt
score exactly as in training (digest §3.5): cosine = dot product of normalised vectors, dot = raw
dot product, l2 = ``-|u - v|^2 / 2``. Retrieval takes the top-1 item (its rank does not depend on
tau, Theorem 4.2); the probabilities do.

* **Correct**: the top-1 item is relevant (shares the query's group).
* **Confidence**: the total probability of the top-1 item's group, i.e. the model's own chance
  that its top-1 answer is relevant; with one pair per group it is the top-1 item's probability.

A reliability curve (:func:`engine.analysis.evidence.reliability.reliability`) bins queries by confidence
and compares each bin's mean confidence with its accuracy; ECE is the count-weighted mean gap, MCE
the largest. A post-hoc temperature minimises the
held-out negative log-likelihood of the relevant group, ``-log sum_{j in group(q)} p_j``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, NamedTuple, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize_scalar

from engine.analysis import wording
from engine.analysis.checks import check_direction, check_grouped_pairs, check_positive_int, check_real
from engine.analysis.evidence.reliability import STRATEGIES, reliability
from engine.analysis.evidence.score_chunks import score_blocks
from engine.analysis.wording import keyed
from engine.errors import ConfigError, DataError
from engine.evaluate.scoring import check_tilt
from engine.names import DIRECTIONS

logger = logging.getLogger(__name__)

# Every user-facing sentence is in the message catalogue (area "analysis", CALIBRATION_*); the
# results store the English text and its keyed form (engine.analysis.wording).
_DIRECTION_WORDS = {"direction": "analysis.CALIBRATION_DIRECTION"}

# The fitted temperature is searched within init * 10**(+-SEARCH_DECADES).
SEARCH_DECADES = 4
# Score blocks of the fitting queries are kept in memory (instead of re-scored for every
# temperature tried) when they hold at most this many entries: 20e6 float32 = 80 MB, enough for
# the default 1000 fitting queries against a 20,000-item gallery.
CACHE_ENTRIES = 20_000_000
# |mean confidence - accuracy| below this counts as well calibrated in the summary sentence.
CALIBRATED_GAP = 0.02
MIN_EVAL_QUERIES = 100

FloatArray = NDArray[np.float64]
# A re-iterable source of fitting blocks: (S - row max) (b, G), and the relevant items' entries of
# it as float64 (b, largest group), padded with -inf.
Blocks = Callable[[], Iterable[tuple[NDArray[np.floating], FloatArray]]]


class RetrievalProbabilities(NamedTuple):
    """Per-query outputs of the learned conditional; group fields are None without group ids."""

    top1_index: NDArray[np.int64]  # (Q,) most probable gallery item (ties: an irrelevant one, then lowest index)
    top1_prob: FloatArray  # (Q,) its probability
    top1_group_prob: FloatArray | None  # (Q,) total probability of its group: the confidence
    true_log_prob: FloatArray | None  # (Q,) log total probability of the query's own group
    correct: NDArray[np.bool_] | None  # (Q,) the top-1 item shares the query's group


def _check_temperature(value: object, name: str = "temperature") -> float:
    return check_real(
        value, name, low=0.0, expected="a positive number: the run's tau (config.json loss.temperature, "
        "or metrics.json train.final_temperature when it was learned)",
    )


def _query_rows(query_indices: ArrayLike | None, n: int) -> NDArray[np.int64]:
    if query_indices is None:
        return np.arange(n)
    rows = np.asarray(query_indices)
    if rows.ndim != 1 or rows.size == 0 or not np.issubdtype(rows.dtype, np.integer):
        raise DataError(
            f"query_indices: got shape {rows.shape} of {rows.dtype}, expected a non-empty 1-D integer array."
        )
    if rows.min() < 0 or rows.max() >= n:
        raise DataError(
            f"query_indices: got values in [{rows.min()}, {rows.max()}], expected row indices in [0, {n - 1}]."
        )
    return rows.astype(np.int64)


def _oriented_blocks(
    left: ArrayLike, right: ArrayLike, groups: Sequence[Hashable] | None, *, tilt: str, direction: str,
    chunk_size: int, query_indices: ArrayLike | None,
) -> tuple[Callable[[], Iterable[tuple[FloatArray, NDArray[np.int64]]]], NDArray[np.int64], int]:
    """A re-iterable source of ``(S, query_codes)`` blocks (un-tempered S, (b, G)), the gallery's group
    codes and the number of queries. Without ``groups`` every pair is its own group."""
    check_direction(direction)
    first = np.asarray(left)
    n = first.shape[0] if first.ndim else 0
    a_left, a_right, codes = check_grouped_pairs(left, right, range(n) if groups is None else groups)
    queries, gallery = (a_left, a_right) if direction == "left_to_right" else (a_right, a_left)
    rows = _query_rows(query_indices, codes.size)
    check_tilt(tilt)
    check_positive_int(chunk_size, "chunk_size", 1024)

    def blocks() -> Iterable[tuple[FloatArray, NDArray[np.int64]]]:
        for start, s in score_blocks(queries[rows], gallery, tilt, chunk_size):  # (b, G)
            yield s, codes[rows[start : start + s.shape[0]]]

    return blocks, codes, rows.size


def retrieval_probabilities(
    left: ArrayLike,
    right: ArrayLike,
    groups: Sequence[Hashable] | None = None,
    *,
    tilt: str,
    temperature: float,
    direction: str = "left_to_right",
    chunk_size: int = 1024,
    query_indices: ArrayLike | None = None,
) -> RetrievalProbabilities:
    """The learned conditional softmax(S / tau) over the gallery for every query, chunked.

    Args:
        left: (N, D) left embeddings; row ``i`` pairs with ``right[i]``.
        right: (N, D) right embeddings.
        groups: N group ids (equal ids are relevant to each other); None leaves the group fields None.
        tilt: ``"cosine"``, ``"dot"`` or ``"l2"``.
        temperature: tau > 0 of the run.
        direction: ``"left_to_right"`` (queries are left items, gallery all right items: the paper's
            v|u) or ``"right_to_left"`` (u|v).
        chunk_size: Queries scored at once; memory is O(chunk_size * N).
        query_indices: Rows to use as queries (default all); the gallery is always all N items.

    Returns:
        :class:`RetrievalProbabilities` with one entry per query.

    Raises:
        ConfigError: Bad tilt, temperature, direction or chunk size.
        DataError: Bad shapes, values or query indices.
    """
    tau = _check_temperature(temperature)
    blocks, g_codes, n_queries = _oriented_blocks(
        left, right, groups, tilt=tilt, direction=direction, chunk_size=chunk_size, query_indices=query_indices
    )
    top_index, top_prob = np.empty(n_queries, dtype=np.int64), np.empty(n_queries)
    group_prob, true_log = np.empty(n_queries), np.empty(n_queries)
    start = 0
    for s, q_codes in blocks():  # (b, G), (b,)
        stop = start + s.shape[0]
        log_p = s / tau - row_logsumexp(s / tau)[:, None]  # (b, G)
        relevant = q_codes[:, None] == g_codes[None, :]  # (b, G)
        tied_best = log_p == log_p.max(axis=1, keepdims=True)
        # Among tied best items an irrelevant one is the top-1 (then the lowest index), the same
        # pessimistic rule as the evaluation's ranks, so accuracy equals its recall@1.
        top = (2 * tied_best + (tied_best & ~relevant)).argmax(axis=1)
        top_index[start:stop], top_prob[start:stop] = top, np.exp(log_p[np.arange(s.shape[0]), top])
        top_group = g_codes[top, None] == g_codes[None, :]  # (b, G)
        group_prob[start:stop] = np.exp(row_logsumexp(np.where(top_group, log_p, -np.inf)))
        true_log[start:stop] = row_logsumexp(np.where(relevant, log_p, -np.inf))
        start = stop
    if groups is None:
        return RetrievalProbabilities(top_index, top_prob, None, None, None)
    correct = g_codes[top_index] == g_codes[_query_rows(query_indices, g_codes.size)]
    return RetrievalProbabilities(top_index, top_prob, group_prob, true_log, correct)


def row_logsumexp(x: FloatArray) -> FloatArray:
    """``log sum_j exp(x[i, j])`` per row, stable; rows that are all ``-inf`` give ``-inf``.

    A plain NumPy version: several times faster than ``scipy.special.logsumexp`` on large blocks.
    """
    top = x.max(axis=1)
    shift = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):  # log(0) = -inf for all -inf rows is the right answer
        return shift + np.log(np.exp(x - shift[:, None]).sum(axis=1))


def _fitting_block(
    s: FloatArray, relevant: NDArray[np.bool_], store: type[np.floating] = np.float32
) -> tuple[NDArray[np.floating], FloatArray]:
    """Split a score block into the parts the NLL needs at any tau (see :data:`Blocks`).

    The row max cancels in ``logsumexp(S / tau) - logsumexp(S_relevant / tau)``, and after removing
    it every term of the full sum is at most 1 (the max term is exactly 1), so the sum needs no
    further shift at any tau. The (b, G) part is stored as ``store`` (float32 for embeddings, whose
    scores are float32 to begin with, to halve the cache); the few relevant entries stay float64.
    """
    d = s - s.max(axis=1, keepdims=True)  # (b, G), <= 0
    rows, cols = np.nonzero(relevant)  # row-major: grouped by row
    counts = np.bincount(rows, minlength=s.shape[0])
    position = np.arange(rows.size) - np.repeat(np.cumsum(counts) - counts, counts)
    rel = np.full((s.shape[0], int(counts.max())), -np.inf)
    rel[rows, position] = d[rows, cols]
    return d.astype(store), rel


def _mean_nll(blocks: Blocks, tau: float) -> float:
    total, n = 0.0, 0
    for d, rel in blocks():
        # float64 arithmetic: float32 round-off would make the NLL jitter with tau, and the
        # minimiser's precision degrades with the square root of such jitter.
        log_z = np.log(np.exp(np.multiply(d, 1.0 / tau, dtype=np.float64)).sum(axis=1))
        total += float(np.sum(log_z - row_logsumexp(rel / tau)))
        n += d.shape[0]
    return total / n


def _minimise_nll(blocks: Blocks, init: float) -> tuple[float, float, bool]:
    """(tau, mean NLL, hit the search edge) for the tau minimising the mean NLL.

    A coarse scan, one point per decade over ``init * 10**(+-SEARCH_DECADES)``, brackets the
    minimum (the NLL need not be unimodal with multi-item groups); bounded Brent on log tau refines
    it within the neighbouring decades.
    """
    grid = math.log(init) + math.log(10.0) * np.arange(-SEARCH_DECADES, SEARCH_DECADES + 1)
    values = [_mean_nll(blocks, math.exp(x)) for x in grid]
    k = int(np.argmin(values))
    lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, grid.size - 1)]
    result = minimize_scalar(lambda x: _mean_nll(blocks, math.exp(x)), bounds=(lo, hi), method="bounded",
                             options={"xatol": 1e-5})
    x, nll = (float(result.x), float(result.fun)) if result.fun <= values[k] else (float(grid[k]), values[k])
    # Also "at the edge" when an end of the range is as good as the optimum: the NLL is flat there
    # (perfectly separated queries, or no signal at all), so tau is not identified.
    flat_edge = min(values[0], values[-1]) - nll <= 1e-9 * max(1.0, abs(nll))
    at_bound = bool(flat_edge or min(x - grid[0], grid[-1] - x) < 0.01)
    if at_bound:
        logger.warning("fitted temperature %.3g is at the edge of the search range", math.exp(x))
    return math.exp(x), nll, at_bound


def _check_scores(scores: ArrayLike, relevant: ArrayLike) -> tuple[FloatArray, NDArray[np.bool_]]:
    s = np.asarray(scores, dtype=np.float64)
    rel = np.asarray(relevant)
    if s.ndim != 2 or s.size == 0 or rel.shape != s.shape:
        raise DataError(f"got scores {s.shape} and relevant {rel.shape}; expected two equal non-empty (Q, G) arrays.")
    if not np.all(np.isfinite(s)):
        raise DataError("scores: contains NaN or infinite values.")
    rel = rel.astype(bool)
    if not np.all(rel.any(axis=1)):
        raise DataError("relevant: some queries have no relevant item; every row needs at least one True.")
    return s, rel


def temperature_nll(scores: ArrayLike, relevant: ArrayLike, temperature: float) -> float:
    """Mean over queries of ``-log sum_{j relevant} softmax(scores / tau)_j`` (small problems, tests).

    Args:
        scores: (Q, G) un-tempered scores S (for l2, ``-|u - v|^2 / 2``).
        relevant: (Q, G) booleans; each row needs at least one True.
        temperature: tau > 0.
    """
    s, rel = _check_scores(scores, relevant)
    block = _fitting_block(s, rel, np.float64)
    return _mean_nll(lambda: [block], _check_temperature(temperature))


def fit_temperature_to_scores(scores: ArrayLike, relevant: ArrayLike, *, init: float = 1.0) -> float:
    """Temperature minimising :func:`temperature_nll` on a full score matrix (small problems, tests).

    Searches ``init * 10**(+-SEARCH_DECADES)``; if the true items are drawn from softmax(S / tau0),
    the result tends to tau0 as Q grows.
    """
    s, rel = _check_scores(scores, relevant)
    block = _fitting_block(s, rel, np.float64)
    return _minimise_nll(lambda: [block], _check_temperature(init, "init"))[0]


def _fit_blocks(
    left: ArrayLike, right: ArrayLike, groups: Sequence[Hashable], *, tilt: str, direction: str,
    chunk_size: int, query_indices: ArrayLike | None,
) -> Blocks:
    source, g_codes, n_queries = _oriented_blocks(
        left, right, groups, tilt=tilt, direction=direction, chunk_size=chunk_size, query_indices=query_indices
    )

    def blocks() -> Iterable[tuple[NDArray[np.floating], FloatArray]]:
        for s, q_codes in source():
            yield _fitting_block(s, q_codes[:, None] == g_codes[None, :])

    if n_queries * g_codes.size <= CACHE_ENTRIES:
        cached = list(blocks())
        return lambda: cached
    return blocks


def fit_temperature(
    left: ArrayLike,
    right: ArrayLike,
    groups: Sequence[Hashable],
    *,
    tilt: str,
    direction: str = "left_to_right",
    init: float | None = None,
    chunk_size: int = 1024,
    query_indices: ArrayLike | None = None,
) -> float:
    """Post-hoc temperature: the tau minimising the mean NLL of each query's relevant group.

    Args:
        left: (N, D) left embeddings; row ``i`` pairs with ``right[i]``.
        right: (N, D) right embeddings.
        groups: N group ids; the NLL of a query is ``-log`` of its group's total probability.
        tilt: ``"cosine"``, ``"dot"`` or ``"l2"``.
        direction: ``"left_to_right"`` or ``"right_to_left"``.
        init: Centre of the search range ``init * 10**(+-4)``; default 0.05 for cosine, 1 otherwise
            (pass the run's tau).
        chunk_size: Queries scored at once; memory is O(chunk_size * N) (score blocks are cached
            across the ~30 evaluations only while they hold at most ``CACHE_ENTRIES`` entries).
        query_indices: Rows whose queries fit tau (default all); the gallery is always all N items.

    Returns:
        The fitted tau.
    """
    centre = (0.05 if check_tilt(tilt) == "cosine" else 1.0) if init is None else _check_temperature(init, "init")
    blocks = _fit_blocks(left, right, groups, tilt=tilt, direction=direction, chunk_size=chunk_size,
                         query_indices=query_indices)
    return _minimise_nll(blocks, centre)[0]


def holdout_split(
    groups: Sequence[Hashable], *, fraction: float = 0.5, seed: int = 0
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Split rows into (fit, eval) so that no group is on both sides.

    Groups are sorted by their string form and shuffled with ``seed``, so the split does not depend
    on row order; ``round(fraction * n_groups)`` groups (at least one, and one fewer than all) fit.

    Raises:
        ConfigError: ``fraction`` outside (0, 1).
        DataError: Fewer than two groups.
    """
    check_real(fraction, "holdout_fraction", low=0.0, high=1.0, expected="a number strictly between 0 and 1 (e.g. 0.5)")
    names = np.array([str(g) for g in groups])
    unique = np.unique(names)
    if unique.size < 2:
        raise DataError(f"got {unique.size} distinct group(s); a held-out split needs at least 2 groups.")
    n_fit = min(max(round(fraction * unique.size), 1), unique.size - 1)
    fit_groups = np.random.default_rng(seed).permutation(unique)[:n_fit]
    is_fit = np.isin(names, fit_groups)
    return np.flatnonzero(is_fit), np.flatnonzero(~is_fit)


def _summary(
    direction: str, tau: float, training: dict[str, Any], fitted_tau: float, fitted: dict[str, Any]
) -> dict[str, Any]:
    gap = training["mean_confidence"] - training["accuracy"]
    state = "over" if gap > CALIBRATED_GAP else "under" if gap < -CALIBRATED_GAP else "calibrated"
    return keyed(
        "analysis.CALIBRATION_SUMMARY", words={**_DIRECTION_WORDS, "state": "analysis.CALIBRATION_STATE"},
        direction=direction, tau=float(tau), state=state, confidence=float(training["mean_confidence"]),
        accuracy=float(training["accuracy"]), ece=float(training["ece"]), fitted=float(fitted_tau),
        fitted_ece=float(fitted["ece"]),
    )


def _evaluate(
    pairs: tuple[np.ndarray, np.ndarray, NDArray[np.int64]], rows: NDArray[np.int64], *, tilt: str, tau: float,
    direction: str, chunk_size: int, n_bins: int, strategy: str,
) -> dict[str, Any]:
    left, right, codes = pairs
    probs = retrieval_probabilities(
        left, right, codes, tilt=tilt, temperature=tau, direction=direction, chunk_size=chunk_size, query_indices=rows
    )
    true_log = cast(FloatArray, probs.true_log_prob)  # groups were given, so it is set
    out = {"temperature": tau, "nll": float(-true_log.mean())}
    out.update(reliability(probs.top1_group_prob, probs.correct, n_bins=n_bins, strategy=strategy))
    return out


def calibration_report(
    left: ArrayLike,
    right: ArrayLike,
    groups: Sequence[Hashable],
    *,
    tilt: str,
    temperature: float,
    seed: int = 0,
    holdout_fraction: float = 0.5,
    n_bins: int = 15,
    strategy: str = "uniform",
    chunk_size: int = 1024,
    max_fit_queries: int = 1000,
) -> dict[str, Any]:
    """Reliability and ECE of the run's conditional, before and after a post-hoc temperature fit.

    The test queries are split by group (:func:`holdout_split`): the fitting part fits tau (at most
    ``max_fit_queries`` of its queries, a seeded subsample, since one scalar needs few), the
    evaluation part reports reliability, ECE and held-out NLL with the training tau and with the
    fitted one. The gallery is always the whole test split's other side. Both directions.
    Top-1 answers, hence accuracy, are the same for both temperatures (Theorem 4.2); only the
    confidences move.

    Args:
        left: (N, D) left test embeddings; row ``i`` pairs with ``right[i]``.
        right: (N, D) right test embeddings.
        groups: N group ids; equal ids are relevant to each other.
        tilt: The run's tilt.
        temperature: The run's tau (config.json loss.temperature, or metrics.json
            train.final_temperature when it was learned).
        seed: Seeds the split and the fitting subsample.
        holdout_fraction: Share of groups whose queries fit tau; the rest evaluate.
        n_bins: Reliability bins.
        strategy: ``"uniform"`` or ``"quantile"`` bins.
        chunk_size: Queries scored at once; memory is O(chunk_size * N).
        max_fit_queries: Most queries used to fit tau.

    Returns:
        JSON-serialisable dict: ``tilt``, ``temperature``, ``confidence`` (definition), ``n_pairs``,
        ``n_fit_queries``, ``n_eval_queries``, ``holdout_fraction``, ``seed``, ``directions`` (per
        direction: ``fitted_temperature``, ``fit_at_bound``, ``training`` and ``fitted``, each
        ``{"temperature", "nll"}`` plus :func:`reliability`'s keys, and ``summary``), ``warnings``.
        The sentences (``confidence``, ``summary``, ``warnings``) are English; each has its keyed
        form under ``<name>_keyed`` (:func:`engine.analysis.wording.render_text` writes it in the
        language in force).
    """
    tau = _check_temperature(temperature)
    check_tilt(tilt)
    max_fit_queries = check_positive_int(max_fit_queries, "max_fit_queries", 1000)
    check_positive_int(n_bins, "n_bins", 15)
    if strategy not in STRATEGIES:  # checked before the fit, not after it
        raise ConfigError(f"strategy: got {strategy!r}, expected one of {', '.join(STRATEGIES)}.")
    pairs = check_grouped_pairs(left, right, groups)
    fit_rows, eval_rows = holdout_split(groups, fraction=holdout_fraction, seed=seed)
    if fit_rows.size > max_fit_queries:
        fit_rows = np.sort(np.random.default_rng(seed).choice(fit_rows, size=max_fit_queries, replace=False))
    options = {"tilt": tilt, "chunk_size": chunk_size}
    directions: dict[str, Any] = {}
    warnings: list[dict[str, Any]] = []
    for direction in DIRECTIONS:
        blocks = _fit_blocks(*pairs, direction=direction, query_indices=fit_rows, **options)
        fitted_tau, _, at_bound = _minimise_nll(blocks, tau)
        results = {
            name: _evaluate(pairs, eval_rows, tau=t, direction=direction, n_bins=n_bins, strategy=strategy, **options)
            for name, t in (("training", tau), ("fitted", fitted_tau))
        }
        directions[direction] = {"fitted_temperature": fitted_tau, "fit_at_bound": at_bound, **results}
        wording.store_text(directions[direction], "summary",
                           _summary(direction, tau, results["training"], fitted_tau, results["fitted"]))
        if at_bound:
            warnings.append(keyed("analysis.CALIBRATION_AT_BOUND", words=_DIRECTION_WORDS, direction=direction,
                                  fitted=float(fitted_tau)))
    if eval_rows.size < MIN_EVAL_QUERIES:
        warnings.append(keyed("analysis.CALIBRATION_FEW_QUERIES", n=int(eval_rows.size), minimum=MIN_EVAL_QUERIES))
    for item in warnings:
        logger.warning(wording.english(item))
    out: dict[str, Any] = {"tilt": tilt, "temperature": tau}
    wording.store_text(out, "confidence", keyed("analysis.CALIBRATION_CONFIDENCE"))
    out |= {
        "n_pairs": int(pairs[2].size),
        "n_fit_queries": int(fit_rows.size),
        "n_eval_queries": int(eval_rows.size),
        "holdout_fraction": float(holdout_fraction),
        "seed": int(seed),
        "directions": directions,
    }
    wording.store(out, "warnings", warnings)
    return out
