"""Exact search for near-duplicate texts: Jaccard similarity of character 3-gram sets.

A brute-force comparison of all pairs is quadratic. Instead this uses prefix filtering (Chaudhuri
et al. 2006; Bayardo et al. 2007): order every text's shingles from globally rarest to most common;
two sets with Jaccard >= t must share a shingle within the first ``s - ceil(t * s) + 1`` shingles
of each, so only texts sharing a *rare* shingle become candidates. Candidates are then verified
with the exact Jaccard, so the result equals brute force (up to the per-text length cap).

Prefix filtering degrades on templated texts whose shingles are all common (every prefix shingle
is shared by thousands of texts). When its candidate count would exceed a budget, candidates come
from MinHash banding instead (Broder 1997; Leskovec et al., Mining of Massive Datasets, ch. 3).

Time and memory stay linear in the number of texts (issue 8: 1M-row files): shingles are built
and hashed in chunks of texts, with int32 ids; pairs are held as one int64 code each and verified in
chunks. A MinHash band whose buckets would give more than :data:`BAND_BUDGET` pairs pairs its small
buckets (up to :data:`FULL_BUCKET` texts) completely and, in larger ones, each text only with its
:data:`WINDOW` neighbours in the order of the next band's key (a sorted-neighbourhood search); a
band with more than :data:`PRUNE_ABOVE` candidates keeps those whose texts agree on two or more
bands; past :data:`CANDIDATE_BUDGET` candidates no more bands are added (with a warning).

Recall against the exact prefix filter (tests/engine/data/test_audit_scale.py, t = 0.9): on 10k
templated catalogue texts 0.998 of the pairs with the default settings and 0.984 with those limits
forced; on the worst case, one template with a serial number (~16 near-duplicates per text,
thousands of texts per bucket), 0.56 of the pairs on 3k texts with the limits forced, while every
text that has a near-duplicate is still found (the rows a finding counts).
"""

from __future__ import annotations

import logging
import math
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

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
_BANDS = 9  # with the rows per band below: 45 hashes at t = 0.9 (the hashing is most of the time at 1M texts)
_MAX_BAND_ROWS = 12
_MISS = 1e-3  # MinHash banding misses a pair exactly at the threshold with at most this probability
_CODE_BASE = 2**31  # pair code i * base + j; texts are far fewer than 2**31
WINDOW = 8  # in a MinHash bucket, each text is paired with at most this many neighbours
BAND_BUDGET = 1_000_000  # a MinHash band with more pairs than this uses windows in its large buckets
FULL_BUCKET = 32  # ... and pairs buckets up to this size completely (at most 496 pairs each)
PRUNE_ABOVE = 200_000  # a MinHash band with more candidates than this keeps those agreeing on 2+ bands
CANDIDATE_BUDGET = 20_000_000  # MinHash stops adding bands past this many candidates (160 MB of codes)
_CHUNK_TEXTS = 50_000  # texts shingled at once: bounds the temporary arrays to a few tens of MB
_CODEPOINT_BITS = 21  # a Unicode code point fits in 21 bits, so a 3-gram fits in one int64

Step = Callable[[float], None]
"""Called with the fraction of a search done; it may raise (e.g. to cancel) and the search stops."""


def _unique_sorted(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values; sorting beats ``np.unique``'s hash path (numpy 2.3+) on millions of int64."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def normalise_text(text: str) -> str:
    """NFKC, lower case, runs of whitespace collapsed to one space and the ends stripped.

    NFKC makes full-width and half-width forms compare equal (``ＡＢＣ`` and ``ABC``, ``ｶﾀｶﾅ`` and
    ``カタカナ``); only the comparison key changes, never the user's text.
    """
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())[:MAX_CHARS]


def shingle_set(text: str) -> set[str]:
    """The set of character 3-grams of the normalised text (empty for texts under 3 characters)."""
    t = normalise_text(text)
    return {t[i : i + SHINGLE] for i in range(len(t) - SHINGLE + 1)}


