"""A cheap script-based language check per text column: which writing system its values use.

Counting code points by Unicode block on a bounded sample tells Japanese (kana, often with kanji)
from Chinese (kanji only), Korean (Hangul) and Latin-script text in milliseconds, without a model.
It cannot tell English from other Latin-script languages; ``"latin"`` stands for both.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

SAMPLE_VALUES = 1_000  # values looked at, spread evenly over the column
SAMPLE_CHARS = 300  # characters looked at per value
MAJORITY = 0.8  # share of values one language must reach, else the column is "mixed"

# Script -> code point ranges (after NFKC, so half-width kana and full-width Latin fold into these).
SCRIPTS: dict[str, tuple[tuple[int, int], ...]] = {
    "han": ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F)),
    "kana": ((0x3040, 0x30FF), (0x31F0, 0x31FF)),
    "hangul": ((0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF)),
    "latin": ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x24F)),
    "cyrillic": ((0x400, 0x4FF),),
    "greek": ((0x370, 0x3FF),),
    "arabic": ((0x600, 0x6FF),),
    "hebrew": ((0x590, 0x5FF),),
    "thai": ((0xE00, 0xE7F),),
    "devanagari": ((0x900, 0x97F),),
}
# Languages a text model trained on English reads well; any other calls for a multilingual model.
ENGLISH_COMPATIBLE = ("latin", "unknown")
CJK_LANGUAGES = ("ja", "zh")  # written without spaces between words: lengths count characters


@dataclass(frozen=True)
class ColumnLanguage:
    """The language (or script) of a column's values.

    Attributes:
        language: ``"ja"``, ``"zh"``, ``"ko"``, ``"latin"`` (English or another Latin-script
            language), ``"cyrillic"``, ``"greek"``, ``"arabic"``, ``"hebrew"``, ``"thai"``,
            ``"devanagari"``, ``"mixed"`` (no language in :data:`MAJORITY` of the values) or
            ``"unknown"`` (no letters in the sample).
        shares: Script -> share of the sample's letters, rounded to 3 places (scripts seen only).
        values: Share of the sampled values per language (``"none"`` for values without letters).
        sampled: How many values were looked at.
    """

    language: str
    shares: dict[str, float] = field(default_factory=dict)
    values: dict[str, float] = field(default_factory=dict)
    sampled: int = 0

    def to_dict(self) -> dict[str, object]:
        """JSON-serialisable: language, shares, values, sampled."""
        return asdict(self)


def _sample(texts: Sequence[str]) -> list[str]:
    n = len(texts)
    picks = np.unique(np.linspace(0, n - 1, num=min(n, SAMPLE_VALUES)).astype(np.int64)) if n else []
    return [unicodedata.normalize("NFKC", str(texts[int(i)])[:SAMPLE_CHARS]) for i in picks]


def _script_counts(values: list[str]) -> np.ndarray:
    """Letters per (value, script): an array of shape (values, len(SCRIPTS))."""
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    points = np.frombuffer("".join(values).encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32)
    owner = np.repeat(np.arange(len(values)), lengths)
    counts = np.zeros((len(values), len(SCRIPTS)), dtype=np.int64)
    for k, ranges in enumerate(SCRIPTS.values()):
        hit = np.zeros(len(points), dtype=bool)
        for lo, hi in ranges:
            hit |= (points >= lo) & (points <= hi)
        counts[:, k] = np.bincount(owner[hit], minlength=len(values))
    return counts


def _value_languages(counts: np.ndarray) -> np.ndarray:
    """One language per value: kana makes it Japanese, Hangul Korean, other kanji Chinese, else its main script."""
    names = list(SCRIPTS)
    col = {name: counts[:, k] for k, name in enumerate(names)}
    main = np.array(names, dtype=object)[counts.argmax(axis=1)]
    out = np.where(counts.sum(axis=1) == 0, "none", main).astype(object)
    # Latin letters inside CJK text are mostly brands, units and model numbers ("ABC水筒 500ml").
    out[col["han"] > 0] = "zh"
    out[(col["hangul"] > 0) & (col["hangul"] >= col["han"])] = "ko"
    out[col["kana"] > 0] = "ja"
    out[out == "han"] = "zh"
    out[out == "kana"] = "ja"
    out[out == "hangul"] = "ko"
    return out


def detect_language(texts: Sequence[str]) -> ColumnLanguage:
    """The language of a column from the scripts of an evenly spread sample of its values.

    Japanese often writes a whole value in kanji (``電気ケトル`` has kana, ``電気圧力鍋`` has
    none), so in a column with Japanese values, kanji-only values count as Japanese too.

    Args:
        texts: The column's values.

    Returns:
        The :class:`ColumnLanguage`.
    """
    values = _sample(texts)
    if not values:
        return ColumnLanguage("unknown")
    counts = _script_counts(values)
    letters = counts.sum(axis=0)
    total = int(letters.sum())
    shares = {name: round(int(c) / total, 3) for name, c in zip(SCRIPTS, letters, strict=True) if c} if total else {}
    per_value = _value_languages(counts)
    if (per_value == "ja").any():
        per_value[per_value == "zh"] = "ja"
    names, n = np.unique(per_value.astype(str), return_counts=True)
    value_shares = {str(k): round(int(c) / len(values), 3) for k, c in zip(names, n, strict=True)}
    lettered = {k: c for k, c in zip(names.tolist(), n.tolist(), strict=True) if k != "none"}
    if not lettered:
        return ColumnLanguage("unknown", shares, value_shares, len(values))
    top = max(lettered, key=lambda k: lettered[k])
    language = top if lettered[top] >= MAJORITY * sum(lettered.values()) else "mixed"
    return ColumnLanguage(language, shares, value_shares, len(values))


def needs_multilingual(languages: Sequence[str]) -> bool:
    """Whether any of these column languages is not what an English-trained model reads."""
    return any(lang not in ENGLISH_COMPATIBLE for lang in languages)


def length_unit(language: ColumnLanguage) -> str:
    """``"chars"`` when most of a column's values are Japanese or Chinese (no spaces between words), else ``"words"``."""
    cjk = sum(language.values.get(lang, 0.0) for lang in CJK_LANGUAGES)
    return "chars" if language.language in CJK_LANGUAGES or cjk >= 0.5 else "words"
