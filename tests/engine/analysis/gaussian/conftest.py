"""Fixtures for the Gaussian closed-form tests: random strictly positive-definite covariances."""

from __future__ import annotations

import numpy as np
import pytest

from engine.analysis import CovarianceBlocks


def random_blocks(seed: int, n_u: int = 4, n_v: int = 3) -> CovarianceBlocks:
    """A random joint covariance with distinct canonical correlations well inside (0, 1)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n_u + n_v, n_u + n_v))
    return CovarianceBlocks.from_joint(x @ x.T / (n_u + n_v) + 0.3 * np.eye(n_u + n_v), n_u)


@pytest.fixture(params=[0, 2], ids=["seed0", "seed2"])
def blocks(request: pytest.FixtureRequest) -> CovarianceBlocks:
    """Random 4 x 3 blocks; canonical correlations (0.54, 0.43, 0.27) and (0.71, 0.47, 0.11)."""
    return random_blocks(request.param)


@pytest.fixture
def blocks_seed0() -> CovarianceBlocks:
    return random_blocks(0)
