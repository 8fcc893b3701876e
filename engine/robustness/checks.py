"""Checks of a robustness study's settings, shared by the engine, the command and the job spec (no heavy imports)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from engine.config import LOSS_NAMES
from engine.errors import ConfigError
from engine.robustness.keyed import keyed


def check_noise_levels(levels: Sequence[float]) -> tuple[float, ...]:
    """Distinct noise levels in [0, 1], ascending; at least two.

    Raises:
        ConfigError: Fewer than two levels, a repeat, or a level outside [0, 1].
    """
    try:
        values = [float(v) for v in levels]
    except (TypeError, ValueError):
        raise keyed(ConfigError, "robustness.ERROR_NOISE_LIST", got=repr(levels)) from None
    bad = [v for v in values if not (math.isfinite(v) and 0.0 <= v <= 1.0)]
    if bad:
        raise keyed(ConfigError, "robustness.ERROR_NOISE_RANGE", noise=", ".join(f"{v:g}" for v in bad))
    if len(values) < 2 or len(set(values)) != len(values):
        raise keyed(ConfigError, "robustness.ERROR_NOISE_LIST", got=", ".join(f"{v:g}" for v in values))
    return tuple(sorted(values))


def check_losses(losses: Sequence[str]) -> tuple[str, ...]:
    """Known, distinct loss names, in the order given.

    Raises:
        ConfigError: An unknown name or an empty list.
    """
    names = tuple(dict.fromkeys(str(name) for name in losses))
    unknown = [name for name in names if name not in LOSS_NAMES]
    if unknown or not names:
        raise keyed(ConfigError, "robustness.ERROR_LOSSES", got=", ".join(unknown) or "-", allowed=", ".join(LOSS_NAMES))
    return names
