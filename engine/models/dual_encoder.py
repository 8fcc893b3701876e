"""A two-sided encoder over one sentence-transformers model.

The paper's encoders ``g_u`` (left) and ``g_v`` (right) are either one shared network (siamese)
or two towers. Both are kept inside a single :class:`SentenceTransformer` so that what we save
loads back with ``SentenceTransformer(path)``: separate towers use a ``Router`` whose ``query``
route is the left tower and whose ``document`` route is the right tower.

Embeddings leave this class **unnormalised**: the tilt (cosine, dot, l2) decides in the loss and
in evaluation whether to normalise, so the same encoder serves all three.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from engine.errors import ConfigError
from engine.models.device import to_device
from engine.models.prefixes import prompts_of
from engine.models.st_compat import Normalize, SentenceTransformer
from engine.names import SIDES, TILTS, TOWERS

if TYPE_CHECKING:
    from engine.models.embedding_pool import EmbeddingPool


class DualEncoder(nn.Module):
    """Encodes left and right items with shared or separate towers.

    Args:
        model: A sentence-transformers model whose output is *not* normalised.
        towers: ``"shared"`` (one network for both sides) or ``"separate"`` (a Router with a
            ``query`` route for left and a ``document`` route for right).
        source: Where the pretrained weights came from (recorded in run configs).
        prefixes: Text put before every item of a side, in training and in evaluation alike
            (E5 models expect ``"query: "`` on the left and ``"passage: "`` on the right).
    """

    def __init__(self, model: SentenceTransformer, *, towers: str = "shared", source: str = "",
                 prefixes: dict[str, str] | None = None) -> None:
        super().__init__()
        if towers not in TOWERS:
            raise ConfigError(f"model.towers: got '{towers}', expected one of {', '.join(TOWERS)}.")
        self.model = model
        self.towers = towers
        self.source = source
        self.prefixes = {side: (prefixes or {}).get(side, "") for side in SIDES}
        # Set while an evaluation runs inside engine.models.embedding_pool.embedding_pool: long lists go to it.
        self.pool: EmbeddingPool | None = None

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def _task(self, side: str) -> str | None:
        if side not in SIDES:
            raise ConfigError(f"side must be 'left' or 'right', got '{side}'.")
        if self.towers == "shared":
            return None
        return "query" if side == "left" else "document"

    def _prefixed(self, items: Sequence[str], side: str) -> list[str]:
        prefix = self.prefixes[side]
        return [prefix + item for item in items] if prefix else list(items)

    def preprocess(self, items: Sequence[str], side: str) -> dict:
        """Tokenise a batch for one side (with its prefix) and move the tensors to the model's device."""
        task = self._task(side)
        kwargs = {"task": task} if task is not None else {}
        features = self.model.preprocess(self._prefixed(items, side), **kwargs)
        return {k: to_device(v, self.device) if isinstance(v, torch.Tensor) else v for k, v in features.items()}

    def token_counts(self, items: Sequence[str], side: str) -> list[int]:
        """How many tokens each item becomes (with its prefix, after truncation): padding is not counted."""
        task = self._task(side)
        kwargs = {"task": task} if task is not None else {}
        features = self.model.preprocess(self._prefixed(items, side), **kwargs)
        return features["attention_mask"].sum(dim=1).tolist()

    def embed(self, features: dict, side: str) -> torch.Tensor:
        """Forward pass on preprocessed features; returns (B, D) unnormalised embeddings."""
        task = self._task(side)
        kwargs = {"task": task} if task is not None else {}
        return self.model(features, **kwargs)["sentence_embedding"]

    def forward(self, items: Sequence[str], side: str) -> torch.Tensor:
        return self.embed(self.preprocess(items, side), side)

    @torch.no_grad()
    def encode(self, items: Sequence[str], side: str, *, batch_size: int = 64) -> np.ndarray:
        """Embed items for evaluation; returns a float32 (N, D) array, unnormalised.

        Inside :func:`engine.models.embedding_pool.embedding_pool`, a list long enough for the pool
        is embedded by its worker processes (the same array, to float rounding).
        """
        task = self._task(side)
        texts = self._prefixed(items, side)
        if self.pool is not None and self.pool.takes(len(texts)):
            return self.pool.encode(texts, batch_size=batch_size, task=task)
        kwargs = {"task": task} if task is not None else {}
        was_training = self.model.training
        self.model.eval()
        try:
            out = self.model.encode(
                texts,
                batch_size=batch_size,
                convert_to_numpy=True,
                show_progress_bar=False,
                normalize_embeddings=False,
                **kwargs,
            )
        finally:
            self.model.train(was_training)
        return np.asarray(out, dtype=np.float32)

    def save(self, path: str | Path, *, tilt: str = "cosine") -> None:
        """Save in sentence-transformers format, loadable with ``SentenceTransformer(path)``.

        For the cosine tilt a ``Normalize`` module is appended so that plain ``encode`` returns
        the unit vectors the model was trained to compare; for dot and l2 the raw vectors are
        the model, and the saved similarity function says how to compare them.
        """
        if tilt not in TILTS:
            raise ConfigError(f"tilt: got '{tilt}', expected one of {', '.join(TILTS)}.")
        modules = list(self.model)
        if TILTS[tilt].unit_length:
            modules = modules + [Normalize()]
        to_save = SentenceTransformer(modules=modules, device=str(self.device))
        to_save.similarity_fn_name = TILTS[tilt].st_similarity
        if any(self.prefixes.values()):  # reloading (ours or plain sentence-transformers) finds them
            to_save.prompts = prompts_of(self.prefixes)
        to_save.save(str(path))
