"""Token counts of texts as a chosen text encoder sees them, for the audit's long-text warning.

A model cuts every text after ``max_seq_length`` tokens, and how many characters that is depends
on its vocabulary: Japanese takes more tokens per character than English, and differently in
MiniLM's English word pieces than in E5's multilingual SentencePiece. So the count uses the model's
own fast tokenizer (its folder's ``tokenizer.json``) through the ``tokenizers`` library, with the
model's special tokens and the side's prefix (E5: ``"query: "`` left, ``"passage: "`` right), all of
which count against the limit. This module imports neither torch nor transformers: the CLI audit
and the dashboard's data page stay fast.

On 2 shared cores 100k Japanese texts of about 120 characters take roughly 10-20 s with either
packaged tokenizer; distinct texts are counted once, in chunks, so memory stays bounded at 1M rows.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from engine.errors import ModelLoadError
from engine.models.prefixes import side_prefixes

logger = logging.getLogger(__name__)

TOKENIZER_FILE = "tokenizer.json"
CHUNK_TEXTS = 10_000  # texts encoded at once: bounds the memory of the encodings
# tokenizer_config.json says this (1e30) when the tokenizer sets no limit of its own.
_NO_LIMIT = 1_000_000


@dataclass(frozen=True)
class TokenCounter:
    """Counts tokens per text with one model's tokenizer, prefixes and special tokens included.

    Attributes:
        tokenizer: The model's fast tokenizer (a ``tokenizers.Tokenizer``), truncation and padding off.
        limit: Tokens the run reads per text (``ModelConfig.max_seq_length``); the rest is cut off.
        model: The model's name as users know it (shown in the finding).
        prefixes: ``left``/``right`` -> text put before every item of that side (often ``""``).
        model_max: The most tokens the model accepts (the ceiling for ``max_seq_length``), or None
            when the folder does not say.
    """

    tokenizer: Any
    limit: int
    model: str
    prefixes: dict[str, str] = field(default_factory=dict)
    model_max: int | None = None

    @classmethod
    def from_folder(cls, folder: str | Path, *, limit: int, model: str | None = None) -> TokenCounter | None:
        """The counter of a sentence-transformers folder, or None when it holds no ``tokenizer.json``.

        Args:
            folder: The model's folder.
            limit: The run's ``max_seq_length``.
            model: Name shown in findings (default: the folder's name).

        Returns:
            The counter, or None for a folder with only a slow tokenizer or an unreadable
            ``tokenizer.json`` (the audit then keeps its word/character heuristic).
        """
        from tokenizers import Tokenizer

        folder = Path(folder)
        where = _tokenizer_folder(folder)
        if where is None:
            logger.info("no %s in %s: long texts are judged by their length", TOKENIZER_FILE, folder)
            return None
        try:
            tokenizer = Tokenizer.from_file(str(where / TOKENIZER_FILE))
        except Exception as exc:  # the library raises a bare Exception on a file it cannot read
            logger.warning("%s in %s is unreadable (%s): long texts are judged by their length", TOKENIZER_FILE, where, exc)
            return None
        tokenizer.no_truncation()  # saved tokenizers may truncate or pad to a fixed length; we count it all
        tokenizer.no_padding()
        return cls(tokenizer, int(limit), model or folder.name, _side_prefixes(folder), _model_max(where))

    def count(self, texts: Sequence[str], side: str, *, step: Callable[[float], None] | None = None) -> np.ndarray:
        """Tokens per text as the model reads it on ``side``: prefix, text and special tokens.

        Each distinct text is encoded once, :data:`CHUNK_TEXTS` at a time.

        Args:
            texts: The texts of one side.
            side: ``"left"`` or ``"right"`` (chooses the prefix).
            step: Called with the fraction of distinct texts counted after each chunk (it may
                raise to stop, e.g. the audit's cancel).

        Returns:
            An int64 array with one count per text, in order.
        """
        codes, distinct = pd.factorize(np.asarray(texts, dtype=object), use_na_sentinel=False)
        prefix = self.prefixes.get(side, "")
        counts = np.zeros(len(distinct), dtype=np.int64)
        for start in range(0, len(distinct), CHUNK_TEXTS):
            batch = [prefix + str(text) for text in distinct[start : start + CHUNK_TEXTS]]
            try:
                encoded = self.tokenizer.encode_batch_fast(batch, add_special_tokens=True)
            except TypeError:  # a lone surrogate (from an escaped JSON string) is no valid text for the tokenizer
                batch = [text.encode("utf-8", "replace").decode("utf-8") for text in batch]
                encoded = self.tokenizer.encode_batch_fast(batch, add_special_tokens=True)
            counts[start : start + len(batch)] = [len(e.ids) for e in encoded]
            if step is not None:
                step((start + len(batch)) / len(distinct))
        return counts[codes]


def _tokenizer_folder(folder: Path) -> Path | None:
    """Where the folder's ``tokenizer.json`` is: the folder itself or its first module's subfolder."""
    candidates = [folder]
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        candidates += [folder / m["path"] for m in modules if m.get("path")]
    except (OSError, ValueError, TypeError, KeyError):
        pass
    return next((c for c in candidates if (c / TOKENIZER_FILE).is_file()), None)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _side_prefixes(folder: Path) -> dict[str, str]:
    """Each side's prefix from the folder's saved prompts (as the encoder applies them)."""
    return side_prefixes(_read_json(folder / "config_sentence_transformers.json").get("prompts"))


def _model_max(folder: Path) -> int | None:
    """The most tokens the model accepts: its tokenizer's ``model_max_length``, when it sets one."""
    value = _read_json(folder / "tokenizer_config.json").get("model_max_length")
    return int(value) if isinstance(value, (int, float)) and 0 < value < _NO_LIMIT else None


@lru_cache(maxsize=4)
def load_counter(name_or_path: str | None, limit: int) -> TokenCounter | None:
    """The counter of a model as a run names it (:attr:`engine.config.ModelConfig.name_or_path`).

    A packaged model's name (``None`` is the default) resolves to its installed folder without
    torch; any other name goes through :func:`engine.models.loading.resolve_model_path`. Counters
    are kept for the last few (model, limit) pairs: a tokenizer takes about a second to load.

    Args:
        name_or_path: Packaged model name, model folder, run directory or hub name.
        limit: The run's ``max_seq_length``.

    Returns:
        The counter, or None when the model has no fast tokenizer file or is a hub name (the
        audit then keeps its heuristic).

    Raises:
        ModelLoadError: The model is not installed or the folder does not exist.
    """
    from engine.models.packaged import packaged, packaged_folder

    folder = packaged_folder(name_or_path)
    if folder is not None:
        return TokenCounter.from_folder(folder, limit=limit, model=packaged(name_or_path).name)
    # A custom model: resolved as the run resolves it (this imports torch, which the run loads anyway).
    from engine.models.loading import resolve_model_path

    where, local = resolve_model_path(name_or_path)
    return TokenCounter.from_folder(where, limit=limit, model=str(name_or_path)) if local else None


def counter_or_none(name_or_path: str | None, limit: int) -> TokenCounter | None:
    """:func:`load_counter`, or None (with a log line) when the model cannot be found."""
    try:
        return load_counter(name_or_path, int(limit))
    except ModelLoadError as exc:
        logger.info("long texts are judged by their length: %s", exc)
        return None
