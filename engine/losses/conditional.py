"""``ConditionalLoss``: the paper's weighted conditional loss (CLIP and its one-sided forms)."""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

from engine.losses import distributed
from engine.losses.base import ContrastiveLoss, gathered_batch
from engine.losses.functional import check_weights, conditional_loss, conditional_row_terms
from engine.losses.tilts import similarity_matrix

# The registry names of the weightings the paper singles out (Optimization Problem 3.13).
NAMED_WEIGHTS: dict[tuple[float, float], str] = {
    (1.0, 1.0): "clip",
    (2.0, 0.0): "left-given-right",
    (0.0, 2.0): "right-given-left",
}


class ConditionalLoss(ContrastiveLoss):
    """Weighted conditional loss: forward KL between true and model conditionals, both directions.

    With ``S[i, j] = phi(u_i, v_j)`` over a batch of N pairs (digest §3.5):

        L = lu/2 * mean_i [ -S_ii + LSE_j S_ji - log N ]     (u|v: column softmax)
          + lv/2 * mean_i [ -S_ii + LSE_j S_ij - log N ]     (v|u: row softmax)

    At population level this is ``lu/2 E_v KL(mu_{u|v} || nu_{u|v}) + lv/2 E_u KL(mu_{v|u} || nu_{v|u})``
    up to a constant (Theorem 3.2).

    Args:
        model: See :class:`~engine.losses.base.ContrastiveLoss`.
        weights: ``(lambda_u, lambda_v)``, non-negative, not both zero. ``(1, 1)`` = CLIP,
            ``(2, 0)`` = left-given-right (u|v), ``(0, 2)`` = right-given-left (v|u, which is
            sentence-transformers' MultipleNegativesRankingLoss minus ``log N``).
        name: Registry name reported in the config; by default derived from the weights.
        **kwargs: ``tilt``, ``temperature``, ``learn_temperature``, ``gather_across_devices``.

    Inputs:
        (left, right) pairs, embeddings (B, D); optional labels (B,) of group ids.

    References:
        - Baptista, Stuart, Tran 2025, Optimization Problems 2.7, 3.13; Theorems 2.8, 3.2.

    Relations:
        - :class:`~engine.losses.joint.JointLoss` uses one partition function over all pairs
          instead of one per anchor; at population level its value upper-bounds this one (Theorem 3.10).

    Example:
        ::

            from sentence_transformers import SentenceTransformerTrainer
            from engine.losses import ConditionalLoss

            loss = ConditionalLoss(model, weights=(1.0, 1.0), tilt="cosine", temperature=0.05)  # CLIP
            trainer = SentenceTransformerTrainer(model=model, train_dataset=pairs, loss=loss)
            trainer.train()
    """

    def __init__(
        self,
        model: nn.Module | None = None,
        *,
        weights: tuple[float, float] = (1.0, 1.0),
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(model, **kwargs)
        self._weights = check_weights(weights)
        self.name = name or NAMED_WEIGHTS.get(self._weights, "weighted")

    @property
    def weights(self) -> tuple[float, float]:
        """``(lambda_u, lambda_v)``."""
        return self._weights

    def loss_from_scores(self, scores: Tensor, false_negative_mask: Tensor | None = None) -> Tensor:
        """:func:`~engine.losses.functional.conditional_loss` with this loss's weights."""
        return conditional_loss(scores, self._weights, false_negative_mask)

    def _gathered_loss(
        self, left: Tensor, right: Tensor, labels: Tensor | None, temperature: Tensor | float
    ) -> Tensor:
        # Local left items against all right items give this process's v|u rows; local right
        # items against all left items give its u|v rows (a column of the global score matrix).
        # The per-row terms are gathered with gradients and averaged over the global batch, so
        # each process's value is the global loss and DDP's averaging restores the global gradient.
        lam_u, lam_v = self._weights
        left_all, right_all, positives, exclude = gathered_batch(left, right, labels, need_left=lam_u > 0)
        terms = left.new_zeros(left.shape[0])  # (b,)
        if lam_v > 0:
            rows = similarity_matrix(left, right_all, self.tilt, temperature)  # (b, N)
            terms = terms + 0.5 * lam_v * conditional_row_terms(rows, positives, exclude)
        if lam_u > 0:
            assert left_all is not None  # for the type checker: gathered because lam_u > 0
            cols = similarity_matrix(left_all, right, self.tilt, temperature).T  # (b, N)
            terms = terms + 0.5 * lam_u * conditional_row_terms(cols, positives, exclude)
        return distributed.all_gather_with_grad(terms).mean()
