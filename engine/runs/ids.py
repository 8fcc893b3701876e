"""The one shape of the ids the public API accepts (runs, jobs, datasets).

An id becomes part of a path (``<store>/<run_id>/``, ``<store>/jobs/<job_id>.json``), so an id
such as ``../../x`` would read or write outside the store. Every public entry point that takes an
id checks it here first. Run and job ids share one shape (time stamp, slug, random hex, e.g.
``20261128-201500-clip-cosine-3f2a``); a dataset id is a prefix of a SHA-256 digest.
"""

from __future__ import annotations

import re

from engine.errors import ConfigError
from engine.i18n import message, t

# Letters, digits, '-' and '_' only, starting with a letter or digit: no '/', no '.', so no
# path traversal and no hidden files; 128 characters is far below any file-name limit.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
_HEX_PREFIX = re.compile(r"[0-9a-f]{1,64}")

ID_PATTERNS: dict[str, re.Pattern[str]] = {"run": _NAME, "job": _NAME, "dataset": _HEX_PREFIX}
_SHOWN_CHARS = 60  # an absurdly long value is cut in the message, not echoed whole


def is_valid_id(kind: str, value: object) -> bool:
    """Whether ``value`` is a well-formed ``kind`` id (``"run"``, ``"job"`` or ``"dataset"``)."""
    return isinstance(value, str) and ID_PATTERNS[kind].fullmatch(value) is not None


def check_id(kind: str, value: object) -> str:
    """``value`` if it is a well-formed ``kind`` id.

    Args:
        kind: ``"run"``, ``"job"`` or ``"dataset"``.
        value: The id as received (from a URL, a CLI flag, an API call).

    Returns:
        The id, unchanged.

    Raises:
        ConfigError: The id does not have the expected shape (the message names the id and the form).
        KeyError: ``kind`` is not one of :data:`ID_PATTERNS` (a programming error).
    """
    if kind not in ID_PATTERNS:
        raise KeyError(f"unknown id kind {kind!r}; expected one of {', '.join(ID_PATTERNS)}")
    if is_valid_id(kind, value):
        return value  # type: ignore[return-value]
    shown = repr(value) if not isinstance(value, str) else repr(value[:_SHOWN_CHARS])
    raise ConfigError(t("store.BAD_ID", kind=message("store.ID_KINDS")[kind], value=shown,
                        form=message("store.ID_FORMS")[kind]))
