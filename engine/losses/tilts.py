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

from collections.abc import Callable

import torch.nn.functional as F
from torch import Tensor

from engine.errors import ConfigError
from engine.names import TILT_NAMES as TILTS
from engine.names import TILTS as TILT_TABLE

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
    """Temperature used when none is given (:attr:`engine.names.Tilt.default_temperature`).

    Raises:
        ConfigError: Unknown tilt name.
    """
    return TILT_TABLE[check_tilt(tilt)].default_temperature


def _cosine(left: Tensor, right: Tensor, centre: Tensor | None) -> Tensor:  # not translation invariant: no centre
    return F.normalize(left, dim=-1, eps=_NORM_EPS) @ F.normalize(right, dim=-1, eps=_NORM_EPS).T


def _dot(left: Tensor, right: Tensor, centre: Tensor | None) -> Tensor:  # not translation invariant: no centre
    return left @ right.T


def _neg_half_squared_distance(left: Tensor, right: Tensor, centre: Tensor | None) -> Tensor:
    # |u - v|^2 = |u|^2 + |v|^2 - 2<u, v> needs one matmul instead of a (B, B, D) difference
    # tensor, but its rounding error grows with |u|^2. Distances are translation invariant, so
    # subtract a common centre first (detached: the exact gradient through it is zero); this
    # removes the error from a shared offset, common in pretrained embeddings. The centre is the
    # right side's mean unless given, so scoring query chunks against one gallery uses one centre
    # for every chunk; a gallery scored in tiles passes its whole mean, so a row's scores depend on
    # neither the chunking nor the tiling. What cancellation remains can leave
    # tiny negative values for near-identical rows; a squared distance is never negative, so clamp
    # them (the true gradient there is ~0 anyway).
    centre = (right.mean(dim=0) if centre is None else centre).detach()  # (D,)
    left, right = left - centre, right - centre
    sq_left = left.pow(2).sum(dim=-1, keepdim=True)  # (B_left, 1)
    sq_right = right.pow(2).sum(dim=-1).unsqueeze(0)  # (1, B_right)
    return -0.5 * (sq_left + sq_right - 2.0 * (left @ right.T)).clamp_min(0.0)


# The one scoring function per tilt, used by the losses, the retrieval evaluation and the
# analyses alike. A new tilt is a name in engine/names.py plus one entry here.
# Each takes (left, right, centre); ``centre`` is a point to measure from, which only a
# translation-invariant tilt (l2) may use.
TILT_SCORES: dict[str, Callable[[Tensor, Tensor, Tensor | None], Tensor]] = {
    "cosine": _cosine,
    "dot": _dot,
    "l2": _neg_half_squared_distance,
}
assert tuple(TILT_SCORES) == TILTS, "engine.names.TILT_NAMES and TILT_SCORES must list the same tilts"


def tilt_scores(left: Tensor, right: Tensor, tilt: str, *, centre: Tensor | None = None) -> Tensor:
    """``S[i, j] = s(left_i, right_j)`` without temperature, for every left and right item.

    Args:
        left: Left embeddings (the paper's u), shape (B_left, D), any float dtype.
        right: Right embeddings (v), shape (B_right, D).
        tilt: ``"cosine"``, ``"dot"`` or ``"l2"`` (see the module docstring).
        centre: For l2, the (D,) point distances are computed from (default: the mean of
            ``right``); scoring one gallery in tiles passes the whole gallery's mean. Cosine and dot
            are not translation invariant and ignore it.

    Returns:
        ``S`` of shape (B_left, B_right), in the inputs' dtype.

    Raises:
        ConfigError: Unknown tilt, or embeddings that are not 2-D with equal widths.
    """
    check_tilt(tilt)
    if left.ndim != 2 or right.ndim != 2 or left.shape[1] != right.shape[1]:
        raise ConfigError(
            f"tilt scores: got left {tuple(left.shape)} and right {tuple(right.shape)}, expected two 2-D "
            "tensors (rows, dim) with the same dim. Both towers must embed into the same space."
        )
    return TILT_SCORES[tilt](left, right, centre)


def similarity_matrix(left: Tensor, right: Tensor, tilt: str, temperature: float | Tensor) -> Tensor:
    """Score every left item against every right item with the chosen tilt, divided by tau.

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
    return tilt_scores(left, right, tilt) / temperature
