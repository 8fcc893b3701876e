"""Exact search for near-duplicate texts: Jaccard similarity of character 3-gram sets.

A brute-force comparison of all pairs is quadratic. Instead this uses prefix filtering (Chaudhuri
et al. 2006; Bayardo et al. 2007): order every text's shingles from globally rarest to most common;
two sets with Jaccard >= t must share a shingle within the first ``s - ceil(t * s) + 1`` shingles
of each, so only texts sharing a *rare* shingle become candidates. Candidates are then verified
with the exact Jaccard, so the result equals brute force (up to the per-text length cap).

Prefix filtering degrades on templated texts whose shingles are all common (every prefix shingle
is shared by thousands of texts). When its candidate count would exceed a budget, candidates come
from MinHash banding instead (Broder 1997; Leskovec et al., Mining of Massive Datasets, ch. 3).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from engine.errors import ConfigError

logger = logging.getLogger(__name__)

SHINGLE = 3  # characters per shingle; short enough to survive typos, long enough to be specific
MAX_CHARS = 10_000  # texts are compared on their first 10k characters to bound the cost
MAX_BUCKET = 2_000  # a prefix shingle shared by more texts than this is skipped (would be ~2M pairs)
_VERIFY_CHUNK = 200_000
_EPS = 1e-9  # guards ceil(t * s) against t * s = 9.000000000000002
PREFIX_BUDGET = 2_000_000  # candidate pairs above which "auto" switches to MinHash banding
_BANDS = 12  # with the rows per band below: 84 hashes at t = 0.9; more bands cost more than they save
_MAX_BAND_ROWS = 12
_MISS = 1e-3  # MinHash banding misses a pair exactly at the threshold with at most this probability
_LOOKUP_LIMIT = 1 << 22  # id ranges up to this are factorised with a lookup table instead of a sort
_CODE_BASE = 2**31  # pair code i * base + j; texts are far fewer than 2**31


def _unique_sorted(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values; sorting beats ``np.unique``'s hash path (numpy 2.3+) on millions of int64."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def normalise_text(text: str) -> str:
    """Lower case with runs of whitespace collapsed to one space and the ends stripped."""
    return " ".join(text.lower().split())[:MAX_CHARS]


def shingle_set(text: str) -> set[str]:
    """The set of character 3-grams of the normalised text (empty for texts under 3 characters)."""
    t = normalise_text(text)
    return {t[i : i + SHINGLE] for i in range(len(t) - SHINGLE + 1)}


def _dense_ids(values: np.ndarray, size: int) -> tuple[np.ndarray, int]:
    """Map non-negative ints below ``size`` to 0..k-1 preserving order; returns (ids, k)."""
    if size <= _LOOKUP_LIMIT:
        present = np.zeros(size, dtype=bool)
        present[values] = True
        lookup = np.cumsum(present) - 1
        return lookup[values], int(present.sum())
    distinct, ids = np.unique(values, return_inverse=True)
    return ids.ravel(), len(distinct)


def shingle_matrix(texts: Sequence[str]) -> sp.csr_matrix:
    """Binary CSR matrix (texts x distinct shingles) of the normalised texts' 3-gram sets."""
    norm = [normalise_text(t) for t in texts]
    n = len(norm)
    lengths = np.fromiter((len(t) for t in norm), dtype=np.int64, count=n)
    raw = np.frombuffer("".join(norm).encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32)
    chars, alphabet = _dense_ids(raw.astype(np.int64), 0x110000)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if n else np.zeros(0, dtype=np.int64)
    owner = np.repeat(np.arange(n, dtype=np.int64), lengths)
    valid = np.arange(len(chars)) - np.repeat(starts, lengths) <= np.repeat(lengths, lengths) - SHINGLE
    first = np.flatnonzero(valid)
    span = max(alphabet, 1) ** SHINGLE
    shingle = (chars[first] * alphabet + chars[first + 1]) * alphabet + chars[first + 2]
    if n * span < 2**62:
        # One sort of (text, shingle) keys both groups by text and drops repeats within a text.
        cell = _unique_sorted(owner[first] * span + shingle)
        rows, shingle = np.divmod(cell, span)
    else:  # huge alphabets: factorise shingles first so the key fits in int64
        shingle, span = _dense_ids(shingle, span)
        cell = _unique_sorted(owner[first] * span + shingle)
        rows, shingle = np.divmod(cell, span)
    cols, n_cols = _dense_ids(shingle, span)
    data = np.ones(len(rows), dtype=np.int32)
    indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=n))))
    return sp.csr_matrix((data, cols, indptr), shape=(n, n_cols))


