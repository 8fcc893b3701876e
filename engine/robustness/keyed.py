"""Engine errors whose message is a ``robustness`` catalogue entry, shown in the reader's language."""

from __future__ import annotations

from typing import Any

from engine.data.error_text import english
from engine.errors import EngineError


def keyed(kind: type[EngineError], key: str, **fields: Any) -> EngineError:
    """An error of ``kind`` whose English message is ``key`` filled with ``fields``.

    It carries ``message_key`` and ``message_fields``, so the CLI and the dashboard
    (:func:`engine.data.error_text.render_error`) show it in the language in force.
    """
    exc = kind(english(key, **fields))
    exc.message_key = key  # type: ignore[attr-defined]
    exc.message_fields = fields  # type: ignore[attr-defined]
    return exc
