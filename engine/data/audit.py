"""Data audit: what in a paired dataset will hurt contrastive training, and what to do about it.

In-batch contrastive losses treat every other row of a batch as a negative. Duplicate and
near-duplicate texts in different groups, and texts linked to several partners, therefore become
false negatives; train/test overlap inflates the test metrics. Every finding carries a plain
message, advice, the number of affected rows and up to 20 example rows (1-based source rows).

Long audits report progress and can be cancelled, so a caller can run them off a server thread::

    audit(data, train=None, test=None, near_duplicate_threshold=0.9,
          tokens=None,        # TokenCounter: judge long texts by the model's own tokenizer
          progress=None,      # Callable[[str, float], None]: progress(stage, fraction)
          should_stop=None)   # Callable[[], bool]: polled between steps

``progress(stage, fraction)`` is called with a stage name from :data:`AUDIT_STAGES` and the overall
fraction done, in [0, 1], non-decreasing, ending with ``("done", 1.0)``. ``should_stop()`` is polled
between steps (at least every few seconds on a 1M-row file); when it returns True the audit raises
:class:`engine.errors.CancelledError` and keeps nothing.
"""

from __future__ import annotations

import itertools
import logging
import unicodedata
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from engine.data.audit_report import (
    MAX_EXAMPLE_ROWS,
    AuditReport,
    Finding,
    length_findings,
    length_stats,
    make_finding,
    token_stats,
)
from engine.data.audit_structure import empty_cells, label_counts, structure_findings
from engine.data.dataset import PairDataset
from engine.data.error_text import english
from engine.data.language import (
    ColumnLanguage,
    detect_language,
    length_unit,
    needs_multilingual,
)
from engine.data.leakage import leakage
from engine.data.near_duplicates import NearPairs
from engine.data.token_lengths import TokenCounter
from engine.errors import CancelledError, ConfigError

logger = logging.getLogger(__name__)

# Stages in the order they run, with their share of the time of a large audit (measured on 1M rows).
AUDIT_STAGES: dict[str, float] = {
    "structure": 0.05,
    "duplicates": 0.05,
    "near_duplicates_left": 0.35,
    "near_duplicates_right": 0.35,
    "one_to_many": 0.05,
    "lengths": 0.05,
    "leakage": 0.05,
    "report": 0.05,
}
# With a token counter the lengths stage tokenises every distinct text: about a quarter of the time
# on 100k Japanese rows (7 of 24 s on 2 cores), taken from the near-duplicate search's share.
_TOKEN_STAGES = AUDIT_STAGES | {"near_duplicates_left": 0.25, "near_duplicates_right": 0.25, "lengths": 0.25}
Progress = Callable[[str, float], None]
ShouldStop = Callable[[], bool]


