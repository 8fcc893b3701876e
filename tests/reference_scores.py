"""Brute-force tilt scores for one pair, written from the paper's formulas with plain floats."""

from __future__ import annotations

import math

import numpy as np


def pair_score(u: list[float], v: list[float], tilt: str, tau: float) -> float:
    """phi(u, v) for the cosine, dot and l2 tilts (digest §2), already divided by tau."""
    dot = sum(a * b for a, b in zip(u, v))
    if tilt == "cosine":
        return dot / (math.sqrt(sum(a * a for a in u)) * math.sqrt(sum(b * b for b in v))) / tau
    if tilt == "dot":
        return dot / tau
    return -sum((a - b) ** 2 for a, b in zip(u, v)) / (2 * tau)


def reference_matrix(left: np.ndarray, right: np.ndarray, tilt: str) -> np.ndarray:
    """``S[i, j] = s(left_i, right_j)`` in float64 straight from the tilt definitions (no temperature)."""
    u, v = np.asarray(left, dtype=np.float64), np.asarray(right, dtype=np.float64)
    if tilt == "cosine":
        u = u / np.linalg.norm(u, axis=1, keepdims=True)
        v = v / np.linalg.norm(v, axis=1, keepdims=True)
    if tilt == "l2":
        return -0.5 * ((u[:, None, :] - v[None, :, :]) ** 2).sum(-1)  # the paper's s(u, v) = -|u - v|^2 / 2
    return u @ v.T
