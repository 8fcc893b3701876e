"""The one place that imports sentence-transformers internals.

sentence-transformers moved modules between 5.x and 6.x (``sentence_transformers.losses`` →
``sentence_transformers.sentence_transformer.losses``; ``models`` → ``base.modules``), so every
import of an internal path lives here and nowhere else.
"""

from __future__ import annotations

from sentence_transformers import SentenceTransformer
from sentence_transformers.base.modules import Dense, Normalize, Router, Transformer
from sentence_transformers.sentence_transformer.modules import Pooling

__all__ = ["Dense", "Normalize", "Pooling", "Router", "SentenceTransformer", "Transformer", "embedding_dimension"]


def embedding_dimension(model: SentenceTransformer) -> int:
    """Output width of a model (the method was renamed in sentence-transformers 5.4)."""
    getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(getter())
