"""The projection head of each side: a linear map into the shared space that learns faster.

The heads start from random (or, over an aligned CLIP, the identity) while the towers start
pretrained, so they need a larger step than the towers. The trainer has one learning rate, so the
head carries the multiplier itself: it stores its weights divided by ``lr_scale`` and multiplies
them back in ``forward``. Adam's step is about the learning rate whatever the gradient's size, so
the effective weights move ``lr_scale`` times faster (the "equalised learning rate" trick). Saved
files hold the effective weights, so the scale is not part of the saved format.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class ProjectionHead(nn.Module):
    """``y = W x + b`` with W and b trained ``lr_scale`` times faster than the rest of the model.

    Args:
        in_dim: Width of the tower's output.
        out_dim: Width of the shared space.
        lr_scale: Learning-rate multiplier (1 is a plain ``nn.Linear``).
        identity: Start as the identity map (needs ``in_dim == out_dim``) instead of at random.
    """

    def __init__(self, in_dim: int, out_dim: int, *, lr_scale: float = 1.0, identity: bool = False) -> None:
        super().__init__()
        plain = nn.Linear(in_dim, out_dim)  # PyTorch's usual initialisation
        if identity:
            nn.init.eye_(plain.weight)
            nn.init.zeros_(plain.bias)
        self.lr_scale = float(lr_scale)
        self.weight = nn.Parameter(plain.weight.detach() / self.lr_scale)
        self.bias = nn.Parameter(plain.bias.detach() / self.lr_scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight * self.lr_scale, self.bias * self.lr_scale)

    def effective_state(self) -> dict[str, torch.Tensor]:
        """The weights the head applies (what a saved model holds)."""
        return {"weight": self.weight.detach() * self.lr_scale, "bias": self.bias.detach() * self.lr_scale}

    def load_effective_state(self, state: dict[str, torch.Tensor]) -> None:
        """Set the applied weights (from :meth:`effective_state` or a saved file)."""
        with torch.no_grad():
            self.weight.copy_(state["weight"] / self.lr_scale)
            self.bias.copy_(state["bias"] / self.lr_scale)
