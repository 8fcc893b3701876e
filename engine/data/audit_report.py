"""The audit's result types (`Finding`, `AuditReport`) and the text-length statistics."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from engine.data.dataset import PairDataset

logger = logging.getLogger(__name__)

Severity = Literal["info", "warning", "error"]
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
MAX_EXAMPLE_ROWS = 20
SHORT_WORDS = 3  # fewer words than this is "very short"
LONG_WORDS = 200  # ~256 word pieces: beyond any usual max_seq_length, so the tail is cut off


def sorted_rows(rows: Iterable[int]) -> list[int]:
    """The first :data:`MAX_EXAMPLE_ROWS` distinct rows in ascending order."""
    return sorted(set(rows))[:MAX_EXAMPLE_ROWS]


@dataclass(frozen=True)
class Finding:
    """One problem (or note) found by the audit.

    Attributes:
        code: Stable identifier, e.g. ``"near_duplicate_right"``.
        severity: ``"error"`` (training or evaluation will be wrong), ``"warning"`` (likely hurts
            results), ``"info"`` (worth knowing).
        message: What was found, in plain language.
        advice: What to do about it.
        rows: Up to 20 example rows (1-based source rows), ascending.
        count: Number of rows affected.
    """

    code: str
    severity: Severity
    message: str
    advice: str
    rows: list[int] = field(default_factory=list)
    count: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict with the keys code, severity, message, advice, rows, count."""
        return asdict(self)


@dataclass
class AuditReport:
    """Everything the audit measured, plus the findings. See :func:`engine.data.audit`.

    Attributes:
        rows: Number of pairs.
        groups: Number of distinct groups.
        columns: Role -> source column (None for an unused role).
        modalities: Role -> ``"text"`` or ``"image"``.
        source: File name.
        fingerprint: :meth:`PairDataset.fingerprint` of the audited data.
        near_duplicate_threshold: Jaccard threshold used.
        empty_cells: Role or extra column -> number of empty cells.
        duplicates: ``left``/``right``/``pair`` -> ``values`` (distinct duplicated values),
            ``rows`` (rows holding one), ``rows_across_groups``.
        near_duplicates: Role -> ``pairs`` (row pairs in different groups), ``rows``,
            ``examples`` ([row_a, row_b, jaccard], up to 20).
        one_to_many: Role -> ``values`` (texts with several partners across groups), ``rows``.
        lengths: Role -> ``chars`` and ``words`` statistics, ``very_short``, ``very_long``.
        labels: Label -> row count (most frequent first), or None without a label column.
        leakage: Train/test overlap (see :func:`engine.data.leakage.leakage`), or None.
        findings: Sorted errors first, then warnings, then info.
    """

    rows: int
    groups: int
    columns: dict[str, str | None]
    modalities: dict[str, str]
    source: str | None
    fingerprint: str
    near_duplicate_threshold: float
    empty_cells: dict[str, int]
    duplicates: dict[str, dict[str, int]]
    near_duplicates: dict[str, dict[str, Any]]
    one_to_many: dict[str, dict[str, int]]
    lengths: dict[str, dict[str, Any]]
    labels: dict[str, int] | None
    leakage: dict[str, Any] | None
    findings: list[Finding]

    def finding(self, code: str) -> Finding | None:
        """The finding with this code, or None."""
        return next((f for f in self.findings if f.code == code), None)

    def counts(self) -> dict[str, int]:
        """Number of findings per severity."""
        return {s: sum(f.severity == s for f in self.findings) for s in SEVERITIES}

    def headline(self) -> str:
        """One line, e.g. ``"388 pairs in 388 groups: 0 errors, 2 warnings, 1 note"``."""
        c = self.counts()
        return (
            f"{self.rows} pairs in {self.groups} groups: {c['error']} error{'s' * (c['error'] != 1)}, "
            f"{c['warning']} warning{'s' * (c['warning'] != 1)}, {c['info']} note{'s' * (c['info'] != 1)}"
        )

    def summary(self) -> str:
        """Plain-text summary: the headline, then one line per finding with its advice."""
        lines = [self.headline()]
        for f in self.findings:
            example = f" (e.g. rows {', '.join(map(str, f.rows[:5]))})" if f.rows else ""
            lines.append(f"- [{f.severity}] {f.message}{example} -> {f.advice}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict with stable keys (the attributes, plus ``counts``)."""
        out = {k: v for k, v in asdict(self).items() if k != "findings"}
        out["counts"] = self.counts()
        out["findings"] = [f.to_dict() for f in self.findings]
        return out


def _describe(values: Sequence[int]) -> dict[str, float]:
    if not values:
        return {k: 0.0 for k in ("min", "p5", "median", "p95", "max", "mean")}
    arr = np.asarray(values, dtype=np.float64)
    p5, median, p95 = np.percentile(arr, [5, 50, 95])
    return {
        "min": float(arr.min()),
        "p5": round(float(p5), 2),
        "median": round(float(median), 2),
        "p95": round(float(p95), 2),
        "max": float(arr.max()),
        "mean": round(float(arr.mean()), 2),
    }


def length_stats(texts: Sequence[str]) -> dict[str, Any]:
    """Length statistics of a list of texts.

    Returns:
        ``chars`` and ``words`` (whitespace-separated) each with min, p5, median, p95, max and
        mean; ``very_short`` (texts under 3 words) and ``very_long`` (over 200 words).
    """
    words = [len(t.split()) for t in texts]
    return {
        "chars": _describe([len(t) for t in texts]),
        "words": _describe(words),
        "very_short": sum(w < SHORT_WORDS for w in words),
        "very_long": sum(w > LONG_WORDS for w in words),
    }


def length_findings(data: PairDataset, role: str, stats: dict[str, Any]) -> list[Finding]:
    """Findings for very short and very long texts of one role."""
    texts = data.left if role == "left" else data.right
    out = []
    if stats["very_short"]:
        rows = [r for r, t in zip(data.row, texts, strict=True) if len(t.split()) < SHORT_WORDS]
        out.append(
            Finding(
                code=f"short_{role}",
                severity="info",
                message=f"{len(rows)} {role} texts have fewer than {SHORT_WORDS} words.",
                advice=(
                    "Very short texts carry little to match on. That is normal for names or SKUs, but check "
                    "they are not placeholders ('n/a', '-') or cut off."
                ),
                rows=sorted_rows(rows),
                count=len(rows),
            )
        )
    if stats["very_long"]:
        rows = [r for r, t in zip(data.row, texts, strict=True) if len(t.split()) > LONG_WORDS]
        out.append(
            Finding(
                code=f"long_{role}",
                severity="warning",
                message=f"{len(rows)} {role} texts have more than {LONG_WORDS} words (roughly 256+ word pieces).",
                advice=(
                    "The encoder only reads the first model.max_seq_length tokens (128 by default, about 95 "
                    "words); the rest is cut off. Put the distinguishing information first, shorten the texts, "
                    "or raise model.max_seq_length (the packaged MiniLM model accepts up to 512) at the cost of "
                    "speed and memory."
                ),
                rows=sorted_rows(rows),
                count=len(rows),
            )
        )
    return out
