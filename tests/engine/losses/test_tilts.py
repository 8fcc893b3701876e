"""Tilts: each score matrix against a pair-by-pair computation from the paper's formulas."""

from __future__ import annotations

import pytest
import torch
from reference_scores import pair_score

from engine.errors import ConfigError
from engine.losses import TILTS, default_temperature, similarity_matrix


@pytest.mark.parametrize("tilt", TILTS)
def test_similarity_matrix_matches_pairwise_formula(tilt: str) -> None:
    g = torch.Generator().manual_seed(0)
    left = torch.randn(5, 4, generator=g, dtype=torch.float64)
    right = torch.randn(3, 4, generator=g, dtype=torch.float64)
    tau = 0.3
    scores = similarity_matrix(left, right, tilt, tau)
    assert scores.shape == (5, 3)
    for i in range(5):
        for j in range(3):
            expected = pair_score(left[i].tolist(), right[j].tolist(), tilt, tau)
            assert scores[i, j].item() == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_l2_matches_cdist_and_is_never_positive() -> None:
    g = torch.Generator().manual_seed(1)
    left = torch.randn(6, 8, generator=g, dtype=torch.float64) * 3.0
    right = torch.cat([left[:3], torch.randn(3, 8, generator=g, dtype=torch.float64)])  # 3 rows equal to left rows
    scores = similarity_matrix(left, right, "l2", 2.0)
    expected = -torch.cdist(left, right).pow(2) / 4.0
    torch.testing.assert_close(scores, expected, rtol=1e-12, atol=1e-12)
    assert (scores <= 0).all()  # exp(phi) of a squared distance never exceeds 1


def test_l2_stays_accurate_in_float32_with_a_large_shared_offset() -> None:
    # Pretrained embeddings often share a large mean; the naive expansion |u|^2 + |v|^2 - 2<u, v>
    # would lose ~eps * |u|^2 = 6e-8 * 8e4 = 5e-3 to cancellation here.
    g = torch.Generator().manual_seed(3)
    base = torch.randn(6, 8, generator=g, dtype=torch.float64)
    left64, right64 = base + 100.0, torch.cat([base[:3], torch.randn(3, 8, generator=g, dtype=torch.float64)]) + 100.0
    scores = similarity_matrix(left64.float(), right64.float(), "l2", 1.0)
    expected = -torch.cdist(left64, right64).pow(2) / 2.0
    torch.testing.assert_close(scores.double(), expected, rtol=0, atol=1e-4)
    assert (scores <= 0).all()
    assert scores.diagonal()[:3].abs().max().item() < 1e-4


def test_cosine_is_scale_invariant_and_dot_is_not() -> None:
    g = torch.Generator().manual_seed(2)
    left = torch.randn(4, 3, generator=g, dtype=torch.float64)
    right = torch.randn(4, 3, generator=g, dtype=torch.float64)
    torch.testing.assert_close(
        similarity_matrix(3.0 * left, right, "cosine", 0.1), similarity_matrix(left, right, "cosine", 0.1)
    )
    torch.testing.assert_close(
        similarity_matrix(3.0 * left, right, "dot", 1.0), 3.0 * similarity_matrix(left, right, "dot", 1.0)
    )


def test_tensor_temperature_keeps_its_gradient() -> None:
    left = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
    right = torch.tensor([[0.5, 0.5]], dtype=torch.float64)
    tau = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    similarity_matrix(left, right, "dot", tau).sum().backward()
    # d(0.5 / tau)/d tau = -0.5 / tau^2 = -2
    assert tau.grad is not None and tau.grad.item() == pytest.approx(-2.0)


def test_unknown_tilt_lists_the_valid_names() -> None:
    x = torch.zeros(2, 2)
    with pytest.raises(ConfigError) as err:
        similarity_matrix(x, x, "hyperbolic", 1.0)
    for name in TILTS:
        assert name in str(err.value)
    assert "hyperbolic" in str(err.value)


def test_mismatched_widths_are_rejected() -> None:
    with pytest.raises(ConfigError, match="same dim"):
        similarity_matrix(torch.zeros(2, 3), torch.zeros(2, 4), "dot", 1.0)


def test_default_temperature() -> None:
    assert default_temperature("cosine") == 0.05
    assert default_temperature("dot") == 1.0
    assert default_temperature("l2") == 1.0
    with pytest.raises(ConfigError, match="cosine, dot, l2"):
        default_temperature("nope")
