"""The message catalogue: both languages hold the same messages with the same fields."""

from __future__ import annotations

import string
import threading

import pytest

from engine.errors import ConfigError
from engine.i18n import LANGUAGES, get_language, message, override, set_language, t
from engine.i18n import format as fmt
from engine.i18n.catalogue import areas, load_area


def _fields(value) -> set[str]:
    """Every ``{field}`` used by a message (strings, tuples and tables of strings)."""
    if isinstance(value, str):
        return {name for _, name, _, _ in string.Formatter().parse(value) if name}
    if isinstance(value, tuple):
        return set().union(*(_fields(v) for v in value)) if value else set()
    return set().union(*(_fields(v) for v in value.values())) if value else set()


def _shape(value):
    if isinstance(value, str):
        return "str"
    if isinstance(value, tuple):
        return ("tuple", len(value))
    return ("table", tuple(sorted(value)))


def test_every_language_has_the_same_areas():
    assert areas("ja") == areas("en")


@pytest.mark.parametrize("area", areas("en"))
def test_japanese_has_every_english_message_with_the_same_fields(area):
    en, ja = load_area("en", area), load_area("ja", area)
    assert sorted(set(en) ^ set(ja)) == [], f"{area}: keys only in one language"
    for name in en:
        assert _shape(ja[name]) == _shape(en[name]), f"{area}.{name}: different shape"
        assert _fields(ja[name]) == _fields(en[name]), f"{area}.{name}: different {{fields}}"


@pytest.mark.parametrize("area", areas("en"))
def test_japanese_is_really_japanese(area):
    """A copied English text in ja/ is the usual slip; most Japanese messages hold kana or kanji."""
    ja = load_area("ja", area)

    def texts(value):
        if isinstance(value, str):
            yield value
        else:
            yield from (value if isinstance(value, tuple) else value.values())

    words = [s for v in ja.values() for s in texts(v) if sum(c.isalpha() for c in s) >= 12]
    japanese = [s for s in words if any("\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" for c in s)]
    assert len(japanese) >= 0.9 * len(words), [s for s in words if s not in japanese][:5]


def test_lookup_follows_the_language_in_force():
    with override("ja"):
        assert get_language() == "ja"
        japanese = t("dashboard.PAGE_RESULTS")
    assert get_language() == "en"
    assert t("dashboard.PAGE_RESULTS") == "Results" != japanese


def test_language_is_per_thread_context():
    seen = {}

    def worker():
        set_language("ja")
        seen["thread"] = get_language()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen["thread"] == "ja" and get_language() == "en"


def test_unknown_language_and_key_are_refused():
    with pytest.raises(ConfigError, match="expected one of en, ja"):
        set_language("fr")
    with pytest.raises(KeyError):
        message("dashboard.NO_SUCH_MESSAGE")
    assert len(LANGUAGES) == 2


def test_strings_modules_serve_the_catalogue():
    from dashboard import strings
    from engine.charts import strings as chart_strings

    with override("ja"):
        assert strings.PAGE_RESULTS == message("dashboard.PAGE_RESULTS", "ja")
        assert chart_strings.GLOSSARY == message("charts.GLOSSARY", "ja")
    assert "recall@1" in chart_strings.PERCENT_METRICS
    with pytest.raises(AttributeError):
        chart_strings.NO_SUCH_MESSAGE  # noqa: B018


def test_locale_formatting_by_hand():
    assert fmt.percent(0.782, lang="en") == "78%"
    assert fmt.percent(0.7826, 1, lang="ja") == "78.3%"
    assert fmt.number(1234567.891, 2, lang="en") == "1,234,567.89"
    assert fmt.money(1234567, "JPY", lang="ja") == "￥1,234,567"
    assert fmt.money(1234567, "JPY", lang="en") == "¥1,234,567"
    assert fmt.money(1234.5, "USD", lang="en") == "$1,234"
    assert fmt.points(-0.043, lang="en") == "−4"
    assert fmt.percent(None) == fmt.MISSING
    import datetime as dt

    assert fmt.date(dt.date(2026, 12, 1), lang="ja") == "2026年12月1日"
    assert fmt.date(dt.date(2026, 12, 1), lang="en") == "December 1, 2026"
