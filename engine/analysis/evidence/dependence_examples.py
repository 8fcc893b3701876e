"""Synthetic paired embeddings with a known amount of shared information (tests and docs/low-rank.md).

Each side is ``d``-dimensional with a decaying variance spectrum ``1 / (1 + j)`` (as sentence
embeddings have: a few directions carry most of the variance), rotated at random. ``shared``
coordinate pairs, spread over the leading ``3 * shared`` of them, correlate with ``correlation``;
every other coordinate is independent noise. Canonical correlations do not depend on the scales
or rotations, so the truth is exact: ``shared`` canonical correlations equal to ``correlation`` and
mutual information ``-shared / 2 * log(1 - correlation^2)`` nats.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray


def true_mutual_information_bits(shared: int, correlation: float) -> float:
    """Gaussian mutual information of ``shared`` canonical pairs at ``correlation``, in bits."""
    return -0.5 * shared * math.log1p(-correlation**2) / math.log(2.0)


def shared_direction_pairs(
    n: int, *, d: int = 384, shared: int = 5, correlation: float = 0.9, seed: int = 0
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``n`` pairs (U, V), each (n, d), with ``shared`` canonical correlations equal to ``correlation``.

    ``shared=0`` gives independent sides. With the defaults the truth is 5.99 bits, rank 5
    (every shared direction carries the same share, so 90 % needs all 5).
    """
    rng = np.random.default_rng(seed)
    scale = 1.0 / np.sqrt(1.0 + np.arange(d))
    z_u = rng.standard_normal((n, d))
    z_v = rng.standard_normal((n, d))
    where = np.linspace(0, max(3 * shared - 1, 0), shared).round().astype(int) if shared else np.zeros(0, int)
    z_v[:, where] = correlation * z_u[:, where] + math.sqrt(1.0 - correlation**2) * z_v[:, where]
    rot_u = np.linalg.qr(rng.standard_normal((d, d)))[0]
    rot_v = np.linalg.qr(rng.standard_normal((d, d)))[0]
    return (z_u * scale) @ rot_u.T, (z_v * scale) @ rot_v.T
