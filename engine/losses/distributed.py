"""Gathering embeddings across processes with gradients, for losses over the global batch.

With data-parallel training each process embeds its own slice of the batch. A contrastive loss
gets more negatives when every process scores its local rows against the gathered global batch.
:func:`all_gather_with_grad` concatenates the slices in rank order and routes the gradient of
the concatenation back to the process that owns each slice, summed over all processes (as
``torch.distributed.nn.functional.all_gather`` does; that function is deprecated in recent
torch, so a small autograd function is used instead). Slices may differ in length, e.g. the
last, shorter batch of an epoch.

Every process must call the same gathers in the same order and then run backward, which data
parallel training does anyway.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor

__all__ = ["all_gather", "all_gather_with_grad", "gather_sizes", "is_distributed", "rank", "world_size"]


def is_distributed() -> bool:
    """True when a process group is initialised with more than one process."""
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def rank() -> int:
    """This process's rank, 0 when not distributed."""
    return dist.get_rank() if is_distributed() else 0


def world_size() -> int:
    """Number of processes, 1 when not distributed."""
    return dist.get_world_size() if is_distributed() else 1


def gather_sizes(rows: int, device: torch.device) -> list[int]:
    """Every process's local row count, in rank order (``[rows]`` when not distributed)."""
    if not is_distributed():
        return [rows]
    # NCCL only moves tensors that live on the process's CUDA device, so use the caller's device.
    local = torch.tensor([rows], dtype=torch.long, device=device)
    buffers = [torch.empty_like(local) for _ in range(dist.get_world_size())]
    dist.all_gather(buffers, local)
    return [int(b.item()) for b in buffers]


def _gather_padded(tensor: Tensor, sizes: list[int]) -> Tensor:
    """Concatenate every process's ``tensor`` (first dims ``sizes``) in rank order, no autograd."""
    tensor = tensor.contiguous()
    longest = max(sizes)
    if tensor.shape[0] < longest:
        # all_gather needs equal shapes; pad, then cut each slice back to its true length.
        pad = tensor.new_zeros((longest - tensor.shape[0], *tensor.shape[1:]))
        tensor = torch.cat([tensor, pad], dim=0)
    buffers = [torch.empty_like(tensor) for _ in sizes]
    dist.all_gather(buffers, tensor)
    return torch.cat([buf[:n] for buf, n in zip(buffers, sizes)], dim=0)


class _AllGatherWithGrad(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, tensor: Tensor, sizes: list[int]) -> Tensor:  # type: ignore[override]
        ctx.sizes = sizes
        ctx.rank = dist.get_rank()
        return _gather_padded(tensor, sizes)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:  # type: ignore[override]
        # Every process holds d(its loss)/d(global batch); the owner of a slice needs the sum of
        # those over processes, so each process's loss contributes its gradient to every slice.
        total = grad.contiguous().clone()
        dist.all_reduce(total, op=dist.ReduceOp.SUM)
        start = sum(ctx.sizes[: ctx.rank])
        return total[start : start + ctx.sizes[ctx.rank]], None


def all_gather_with_grad(tensor: Tensor) -> Tensor:
    """Concatenate ``tensor`` from every process along dim 0, in rank order, with gradients.

    The backward pass returns to each process, for its own slice, the sum over processes of the
    gradients arriving at that slice. Without an initialised process group, or with one process,
    ``tensor`` is returned unchanged.

    Args:
        tensor: Local tensor (n_local, ...); the trailing dims must match across processes.

    Returns:
        (sum of n_local over processes, ...) tensor.
    """
    if not is_distributed():
        return tensor
    sizes = gather_sizes(tensor.shape[0], tensor.device)
    return _AllGatherWithGrad.apply(tensor, sizes)


def all_gather(tensor: Tensor) -> Tensor:
    """Like :func:`all_gather_with_grad` but without gradients (labels, counts)."""
    if not is_distributed():
        return tensor
    return _gather_padded(tensor.detach(), gather_sizes(tensor.shape[0], tensor.device))