def _bucket_sizes(keys: np.ndarray) -> np.ndarray:
    """Lengths of the runs of equal values in the sorted array ``keys``."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    bounds = np.concatenate(([0], np.flatnonzero(np.diff(keys)) + 1, [len(keys)]))
    return np.diff(bounds)


def _pairs_in_buckets(members: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Codes ``i * n + j`` (unsorted, may repeat) of all member pairs sharing a key; keys sorted."""
    size = _bucket_sizes(keys)
    if (size > MAX_BUCKET).any():
        logger.warning(
            "Near-duplicate search skipped %d buckets of more than %d similar texts; some near-duplicates may be "
            "missed.",
            int((size > MAX_BUCKET).sum()),
            MAX_BUCKET,
        )
        ok = np.repeat(size <= MAX_BUCKET, size)
        members, keys = members[ok], keys[ok]
        size = _bucket_sizes(keys)
    end = np.repeat(np.cumsum(size), size)  # one past the last member of each entry's bucket
    following = end - np.arange(len(members)) - 1  # members after this one in its bucket
    total = int(following.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    a = np.repeat(np.arange(len(members)), following)
    offset = np.arange(total) - np.repeat(np.cumsum(following) - following, following)
    i, j = members[a], members[a + 1 + offset]
    return np.minimum(i, j) * _CODE_BASE + np.maximum(i, j)


def _prefix_entries(matrix: sp.csr_matrix, sizes: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """(text, shingle rank) of each text's prefix shingles, sorted by rank then text."""
    n_rows, n_cols = matrix.shape
    cols = matrix.indices.astype(np.int64)
    rows = np.repeat(np.arange(n_rows, dtype=np.int64), sizes)
    freq = np.bincount(cols, minlength=n_cols)
    rank = np.empty(n_cols, dtype=np.int64)
    rank[np.lexsort((np.arange(n_cols), freq))] = np.arange(n_cols)  # rarest shingle first
    rows, tok = np.divmod(np.sort(rows * n_cols + rank[cols]), n_cols)
    row_start = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    prefix_len = sizes - np.ceil(threshold * sizes - _EPS).astype(np.int64) + 1
    keep = np.arange(len(rows)) - row_start[rows] < prefix_len[rows]
    tok, rows = np.divmod(np.sort(tok[keep] * n_rows + rows[keep]), n_rows)
    return rows, tok


def _minhash_codes(matrix: sp.csr_matrix, sizes: np.ndarray, threshold: float, seed: int) -> np.ndarray:
    """Candidate pair codes from MinHash banding (texts agreeing on a whole band of min-hashes)."""
    # As many rows per band as keep the miss probability of a pair exactly at the threshold,
    # (1 - t**r) ** bands, below _MISS: more rows make the S-curve steeper, so fewer dissimilar
    # pairs (templated texts sharing boilerplate) become candidates.
    per_band = 1.0 - _MISS ** (1.0 / _BANDS)
    r = _MAX_BAND_ROWS if threshold >= 1.0 else int(math.log(per_band) / math.log(threshold))
    r = max(1, min(_MAX_BAND_ROWS, r))
    rng = np.random.default_rng(seed)
    nonempty = np.flatnonzero(sizes > 0)
    starts = matrix.indptr[:-1][nonempty]
    indices = matrix.indices.astype(np.intp)  # converted once, not on every gather below
    signature = np.empty((_BANDS * r, len(nonempty)), dtype=np.uint32)
    for k in range(_BANDS * r):
        # A random value per shingle is a random permutation of the shingles (ties have p ~ 2**-32).
        h = rng.integers(0, 2**32, size=matrix.shape[1], dtype=np.uint32)
        signature[k] = np.minimum.reduceat(np.take(h, indices), starts)
    signature = signature.T
    mixers = rng.integers(1, 2**63, size=r, dtype=np.uint64) | np.uint64(1)
    codes = []
    for band in range(_BANDS):
        rows = signature[:, band * r : (band + 1) * r].astype(np.uint64)
        key = (rows * mixers).sum(axis=1)  # wraps mod 2**64, as intended: any mix of the band works
        order = np.argsort(key, kind="stable")
        codes.append(_pairs_in_buckets(nonempty[order], key[order]))
    return np.concatenate(codes)


def candidate_pairs(
    matrix: sp.csr_matrix, threshold: float, *, method: str = "auto", seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) worth verifying: exact prefix filtering, or MinHash banding when that is cheaper.

    Args:
        matrix: Binary texts x shingles matrix from :func:`shingle_matrix`.
        threshold: Jaccard threshold.
        method: ``"prefix"`` (exact), ``"minhash"`` (misses a pair exactly at the threshold with
            probability below 1e-3, less the more similar it is), or ``"auto"``: prefix unless its candidate count
            exceeds :data:`PREFIX_BUDGET`, as on templated texts with a small shingle vocabulary.
        seed: MinHash seed.
    """
    if method not in ("auto", "prefix", "minhash"):
        raise ConfigError(f"near-duplicate method: got {method!r}, expected 'auto', 'prefix' or 'minhash'.")
    sizes = np.diff(matrix.indptr).astype(np.int64)
    use_minhash = method == "minhash"
    if not use_minhash:
        rows, tok = _prefix_entries(matrix, sizes, threshold)
        size = _bucket_sizes(tok)
        estimate = int((size * (size - 1) // 2).sum())
        use_minhash = method == "auto" and estimate > PREFIX_BUDGET
        if use_minhash:
            logger.info("Prefix filtering would verify %d pairs; using MinHash banding instead.", estimate)
    codes = _minhash_codes(matrix, sizes, threshold, seed) if use_minhash else _pairs_in_buckets(rows, tok)
    codes = _unique_sorted(codes)
    return np.divmod(codes, _CODE_BASE)


def near_duplicate_pairs(
    texts: Sequence[str], threshold: float = 0.9, *, method: str = "auto", seed: int = 0
) -> list[tuple[int, int, float]]:
    """All pairs of texts whose 3-gram Jaccard similarity is at least ``threshold``.

    Texts are compared after :func:`normalise_text`, so texts differing only in case or spacing
    score 1.0. Texts shorter than 3 characters have no shingles and never match. Pass distinct
    texts: identical inputs are reported as pairs with similarity 1.0.

    Args:
        texts: The texts to compare.
        threshold: Minimum Jaccard similarity, in (0, 1].
        method: Candidate search, see :func:`candidate_pairs`; every candidate is verified exactly.
        seed: MinHash seed (only used when MinHash banding runs).

    Returns:
        ``(i, j, jaccard)`` with ``i < j`` indexing ``texts``, sorted by ``(i, j)``.

    Raises:
        ConfigError: ``threshold`` is not in (0, 1].
    """
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0.0 < threshold <= 1.0:
        raise ConfigError(f"near_duplicate_threshold: got {threshold!r}, expected a number in (0, 1] (e.g. 0.9).")
    if len(texts) < 2:
        return []
    matrix = shingle_matrix(texts)
    sizes = np.diff(matrix.indptr).astype(np.int64)
    i, j = candidate_pairs(matrix, float(threshold), method=method, seed=seed)
    small, large = np.minimum(sizes[i], sizes[j]), np.maximum(sizes[i], sizes[j])
    keep = (small >= threshold * large - _EPS) & (small > 0)  # Jaccard <= small / large
    i, j = i[keep], j[keep]
    result: list[tuple[int, int, float]] = []
    for start in range(0, len(i), _VERIFY_CHUNK):
        a, b = i[start : start + _VERIFY_CHUNK], j[start : start + _VERIFY_CHUNK]
        inter = np.asarray(matrix[a].multiply(matrix[b]).sum(axis=1)).ravel()
        jaccard = inter / (sizes[a] + sizes[b] - inter)
        hit = jaccard >= threshold - _EPS
        result.extend(zip(a[hit].tolist(), b[hit].tolist(), jaccard[hit].tolist(), strict=True))
    return sorted(result)


@dataclass(frozen=True)
class NearPairs:
    """Near-duplicate pairs among a set of distinct texts, computed once and shared by several checks.

    Attributes:
        texts: The distinct texts, sorted (so the result does not depend on row order).
        pairs: ``(i, j, jaccard)`` indexing ``texts``, as from :func:`near_duplicate_pairs`.
    """

    texts: list[str]
    pairs: list[tuple[int, int, float]]

    @classmethod
    def find(cls, values: Iterable[str], threshold: float) -> NearPairs:
        """Search the distinct values of ``values``."""
        texts = sorted(set(values))
        return cls(texts=texts, pairs=near_duplicate_pairs(texts, threshold))
