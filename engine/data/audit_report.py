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
# Japanese and Chinese put no spaces between words, so their lengths count characters.
SHORT_CHARS = 4  # fewer characters than this is "very short" (a bare 2-3 character noun)
LONG_CHARS = 256  # English-trained vocabularies give about one token per CJK character: 256+ tokens


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
# Fields holding a language code (engine.data.language), written with the catalogue's language names.
_LANGUAGE_FIELDS = ("left_language", "right_language")


def _render(key: str, fields: Mapping[str, Any], count: int) -> tuple[str, str]:
    texts = message(key)
    roles, languages = message("audit.ROLE"), message("language.NAME")
    values = {"count": count} | {
        k: roles.get(v, v) if k in _ROLE_FIELDS else languages.get(v, v) if k in _LANGUAGE_FIELDS else v
        for k, v in fields.items()
    }
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


def render_languages(report: Mapping[str, Any]) -> str:
    """The language of each side of a stored audit in the language in force ("" if not recorded).

    E.g. ``"Language of the texts: left Japanese, right Japanese."``; an image side reads as its role word.
    """
    languages = report.get("languages") or {}
    if not languages:
        return ""
    names = message("language.NAME")

    def name(role: str) -> str:
        language = (languages.get(role) or {}).get("language")
        return names.get(language, language) if language else names["image"]

    return t("language.LANGUAGES_LINE", left=name("left"), right=name("right"))


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
        lengths: Role -> ``chars`` and ``words`` statistics, ``unit`` (``"chars"`` for Japanese or
            Chinese text, else ``"words"``), and ``very_short``, ``very_long`` counted in that unit;
            plus ``tokens`` (:func:`token_stats`) when the model's tokenizer counted the texts.
        labels: Label -> row count (most frequent first), or None without a label column.
        leakage: Train/test overlap (see :func:`engine.data.leakage.leakage`), or None.
        findings: Sorted errors first, then warnings, then info.
        languages: Text role -> :meth:`engine.data.language.ColumnLanguage.to_dict` (``language``,
            ``shares``, ``values``, ``sampled``); empty in audits stored before it existed.
        recommend_multilingual: A text side is not in English or another Latin-script language,
            so an English-trained model starts weak and a multilingual one should be chosen.
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
    languages: dict[str, dict[str, Any]] = field(default_factory=dict)
    recommend_multilingual: bool = False

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
        """JSON-serialisable dict with stable keys (the attributes, plus ``counts`` before ``findings``)."""
        fields = asdict(self)
        late = ("findings", "languages", "recommend_multilingual")  # added keys go last, after the older ones
        out = {k: v for k, v in fields.items() if k not in late}
        out["counts"] = self.counts()
        out["findings"] = [f.to_dict() for f in self.findings]
        out["languages"] = fields["languages"]
        out["recommend_multilingual"] = self.recommend_multilingual
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


def _lengths(texts: Sequence[str], unit: str) -> np.ndarray:
    if unit == "chars":
        return np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    return np.fromiter((len(t.split()) for t in texts), dtype=np.int64, count=len(texts))


def _limits(unit: str) -> tuple[int, int]:
    """(short, long) thresholds in ``unit``: fewer is very short, more is very long."""
    return (SHORT_CHARS, LONG_CHARS) if unit == "chars" else (SHORT_WORDS, LONG_WORDS)


def length_stats(texts: Sequence[str], unit: str = "words") -> dict[str, Any]:
    """Length statistics of a list of texts.

    Args:
        texts: The texts.
        unit: What ``very_short`` and ``very_long`` count: ``"words"`` (whitespace-separated) or
            ``"chars"`` (for Japanese and Chinese, written without spaces).

    Returns:
        ``chars`` and ``words`` (whitespace-separated) each with min, p5, median, p95, max and
        mean; ``unit``; ``very_short`` (texts under 3 words, or under 4 characters) and
        ``very_long`` (over 200 words, or over 256 characters).
    """
    words = _lengths(texts, "words")
    chars = _lengths(texts, "chars")
    short, long = _limits(unit)
    counted = chars if unit == "chars" else words
    return {
        "chars": _describe(chars.tolist()),
        "words": _describe(words.tolist()),
        "unit": unit,
        "very_short": int((counted < short).sum()),
        "very_long": int((counted > long).sum()),
    }


