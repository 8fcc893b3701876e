"""Length-aware encoding of a training batch: less padding, the same batch.

A transformer pads every text of a forward pass to the longest one. On the sample catalogue the
descriptions are 46 tokens long on average and up to 128, so a batch of 32 spends more than half
its matrix work on padding (``bench/bench_flops.py``). Sorting the *whole data set* by length
would cut that, but it would also make every batch's negatives texts of one length, which changes
what the contrastive loss learns.

Here the batch stays the random one the sampler drew; only its encoding is split. The rows of a
side are sorted by token count and cut into chunks that each pad to their own longest text; the
chunks' embeddings are put back in the batch's order. Padding is masked out of attention and of
mean pooling, so each row's embedding is that of the padded batch (equal to float rounding), and
so are the loss and its gradients (``tests/engine/train/test_length_buckets.py``).

Where to cut is a small dynamic programme over the sorted lengths: a chunk costs its rows times its
longest length, plus a fixed overhead per forward pass (kernel launches, small matrices run below
peak). The overhead is counted in tokens; it is larger on a GPU, where small passes waste more.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

# Measured with bench/bench_st_trainer.py on the sample catalogue (batch 32, MiniLM): on 2 CPU cores
# chunks of about 8 descriptions were fastest; a GPU wants few, large passes.
CHUNK_OVERHEAD_TOKENS = {"cpu": 256, "cuda": 4096}
LENGTH_BATCH = 512  # texts tokenised per call when counting tokens once per run


def chunk_rows(lengths: Sequence[int], overhead_tokens: int) -> list[np.ndarray]:
    """Cut rows into chunks of similar length, at the least padded tokens plus overhead.

    Args:
        lengths: Token count of each row.
        overhead_tokens: What one more forward pass costs, in tokens.

    Returns:
        Row indices per chunk, shortest texts first; together they hold every row once.
    """
    order = np.argsort(np.asarray(lengths, dtype=np.int64), kind="stable")
    if len(order) == 0:
        return []
    sorted_lengths = np.asarray(lengths, dtype=np.float64)[order]
    n = len(order)
    best = np.zeros(n + 1)  # best[j]: least cost of the first j sorted rows
    cut = np.zeros(n + 1, dtype=np.int64)
    for end in range(1, n + 1):
        starts = np.arange(end)
        # A chunk of sorted rows [start, end) pads to its last (longest) row.
        costs = best[:end] + (end - starts) * sorted_lengths[end - 1] + overhead_tokens
        cut[end] = int(np.argmin(costs))
        best[end] = costs[cut[end]]
    bounds, end = [], n
    while end > 0:
        bounds.append((cut[end], end))
        end = cut[end]
    return [order[start:stop] for start, stop in reversed(bounds)]


def token_lengths(encoder: nn.Module, items: Sequence[str], side: str) -> dict[str, int] | None:
    """Token count of each distinct item, counted once per run; None when the side is not text.

    The count is the loaded encoder's own tokenisation (``token_counts``), prefix and truncation
    included: exactly what its forward pass pads. (The audit's ``engine.data.token_lengths`` counts
    from a model folder's ``tokenizer.json`` without torch, for a model not loaded yet.)
    """
    count = getattr(encoder, "token_counts", None)
    if count is None:
        return None
    distinct = list(dict.fromkeys(items))
    counts: dict[str, int] = {}
    for start in range(0, len(distinct), LENGTH_BATCH):
        chunk = distinct[start:start + LENGTH_BATCH]
        found = count(chunk, side)
        if found is None:
            return None
        counts.update(zip(chunk, (int(c) for c in found), strict=True))
    return counts


class PairForward(nn.Module):
    """Both sides of a batch in one call: the training step's forward pass.

    One call per step is what ``DistributedDataParallel`` expects of the module it wraps.

    Args:
        encoder: A dual encoder, called as ``encoder(items, side)``.
        lengths: Per side, the token count of every training text (:func:`token_lengths`); a side
            missing or None is encoded in one pass.
        overhead_tokens: The cost of one more forward pass, in tokens (:data:`CHUNK_OVERHEAD_TOKENS`).
    """

    def __init__(self, encoder: nn.Module, lengths: dict[str, dict[str, int] | None] | None = None,
                 overhead_tokens: int = CHUNK_OVERHEAD_TOKENS["cpu"]) -> None:
        super().__init__()
        self.encoder = encoder
        self.lengths = lengths or {}
        self.overhead_tokens = overhead_tokens

    def forward(self, left: Sequence[str], right: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        return self._side(left, "left"), self._side(right, "right")

    def _side(self, items: Sequence[str], side: str) -> torch.Tensor:
        lengths = self.lengths.get(side)
        if lengths is None:
            return self.encoder(items, side)
        chunks = chunk_rows([lengths[item] for item in items], self.overhead_tokens)
        if len(chunks) == 1:
            return self.encoder(items, side)
        embedded = torch.cat([self.encoder([items[i] for i in chunk], side) for chunk in chunks])
        position = torch.empty(len(items), dtype=torch.long)
        position[torch.as_tensor(np.concatenate(chunks))] = torch.arange(len(items))
        return embedded[position.to(embedded.device)]
