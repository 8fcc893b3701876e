"""Large batches in small memory: the gradient-cached training step (GradCache).

Gao, Zhang, Han, Callan 2021, "Scaling Deep Contrastive Learning Batch Size under Memory Limited
Setup" (https://arxiv.org/abs/2101.06983). A contrastive loss couples every pair of a batch, so
the usual step keeps the encoder's activations for the whole batch until backward. The loss,
though, only sees the embeddings. The cached step therefore

1. embeds the batch in chunks of ``mini_batch`` items without building graphs, remembering the
   random state before each chunk (so dropout can draw the same masks again);
2. computes the full-batch loss on the detached embeddings and back-propagates it to them, which
   gives d loss / d embedding for every row (the "gradient cache"), and the gradient of any loss
   parameter (a learned temperature);
3. runs each chunk again, with graph and with its remembered random state, and back-propagates
   the cached gradient of its rows through the encoder.

By the chain rule the parameter gradients equal those of the uncached loss whose chunks drew the
same dropout masks; without dropout they equal the ordinary step's. Peak memory is one chunk's
activations plus the (B, D) embeddings and the (B, B) score matrix, at the price of one extra
forward pass.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from engine.errors import ConfigError

__all__ = ["cached_backward"]


@dataclass
class _Chunk:
    """One chunk of one side: its inputs and the random state its first forward started from."""

    side: str
    inputs: Any  # the tokenised features when the encoder can tokenise apart, else the raw items
    rows: slice
    cpu_state: Tensor
    cuda_state: Tensor | None


def cached_backward(
    encoder: nn.Module,
    loss_fn: nn.Module,
    left_items: Sequence[Any],
    right_items: Sequence[Any],
    labels: Tensor | None,
    *,
    mini_batch: int,
    autocast_dtype: torch.dtype | None = None,
) -> Tensor:
    """Full-batch loss and its gradients, holding the activations of only ``mini_batch`` items at once.

    Gradients are accumulated into ``.grad`` of the encoder's and the loss's parameters (zero them
    before, as for ``loss.backward()``). A batch no larger than ``mini_batch`` takes the ordinary
    path (one forward with graph), which gives the same gradients with one forward less.

    Args:
        encoder: Called as ``encoder(items, side)`` -> (n, D) embeddings. When it also has
            ``preprocess(items, side)`` and ``embed(features, side)`` (a
            :class:`~engine.models.DualEncoder`), each chunk is tokenised once for both passes.
        loss_fn: A loss with ``compute_loss_from_embeddings([left, right], labels)`` (any loss of
            :data:`engine.losses.LOSSES`); a dict of losses is summed, as in the trainer.
        left_items: The batch's left items (row i pairs with ``right_items[i]``).
        right_items: The batch's right items.
        labels: (B,) group ids for the false-negative mask, or ``None``.
        mini_batch: Items embedded per forward pass.
        autocast_dtype: Run the encoder under ``torch.autocast`` with this dtype (e.g. bfloat16 on
            CUDA); the loss runs in float32 (or float64 for a float64 encoder).

    Returns:
        The detached 0-dim loss. When it is NaN or infinite, nothing is back-propagated
        (the caller stops with an error anyway), so the extra forward pass is skipped.

    Raises:
        ConfigError: ``mini_batch`` is not a positive whole number, or the sides differ in length.
    """
    if isinstance(mini_batch, bool) or not isinstance(mini_batch, int) or mini_batch < 1:
        raise ConfigError(f"train.mini_batch: got {mini_batch!r}, expected a positive whole number such as 64.")
    if len(left_items) != len(right_items):
        raise ConfigError(
            f"cached step: got {len(left_items)} left and {len(right_items)} right items, expected one right "
            "item per left item."
        )
    device = _device_of(encoder)
    if len(left_items) <= mini_batch:
        return _plain_backward(encoder, loss_fn, left_items, right_items, labels, autocast_dtype, device)
    chunks = _chunks(encoder, left_items, "left", mini_batch) + _chunks(encoder, right_items, "right", mini_batch)
    cached = [_first_pass(encoder, chunk, autocast_dtype, device) for chunk in chunks]
    leaves = {side: torch.cat([e for c, e in zip(chunks, cached) if c.side == side]).requires_grad_()
              for side in ("left", "right")}
    loss = _total(loss_fn.compute_loss_from_embeddings([leaves["left"], leaves["right"]], labels))
    if not torch.isfinite(loss):
        return loss.detach()
    loss.backward()  # d loss / d embedding into the leaves; a learned temperature's gradient into loss_fn
    _second_pass(encoder, chunks, leaves, autocast_dtype, device)
    return loss.detach()


def _total(loss: Tensor | dict[str, Tensor]) -> Tensor:
    return sum(loss.values()) if isinstance(loss, dict) else loss  # type: ignore[return-value]


def _for_loss(embedding: Tensor) -> Tensor:
    """Half-precision embeddings are scored in float32 (as in the trainer); float64 stays float64."""
    return embedding.float() if embedding.dtype in (torch.float16, torch.bfloat16) else embedding


def _device_of(encoder: nn.Module) -> torch.device:
    device = getattr(encoder, "device", None)
    if isinstance(device, torch.device):
        return device
    first = next(encoder.parameters(), None)
    return first.device if first is not None else torch.device("cpu")


def _autocast(dtype: torch.dtype | None, device: torch.device) -> contextlib.AbstractContextManager[object]:
    return torch.autocast(device.type, dtype=dtype) if dtype is not None else contextlib.nullcontext()


def _splits_tokenising(encoder: nn.Module) -> bool:
    return callable(getattr(encoder, "preprocess", None)) and callable(getattr(encoder, "embed", None))


def _embed(encoder: nn.Module, chunk: _Chunk) -> Tensor:
    if _splits_tokenising(encoder):
        # sentence-transformers modules add their outputs (token embeddings, ...) to the features
        # dict they are given; a copy keeps those out of the chunk, which lives until the step ends.
        return encoder.embed(dict(chunk.inputs), chunk.side)
    return encoder(chunk.inputs, chunk.side)


def _plain_backward(encoder: nn.Module, loss_fn: nn.Module, left_items: Sequence[Any], right_items: Sequence[Any],
                    labels: Tensor | None, autocast_dtype: torch.dtype | None, device: torch.device) -> Tensor:
    """The ordinary step (the batch fits in one chunk)."""
    with _autocast(autocast_dtype, device):
        left, right = encoder(left_items, "left"), encoder(right_items, "right")
    loss = _total(loss_fn.compute_loss_from_embeddings([_for_loss(left), _for_loss(right)], labels))
    if torch.isfinite(loss):
        loss.backward()
    return loss.detach()


def _chunks(encoder: nn.Module, items: Sequence[Any], side: str, size: int) -> list[_Chunk]:
    """The side's items cut into chunks (tokenised now when the encoder allows it, so only once)."""
    chunks = []
    for start in range(0, len(items), size):
        part = list(items[start:start + size])
        inputs = encoder.preprocess(part, side) if _splits_tokenising(encoder) else part
        chunks.append(_Chunk(side, inputs, slice(start, start + len(part)), torch.empty(0), None))
    return chunks


