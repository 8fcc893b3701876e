"""Making user text inert where a spreadsheet could read it as a formula."""

from __future__ import annotations

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets
# (OWASP "CSV injection"); tab and carriage return can hide such a start.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> str:
    """Return ``value`` as text that a spreadsheet shows literally instead of evaluating.

    A leading apostrophe is what spreadsheets themselves use to mark "this is text"; it is the
    same rule a CSV or XLSX export applies, so a table pasted from the report stays inert.

    Args:
        value: A user-supplied cell value (a product title, a column name).

    Returns:
        The text, prefixed with ``'`` when it starts like a formula; ``""`` for ``None``.
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
