"""The audit's result types (`Finding`, `AuditReport`), their wording, and the text-length statistics.

A finding's words live in the message catalogue (area ``audit``, one table per kind of finding with
its ``message`` and ``advice``). A finding stores its English ``message`` and ``advice`` as always,
plus ``key`` and ``fields``; :func:`render_finding` writes them again in the language in force, and
falls back to the stored English for audits saved before keys were stored.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from engine.data.dataset import PairDataset
from engine.i18n import message, override, t

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
        key: Catalogue key of its wording, e.g. ``"audit.NEAR_DUPLICATE"`` ("" if none).
        fields: The raw values that fill the wording (counts as ints, the threshold as a float,
            roles as ``"left"``/``"right"``, column names as given).
    """

    code: str
    severity: Severity
    message: str
    advice: str
    rows: list[int] = field(default_factory=list)
    count: int = 0
    key: str = ""
    fields: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict with the keys code, severity, message, advice, rows, count, key, fields."""
        return asdict(self)


# Fields holding a role name ("left"/"right"), written with the catalogue's role words.
_ROLE_FIELDS = ("role", "other")


def _render(key: str, fields: Mapping[str, Any], count: int) -> tuple[str, str]:
    texts = message(key)
    roles = message("audit.ROLE")
    values = {"count": count} | {k: roles.get(v, v) if k in _ROLE_FIELDS else v for k, v in fields.items()}
    shared = {"false_negative": t("audit.FALSE_NEGATIVE"), "group_fix": t("audit.GROUP_FIX"),
              "memorised": t("audit.MEMORISED")}
    return texts["message"].format(**shared, **values), texts["advice"].format(**shared, **values)


def make_finding(
    code: str, severity: Severity, key: str, *, rows: list[int] | None = None, count: int = 0, **fields: Any
) -> Finding:
    """A :class:`Finding` whose English message and advice come from the catalogue entry ``key``.

    Args:
        code: Stable identifier of the finding.
        severity: ``"error"``, ``"warning"`` or ``"info"``.
        key: Catalogue key, e.g. ``"audit.NEAR_DUPLICATE"``.
        rows: Example rows (already limited by :func:`sorted_rows`).
        count: Number of rows affected.
        **fields: Raw values for the wording (stored with the finding); the wording may also use
            ``{count}``.
    """
    with override("en"):
        text, advice = _render(key, fields, count)
    return Finding(code=code, severity=severity, message=text, advice=advice, rows=list(rows or []), count=count,
                   key=key, fields=dict(fields))


def render_finding(finding: Mapping[str, Any]) -> tuple[str, str]:
    """``(message, advice)`` of a stored finding (a :meth:`Finding.to_dict`) in the language in force.

    Findings stored before keys existed, or whose key this catalogue does not know, give their
    stored English ``message`` and ``advice``.
    """
    key, fields = finding.get("key"), finding.get("fields")
    if key and isinstance(fields, Mapping):
        try:
            return _render(key, fields, int(finding.get("count", 0)))
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            logger.warning("finding %s could not be rendered (%s); showing the stored English", key, exc)
    return str(finding.get("message", "")), str(finding.get("advice", ""))


def render_severity(severity: str) -> str:
    """The word for a severity (``"error"``, ``"warning"``, ``"info"``) in the language in force."""
    return message("audit.SEVERITY").get(severity, severity)


def _counted(key: str, n: int) -> str:
    forms = message(key)
    return forms["one" if n == 1 else "other"].format(n=n)


def render_headline(report: Mapping[str, Any]) -> str:
    """The one-line summary of a stored audit (:meth:`AuditReport.to_dict`) in the language in force.

    E.g. ``"388 pairs in 388 groups: 0 errors, 2 warnings, 1 note"``.
    """
    counts = report.get("counts") or {s: sum(f.get("severity") == s for f in report.get("findings", ()))
                                      for s in SEVERITIES}
    return t("audit.HEADLINE", rows=report["rows"], groups=report["groups"],
             errors=_counted("audit.ERRORS", counts.get("error", 0)),
             warnings=_counted("audit.WARNINGS", counts.get("warning", 0)),
             notes=_counted("audit.NOTES", counts.get("info", 0)))


def render_summary(report: Mapping[str, Any]) -> str:
    """Plain-text summary of a stored audit in the language in force: the headline, then one line per finding."""
    lines = [render_headline(report)]
    for f in report.get("findings", ()):
        text, advice = render_finding(f)
        rows = f.get("rows") or []
        example = t("audit.SUMMARY_EXAMPLE", rows=", ".join(map(str, rows[:5]))) if rows else ""
        lines.append(t("audit.SUMMARY_LINE", severity=render_severity(f["severity"]), message=text, example=example,
                       advice=advice))
    return "\n".join(lines)


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
        """One line in the language in force, e.g. ``"388 pairs in 388 groups: 0 errors, 2 warnings, 1 note"``."""
        return render_headline(self.to_dict())

    def summary(self) -> str:
        """Plain-text summary in the language in force: the headline, then one line per finding with its advice."""
        return render_summary(self.to_dict())

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
        out.append(make_finding(f"short_{role}", "info", "audit.SHORT_TEXTS", rows=sorted_rows(rows), count=len(rows),
                                role=role, words=SHORT_WORDS))
    if stats["very_long"]:
        rows = [r for r, t in zip(data.row, texts, strict=True) if len(t.split()) > LONG_WORDS]
        out.append(make_finding(f"long_{role}", "warning", "audit.LONG_TEXTS", rows=sorted_rows(rows),
                                count=len(rows), role=role, words=LONG_WORDS))
    return out