def _chunk_cells(norm: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(text, shingle code) of the distinct 3-grams of each text of one chunk, sorted by text then code."""
    n = len(norm)
    lengths = np.fromiter((len(t) for t in norm), dtype=np.int64, count=n)
    chars = np.frombuffer("".join(norm).encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32)
    chars = chars.astype(np.int64)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if n else np.zeros(0, dtype=np.int64)
    counts = np.maximum(lengths - SHINGLE + 1, 0)  # shingles per text
    owner = np.repeat(np.arange(n, dtype=np.int64), counts)
    first = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    first += starts[owner]
    code = (chars[first] << (2 * _CODEPOINT_BITS)) | (chars[first + 1] << _CODEPOINT_BITS) | chars[first + 2]
    order = np.lexsort((code, owner))
    owner, code = owner[order], code[order]
    if not len(code):
        return owner, code
    keep = np.concatenate(([True], (owner[1:] != owner[:-1]) | (code[1:] != code[:-1])))
    return owner[keep], code[keep]


def shingle_matrix(texts: Sequence[str]) -> sp.csr_matrix:
    """Binary CSR matrix (texts x distinct shingles) of the normalised texts' 3-gram sets.

    Texts are shingled in chunks of :data:`_CHUNK_TEXTS`, so the temporary arrays stay small
    whatever the number of texts; the cells of all texts are held as int32 shingle ids only.
    """
    n = len(texts)
    counts, local, vocab = [], [], []
    for start in range(0, n, _CHUNK_TEXTS):
        chunk = texts[start : start + _CHUNK_TEXTS]
        owner, code = _chunk_cells([normalise_text(t) for t in chunk])
        counts.append(np.bincount(owner, minlength=len(chunk)))
        # Per chunk: its distinct shingles and an int32 id into them (not an int64 code per cell).
        distinct, ids = np.unique(code, return_inverse=True)
        vocab.append(distinct)
        local.append(ids.astype(np.int32))
    uniques = _unique_sorted(np.concatenate(vocab)) if vocab else np.zeros(0, dtype=np.int64)
    cols = np.concatenate([
        np.searchsorted(uniques, distinct).astype(np.int32)[ids] for distinct, ids in zip(vocab, local, strict=True)
    ]) if local else np.zeros(0, dtype=np.int32)
    del local
    indptr = np.concatenate(([0], np.cumsum(np.concatenate(counts) if counts else np.zeros(0, dtype=np.int64))))
    if len(cols) < 2**31:  # int32 indptr keeps scipy from widening the indices to int64
        indptr = indptr.astype(np.int32)
    # int8 ones: a quarter of the memory of int32; sums of products are taken in int64 by scipy.
    matrix = sp.csr_matrix((np.ones(len(cols), dtype=np.int8), cols, indptr), shape=(n, len(uniques)))
    matrix.sort_indices()
    return matrix


def _bucket_sizes(keys: np.ndarray) -> np.ndarray:
    """Lengths of the runs of equal values in the sorted array ``keys``."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    bounds = np.concatenate(([0], np.flatnonzero(np.diff(keys)) + 1, [len(keys)]))
    return np.diff(bounds)


def _pairs_in_buckets(members: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Codes ``i * base + j`` (unsorted, may repeat) of all member pairs sharing a key; keys sorted.

    Buckets over :data:`MAX_BUCKET` are skipped (prefix filtering, within its candidate budget).
    """
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
    return np.concatenate(list(_pair_chunks(members, following))) if following.any() else np.zeros(0, np.int64)


def _pair_chunks(members: np.ndarray, following: np.ndarray, chunk: int = _VERIFY_CHUNK * 5) -> Iterable[np.ndarray]:
    """Codes of each member paired with the ``following[k]`` members after it, about ``chunk`` at a time."""
    ends = np.cumsum(following)
    start = 0
    while start < len(members):
        stop = max(int(np.searchsorted(ends, ends[start] - following[start] + chunk, side="right")), start + 1)
        part = following[start:stop]
        a = np.repeat(np.arange(start, stop), part)
        offset = np.arange(len(a)) - np.repeat(np.cumsum(part) - part, part)
        i, j = members[a], members[a + 1 + offset]
        yield np.minimum(i, j) * _CODE_BASE + np.maximum(i, j)
        start = stop


def _band_codes(members: np.ndarray, keys: np.ndarray, prune: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Sorted distinct candidate codes of one MinHash band, pruned chunk by chunk when there are many."""
    size = _bucket_sizes(keys)
    end = np.repeat(np.cumsum(size), size)
    following = end - np.arange(len(members)) - 1
    if int((size * (size - 1) // 2).sum()) > BAND_BUDGET:
        # Too many pairs: small buckets are paired completely, large ones only within the window.
        following = np.where(np.repeat(size, size) > FULL_BUCKET, np.minimum(following, WINDOW), following)
    many = int(following.sum()) > PRUNE_ABOVE
    parts = [prune(c) if many else c for c in _pair_chunks(members, following)] if following.any() else []
    return _unique_sorted(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)


def _merge_codes(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Sorted distinct union of the sorted distinct ``old`` and ``new``."""
    if len(old):  # usually most of a band's pairs are known already
        where = np.minimum(np.searchsorted(old, new), len(old) - 1)
        new = new[old[where] != new]
    # Two sorted runs: the stable sort (timsort for int64) merges them in linear time.
    both = np.concatenate((old, new))
    both.sort(kind="stable")
    return both


def _prefix_entries(matrix: sp.csr_matrix, sizes: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """(text, shingle rank) of each text's prefix shingles, sorted by rank then text.

    Texts are ranked in chunks of :data:`_CHUNK_TEXTS`: the prefixes are a few shingles per text,
    but ranking all shingles of 1M texts at once would take several arrays of every cell.
    """
    n_rows, n_cols = matrix.shape
    freq = np.bincount(matrix.indices, minlength=n_cols)
    rank = np.empty(n_cols, dtype=np.int64)
    rank[np.lexsort((np.arange(n_cols), freq))] = np.arange(n_cols)  # rarest shingle first
    prefix_len = sizes - np.ceil(threshold * sizes - _EPS).astype(np.int64) + 1
    keys = []
    for start in range(0, n_rows, _CHUNK_TEXTS):
        stop = min(start + _CHUNK_TEXTS, n_rows)
        cols = matrix.indices[matrix.indptr[start] : matrix.indptr[stop]]
        rows = np.repeat(np.arange(start, stop, dtype=np.int64), sizes[start:stop])
        rows, tok = np.divmod(np.sort(rows * n_cols + rank[cols]), n_cols)
        row_start = np.concatenate(([0], np.cumsum(sizes[start:stop])[:-1]))
        keep = np.arange(len(rows)) - row_start[rows - start] < prefix_len[rows]
        keys.append(tok[keep] * n_rows + rows[keep])
    key = np.sort(np.concatenate(keys)) if keys else np.zeros(0, dtype=np.int64)
    tok, rows = np.divmod(key, n_rows)
    return rows, tok


def _band_keys(matrix: sp.csr_matrix, rows: np.ndarray, bands: int, r: int, seed: int) -> np.ndarray:
    """One uint64 key per band and text (bands x texts): a mix of the band's ``r`` min-hashes.

    Computed in chunks of texts, so the gathered hash values never exceed a chunk's cells.
    """
    rng = np.random.default_rng(seed)
    # A random value per shingle is a random permutation of the shingles (ties have p ~ 2**-32).
    hashes = rng.integers(0, 2**32, size=(bands * r, matrix.shape[1]), dtype=np.uint32)
    mixers = rng.integers(1, 2**63, size=(bands, r), dtype=np.uint64) | np.uint64(1)
    keys = np.zeros((bands, len(rows)), dtype=np.uint64)
    for start in range(0, len(rows), 2 * _CHUNK_TEXTS):
        part = rows[start : start + 2 * _CHUNK_TEXTS]
        lo, hi = matrix.indptr[part[0]], matrix.indptr[part[-1] + 1]
        indices = matrix.indices[lo:hi].astype(np.intp)
        starts = matrix.indptr[part] - lo  # rows are the non-empty ones, in order, so starts are increasing
        for band in range(bands):
            for k in range(r):
                minimum = np.minimum.reduceat(np.take(hashes[band * r + k], indices), starts).astype(np.uint64)
                # Wraps mod 2**64, as intended: any mix of the band works.
                keys[band, start : start + len(part)] += minimum * mixers[band, k]
    return keys


def _minhash_codes(
    matrix: sp.csr_matrix, sizes: np.ndarray, threshold: float, seed: int, step: Step | None = None
) -> np.ndarray:
    """Sorted distinct candidate pair codes from MinHash banding (texts agreeing on a whole band)."""
    # As many rows per band as keep the miss probability of a pair exactly at the threshold,
    # (1 - t**r) ** bands, below _MISS: more rows make the S-curve steeper, so fewer dissimilar
    # pairs (templated texts sharing boilerplate) become candidates.
    per_band = 1.0 - _MISS ** (1.0 / _BANDS)
    r = _MAX_BAND_ROWS if threshold >= 1.0 else int(math.log(per_band) / math.log(threshold))
    r = max(1, min(_MAX_BAND_ROWS, r))
    nonempty = np.flatnonzero(sizes > 0)
    keys = _band_keys(matrix, nonempty, _BANDS, r, seed)
    position = np.searchsorted(nonempty, np.arange(len(sizes)))  # text -> column of keys
    if step:
        step(0.5)
    codes = np.zeros(0, dtype=np.int64)
    for band in range(_BANDS):
        # Within a bucket, neighbours in the order of the next band's key are the likeliest twins.
        order = np.lexsort((keys[(band + 1) % _BANDS], keys[band]))
        new = _band_codes(nonempty[order], keys[band][order], lambda c: _prune(c, keys, position))
        codes = _merge_codes(codes, new)
        del new
        if step:
            step(0.5 + 0.5 * (band + 1) / _BANDS)
        if len(codes) > CANDIDATE_BUDGET:
            logger.warning(
                "Near-duplicate search stopped after %d of %d MinHash bands at %d candidate pairs; some "
                "near-duplicates may be missed.", band + 1, _BANDS, len(codes),
            )
            break
    return codes


def _prune(codes: np.ndarray, keys: np.ndarray, position: np.ndarray) -> np.ndarray:
    """The candidates whose texts agree on at least two bands.

    Only used on bands with many candidates, where holding and verifying them all would dominate
    time and memory: in clusters of templated texts most pairs agree only on the band that made
    them. A pair exactly at t = 0.9 (5 rows a band, 9 bands) fails this with probability ~0.5%.
    """
    kept = []
    for start in range(0, len(codes), _VERIFY_CHUNK):
        i, j = np.divmod(codes[start : start + _VERIFY_CHUNK], _CODE_BASE)
        agree = (keys[:, position[i]] == keys[:, position[j]]).sum(axis=0)
        kept.append(codes[start : start + _VERIFY_CHUNK][agree >= 2])
    return np.concatenate(kept) if kept else codes


def candidate_pairs(
    matrix: sp.csr_matrix, threshold: float, *, method: str = "auto", seed: int = 0, step: Step | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) worth verifying, sorted: exact prefix filtering, or MinHash banding when that is cheaper.

    Arguments as for :func:`candidate_codes`.
    """
    return np.divmod(candidate_codes(matrix, threshold, method=method, seed=seed, step=step), _CODE_BASE)


def candidate_codes(
    matrix: sp.csr_matrix, threshold: float, *, method: str = "auto", seed: int = 0, step: Step | None = None
) -> np.ndarray:
    """Sorted distinct codes ``i * 2**31 + j`` of the pairs worth verifying (8 bytes a pair, not 16).

    Args:
        matrix: Binary texts x shingles matrix from :func:`shingle_matrix`.
        threshold: Jaccard threshold.
        method: ``"prefix"`` (exact), ``"minhash"`` (misses a pair exactly at the threshold with
            probability below 1e-3, less the more similar it is, while the budgets in the module
            docstring are not reached), or ``"auto"``: prefix unless its candidate count exceeds
            :data:`PREFIX_BUDGET`, as on templated texts with a small shingle vocabulary.
        seed: MinHash seed.
        step: Progress callback, see :data:`Step`.
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
    if use_minhash:
        codes = _minhash_codes(matrix, sizes, threshold, seed, step)
    else:
        codes = _unique_sorted(_pairs_in_buckets(rows, tok))
    return codes


def _check_threshold(threshold: float) -> None:
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0.0 < threshold <= 1.0:
        raise ConfigError(f"near_duplicate_threshold: got {threshold!r}, expected a number in (0, 1] (e.g. 0.9).")


def near_duplicate_arrays(
    texts: Sequence[str], threshold: float = 0.9, *, method: str = "auto", seed: int = 0, step: Step | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`near_duplicate_pairs` as three arrays ``(i, j, jaccard)``: 24 bytes a pair instead of ~150.

    Args:
        texts: The texts to compare.
        threshold: Minimum Jaccard similarity, in (0, 1].
        method: Candidate search, see :func:`candidate_pairs`.
        seed: MinHash seed.
        step: Progress callback, see :data:`Step` (raising from it stops the search).

    Raises:
        ConfigError: ``threshold`` is not in (0, 1].
    """
    _check_threshold(threshold)
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
    if len(texts) < 2:
        return empty
    matrix = shingle_matrix(texts)
    sizes = np.diff(matrix.indptr).astype(np.int64)
    if step:
        step(0.1)
    codes = candidate_codes(
        matrix, float(threshold), method=method, seed=seed,
        step=(lambda f: step(0.1 + 0.6 * f)) if step else None,
    )
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for start in range(0, len(codes), _VERIFY_CHUNK):  # chunks: a few MB at a time, whatever the count
        a, b = np.divmod(codes[start : start + _VERIFY_CHUNK], _CODE_BASE)
        small, large = np.minimum(sizes[a], sizes[b]), np.maximum(sizes[a], sizes[b])
        keep = (small >= threshold * large - _EPS) & (small > 0)  # Jaccard <= small / large
        a, b = a[keep], b[keep]
        inter = np.asarray(matrix[a].multiply(matrix[b]).sum(axis=1)).ravel()
        jaccard = inter / (sizes[a] + sizes[b] - inter)
        hit = jaccard >= threshold - _EPS
        found.append((a[hit], b[hit], jaccard[hit]))
        if step:
            step(0.7 + 0.3 * min(1.0, (start + _VERIFY_CHUNK) / len(codes)))
    if not found:
        return empty
    # Candidates come sorted by (i, j), so the result is too.
    return tuple(np.concatenate(part) for part in zip(*found, strict=True))  # type: ignore[return-value]


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
    i, j, jaccard = near_duplicate_arrays(texts, threshold, method=method, seed=seed)
    return list(zip(i.tolist(), j.tolist(), jaccard.tolist(), strict=True))


@dataclass(frozen=True)
class NearPairs:
    """Near-duplicate pairs among a set of distinct texts, computed once and shared by several checks.

    Attributes:
        texts: The distinct texts, sorted (so the result does not depend on row order).
        i: Per pair, the index in ``texts`` of its first text (``i < j``).
        j: Per pair, the index of its second text.
        jaccard: Per pair, the Jaccard similarity.
    """

    texts: list[str]
    i: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    j: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    jaccard: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))

    def __len__(self) -> int:
        return len(self.i)

    @property
    def pairs(self) -> list[tuple[int, int, float]]:
        """The pairs as ``(i, j, jaccard)`` tuples (for small results; use the arrays at scale)."""
        return list(zip(self.i.tolist(), self.j.tolist(), self.jaccard.tolist(), strict=True))

    @classmethod
    def find(cls, values: Iterable[str], threshold: float, step: Step | None = None) -> NearPairs:
        """Search the distinct values of ``values``."""
        texts = sorted(set(values))
        i, j, jaccard = near_duplicate_arrays(texts, threshold, step=step)
        return cls(texts=texts, i=i, j=j, jaccard=jaccard)
