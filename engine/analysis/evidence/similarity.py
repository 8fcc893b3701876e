"""Score distributions of true pairs against negatives: separation, a match threshold, collapse.

Three score populations of a test split, all with the model's tilt on the retrieval evaluation's
scale (:func:`engine.evaluate.score_matrix`: cosine in [-1, 1], raw dot product, or minus half the
squared distance for ``l2``; no temperature):

* **positives**: ``s(left_i, right_j)`` for every same-group pair (the true pairs, ``i == j`` included);
* **in-batch negatives**: different-group pairs inside random batches of ``batch_size`` pairs, as
  the contrastive loss sees them during training;
* **hardest negatives**: for each left query, the best-scoring right item of another group.

Separation is the ROC AUC (Mann-Whitney U, ties count 1/2): the chance that a true pair outscores
a negative. 0.5 = no separation, 1.0 = perfect.

The recommended match threshold maximises **F1** of "is this (query, candidate) a true pair" over
positives against hardest negatives; a pair is called a match when ``score >= threshold``. F1 was
chosen over Youden's J because the dashboard reports precision and recall, and with one hardest
negative per query the two classes are about balanced (exactly, for one pair per group), so the
precision reads as "share of the accepted best candidates that are right".
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import rankdata

from engine.analysis import wording
from engine.analysis.checks import check_grouped_pairs, check_positive_int
from engine.analysis.evidence.score_chunks import score_blocks
from engine.analysis.wording import keyed
from engine.errors import ConfigError, DataError
from engine.evaluate import score_matrix
from engine.i18n import message

logger = logging.getLogger(__name__)

# Every user-facing sentence is in the message catalogue (area "analysis", SIMILARITY_*); results
# store the English text and its keyed form (engine.analysis.wording). MESSAGES keeps the English
# templates under their old names for callers that quote them.
_KEYS: dict[str, str] = {
    "collapsed": "analysis.SIMILARITY_COLLAPSED",
    "overlap": "analysis.SIMILARITY_OVERLAP",
    "inverted": "analysis.SIMILARITY_INVERTED",
    "accepts_all": "analysis.SIMILARITY_ACCEPTS_ALL",
    "no_in_batch": "analysis.SIMILARITY_NO_IN_BATCH",
    "auc_changed": "analysis.SIMILARITY_AUC_CHANGED",
    "auc_same": "analysis.SIMILARITY_AUC_SAME",
    "operating_point": "analysis.SIMILARITY_OPERATING_POINT",
    "threshold_moved": "analysis.SIMILARITY_THRESHOLD_MOVED",
    "tilts_differ": "analysis.SIMILARITY_TILTS_DIFFER",
}
MESSAGES: dict[str, str] = {name: message(key, "en") for name, key in _KEYS.items()}
_AUC_WORDS = {"what": "analysis.SIMILARITY_AUC_WHAT", "verb": "analysis.SIMILARITY_AUC_VERB"}

# Spread of all scores below this share of the score scale counts as collapse.
COLLAPSE_RELATIVE_STD = 1e-3
# AUC (true pairs vs in-batch negatives) below this counts as "overlap almost fully".
OVERLAP_AUC = 0.6
# AUC changes smaller than this are reported as "stayed".
AUC_SAME = 0.005
QUANTILES = {"p05": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95}
MAX_CURVE_POINTS = 200

FloatArray = NDArray[np.float64]


def _as_scores(x: ArrayLike, name: str) -> FloatArray:
    a = np.asarray(x, dtype=np.float64).ravel()
    if a.size == 0:
        raise DataError(f"{name}: got no scores, expected at least one.")
    if not np.all(np.isfinite(a)):
        raise DataError(f"{name}: contains NaN or infinite scores; check the embeddings they came from.")
    return a


def roc_auc(positive: ArrayLike, negative: ArrayLike) -> float:
    """ROC AUC of positives against negatives: P(pos > neg) + P(pos == neg) / 2 (Mann-Whitney U).

    Uses mid-ranks of the pooled scores, so it is O(n log n) and equals
    ``sklearn.metrics.roc_auc_score`` with positives labelled 1.

    Args:
        positive: Scores of true pairs, any shape (flattened).
        negative: Scores of wrong pairs, any shape (flattened).

    Returns:
        AUC in [0, 1]; 0.5 when the two sets are identically distributed.

    Raises:
        DataError: Either set is empty or holds non-finite values.
    """
    pos, neg = _as_scores(positive, "positive"), _as_scores(negative, "negative")
    ranks = rankdata(np.concatenate([pos, neg]), method="average")
    u = ranks[: pos.size].sum() - pos.size * (pos.size + 1) / 2.0
    return float(u / (pos.size * neg.size))


def best_f1_threshold(
    positive: ArrayLike, negative: ArrayLike, *, max_points: int = MAX_CURVE_POINTS
) -> dict[str, Any]:
    """Threshold maximising F1 when ``score >= threshold`` is called a true pair.

    Every distinct score is a candidate threshold; among equal F1 the highest threshold wins. For
    positives (0.9, 0.8, 0.4) and negatives (0.7, 0.3) the best threshold is 0.4 with precision
    3/4, recall 1 and F1 6/7.

    Args:
        positive: Scores of true pairs.
        negative: Scores of wrong pairs (here the hardest negative per query).
        max_points: Most points kept on the returned precision/recall curve.

    Returns:
        ``{"threshold", "precision", "recall", "f1", "curve": {"threshold": [...], "precision": [...],
        "recall": [...]}}``; the curve runs from the highest threshold down, thinned evenly to at most
        ``max_points`` points, and always contains the chosen threshold.
    """
    pos, neg = _as_scores(positive, "positive"), _as_scores(negative, "negative")
    check_positive_int(max_points, "max_points", MAX_CURVE_POINTS)
    scores = np.concatenate([pos, neg])
    is_pos = np.concatenate([np.ones(pos.size), np.zeros(neg.size)])
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], is_pos[order]
    # Cut only after the last of a run of equal scores: a threshold accepts all of them or none.
    cut = np.flatnonzero(np.r_[s[1:] != s[:-1], True])
    tp, accepted, thresholds = np.cumsum(y)[cut], cut + 1.0, s[cut]
    precision, recall = tp / accepted, tp / pos.size
    f1 = 2.0 * tp / (accepted + pos.size)
    best = int(np.argmax(f1))
    keep = np.arange(cut.size)
    if cut.size > max_points:
        # Evenly spaced along the curve, one slot left for the chosen point.
        keep = np.unique(np.r_[np.round(np.linspace(0, cut.size - 1, max_points - 1)).astype(int), best])
    return {
        "threshold": float(thresholds[best]),
        "precision": float(precision[best]),
        "recall": float(recall[best]),
        "f1": float(f1[best]),
        "curve": {
            "threshold": thresholds[keep].tolist(),
            "precision": precision[keep].tolist(),
            "recall": recall[keep].tolist(),
        },
    }


def score_summary(scores: ArrayLike) -> dict[str, Any]:
    """Count, mean, standard deviation, min, max and the quantiles in :data:`QUANTILES`."""
    a = _as_scores(scores, "scores")
    out: dict[str, Any] = {"count": int(a.size), "mean": float(a.mean()), "std": float(a.std())}
    out.update({"min": float(a.min()), "max": float(a.max())})
    out.update({name: float(v) for name, v in zip(QUANTILES, np.quantile(a, list(QUANTILES.values())))})
    return out


def _scan(
    left: np.ndarray, right: np.ndarray, codes: NDArray[np.int64], tilt: str, chunk_size: int,
    max_positives: int, seed: int,
) -> tuple[FloatArray, FloatArray, NDArray[np.int64]]:
    """One chunked pass: (positive scores, hardest-negative scores, hardest-negative indices).

    Positives beyond ``max_positives`` are a seeded uniform subsample whose choice does not depend
    on ``chunk_size``; ``max_positives == 0`` skips them.
    """
    sizes = np.bincount(codes)
    total = int(sizes[codes].sum())  # same-group (left, right) pairs, row-major order
    keep = None
    if max_positives == 0:  # caller wants the hardest negatives only
        keep = np.empty(0, dtype=np.int64)
    elif total > max_positives:
        keep = np.sort(np.random.default_rng(seed).choice(total, size=max_positives, replace=False))
    positives, offset = [], 0
    hard_scores, hard_index = np.empty(left.shape[0]), np.empty(left.shape[0], dtype=np.int64)
    for start, block in score_blocks(left, right, tilt, chunk_size):  # (b, N)
        stop = start + block.shape[0]
        same = codes[start:stop, None] == codes[None, :]  # (b, N)
        pos = block[same]
        if keep is not None:
            lo, hi = np.searchsorted(keep, [offset, offset + pos.size])
            pos = pos[keep[lo:hi] - offset]
        positives.append(pos)
        offset += int(same.sum())
        masked = np.where(same, -np.inf, block)
        hard_index[start:stop] = masked.argmax(axis=1)
        hard_scores[start:stop] = masked[np.arange(block.shape[0]), hard_index[start:stop]]
    return np.concatenate(positives), hard_scores, hard_index


def _check_groups_split(codes: NDArray[np.int64]) -> None:
    if codes.max() == 0:
        raise DataError(
            "every pair has the same group id, so there are no negatives to compare with; pass one group id per "
            "product (or the row ids when the data has no group column)."
        )


def hardest_negatives(
    left: ArrayLike, right: ArrayLike, groups: Sequence[Hashable], *, tilt: str = "cosine", chunk_size: int = 1024
) -> tuple[FloatArray, NDArray[np.int64]]:
    """For each left query, the highest-scoring right item of a different group.

    Ties go to the lowest right index.

    Args:
        left: (N, D) left embeddings; row ``i`` pairs with ``right[i]``.
        right: (N, D) right embeddings.
        groups: N group ids; equal ids are positives of each other.
        tilt: ``"cosine"``, ``"dot"`` or ``"l2"``.
        chunk_size: Queries scored at once; memory is O(chunk_size * N).

    Returns:
        ``(scores, indices)``: (N,) float64 scores and (N,) int64 right-item indices.

    Raises:
        DataError: Bad shapes, or a single group (no negatives).
    """
    a_left, a_right, codes = check_grouped_pairs(left, right, groups)
    _check_groups_split(codes)
    _, scores, index = _scan(a_left, a_right, codes, tilt, chunk_size, max_positives=0, seed=0)
    return scores, index


def in_batch_negative_scores(
    left: ArrayLike, right: ArrayLike, groups: Sequence[Hashable], *, tilt: str = "cosine", batch_size: int = 32,
    seed: int = 0, max_negatives: int = 200_000,
) -> FloatArray:
    """Scores of different-group (left, right) pairs inside random training-style batches.

    One seeded shuffle of the N pairs is cut into batches of ``batch_size`` (a final batch of one
    pair is dropped); in each batch every off-diagonal pair of different groups is scored. Batches
    are taken in order until ``max_negatives`` scores are collected (the last one truncated).

    Returns:
        1-D float64 array, possibly empty when every batch holds one group only.
    """
    a_left, a_right, codes = check_grouped_pairs(left, right, groups)
    batch_size = check_positive_int(batch_size, "batch_size", 32)
    max_negatives = check_positive_int(max_negatives, "max_negatives", 200_000)
    if batch_size < 2:
        raise ConfigError(f"batch_size: got {batch_size}, expected at least 2 (a batch of one pair has no negatives).")
    perm = np.random.default_rng(seed).permutation(codes.size)
    found, n_found = [], 0
    for start in range(0, perm.size, batch_size):
        idx = perm[start : start + batch_size]
        if idx.size < 2 or n_found >= max_negatives:
            break
        block = score_matrix(a_left[idx], a_right[idx], tilt).astype(np.float64)  # (B, B)
        scores = block[codes[idx, None] != codes[None, idx]][: max_negatives - n_found]
        found.append(scores)
        n_found += scores.size
    return np.concatenate(found) if found else np.empty(0)


def _score_scale(left: np.ndarray, right: np.ndarray, tilt: str) -> float:
    """Typical size of a score for these embeddings, to judge whether the spread is tiny."""
    if tilt == "cosine":
        return 1.0
    norms_l = np.linalg.norm(left.astype(np.float64), axis=1)
    norms_r = np.linalg.norm(right.astype(np.float64), axis=1)
    if tilt == "dot":
        return float(norms_l.mean() * norms_r.mean())
    return float((norms_l**2).mean() + (norms_r**2).mean())


def _collapse(
    all_scores: FloatArray, scale: float, auc_in_batch: float | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    relative_std = float(all_scores.std() / scale) if scale > 0 else 0.0
    warnings = []
    collapsed = relative_std < COLLAPSE_RELATIVE_STD
    if collapsed:
        warnings.append(keyed(_KEYS["collapsed"], relative_std=relative_std))
    overlap = False
    if auc_in_batch is not None and auc_in_batch < OVERLAP_AUC:
        overlap = True
        if not collapsed:  # collapse already explains the overlap
            key = "inverted" if auc_in_batch < 1.0 - OVERLAP_AUC else "overlap"
            warnings.append(keyed(_KEYS[key], auc=float(auc_in_batch)))
    info = {
        "flag": bool(collapsed or overlap),
        "score_std": float(all_scores.std()),
        "score_scale": scale,
        "relative_std": relative_std,
        "relative_std_limit": COLLAPSE_RELATIVE_STD,
        "overlap_auc_limit": OVERLAP_AUC,
    }
    return info, warnings


def similarity_distributions(
    left: ArrayLike,
    right: ArrayLike,
    groups: Sequence[Hashable],
    *,
    tilt: str = "cosine",
    batch_size: int = 32,
    n_bins: int = 50,
    seed: int = 0,
    max_negatives: int = 200_000,
    max_positives: int = 200_000,
    chunk_size: int = 1024,
) -> dict[str, Any]:
    """Positives, in-batch negatives and hardest negatives of a test split, with separation and a threshold.

    Args:
        left: (N, D) left embeddings of the test split (unnormalised is fine).
        right: (N, D) right embeddings; row ``i`` pairs with ``left[i]``.
        groups: N group ids; pairs with equal ids are true pairs of each other.
        tilt: ``"cosine"``, ``"dot"`` or ``"l2"`` (the base model is normally scored with cosine).
        batch_size: Training batch size the in-batch negatives imitate.
        n_bins: Bins of the shared histogram grid.
        seed: Seeds the batch shuffle and the positive subsample.
        max_negatives: Cap on in-batch negative scores.
        max_positives: Cap on positive scores (a seeded uniform subsample beyond it).
        chunk_size: Queries scored at once; memory is O(chunk_size * N).

    Returns:
        JSON-serialisable dict: ``tilt``, ``n_pairs``, ``n_groups``, ``batch_size``, ``seed``;
        ``summary`` and ``counts`` per population (``positive``, ``in_batch``, ``hardest``) with the
        shared ``bin_edges`` (counts sum to each population's size); ``auc`` (``in_batch``,
        ``hardest``; ``in_batch`` is None when no in-batch negative exists); ``threshold`` (see
        :func:`best_f1_threshold`, plus ``in_batch_false_match_rate``: share of in-batch negatives
        at or above it); ``collapse`` and plain-language ``warnings``.

    Raises:
        DataError: Bad shapes or values, or a single group (nothing to compare with).
        ConfigError: Unknown tilt or non-positive sizes.
    """
    a_left, a_right, codes = check_grouped_pairs(left, right, groups)
    _check_groups_split(codes)
    n_bins = check_positive_int(n_bins, "n_bins", 50)
    max_positives = check_positive_int(max_positives, "max_positives", 200_000)
    positive, hardest, _ = _scan(a_left, a_right, codes, tilt, chunk_size, max_positives, seed)
    in_batch = in_batch_negative_scores(
        a_left, a_right, codes, tilt=tilt, batch_size=batch_size, seed=seed, max_negatives=max_negatives
    )
    populations = {"positive": positive, "in_batch": in_batch, "hardest": hardest}
    every = np.concatenate(list(populations.values()))
    lo, hi = float(every.min()), float(every.max())
    edges = np.linspace(lo - 0.5, hi + 0.5, n_bins + 1) if lo == hi else np.linspace(lo, hi, n_bins + 1)
    auc_in_batch = roc_auc(positive, in_batch) if in_batch.size else None
    threshold = best_f1_threshold(positive, hardest)
    threshold["in_batch_false_match_rate"] = (
        float(np.mean(in_batch >= threshold["threshold"])) if in_batch.size else None
    )
    collapse, warnings = _collapse(every, _score_scale(a_left, a_right, tilt), auc_in_batch)
    if threshold["threshold"] <= hardest.min():
        warnings.append(keyed(_KEYS["accepts_all"]))
    if not in_batch.size:
        warnings.append(keyed(_KEYS["no_in_batch"]))
    for item in warnings:
        logger.warning(wording.english(item))
    out = {
        "tilt": tilt,
        "n_pairs": int(codes.size),
        "n_groups": int(codes.max() + 1),
        "batch_size": int(batch_size),
        "seed": int(seed),
        "bin_edges": edges.tolist(),
        "counts": {k: np.histogram(v, bins=edges)[0].tolist() for k, v in populations.items()},
        "summary": {k: score_summary(v) if v.size else None for k, v in populations.items()},
        "auc": {"in_batch": auc_in_batch, "hardest": roc_auc(positive, hardest)},
        "threshold": threshold,
        "collapse": collapse,
    }
    wording.store(out, "warnings", warnings)
    return out


def _auc_takeaway(what: str, base: float, tuned: float) -> dict[str, Any]:
    delta = tuned - base
    if abs(delta) < AUC_SAME:
        return keyed(_KEYS["auc_same"], words={"what": _AUC_WORDS["what"]}, what=what, base=base, tuned=tuned)
    return keyed(_KEYS["auc_changed"], words=_AUC_WORDS, what=what, verb="up" if delta > 0 else "down", base=base,
                 tuned=tuned, delta=delta)


def _require_keys(result: dict[str, Any], name: str) -> None:
    missing = [k for k in ("tilt", "auc", "threshold", "warnings") if k not in result]
    if missing:
        raise DataError(
            f"{name}: missing {', '.join(missing)}; pass the dict returned by similarity_distributions "
            "(as stored in the run directory)."
        )


def compare_distributions(base: dict[str, Any], tuned: dict[str, Any]) -> dict[str, Any]:
    """Summarise how fine-tuning moved the score distributions, with one-line takeaways.

    Args:
        base: :func:`similarity_distributions` of the base model's embeddings.
        tuned: The same for the fine-tuned model on the same test split.

    Returns:
        JSON-serialisable dict: ``tilt`` (base, tuned); ``auc_in_batch`` and ``auc_hardest`` with
        ``base``, ``tuned`` and ``change``; ``threshold``, ``precision``, ``recall``, ``f1`` with
        ``base`` and ``tuned``; ``thresholds_comparable`` (same tilt); ``takeaways`` (English
        sentences, keyed forms in ``takeaways_keyed``); ``warnings`` of each side (keyed forms in
        ``warnings_keyed``, also per side).

    Raises:
        DataError: An argument is not a similarity_distributions result.
    """
    _require_keys(base, "base")
    _require_keys(tuned, "tuned")

    def pair(get: Any) -> dict[str, Any]:
        b, t = get(base), get(tuned)
        out = {"base": b, "tuned": t}
        if isinstance(b, float) and isinstance(t, float):
            out["change"] = t - b
        return out

    out: dict[str, Any] = {
        "tilt": pair(lambda r: r["tilt"]),
        "auc_in_batch": pair(lambda r: r["auc"]["in_batch"]),
        "auc_hardest": pair(lambda r: r["auc"]["hardest"]),
        **{k: pair(lambda r, k=k: r["threshold"][k]) for k in ("threshold", "precision", "recall", "f1")},
        "thresholds_comparable": base["tilt"] == tuned["tilt"],
        "warnings": {"base": list(base["warnings"]), "tuned": list(tuned["warnings"])},
        "warnings_keyed": {"base": base.get("warnings_keyed"), "tuned": tuned.get("warnings_keyed")},
    }
    takeaways = [_auc_takeaway("hardest", base["auc"]["hardest"], tuned["auc"]["hardest"])]
    if base["auc"]["in_batch"] is not None and tuned["auc"]["in_batch"] is not None:
        takeaways.append(_auc_takeaway("in_batch", base["auc"]["in_batch"], tuned["auc"]["in_batch"]))
    b_thr, t_thr = base["threshold"], tuned["threshold"]
    takeaways.append(
        keyed(_KEYS["operating_point"], recall=t_thr["recall"], precision=t_thr["precision"],
              base_recall=b_thr["recall"], base_precision=b_thr["precision"])
    )
    if out["thresholds_comparable"]:
        takeaways.append(
            keyed(_KEYS["threshold_moved"], tilt=tuned["tilt"], base=b_thr["threshold"], tuned=t_thr["threshold"])
        )
    else:
        takeaways.append(keyed(_KEYS["tilts_differ"], base_tilt=base["tilt"], tuned_tilt=tuned["tilt"]))
    wording.store(out, "takeaways", takeaways)
    return out