def token_stats(counts: np.ndarray, *, limit: int, model: str, model_max: int | None) -> dict[str, Any]:
    """Token-count statistics of one side's texts under a model's limit (``lengths[role]["tokens"]``).

    Args:
        counts: Tokens per text, prefix and special tokens included
            (:meth:`engine.data.token_lengths.TokenCounter.count`).
        limit: Tokens the run reads per text (``max_seq_length``).
        model: The model's name.
        model_max: The most tokens the model accepts, or None if unknown.

    Returns:
        ``model``, ``limit``, ``model_max``, ``over`` (texts longer than the limit), ``longest``,
        and ``counts`` (min, p5, median, p95, max, mean).
    """
    return {"model": model, "limit": int(limit), "model_max": model_max, "over": int((counts > limit).sum()),
            "longest": int(counts.max()) if len(counts) else 0, "counts": _describe(counts.tolist())}


def _long_tokens(rows: np.ndarray, role: str, counts: np.ndarray, tokens: dict[str, Any]) -> Finding:
    """The warning for texts longer than the model's limit, its advice fitted to how far it can be raised."""
    limit, model_max = tokens["limit"], tokens["model_max"]
    hit = rows[counts > limit]
    key = ("audit.LONG_TOKENS_NO_MAX" if model_max is None
           else "audit.LONG_TOKENS_AT_MAX" if limit >= model_max else "audit.LONG_TOKENS")
    fields = {"role": role, "limit": limit, "model": tokens["model"], "longest": tokens["longest"]}
    if model_max is not None:
        fields["model_max"] = model_max
    return make_finding(f"long_{role}", "warning", key, rows=sorted_rows(hit.tolist()), count=len(hit), **fields)


def length_findings(
    data: PairDataset, role: str, stats: dict[str, Any], token_counts: np.ndarray | None = None
) -> list[Finding]:
    """Findings for very short and very long texts of one role.

    Args:
        data: The audited pairs.
        role: ``"left"`` or ``"right"``.
        stats: The role's :func:`length_stats`, with ``tokens`` (:func:`token_stats`) when a
            model's tokenizer counted its texts.
        token_counts: Tokens per text of the role when counted; long texts are then those over the
            model's limit, else those over the word or character heuristic.
    """
    texts = data.left if role == "left" else data.right
    unit = stats.get("unit", "words")
    short, long = _limits(unit)
    key_unit = "_CHARS" if unit == "chars" else ""
    fields = {"chars": short} if unit == "chars" else {"words": short}
    out = []
    rows = np.asarray(data.row, dtype=np.int64)
    tokens = stats.get("tokens") if token_counts is not None else None
    if stats["very_short"]:
        hit = rows[_lengths(texts, unit) < short]
        out.append(make_finding(f"short_{role}", "info", f"audit.SHORT_TEXTS{key_unit}", rows=sorted_rows(hit.tolist()),
                                count=len(hit), role=role, **fields))
    if tokens is not None:
        if tokens["over"]:
            out.append(_long_tokens(rows, role, np.asarray(token_counts), tokens))
        return out
    if stats["very_long"]:
        counted = _lengths(texts, unit)
        hit = rows[counted > long]
        fields = {"chars": long} if unit == "chars" else {"words": long}
        out.append(make_finding(f"long_{role}", "warning", f"audit.LONG_TEXTS{key_unit}", rows=sorted_rows(hit.tolist()),
                                count=len(hit), role=role, **fields))
    return out
