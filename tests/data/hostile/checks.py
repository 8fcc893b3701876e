"""Small checks the hostile-corpus tests share: what is on disk, and whether a message says a word."""

from __future__ import annotations

from pathlib import Path


def files_under(folder: Path) -> set[str]:
    """Every file below ``folder``, as paths relative to it (empty folders are not "left behind")."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def matches(text: str, words: tuple[str, ...]) -> bool:
    """Whether ``text`` contains one of ``words``, ignoring case."""
    low = text.lower()
    return any(w.lower() in low for w in words)
