"""Batch estimators of the paper's losses, as pure functions of a score matrix.

``S[i, j] = s(u_i, v_j)`` (rows = left items u, columns = right items v, already divided by the
temperature), with the positive pairs on the diagonal. Following the paper's digest §3.5
exactly, constants included, so that values compare with the Gaussian optima of §5:

    right_given_left (v|u, weights (0, 2)):  mean_i [ -S_ii + LSE_j S_ij - log N ]      (row softmax)
    left_given_right (u|v, weights (2, 0)):  mean_i [ -S_ii + LSE_j S_ji - log N ]      (column softmax)
    conditional (lu, lv):                    lu/2 * left_given_right + lv/2 * right_given_left
    joint:                                   -mean_i S_ii + LSE_{i != j} S_ij - log(N (N - 1))

CLIP is the conditional loss with weights (1, 1); by Theorem 2.8 the usual symmetric CLIP
cross-entropy equals it plus ``log N``. The ``log`` constants never change gradients.

**False-negative mask.** ``false_negative_mask[i, j] = True`` removes the off-diagonal pair
(i, j) from the normalisers, e.g. because left i and right j belong to the same group (a
duplicate text, two descriptions of one product). The diagonal is never masked. The ``log N``
constant is then the log of the number of candidates actually summed over: in the conditional
losses, each row (or column) i subtracts ``log n_i`` with ``n_i`` = 1 + its unmasked
off-diagonal entries, so a row's term is still "cross-entropy minus log of the uniform
baseline" and the loss of a model that scores everything equally stays 0. The joint loss
subtracts ``log |P|`` with ``|P|`` = the number of unmasked off-diagonal pairs.

The row-level helpers take a rectangular score matrix and explicit positive columns, so the
distributed losses can apply them to local rows against a gathered global batch.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from engine.errors import ConfigError

__all__ = [
    "check_weights",
    "conditional_loss",
    "conditional_row_terms",
    "joint_loss",
    "joint_partition",
    "left_given_right",
    "right_given_left",
]


def check_weights(weights: tuple[float, float]) -> tuple[float, float]:
    """Validate conditional-loss weights ``(lambda_u, lambda_v)`` and return them as floats.

    Raises:
        ConfigError: Not two finite non-negative numbers, or both zero.
    """
    try:
        lam_u, lam_v = (float(w) for w in weights)
    except (TypeError, ValueError):
        raise ConfigError(
            f"loss.weights: got {weights!r}, expected two numbers (lambda_u, lambda_v), e.g. (1, 1) for CLIP."
        ) from None
    if not (math.isfinite(lam_u) and math.isfinite(lam_v)) or lam_u < 0 or lam_v < 0 or lam_u + lam_v <= 0:
        raise ConfigError(
            f"loss.weights: got {weights!r}, expected two non-negative numbers, not both zero "
            "(e.g. (1, 1) for CLIP, (2, 0) for left-given-right, (0, 2) for right-given-left)."
        )
    return lam_u, lam_v


def _check_square(scores: Tensor, false_negative_mask: Tensor | None) -> None:
    if scores.ndim != 2 or scores.shape[0] != scores.shape[1] or scores.shape[0] == 0:
        raise ConfigError(
            f"scores: got shape {tuple(scores.shape)}, expected a non-empty square (N, N) matrix with the "
            "positive pairs on the diagonal."
        )
    if false_negative_mask is not None and (
        false_negative_mask.shape != scores.shape or false_negative_mask.dtype != torch.bool
    ):
        raise ConfigError(
            f"false_negative_mask: got {false_negative_mask.dtype} of shape {tuple(false_negative_mask.shape)}, "
            f"expected a torch.bool tensor of shape {tuple(scores.shape)} (True = exclude that pair)."
        )


def _positive_onehot(scores: Tensor, positive_columns: Tensor) -> Tensor:
    rows = torch.arange(scores.shape[0], device=scores.device)
    onehot = torch.zeros(scores.shape, dtype=torch.bool, device=scores.device)
    onehot[rows, positive_columns] = True
    return onehot


def conditional_row_terms(
    scores: Tensor, positive_columns: Tensor, exclude: Tensor | None = None
) -> Tensor:
    """Per-row conditional terms ``-S[i, p_i] + LSE_{j kept} S[i, j] - log(#kept_i)``.

    Args:
        scores: (R, C) scores of R anchors against C candidates.
        positive_columns: (R,) long, the column of each row's positive (always kept).
        exclude: Optional (R, C) bool, True = drop that candidate from the row's normaliser.

    Returns:
        (R,) tensor; its mean is the one-sided conditional loss over those rows.
    """
    if exclude is None:
        keep = torch.ones(scores.shape, dtype=torch.bool, device=scores.device)
    else:
        keep = _positive_onehot(scores, positive_columns) | ~exclude  # (R, C)
    # Masked entries become -inf so they add exp(-inf) = 0 to the sum and get zero gradient; every
    # row keeps its positive, so no row is all -inf.
    log_z = torch.logsumexp(scores.masked_fill(~keep, float("-inf")), dim=1)  # (R,)
    log_count = keep.sum(dim=1).to(scores.dtype).log()  # (R,)
    positive_scores = scores.gather(1, positive_columns.unsqueeze(1)).squeeze(1)  # (R,)
    return -positive_scores + log_z - log_count


def right_given_left(scores: Tensor, false_negative_mask: Tensor | None = None) -> Tensor:
    """The v|u loss, weights (0, 2): ``mean_i [-S_ii + LSE_j S_ij - log N]`` (row softmax).

    Args:
        scores: (N, N) score matrix, positives on the diagonal.
        false_negative_mask: Optional (N, N) bool, True = exclude that off-diagonal pair.

    Raises:
        ConfigError: ``scores`` is not square, or the mask has the wrong shape or dtype.
    """
    _check_square(scores, false_negative_mask)
    diag = torch.arange(scores.shape[0], device=scores.device)
    return conditional_row_terms(scores, diag, false_negative_mask).mean()


def left_given_right(scores: Tensor, false_negative_mask: Tensor | None = None) -> Tensor:
    """The u|v loss, weights (2, 0): ``mean_i [-S_ii + LSE_j S_ji - log N]`` (column softmax).

    Args:
        scores: (N, N) score matrix, positives on the diagonal.
        false_negative_mask: Optional (N, N) bool, True = exclude that off-diagonal pair.

    Raises:
        ConfigError: ``scores`` is not square, or the mask has the wrong shape or dtype.
    """
    _check_square(scores, false_negative_mask)
    mask_t = None if false_negative_mask is None else false_negative_mask.T
    return right_given_left(scores.T, mask_t)


def conditional_loss(
    scores: Tensor, weights: tuple[float, float] = (1.0, 1.0), false_negative_mask: Tensor | None = None
) -> Tensor:
    """Weighted conditional loss ``lu/2 * left_given_right + lv/2 * right_given_left``.

    ``weights=(1, 1)`` is CLIP (symmetric InfoNCE minus ``log N``), ``(2, 0)`` the u|v loss and
    ``(0, 2)`` the v|u loss. A direction with weight 0 is not computed.

    Raises:
        ConfigError: Invalid weights, scores or mask.
    """
    lam_u, lam_v = check_weights(weights)
    _check_square(scores, false_negative_mask)
    total = scores.new_zeros(())
    if lam_u > 0:
        total = total + 0.5 * lam_u * left_given_right(scores, false_negative_mask)
    if lam_v > 0:
        total = total + 0.5 * lam_v * right_given_left(scores, false_negative_mask)
    return total


def joint_partition(
    scores: Tensor, positive_columns: Tensor, exclude: Tensor | None = None
) -> tuple[Tensor, int]:
    """Log-sum-exp and count of the joint loss's negative pairs in a block of rows.

    The negative set is every (row, column) pair except the row's positive and excluded pairs.

    Args:
        scores: (R, C) scores of R left items against C right items.
        positive_columns: (R,) long, the column of each row's positive.
        exclude: Optional (R, C) bool, True = drop that pair.

    Returns:
        ``(lse, count)``: 0-dim ``log sum exp`` over the kept pairs (``-inf`` when none are kept)
        and the number of kept pairs.
    """
    keep = ~_positive_onehot(scores, positive_columns)
    if exclude is not None:
        keep = keep & ~exclude
    count = int(keep.sum())
    if count == 0:
        # Stay attached to the graph (with zero gradient) so every caller, including each process
        # of a distributed run, backpropagates through the same operations; a logsumexp over only
        # -inf would give NaN gradients instead.
        return scores.sum() * 0.0 + float("-inf"), 0
    return torch.logsumexp(scores[keep], dim=0), count


def joint_loss(scores: Tensor, false_negative_mask: Tensor | None = None) -> Tensor:
    """The joint loss ``-mean_i S_ii + LSE_{i != j} S_ij - log(N (N - 1))``.

    One partition function over all off-diagonal pairs, used as samples of the product of
    marginals (paper §3.2.2, Remark 2.6). With a mask, excluded pairs leave both the sum and the
    count.

    Raises:
        ConfigError: Invalid scores or mask, or no off-diagonal pair is left (batch of one row, or
            every other row masked): the partition function would be empty.
    """
    _check_square(scores, false_negative_mask)
    n = scores.shape[0]
    diag = torch.arange(n, device=scores.device)
    lse, count = joint_partition(scores, diag, false_negative_mask)
    if count == 0:
        raise ConfigError(
            f"joint loss: a batch of {n} row(s) has no unmasked off-diagonal pair, so its partition function "
            "is empty. Use batches of at least 2 rows from different groups (raise train.batch_size)."
        )
    return -scores.diagonal().mean() + lse - math.log(count)
