"""Data-parallel training under torchrun: PyTorch DDP, each process one slice of every global batch.

Every process forms the same clash-free global batches (they are seeded), embeds its own
contiguous slice (:func:`local_rows`), and the loss (``gather_across_devices``) scores its rows
against the batch gathered from all processes. The gathered loss already equals the
single-process loss of the global batch on every process, and the gather's backward hands each
process ``world size`` times the single-process gradient of its rows; the average DDP takes over
processes therefore gives exactly the single-process gradient (no rescaling of the loss).

The loss's own parameters (a learned temperature) are outside what DDP wraps; their gradients are
averaged here (:func:`average_loss_gradients`) with the same reasoning, so τ stays equal on every
process. ``tests/engine/train/test_ddp_training.py`` checks both against single-process training.

Nothing here does anything without an initialised process group of more than one process.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from engine.config import TrainConfig
from engine.errors import ConfigError
from engine.i18n import t
from engine.losses.distributed import is_distributed, rank, world_size

if TYPE_CHECKING:
    from engine.data import PairDataset

__all__ = ["average_loss_gradients", "check_same_inputs", "check_supported", "is_main_process", "local_rows",
           "min_global_batch", "parallel_forward", "rank_zero_decides"]


def is_main_process() -> bool:
    """True on rank 0 (and in a single process): the one process that writes files."""
    return rank() == 0


def min_global_batch() -> int:
    """The smallest global batch kept: two rows (one negative), and at least one row per process."""
    return max(2, world_size())


def local_rows(batch: list[int]) -> list[int]:
    """This process's contiguous slice of a global batch (slices differ in length by at most one).

    Concatenated in rank order, the slices give ``batch`` back, which is the order the loss's
    gather puts the embeddings in.
    """
    processes = world_size()
    if processes == 1:
        return batch
    bounds = [len(batch) * k // processes for k in range(processes + 1)]
    return batch[bounds[rank()]:bounds[rank() + 1]]


def rank_zero_decides(decision: bool) -> bool:
    """Rank 0's ``decision`` on every process (e.g. early stopping), so no process trains on alone.

    Every process scores the same weights on the same validation slice, but GPUs of different
    kinds may round differently; one process stopping while another goes on would wait forever.
    """
    if not is_distributed():
        return decision
    shared = [decision]
    dist.broadcast_object_list(shared, src=0)
    return bool(shared[0])


def check_supported(config: TrainConfig) -> None:
    """Refuse the settings data-parallel training does not support (no effect in one process).

    Raises:
        ConfigError: ``mini_batch`` (GradCache) is set under torchrun.
    """
    if is_distributed() and config.mini_batch is not None:
        raise ConfigError(t("scale_out.MINI_BATCH", processes=world_size(), mini_batch=config.mini_batch))


def check_same_inputs(data: PairDataset, validation: PairDataset | None, config: TrainConfig,
                      loss_fn: nn.Module) -> None:
    """Every process must train on the same pairs with the same settings; refuse when one differs.

    Raises:
        ConfigError: A process holds other pairs, another validation slice, or other settings.
    """
    if not is_distributed():
        return
    parts = [data.fingerprint(), validation.fingerprint() if validation is not None else "", repr(config),
             repr(loss_fn)]
    mine = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    found: list[str | None] = [None] * world_size()
    dist.all_gather_object(found, mine)
    differing = [r for r, value in enumerate(found) if value != found[0]]
    if differing:
        raise ConfigError(t("scale_out.DIFFERENT_INPUTS", ranks=", ".join(map(str, differing))))


def parallel_forward(forward: nn.Module, loss_fn: nn.Module, device: torch.device) -> nn.Module:
    """The step's forward pass wrapped in DDP, with the loss switched to gathering; unchanged in one process.

    Rank 0's weights and loss parameters are copied to every process first (DDP does the weights).

    Args:
        forward: Embeds both sides of a batch in one call (one forward per backward, as DDP expects).
        loss_fn: The loss; it must accept ``gather_across_devices``.
        device: The device the encoder is on.

    Raises:
        ConfigError: The loss cannot gather across processes.
    """
    if not is_distributed():
        return forward
    if not hasattr(loss_fn, "gather_across_devices"):
        raise ConfigError(t("scale_out.LOSS_CANNOT_GATHER", loss=type(loss_fn).__name__))
    loss_fn.gather_across_devices = True
    for parameter in loss_fn.parameters():
        dist.broadcast(parameter.data, src=0)
    # find_unused_parameters: a transformer's pooler gets no gradient from mean-pooled embeddings;
    # DDP must not wait for it (its gradient stays None, as in a single process).
    return DistributedDataParallel(forward, device_ids=[device.index] if device.type == "cuda" else None,
                                   find_unused_parameters=True)


def average_loss_gradients(loss_fn: nn.Module) -> None:
    """Average the loss's parameter gradients (a learned τ) over processes, as DDP does for the weights.

    Each process's gathered loss depends on τ only through its own rows' terms, so the average of
    the processes' τ gradients is the single-process gradient on the global batch.
    """
    if not is_distributed():
        return
    for parameter in loss_fn.parameters():
        if not parameter.requires_grad:
            continue
        if parameter.grad is None:
            parameter.grad = torch.zeros_like(parameter)
        dist.all_reduce(parameter.grad, op=dist.ReduceOp.SUM)
        parameter.grad.div_(world_size())
