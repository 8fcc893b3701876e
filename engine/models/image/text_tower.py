"""The text side of an image–text encoder: a sentence-transformers model loaded the usual way.

It is the right side of a :class:`~engine.models.dual_encoder.DualEncoder` (loaded by
:func:`engine.models.loading.load_encoder`, so the packaged default, prefixes and sequence limits
behave exactly as for text pairs) without a projection head; the image–text encoder adds its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

from engine.models.dual_encoder import DualEncoder
from engine.models.st_compat import embedding_dimension


class SentenceTextTower(nn.Module):
    """Texts in, (B, D) unnormalised sentence embeddings out.

    Args:
        encoder: A shared-tower :class:`DualEncoder` without a projection head.
        max_seq_length: The token limit it was loaded with (recorded when saved).
    """

    kind = "sentence-transformers"

    def __init__(self, encoder: DualEncoder, *, max_seq_length: int | None) -> None:
        super().__init__()
        self.encoder = encoder
        self.dim = embedding_dimension(encoder.model)
        self.max_seq_length = max_seq_length
        self.source = encoder.source

    @property
    def prefix(self) -> str:
        return self.encoder.prefixes["right"]

    @property
    def cache_key(self) -> str:
        return f"{self.kind}/{self.source}/{self.max_seq_length}/{self.prefix}"

    def forward(self, texts: Sequence[str]) -> torch.Tensor:
        return self.encoder(texts, "right")

    def save(self, folder: Path) -> None:
        """A plain sentence-transformers folder (no Normalize: the tilt decides)."""
        self.encoder.save(folder, tilt="dot")
