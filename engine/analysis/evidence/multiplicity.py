"""Holm's step-down correction for a family of tests, with the level each test was judged at.

Holm (1979): sort the m p-values ascending, p(1) <= ... <= p(m). Test p(j) at alpha / (m - j + 1)
and stop at the first test that fails; it and every later test are not significant. The chance of
calling any true null hypothesis of the family significant stays at most alpha, whatever the
dependence between the tests. The adjusted p-value of p(j) is
``min(1, max over i <= j of (m - i + 1) p(i))``; a test is significant exactly when it is <= alpha.

:func:`holm` also returns each test's *level*: the alpha its significance was decided at. A
significant test was decided at its own step, alpha / (m - j + 1). A test that is not significant
was decided at the step that failed, alpha / (m - s + 1) (s the first failing step), and its
p-value is above that level (it is at least p(s), which failed). So an interval drawn at level
1 - level excludes zero exactly when the test is significant, as long as the interval is the
inversion of the test (as :mod:`engine.analysis.evidence.bootstrap`'s is).

Arithmetic is exact (:class:`fractions.Fraction`), so a p-value equal to a threshold is decided the
same way however it is written, and the adjusted p-values and levels never disagree with the
decisions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from numbers import Real

from engine.errors import ConfigError


@dataclass(frozen=True)
class HolmResult:
    """Holm's correction of one family, in the order the p-values were given.

    Attributes:
        adjusted: Holm-adjusted p-values (exact).
        significant: True where the adjusted p-value is at most alpha.
        levels: The alpha each test was decided at (see the module docstring).
    """

    adjusted: tuple[Fraction, ...]
    significant: tuple[bool, ...]
    levels: tuple[Fraction, ...]


def _exact(value: Real | Fraction, name: str) -> Fraction:
    try:
        exact = Fraction(value)
    except (TypeError, ValueError):
        raise ConfigError(f"holm: {name} got {value!r}, expected a number in [0, 1].") from None
    if not 0 <= exact <= 1:
        raise ConfigError(f"holm: {name} got {float(exact)!r}, expected a number in [0, 1].")
    return exact


def holm(p_values: Sequence[Real | Fraction], alpha: Real | Fraction = 0.05) -> HolmResult:
    """Holm's step-down correction of a family of p-values.

    Args:
        p_values: One p-value per test of the family (floats are taken at their exact binary value).
        alpha: The family-wise error rate to control, in (0, 1).

    Returns:
        A :class:`HolmResult`, each field in the order of ``p_values``. Ties keep their given order.

    Raises:
        ConfigError: An empty family, or a p-value or alpha outside its range.
    """
    if len(p_values) == 0:
        raise ConfigError("holm: got no p-values, expected at least one test in the family.")
    a = _exact(alpha, "alpha")
    if not 0 < a < 1:
        raise ConfigError(f"holm: alpha got {float(a)!r}, expected a number strictly between 0 and 1, e.g. 0.05.")
    p = [_exact(v, f"p_values[{i}]") for i, v in enumerate(p_values)]
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])  # stable: ties keep their given order
    adjusted: list[Fraction] = [Fraction(0)] * m
    significant, levels = [False] * m, [Fraction(0)] * m
    running, failed_level = Fraction(0), None
    for step, i in enumerate(order):
        level = a / (m - step)
        running = max(running, min(Fraction(1), (m - step) * p[i]))
        adjusted[i] = running
        if failed_level is None and p[i] > level:
            failed_level = level
        significant[i] = failed_level is None
        levels[i] = level if failed_level is None else failed_level
    return HolmResult(tuple(adjusted), tuple(significant), tuple(levels))


def holm_adjust(p_values: Sequence[Real | Fraction]) -> list[float]:
    """Holm-adjusted p-values as floats, in the order given (see :func:`holm`).

    Example: ``holm_adjust([0.01, 0.04, 0.03, 0.005]) == [0.03, 0.06, 0.06, 0.02]``.
    """
    return [float(v) for v in holm(p_values).adjusted]
