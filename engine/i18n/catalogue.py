"""Loading and looking up messages; the language in force (see :mod:`engine.i18n`)."""

from __future__ import annotations

import contextvars
import os
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from engine.errors import ConfigError

MESSAGES_DIR = Path(__file__).resolve().parent / "messages"
LANGUAGES: tuple[str, ...] = ("en", "ja")
DEFAULT_LANGUAGE = "en"
# Shown in the language switch in its own language, as every multilingual site does.
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "ja": "日本語"}
LANGUAGE_ENV = "TILTPILOT_LANG"

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("tiltpilot_language", default=None)


def check_language(lang: str) -> str:
    """``lang`` if it is one of :data:`LANGUAGES`, else a :class:`ConfigError` naming the choices."""
    if lang not in LANGUAGES:
        raise ConfigError(f"language: got {lang!r}; expected one of {', '.join(LANGUAGES)}.")
    return lang


def get_language() -> str:
    """The language in force: set in this context, else ``$TILTPILOT_LANG``, else English."""
    lang = _current.get()
    if lang is None:
        env = os.environ.get(LANGUAGE_ENV, "")
        lang = env if env in LANGUAGES else DEFAULT_LANGUAGE
    return lang


def set_language(lang: str) -> None:
    """Put ``lang`` in force for the rest of this context (a Streamlit script run, a CLI call)."""
    _current.set(check_language(lang))


@contextmanager
def override(lang: str) -> Iterator[None]:
    """Put ``lang`` in force inside the block only (e.g. while a Japanese report is built)."""
    token = _current.set(check_language(lang))
    try:
        yield
    finally:
        _current.reset(token)


def _freeze(value: Any) -> Any:
    # TOML arrays come back as lists; callers treat them as constants, so hand out tuples.
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return {k: _freeze(v) for k, v in value.items()}
    return value


@cache
def load_area(lang: str, area: str) -> dict[str, Any]:
    """All messages of one area in one language (read once per process)."""
    path = MESSAGES_DIR / check_language(lang) / f"{area}.toml"
    if not path.is_file():
        raise KeyError(f"no message area {area!r} for language {lang!r} ({path})")
    with open(path, "rb") as handle:
        return _freeze(tomllib.load(handle))


def areas(lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """The areas the catalogue of ``lang`` holds."""
    return sorted(p.stem for p in (MESSAGES_DIR / check_language(lang)).glob("*.toml"))


def message(key: str, lang: str | None = None) -> Any:
    """The raw message ``"<area>.<NAME>"`` (a str, tuple or dict) in ``lang`` or the language in force."""
    area, _, name = key.partition(".")
    if not name:
        raise KeyError(f"message key {key!r} must look like 'area.NAME'")
    messages = load_area(lang or get_language(), area)
    if name not in messages:
        raise KeyError(f"no message {key!r} in the {lang or get_language()!r} catalogue")
    return messages[name]


def t(key: str, /, **fields: Any) -> str:
    """The message ``key`` in the language in force, with ``fields`` filled in by ``str.format``."""
    text = message(key)
    if not isinstance(text, str):
        raise TypeError(f"message {key!r} is a {type(text).__name__}; use message() for tables and lists")
    return text.format(**fields) if fields else text


def area_getattr(area: str) -> Callable[[str], Any]:
    """A module ``__getattr__`` (PEP 562) that serves ``module.NAME`` from the catalogue area.

    Lets a strings module keep its ``strings.NAME`` interface while the text comes, at each
    access, in the language in force.
    """

    def __getattr__(name: str) -> Any:
        if not name.isupper():
            raise AttributeError(name)
        try:
            return message(f"{area}.{name}")
        except KeyError as exc:
            raise AttributeError(f"no message {area}.{name}") from exc

    return __getattr__
