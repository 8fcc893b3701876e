"""``JointLoss``: the paper's joint loss, one partition function over all unpaired pairs."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from engine.errors import ConfigError
from engine.losses import distributed
from engine.losses.base import ContrastiveLoss, gathered_batch
from engine.losses.functional import joint_loss, joint_partition
from engine.losses.tilts import similarity_matrix


class JointLoss(ContrastiveLoss):
    """Joint loss: forward KL from the data's joint law to the tilted model ``nu``.

    With ``S[i, j] = phi(u_i, v_j)`` over a batch of N pairs, the off-diagonal pairs serve as
    samples of the product of marginals (digest §3.4-3.5; the paper leaves this choice open):

        L = -mean_i S_ii + log( 1/(N (N - 1)) * sum_{i != j} exp(S_ij) )

    At population level ``L = KL(mu || nu) - I(u; v)`` (Theorem 3.8). Compared with the
    conditional loss it fits the marginals better but shrinks the conditional means (§5.3).

    Args:
        model: See :class:`~engine.losses.base.ContrastiveLoss`.
        **kwargs: ``tilt``, ``temperature``, ``learn_temperature``, ``gather_across_devices``.

    Inputs:
        (left, right) pairs, embeddings (B, D); optional labels (B,) of group ids (same-group
        pairs leave the partition function and its count).

    References:
        - Baptista, Stuart, Tran 2025, Optimization Problems 3.6/3.7, Theorems 3.8 and 3.10.

    Relations:
        - :class:`~engine.losses.conditional.ConditionalLoss` normalises per anchor; by
          Theorem 3.10 its population value never exceeds this one for the same encoders.

    Example:
        ::

            loss = JointLoss(model, tilt="l2", temperature=1.0)
            value = loss.compute_loss_from_embeddings([left_embeddings, right_embeddings])
    """

    name = "joint"

    def loss_from_scores(self, scores: Tensor, false_negative_mask: Tensor | None = None) -> Tensor:
        """:func:`~engine.losses.functional.joint_loss`."""
        return joint_loss(scores, false_negative_mask)

    def _gathered_loss(
        self, left: Tensor, right: Tensor, labels: Tensor | None, temperature: Tensor | float
    ) -> Tensor:
        # Each process holds the rows of its own left items against every right item. The global
        # partition function is the log-sum-exp of the per-process ones, combined through a
        # gather with gradients so every process's value is the global loss; the -log |P| constant
        # uses the global count of kept pairs.
        _, right_all, positives, exclude = gathered_batch(left, right, labels, need_left=False)
        rows = similarity_matrix(left, right_all, self.tilt, temperature)  # (b, N)
        positive_scores = rows.gather(1, positives.unsqueeze(1)).squeeze(1)  # (b,)
        local_lse, local_count = joint_partition(rows, positives, exclude)
        all_positive = distributed.all_gather_with_grad(positive_scores)  # (N,)
        all_lse = distributed.all_gather_with_grad(local_lse.reshape(1))  # (world,)
        counts = distributed.all_gather(torch.tensor([local_count], device=rows.device))
        total = int(counts.sum())
        if total == 0:
            raise ConfigError(
                f"joint loss: the global batch of {all_positive.shape[0]} rows has no unmasked off-diagonal pair, "
                "so its partition function is empty. Use larger batches with rows from different groups."
            )
        return -all_positive.mean() + torch.logsumexp(all_lse, dim=0) - math.log(total)
