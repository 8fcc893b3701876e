"""Train linear encoders on Gaussian pairs with the real batch losses (the Gaussian lab's engine).

Encoders ``g_u(u) = G u`` and ``g_v(v) = H v`` (float64, temperature 1, unnormalised) are trained
with :func:`engine.losses.similarity_matrix` and the batch estimators of :mod:`engine.losses`,
exactly as a real run scores a batch. Only ``A = G^T H`` (and ``B = G^T G`` for the L2 tilt) is
identified, so those are returned, averaged over the last quarter of the steps to damp SGD noise.

This module imports torch; :mod:`engine.analysis.gaussian.lab` imports it only when a lab runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from engine.analysis.gaussian.blocks import CovarianceBlocks
from engine.analysis.gaussian.examples import sample_gaussian_pairs
from engine.losses import conditional_loss, joint_loss, similarity_matrix

#: lab loss name -> (tilt, batch loss on a score matrix).
LAB_LOSSES: dict[str, tuple[str, Callable[[Tensor], Tensor]]] = {
    "clip": ("dot", lambda s: conditional_loss(s, weights=(1.0, 1.0))),
    "joint": ("dot", joint_loss),
    "l2-left-given-right": ("l2", lambda s: conditional_loss(s, weights=(2.0, 0.0))),
}

#: Scale of the random initial encoders; small enough that the first batches are near uniform.
INIT_SCALE = 0.3


@dataclass(frozen=True)
class TrainSetting:
    """One lab training run.

    Attributes:
        latent_dim: n_e, rows of G and H.
        batch_size: Pairs per batch (the batch is min(batch_size, sample_size) on a fixed dataset).
        sample_size: Fixed dataset of N pairs, cycled in shuffled epochs; None = fresh pairs every
            step (the population limit).
        steps: Optimiser steps.
        lr: Adam's peak learning rate, decayed by a cosine to 5 %.
        seed: Seed of the data draws, initial encoders and shuffles.
    """

    latent_dim: int
    batch_size: int
    sample_size: int | None
    steps: int
    lr: float
    seed: int


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """Run with one intra-op thread; restore the previous count after.

    Batches of a few hundred pairs are too small to gain from threads, and on busy shared cores
    the threads wait on each other (a 3 s run took 35 s with 2 threads).
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _batches(c: CovarianceBlocks, setting: TrainSetting, gen: torch.Generator) -> Iterator[Tensor]:
    """Endless batches of stacked pairs ``[u, v]``, shape (B, n_u + n_v)."""
    if setting.sample_size is None:
        chol = torch.from_numpy(np.linalg.cholesky(c.joint))
        while True:
            yield torch.randn(setting.batch_size, chol.shape[0], generator=gen, dtype=torch.float64) @ chol.T
    u, v = sample_gaussian_pairs(*c, setting.sample_size, seed=setting.seed)
    data = torch.from_numpy(np.hstack([u, v]))  # (N, n_u + n_v)
    size = min(setting.batch_size, setting.sample_size)
    while True:
        order = torch.randperm(setting.sample_size, generator=gen)
        # Drop the last partial batch: the batch size sets the finite-batch bias, so keep it fixed.
        for start in range(0, setting.sample_size - size + 1, size):
            yield data[order[start : start + size]]


def train_linear_encoders(c: CovarianceBlocks, loss: str, setting: TrainSetting) -> tuple[np.ndarray, np.ndarray]:
    """Train ``(G, H)`` with Adam on a lab loss; return the tail averages of ``A = G^T H`` and ``B = G^T G``.

    Args:
        c: Covariance blocks of the data law N(0, C).
        loss: A key of :data:`LAB_LOSSES`.
        setting: The run's sizes, steps and seed.

    Returns:
        A of shape (n_u, n_v) and B of shape (n_u, n_u).
    """
    tilt, batch_loss = LAB_LOSSES[loss]
    return train_with_batch_loss(c, tilt, batch_loss, setting)


def train_with_batch_loss(
    c: CovarianceBlocks, tilt: str, batch_loss: Callable[[Tensor], Tensor], setting: TrainSetting
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`train_linear_encoders` with any tilt and batch loss on a score matrix (e.g. other weights).

    Args:
        c: Covariance blocks of the data law N(0, C).
        tilt: ``"dot"`` or ``"l2"``, scored by :func:`engine.losses.similarity_matrix` at temperature 1.
        batch_loss: Loss of a (B, B) score matrix, e.g. ``engine.losses.joint_loss``.
        setting: The run's sizes, steps and seed.

    Returns:
        A of shape (n_u, n_v) and B of shape (n_u, n_u).
    """
    n_u, n_v = c.uv.shape
    gen = torch.Generator().manual_seed(setting.seed)
    g = (INIT_SCALE * torch.randn(setting.latent_dim, n_u, generator=gen, dtype=torch.float64)).requires_grad_()
    h = (INIT_SCALE * torch.randn(setting.latent_dim, n_v, generator=gen, dtype=torch.float64)).requires_grad_()
    opt = torch.optim.Adam([g, h], lr=setting.lr)
    steps = setting.steps
    # Large steps find the basin, small ones at the end shrink the SGD noise around it.
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * k / steps)))
    tail = max(1, steps // 4)
    a_sum, b_sum = np.zeros((n_u, n_v)), np.zeros((n_u, n_u))
    batches = _batches(c, setting, gen)
    with one_torch_thread():
        for step in range(steps):
            z = next(batches)  # (B, n_u + n_v)
            scores = similarity_matrix(z[:, :n_u] @ g.T, z[:, n_u:] @ h.T, tilt, 1.0)  # (B, B)
            value = batch_loss(scores)
            opt.zero_grad()
            value.backward()
            opt.step()
            sched.step()
            if step >= steps - tail:
                # Average A and B, not G and H: (QG, Q^{-T}H) is the same model for any invertible Q.
                gd, hd = g.detach().numpy(), h.detach().numpy()
                a_sum += gd.T @ hd
                b_sum += gd.T @ gd
    return a_sum / tail, b_sum / tail
