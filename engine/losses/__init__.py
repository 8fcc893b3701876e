"""The paper's contrastive loss family (Baptista, Stuart, Tran 2025) for sentence-transformers models.

Tilts (``tilts.py``) turn two embedding batches into a score matrix; batch estimators
(``functional.py``) turn a score matrix into a loss; the ``nn.Module`` losses (``base.py``,
``conditional.py``, ``joint.py``) follow the sentence-transformers loss contract; ``registry.py``
maps names to losses.
"""

from __future__ import annotations

from engine.losses.base import ContrastiveLoss
from engine.losses.conditional import ConditionalLoss
from engine.losses.functional import conditional_loss, joint_loss, left_given_right, right_given_left
from engine.losses.joint import JointLoss
from engine.losses.registry import LOSSES, TILTS, build_loss, default_temperature
from engine.losses.tilts import similarity_matrix

__all__ = [
    "LOSSES",
    "TILTS",
    "ConditionalLoss",
    "ContrastiveLoss",
    "JointLoss",
    "build_loss",
    "conditional_loss",
    "default_temperature",
    "joint_loss",
    "left_given_right",
    "right_given_left",
    "similarity_matrix",
]
