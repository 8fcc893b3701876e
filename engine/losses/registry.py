"""The loss and tilt names a run config, the CLI and the dashboard can choose from."""

from __future__ import annotations

from types import MappingProxyType

from torch import nn

from engine.errors import ConfigError
from engine.losses.base import ContrastiveLoss
from engine.losses.conditional import ConditionalLoss
from engine.losses.functional import check_weights
from engine.losses.joint import JointLoss
from engine.losses.tilts import TILTS, check_tilt, default_temperature

__all__ = ["LOSSES", "TILTS", "build_loss", "default_temperature"]

# name -> one-line description (iteration yields the names, in the order shown to users).
LOSSES = MappingProxyType(
    {
        "clip": "Symmetric CLIP: both conditionals, weights (1, 1).",
        "left-given-right": "One-sided u|v: normalise over left items for each right item, weights (2, 0).",
        "right-given-left": "One-sided v|u: normalise over right items for each left item, weights (0, 2).",
        "weighted": "Both conditionals with your own weights (lambda_u, lambda_v).",
        "joint": "Joint: one partition function over all unpaired (left, right) pairs.",
    }
)

# The fixed weights of the named conditional losses.
_FIXED_WEIGHTS: dict[str, tuple[float, float]] = {
    "clip": (1.0, 1.0),
    "left-given-right": (2.0, 0.0),
    "right-given-left": (0.0, 2.0),
}


def build_loss(
    name: str,
    model: nn.Module | None = None,
    *,
    tilt: str = "cosine",
    temperature: float | str | None = None,
    weights: tuple[float, float] | None = None,
    gather_across_devices: bool = False,
) -> ContrastiveLoss:
    """Build a loss by registry name.

    Args:
        name: One of :data:`LOSSES`.
        model: SentenceTransformer for :meth:`ContrastiveLoss.forward`; ``None`` when only
            embeddings are passed (our training loop).
        tilt: One of :data:`TILTS`.
        temperature: tau > 0, ``"learn"`` for a learned tau, or ``None`` for
            :func:`default_temperature` of the tilt.
        weights: ``(lambda_u, lambda_v)``; required for ``"weighted"``, optional for the other
            conditional names if equal to their fixed weights, not allowed for ``"joint"``.
        gather_across_devices: Score against the batch gathered from all processes.

    Raises:
        ConfigError: Unknown name or tilt, bad temperature, or weights that do not fit the name.
    """
    if name not in LOSSES:
        raise ConfigError(f"loss.name: got '{name}', expected one of {', '.join(LOSSES)}.")
    check_tilt(tilt)
    common = {"tilt": tilt, "temperature": temperature, "gather_across_devices": gather_across_devices}
    if name == "joint":
        if weights is not None:
            raise ConfigError(
                f"loss.weights: got {weights!r} for the 'joint' loss, which has no weights (one partition function "
                "over all pairs). Remove the weights, or choose 'weighted' for a weighted conditional loss."
            )
        return JointLoss(model, **common)
    if name == "weighted":
        if weights is None:
            raise ConfigError(
                "loss.weights: the 'weighted' loss needs weights (lambda_u, lambda_v), e.g. (1.5, 0.5); "
                "(1, 1) is CLIP."
            )
        return ConditionalLoss(model, weights=check_weights(weights), name="weighted", **common)
    fixed = _FIXED_WEIGHTS[name]
    if weights is not None and check_weights(weights) != fixed:
        raise ConfigError(
            f"loss.weights: got {weights!r} for '{name}', whose weights are fixed at {fixed}. Drop the weights, "
            "or use the name 'weighted' to choose your own."
        )
    return ConditionalLoss(model, weights=fixed, name=name, **common)
