"""Theorem 5.3's rank-r L2 optimum (eq. 50, numerical B*) against direct optimisation of the loss."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from engine.analysis.gaussian.losses import l2_one_sided_loss
from engine.analysis.gaussian.optima import (
    l2_one_sided_optimum,
    l2_one_sided_optimum_rank,
)
from engine.errors import ConfigError

from .conftest import random_blocks


def direct_minimum(blocks, r: int, starts: int = 6) -> float:
    """Best one-sided L2 loss over encoders G (r x n_u), H (r x n_v), from several random starts."""
    n_u, n_v = blocks.uv.shape
    rng = np.random.default_rng(1)

    def loss(theta: np.ndarray) -> float:
        g, h = theta[: r * n_u].reshape(r, n_u), theta[r * n_u:].reshape(r, n_v)
        return l2_one_sided_loss(g.T @ h, g.T @ g, blocks)

    return min(minimize(loss, 0.3 * rng.standard_normal(r * (n_u + n_v)), method="BFGS").fun for _ in range(starts))


@pytest.mark.parametrize("r", [1, 2, 3])
def test_rank_r_optimum_reaches_the_direct_minimum(r: int) -> None:
    blocks = random_blocks(0)
    a, b = l2_one_sided_optimum_rank(*blocks, rank=r)
    assert np.linalg.matrix_rank(b, tol=1e-8) <= r and np.linalg.matrix_rank(a, tol=1e-8) <= r
    assert l2_one_sided_loss(a, b, blocks) == pytest.approx(direct_minimum(blocks, r), abs=1e-6)


def test_full_rank_is_the_closed_form() -> None:
    blocks = random_blocks(2)
    for rank in (None, 4, 9):
        a, b = l2_one_sided_optimum_rank(*blocks, rank=rank)
        a0, b0 = l2_one_sided_optimum(*blocks)
        np.testing.assert_allclose(a, a0, atol=1e-12)
        np.testing.assert_allclose(b, b0, atol=1e-12)


def test_2d_example_rank_1_is_the_full_optimum() -> None:
    c = np.array([[1.5]]), np.array([[1.0]]), np.array([[1.5]])
    a, b = l2_one_sided_optimum_rank(*c, rank=1)
    assert a[0, 0] == pytest.approx(0.8) and b[0, 0] == pytest.approx(8 / 15)


def test_bad_rank() -> None:
    with pytest.raises(ConfigError, match="rank"):
        l2_one_sided_optimum_rank(*random_blocks(0), rank=0)
