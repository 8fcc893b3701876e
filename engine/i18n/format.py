"""Numbers, percentages, money and dates written the way a reader of the language in force expects.

Babel's CLDR data decides grouping, decimal marks and currency symbols (``¥1,234,567`` in
Japanese, ``¥1,234,567`` / ``$1,234.50`` in English), so no format string is guessed per locale.
Every function takes ``lang=None`` for the language in force (:func:`engine.i18n.get_language`).
"""

from __future__ import annotations

import datetime as dt
import math

from babel import dates as babel_dates
from babel import numbers as babel_numbers

from engine.i18n.catalogue import get_language

# The CLDR locale behind each catalogue language.
LOCALES: dict[str, str] = {"en": "en_US", "ja": "ja_JP"}
MISSING = "–"


def locale_of(lang: str | None = None) -> str:
    return LOCALES[lang or get_language()]


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def number(value: float | None, digits: int = 0, lang: str | None = None) -> str:
    """``1234.5`` → ``1,234.5`` (grouped, exactly ``digits`` decimals)."""
    if _missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=locale_of(lang))


def percent(share: float | None, digits: int = 0, lang: str | None = None) -> str:
    """A share in [0, 1] as a percentage: ``0.782`` → ``78%``."""
    if _missing(share):
        return MISSING
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + "%"
    return babel_numbers.format_percent(share, format=pattern, locale=locale_of(lang))


def points(delta: float | None, digits: int = 0, lang: str | None = None) -> str:
    """A difference of two shares in percentage points, signed: ``0.043`` → ``+4``."""
    if _missing(delta):
        return MISSING
    text = number(abs(delta) * 100, digits, lang)
    return ("+" if delta >= 0 else "−") + text


def money(amount: float | None, currency: str, lang: str | None = None, digits: int | None = None) -> str:
    """``amount`` in ``currency`` (ISO 4217, e.g. ``JPY``) with the locale's symbol and grouping.

    Yen has no minor unit; for other currencies large amounts drop cents, which a business
    reader does not want to see on a seven-figure NPV.
    """
    if _missing(amount):
        return MISSING
    if digits is None:
        digits = 0 if currency == "JPY" or abs(amount) >= 1000 else 2
    pattern = "¤#,##0" + ("." + "0" * digits if digits > 0 else "")
    return babel_numbers.format_currency(amount, currency, format=pattern, locale=locale_of(lang),
                                         currency_digits=False)


def date(value: dt.date | dt.datetime, lang: str | None = None) -> str:
    """A date in the locale's long form: ``1 December 2026`` / ``2026年12月1日``."""
    return babel_dates.format_date(value, format="long", locale=locale_of(lang))
