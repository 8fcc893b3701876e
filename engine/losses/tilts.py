"""Tilts: the score s(u, v) = phi_theta(u, v) of the paper, as a batch similarity matrix.

The paper (Baptista, Stuart, Tran 2025, §2 and §3.3) reweights the product of the data marginals
by ``exp(phi(u, v))``. Three choices of ``phi`` are defined there and implemented here; every one
already includes the division by the temperature tau:

    cosine: phi(u, v) = <u / |u|, v / |v|> / tau          (standard CLIP, eq. 14)
    dot:    phi(u, v) = <u, v> / tau                       (unnormalised inner product, eq. 25)
    l2:     phi(u, v) = -|u - v|^2 / (2 tau)               (negative squared distance, eq. 26)

Rows of the returned matrix are left items (the paper's u), columns right items (v).
"""

from __future__ import annotations

import logging

import torch
import torch.nn.functional as F
from torch import Tensor

from engine.errors import ConfigError
from engine.names import TILT_NAMES as TILTS

logger = logging.getLogger(__name__)


# Normalising by a zero vector would divide by zero; F.normalize maps it to the zero vector instead.
_NORM_EPS = 1e-12


def check_tilt(tilt: str) -> str:
    """Return ``tilt`` unchanged if it is a known tilt name.

    Raises:
        ConfigError: The name is not one of :data:`TILTS`.
    """
    if tilt not in TILTS:
        raise ConfigError(f"tilt: got '{tilt}', expected one of {', '.join(TILTS)}. Pick one of those names.")
    return tilt


def default_temperature(tilt: str) -> float:
    """Temperature used when none is given: 0.05 for ``cosine``, 1.0 for ``dot`` and ``l2``.

    Cosine scores live in [-1, 1], so a small tau (the common sentence-transformers value 0.05,
    i.e. scale 20) is needed to make the softmax peaked. With unnormalised encoders tau only
    rescales the embeddings, which the encoder can learn itself, so the paper sets tau = 1 there
    (§1, §5); any other value just changes the effective learning rate of the embedding scale.

    Raises:
        ConfigError: Unknown tilt name.
    """
    return 0.05 if check_tilt(tilt) == "cosine" else 1.0


def similarity_matrix(left: Tensor, right: Tensor, tilt: str, temperature: float | Tensor) -> Tensor:
    """Score every left item against every right item with the chosen tilt.

    Args:
        left: Left embeddings (the paper's u), shape (B_left, D).
        right: Right embeddings (v), shape (B_right, D).
        tilt: ``"cosine"``, ``"dot"`` or ``"l2"`` (see the module docstring).
        temperature: tau > 0, a float or a 0-dim tensor (a learned temperature keeps its graph).

    Returns:
        ``S`` of shape (B_left, B_right) with ``S[i, j] = phi(left_i, right_j)``, already divided by tau.

    Raises:
        ConfigError: Unknown tilt, or embeddings that are not 2-D with equal widths.
    """
    check_tilt(tilt)
    if left.ndim != 2 or right.ndim != 2 or left.shape[1] != right.shape[1]:
        raise ConfigError(
            f"similarity_matrix: got left {tuple(left.shape)} and right {tuple(right.shape)}, expected two 2-D "
            "tensors (rows, dim) with the same dim. Both towers must embed into the same space."
        )
    if tilt == "cosine":
        left = F.normalize(left, dim=-1, eps=_NORM_EPS)
        right = F.normalize(right, dim=-1, eps=_NORM_EPS)
        scores = left @ right.T  # (B_left, B_right)
    elif tilt == "dot":
        scores = left @ right.T
    else:
        # |u - v|^2 = |u|^2 + |v|^2 - 2<u, v> needs one matmul instead of a (B, B, D) difference
        # tensor, but its rounding error grows with |u|^2. Distances are translation invariant, so
        # subtract a common centre first (detached: the exact gradient through it is zero); this
        # removes the error from a shared offset, common in pretrained embeddings. What cancellation
        # remains can leave tiny negative values for near-identical rows; a squared distance is
        # never negative, so clamp them (the true gradient there is ~0 anyway).
        centre = torch.cat([left, right]).mean(dim=0).detach()  # (D,)
        left, right = left - centre, right - centre
        sq_left = left.pow(2).sum(dim=-1, keepdim=True)  # (B_left, 1)
        sq_right = right.pow(2).sum(dim=-1).unsqueeze(0)  # (1, B_right)
        sq_dist = (sq_left + sq_right - 2.0 * (left @ right.T)).clamp_min(0.0)
        scores = -0.5 * sq_dist
    return scores / temperature