def codes_of(values: Sequence[object]) -> tuple[np.ndarray, int]:
    """An int64 code per value (equal values, equal codes; in order of first appearance) and the count of codes."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values)
    return codes.astype(np.int64), len(uniques)


def first_rows(rows: np.ndarray, mask: np.ndarray) -> list[int]:
    """The first :data:`MAX_EXAMPLE_ROWS` distinct rows where ``mask`` holds, ascending (as ``sorted_rows``)."""
    return [int(r) for r in np.unique(rows[mask])[:MAX_EXAMPLE_ROWS]]


def distinct_per_code(codes: np.ndarray, n_codes: int, other: np.ndarray, n_other: int) -> np.ndarray:
    """Per code, how many distinct ``other`` values appear with it (e.g. distinct groups per text)."""
    cells = np.unique(codes * max(n_other, 1) + other)
    return np.bincount(cells // max(n_other, 1), minlength=n_codes)


def text_codes_of(values: Sequence[str]) -> tuple[np.ndarray, int]:
    """:func:`codes_of` on the NFKC forms of texts: ``ＡＢＣ`` and ``ABC``, ``ｶﾀｶﾅ`` and ``カタカナ`` share a code.

    Only the distinct values are normalised, and only for comparing; the texts stay as given.
    """
    codes, distinct = pd.factorize(np.asarray(values, dtype=object))
    codes = codes.astype(np.int64)
    folded = [unicodedata.normalize("NFKC", v) for v in distinct]
    if all(f is v for f, v in zip(folded, distinct, strict=True)):  # normalize returns its input when unchanged
        return codes, len(distinct)
    refolded, n = codes_of(folded)
    return refolded[codes], n


class _Codes:
    """Integer codes of the audited columns, computed once (hashing 1M strings takes a fraction of a second)."""

    def __init__(self, data: PairDataset) -> None:
        self.rows = np.asarray(data.row, dtype=np.int64)
        self.group, self.n_group = codes_of(data.group)
        self.left, self.n_left = text_codes_of(data.left)
        self.right, self.n_right = text_codes_of(data.right)
        self.pair, self.n_pair = codes_of(self.left * max(self.n_right, 1) + self.right)

    def of(self, role: str) -> tuple[np.ndarray, int]:
        return {"left": (self.left, self.n_left), "right": (self.right, self.n_right),
                "pair": (self.pair, self.n_pair)}[role]


def _duplicates(data: PairDataset, codes: _Codes, role: str, findings: list[Finding]) -> dict[str, int]:
    values, n_values = codes.of(role)
    count = np.bincount(values, minlength=n_values)
    groups = distinct_per_code(values, n_values, codes.group, codes.n_group)
    repeated, across = count[values] > 1, groups[values] > 1
    stats = {
        "values": int((count > 1).sum()),
        "rows": int(repeated.sum()),
        "rows_across_groups": int(across.sum()),
    }
    if role == "pair" and stats["values"]:
        findings.append(
            make_finding("duplicate_pairs", "warning" if stats["rows_across_groups"] else "info",
                         "audit.DUPLICATE_PAIRS", rows=first_rows(codes.rows, repeated), count=stats["rows"],
                         values=stats["values"])
        )
    elif role != "pair" and stats["rows_across_groups"]:
        column = (data.columns.left if role == "left" else data.columns.right) if data.columns else role
        findings.append(
            make_finding(f"duplicate_{role}", "warning", "audit.DUPLICATE_TEXT", rows=first_rows(codes.rows, across),
                         count=stats["rows_across_groups"], role=role, column=column, texts=int((groups > 1).sum()))
        )
    return stats


def _near_duplicates(
    data: PairDataset, codes: _Codes, role: str, near: NearPairs, threshold: float, findings: list[Finding]
) -> dict[str, object]:
    """Row pairs in different groups whose texts are near-duplicates, counted without listing them.

    A text repeated on thousands of rows ("N/A" vs "n/a") would make millions of row pairs, so pairs
    are counted from per-(text, group) row counts, with numpy over all near pairs at once.
    """
    values = data.left if role == "left" else data.right
    # Row -> position of its text in near.texts (sorted, distinct).
    text_of_row = pd.Index(near.texts).get_indexer(np.asarray(values, dtype=object)).astype(np.int64)
    n_texts = len(near.texts)
    g = codes.group
    rows_per_text = np.bincount(text_of_row, minlength=n_texts)
    groups_per_text = distinct_per_code(text_of_row, n_texts, g, codes.n_group)
    first_group = np.full(n_texts, -1, dtype=np.int64)
    first_group[text_of_row[::-1]] = g[::-1]  # the group of each text's first row (its only one if single)
    a, b = near.i, near.j
    single = (groups_per_text[a] == 1) & (groups_per_text[b] == 1)
    total = rows_per_text[a] * rows_per_text[b]
    same = np.where(single & (first_group[a] == first_group[b]), total, 0)
    multi = np.flatnonzero(~single)
    if len(multi):  # texts on rows of several groups: subtract row pairs that share a group exactly
        cell, cell_rows = np.unique(text_of_row * max(codes.n_group, 1) + g, return_counts=True)
        table = dict(zip(cell.tolist(), cell_rows.tolist(), strict=True))
        by_text: dict[int, list[int]] = {}
        for c in cell.tolist():
            by_text.setdefault(c // max(codes.n_group, 1), []).append(c % max(codes.n_group, 1))
        for k in multi.tolist():
            ta, tb = int(a[k]), int(b[k])
            same[k] = sum(table[ta * codes.n_group + gg] * table.get(tb * codes.n_group + gg, 0) for gg in by_text[ta])
    n_pairs = int((total - same).sum())
    # A row is affected when some near partner of its text has a row in another group.
    ends = np.concatenate((a, b)), np.concatenate((b, a))
    partner_multi = np.zeros(n_texts, dtype=bool)
    partner_multi[ends[0][groups_per_text[ends[1]] > 1]] = True
    lo = np.full(n_texts, np.iinfo(np.int64).max)
    hi = np.full(n_texts, -1, dtype=np.int64)
    np.minimum.at(lo, ends[0], first_group[ends[1]])
    np.maximum.at(hi, ends[0], first_group[ends[1]])
    t = text_of_row
    affected = partner_multi[t] | ((hi[t] >= 0) & ((lo[t] != hi[t]) | (lo[t] != g)))
    stats: dict[str, object] = {
        "pairs": n_pairs,
        "rows": int(affected.sum()),
        "examples": _near_examples(codes, text_of_row, near, n_pairs),
    }
    if n_pairs:
        findings.append(
            make_finding(f"near_duplicate_{role}", "warning", "audit.NEAR_DUPLICATE",
                         rows=first_rows(codes.rows, affected), count=int(affected.sum()), role=role,
                         threshold=float(threshold), pairs=n_pairs)
        )
    return stats


def _near_examples(codes: _Codes, text_of_row: np.ndarray, near: NearPairs, n_pairs: int) -> list[list[object]]:
    """Up to :data:`MAX_EXAMPLE_ROWS` example row pairs ``[row, row, jaccard]`` in different groups."""
    if not n_pairs:
        return []
    order = np.argsort(text_of_row, kind="stable")
    starts = np.searchsorted(text_of_row[order], np.arange(len(near.texts) + 1))
    examples: list[tuple[int, int, float]] = []
    for a, b, jac in zip(near.i.tolist(), near.j.tolist(), near.jaccard.tolist(), strict=True):
        rows_a = order[starts[a] : starts[a + 1]][:MAX_EXAMPLE_ROWS]
        rows_b = order[starts[b] : starts[b + 1]][:MAX_EXAMPLE_ROWS]
        for i in rows_a.tolist():
            for j in rows_b.tolist():
                if codes.group[i] != codes.group[j]:
                    r_i, r_j = int(codes.rows[i]), int(codes.rows[j])
                    examples.append((min(r_i, r_j), max(r_i, r_j), round(jac, 4)))
        if len(examples) >= 50 * MAX_EXAMPLE_ROWS:  # enough to pick the first rows from
            break
    return [list(p) for p in sorted(examples)[:MAX_EXAMPLE_ROWS]]


def _one_to_many(data: PairDataset, codes: _Codes, role: str, findings: list[Finding]) -> dict[str, int]:
    (keys, n_keys), (partners, n_partners) = (codes.of(role), codes.of("right" if role == "left" else "left"))
    other = "right" if role == "left" else "left"
    n_partner_texts = distinct_per_code(keys, n_keys, partners, n_partners)
    n_groups = distinct_per_code(keys, n_keys, codes.group, codes.n_group)
    flagged = (n_partner_texts > 1) & (n_groups > 1)
    on_row = flagged[keys]
    stats = {"values": int(flagged.sum()), "rows": int(on_row.sum())}
    if stats["values"]:
        findings.append(
            make_finding(f"one_to_many_{role}", "warning", "audit.ONE_TO_MANY", rows=first_rows(codes.rows, on_row),
                         count=stats["rows"], texts=stats["values"], role=role, other=other,
                         most=int(n_partner_texts[flagged].max()))
        )
    return stats


def _language_finding(languages: dict[str, ColumnLanguage], findings: list[Finding]) -> bool:
    """Add a note when a text side is not English (or another Latin-script language); return whether it did."""
    if not needs_multilingual([lang.language for lang in languages.values()]):
        return False
    name = {role: languages[role].language if role in languages else "image" for role in ("left", "right")}
    findings.append(make_finding("non_english", "info", "audit.NON_ENGLISH", rows=[], count=0,
                                 left_language=name["left"], right_language=name["right"]))
    return True


def _count_tokens(
    data: PairDataset, role: str, stats: dict[str, object], tokens: TokenCounter | None, track: _Tracker
) -> np.ndarray | None:
    """Tokens per text of one role under the model (stored as ``stats["tokens"]``), or None without a counter."""
    if tokens is None:
        return None
    half = 0.0 if role == "left" else 0.5
    counts = tokens.count(data.left if role == "left" else data.right, role,
                          step=lambda f: track.at("lengths", half + 0.5 * f))
    stats["tokens"] = token_stats(counts, limit=tokens.limit, model=tokens.model, model_max=tokens.model_max)
    return counts


class _Tracker:
    """Reports progress through the stages and raises :class:`CancelledError` when asked to stop."""

    def __init__(self, progress: Progress | None, should_stop: ShouldStop | None,
                 shares: dict[str, float] = AUDIT_STAGES) -> None:
        self.progress, self.should_stop = progress, should_stop
        self.shares = shares
        self.starts = dict(zip(shares, itertools.accumulate(shares.values(), initial=0.0), strict=False))
        self.done = 0.0

    def stage(self, name: str) -> None:
        """Start stage ``name`` (after finishing the previous one)."""
        self.at(name, 0.0)

    def at(self, name: str, fraction: float) -> None:
        """Report ``fraction`` of stage ``name`` done; raise if the caller wants to stop."""
        if self.should_stop is not None and self.should_stop():
            exc = CancelledError(english("resources.AUDIT_CANCELLED"), stage=name)
            exc.message_key, exc.message_fields = "resources.AUDIT_CANCELLED", {}  # type: ignore[attr-defined]
            raise exc
        if self.progress is not None:
            share = self.shares.get(name, 0.0) * min(max(fraction, 0.0), 1.0)
            self.done = max(self.done, min(1.0, self.starts.get(name, 1.0) + share))
            self.progress(name, self.done)


def audit(
    data: PairDataset,
    *,
    train: PairDataset | None = None,
    test: PairDataset | None = None,
    near_duplicate_threshold: float = 0.9,
    tokens: TokenCounter | None = None,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
) -> AuditReport:
    """Audit paired data for problems that hurt contrastive training or its evaluation.

    Time and memory grow linearly with the rows (about 1 GB and under a minute for 1M short rows
    on 2 cores; ``bench/bench_audit.py``).

    Args:
        data: All pairs.
        train: Training side of a split; give together with ``test`` to check leakage.
        test: Test side of a split.
        near_duplicate_threshold: Character 3-gram Jaccard similarity from which two different
            texts count as near-duplicates, in (0, 1].
        tokens: The run's model's token counter: long texts are then those over its
            ``max_seq_length`` in its own tokens (prefix and special tokens included). Without
            it, long texts are judged by a word or character count.
        progress: Called as ``progress(stage, fraction)`` with a stage of :data:`AUDIT_STAGES`
            (or ``"done"``) and the overall fraction done in [0, 1], non-decreasing.
        should_stop: Polled between steps; when it returns True the audit stops.

    Returns:
        The :class:`AuditReport`, findings sorted by severity (errors first).

    Raises:
        ConfigError: Only one of ``train``/``test`` is given, or the threshold is not in (0, 1].
        CancelledError: ``should_stop()`` returned True.
    """
    if (train is None) != (test is None):
        raise ConfigError("audit: give both train= and test= to check leakage, or neither.")
    if (
        isinstance(near_duplicate_threshold, bool)
        or not isinstance(near_duplicate_threshold, (int, float))
        or not 0.0 < near_duplicate_threshold <= 1.0
    ):
        raise ConfigError(
            f"near_duplicate_threshold: got {near_duplicate_threshold!r}, expected a number in (0, 1] (e.g. 0.9)."
        )
    track = _Tracker(progress, should_stop, AUDIT_STAGES if tokens is None else _TOKEN_STAGES)
    track.stage("structure")
    findings: list[Finding] = []
    codes = _Codes(data)
    n_groups = codes.n_group
    structure_findings(data, n_groups, findings)
    empty = empty_cells(data, findings)
    track.stage("duplicates")
    duplicates = {role: _duplicates(data, codes, role, findings) for role in ("left", "right", "pair")}
    modalities = data.modality
    text_roles = [role for role in ("left", "right") if modalities[role] == "text"]
    # One search per role over every text of data, train and test, shared by both checks.
    sides = [d for d in (data, train, test) if d is not None]
    searched: dict[str, NearPairs] = {}
    near: dict[str, dict[str, object]] = {}
    for role in ("left", "right"):
        stage = f"near_duplicates_{role}"
        track.stage(stage)
        if role not in text_roles:
            continue
        searched[role] = NearPairs.find(
            (t for d in sides for t in (d.left if role == "left" else d.right)),
            near_duplicate_threshold,
            step=lambda f, stage=stage: track.at(stage, 0.9 * f),
        )
        track.at(stage, 0.9)
        near[role] = _near_duplicates(data, codes, role, searched[role], near_duplicate_threshold, findings)
    track.stage("one_to_many")
    one_to_many = {role: _one_to_many(data, codes, role, findings) for role in ("left", "right")}
    track.stage("lengths")
    languages = {role: detect_language(data.left if role == "left" else data.right) for role in text_roles}
    multilingual = _language_finding(languages, findings)
    lengths = {role: length_stats(data.left if role == "left" else data.right, length_unit(languages[role]))
               for role in text_roles}
    for role, stats in lengths.items():
        findings.extend(length_findings(data, role, stats, _count_tokens(data, role, stats, tokens, track)))
    labels = label_counts(data, findings)
    track.stage("leakage")
    leaks = None
    if train is not None and test is not None:
        leaks = leakage(train, test, near_duplicate_threshold, searched, findings)
    track.stage("report")
    order = {"error": 0, "warning": 1, "info": 2}
    findings.sort(key=lambda f: order[f.severity])
    report = AuditReport(
        rows=len(data),
        groups=n_groups,
        columns=data.columns.as_dict() if data.columns else {"left": None, "right": None, "group": None, "label": None},
        modalities=modalities,
        source=data.source,
        fingerprint=data.fingerprint(),
        near_duplicate_threshold=float(near_duplicate_threshold),
        empty_cells=empty,
        duplicates=duplicates,
        near_duplicates=near,
        one_to_many=one_to_many,
        lengths=lengths,
        labels=labels,
        leakage=leaks,
        findings=findings,
        languages={role: language.to_dict() for role, language in languages.items()},
        recommend_multilingual=multilingual,
    )
    if progress is not None:
        progress("done", 1.0)
    logger.info("Audit of %s: %s", data.source or "dataset", report.headline())
    return report
