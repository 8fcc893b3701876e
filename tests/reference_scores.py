"""Brute-force tilt scores for one pair, written from the paper's formulas with plain floats."""

from __future__ import annotations

import math


def pair_score(u: list[float], v: list[float], tilt: str, tau: float) -> float:
    """phi(u, v) for the cosine, dot and l2 tilts (digest §2), already divided by tau."""
    dot = sum(a * b for a, b in zip(u, v))
    if tilt == "cosine":
        return dot / (math.sqrt(sum(a * a for a in u)) * math.sqrt(sum(b * b for b in v))) / tau
    if tilt == "dot":
        return dot / tau
    return -sum((a - b) ** 2 for a, b in zip(u, v)) / (2 * tau)
