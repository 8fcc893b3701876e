from __future__ import annotations

import torch

from engine.models.image.projection import ProjectionHead


def test_adam_moves_the_applied_weights_lr_scale_times_further():
    # Adam's first step moves every parameter by the learning rate (times the gradient's sign).
    torch.manual_seed(0)
    x = torch.randn(5, 4)
    moved = {}
    for scale in (1.0, 10.0):
        torch.manual_seed(1)
        head = ProjectionHead(4, 3, lr_scale=scale)
        before = head.effective_state()["weight"].clone()
        optimiser = torch.optim.Adam(head.parameters(), lr=0.01)
        head(x).pow(2).sum().backward()
        optimiser.step()
        moved[scale] = (head.effective_state()["weight"] - before).abs()
    assert torch.allclose(moved[1.0], torch.full((3, 4), 0.01), atol=1e-5)
    assert torch.allclose(moved[10.0], torch.full((3, 4), 0.1), atol=1e-4)


def test_the_scale_does_not_change_the_map_or_what_is_saved():
    x = torch.randn(2, 4)
    torch.manual_seed(3)
    plain = ProjectionHead(4, 4, lr_scale=1.0)
    torch.manual_seed(3)
    scaled = ProjectionHead(4, 4, lr_scale=10.0)
    assert torch.allclose(plain(x), scaled(x), atol=1e-6)
    other = ProjectionHead(4, 4, lr_scale=3.0)
    other.load_effective_state(scaled.effective_state())
    assert torch.allclose(other(x), scaled(x), atol=1e-6)
    assert torch.equal(ProjectionHead(4, 4, identity=True, lr_scale=10.0)(x), x)