def _first_pass(encoder: nn.Module, chunk: _Chunk, autocast_dtype: torch.dtype | None,
                device: torch.device) -> Tensor:
    """Embed a chunk without graph, after recording the random state dropout will draw from."""
    chunk.cpu_state = torch.get_rng_state()
    chunk.cuda_state = torch.cuda.get_rng_state(device) if device.type == "cuda" else None
    with torch.no_grad(), _autocast(autocast_dtype, device):
        return _for_loss(_embed(encoder, chunk))


def _second_pass(encoder: nn.Module, chunks: list[_Chunk], leaves: dict[str, Tensor],
                 autocast_dtype: torch.dtype | None, device: torch.device) -> None:
    """Re-embed each chunk with graph and the same random draws, and back-propagate its cached gradient.

    The random state is put back afterwards to where the first pass left it, so what follows the
    step draws as it would after an ordinary step over the same chunks.
    """
    after_cpu = torch.get_rng_state()
    after_cuda = torch.cuda.get_rng_state(device) if device.type == "cuda" else None
    # Under DistributedDataParallel only the last backward may all-reduce the gradients.
    no_sync = getattr(encoder, "no_sync", None)
    try:
        for position, chunk in enumerate(chunks):
            _restore(chunk.cpu_state, chunk.cuda_state, device)
            last = position == len(chunks) - 1
            with no_sync() if callable(no_sync) and not last else contextlib.nullcontext():
                with _autocast(autocast_dtype, device):
                    embedding = _embed(encoder, chunk)
                cached = leaves[chunk.side].grad
                if cached is not None and embedding.requires_grad:  # else nothing upstream to train
                    _for_loss(embedding).backward(gradient=cached[chunk.rows])
    finally:
        _restore(after_cpu, after_cuda, device)


def _restore(cpu_state: Tensor, cuda_state: Tensor | None, device: torch.device) -> None:
    torch.set_rng_state(cpu_state)
    if cuda_state is not None:
        torch.cuda.set_rng_state(cuda_state, device)
