"""The loss and tilt formulas of the methods appendix, as the engine computes them.

Mathematical notation is the same in every language, so it lives here rather than in the
catalogue; the words around it (what u, v, s, τ, N mean) are in ``report.toml``. The batch
estimators follow ``engine/losses/functional.py`` (paper: Baptista, Stuart & Tran 2025, §2–3).
"""

from __future__ import annotations

from engine.names import TILTS

LOSS_FORMULAS: dict[str, str] = {
    "clip": "L = ½·L(u|v) + ½·L(v|u)          (λu, λv) = (1, 1)",
    "left-given-right": "L(u|v) = (1/N) Σᵢ [ −s(uᵢ, vᵢ) + log Σⱼ exp s(uⱼ, vᵢ) − log N ]          (λu, λv) = (2, 0)",
    "right-given-left": "L(v|u) = (1/N) Σᵢ [ −s(uᵢ, vᵢ) + log Σⱼ exp s(uᵢ, vⱼ) − log N ]          (λu, λv) = (0, 2)",
    "weighted": "L = (λu/2)·L(u|v) + (λv/2)·L(v|u)",
    "joint": "L = −(1/N) Σᵢ s(uᵢ, vᵢ) + log Σ_{i≠j} exp s(uᵢ, vⱼ) − log(N(N−1))",
}
# The one-sided terms the symmetric losses are built from.
CONDITIONAL_TERMS: tuple[str, ...] = (LOSS_FORMULAS["left-given-right"], LOSS_FORMULAS["right-given-left"])
TILT_FORMULAS: dict[str, str] = {name: tilt.formula for name, tilt in TILTS.items()}


def formula_lines(losses: list[str], tilts: list[str]) -> list[str]:
    """The formulas of the given losses and tilts (each once, in registry order)."""
    lines = [f"{name}:  {LOSS_FORMULAS[name]}" for name in LOSS_FORMULAS if name in losses]
    if any(name in losses for name in ("clip", "weighted")):
        lines += [term for term in CONDITIONAL_TERMS if term not in "".join(lines)]
    lines += [f"{name}:  {TILT_FORMULAS[name]}" for name in TILT_FORMULAS if name in tilts]
    return lines
