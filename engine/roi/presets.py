"""Conservative, expected and optimistic inputs for a Japanese manufacturer, in yen.

The figures picture a sales-support or procurement team that matches product titles to
catalogue descriptions: a few thousand searches a month, five to ten minutes each today, a
fully loaded hourly cost of ¥4,000–6,500, a pilot of about ¥1–3 million and an integration into
the existing system of ¥1–6 million. They are starting points to edit, not benchmarks; the page
stores the edited inputs per comparison.
"""

from __future__ import annotations

from typing import Any

from engine.i18n import t
from engine.roi.inputs import (
    DEFAULT_TARGET_RECALL,
    Estimate,
    RoiInputError,
    RoiInputs,
    validate_inputs,
)

PRESETS: tuple[str, ...] = ("conservative", "expected", "optimistic")
DEFAULT_PRESET = "expected"

# name -> field -> (conservative, expected, optimistic); each a (low, likely, high) range.
_TABLE: dict[str, tuple[tuple[float, float, float], ...]] = {
    "tasks_per_month": ((1_500, 2_500, 4_000), (3_000, 5_000, 8_000), (5_000, 8_000, 12_000)),
    "minutes_per_task": ((3, 5, 8), (4, 6, 10), (5, 8, 12)),
    "minutes_saved": ((0.5, 1, 2), (1, 2, 3), (2, 3, 5)),
    "hourly_cost": ((4_000, 4_500, 5_000), (4_500, 5_000, 6_000), (5_000, 5_500, 6_500)),
    "pilot_cost": ((1_500_000, 2_000_000, 3_000_000), (1_000_000, 1_500_000, 2_000_000), (800_000, 1_000_000, 1_500_000)),
    "integration_cost": ((3_000_000, 4_000_000, 6_000_000), (2_000_000, 3_000_000, 4_000_000),
                         (1_000_000, 2_000_000, 3_000_000)),
    "extra_pairs": ((1_000, 2_000, 3_000), (500, 1_000, 2_000), (0, 500, 1_000)),
    "cost_per_pair": ((150, 200, 300), (100, 150, 200), (80, 100, 150)),
    "running_cost_per_month": ((80_000, 100_000, 150_000), (50_000, 80_000, 100_000), (30_000, 50_000, 80_000)),
    "annual_discount_rate": ((0.05, 0.08, 0.10), (0.03, 0.05, 0.08), (0.02, 0.03, 0.05)),
}
_HORIZON = {"conservative": 24, "expected": 36, "optimistic": 48}


def preset(name: str, gallery_size: int | None = None) -> RoiInputs:
    """The inputs of one preset (see :data:`PRESETS`), in yen, ``k = 1``, left → right.

    Args:
        name: ``"conservative"``, ``"expected"`` or ``"optimistic"``.
        gallery_size: Items a query is ranked against; only checked (``k = 1`` needs at least one).

    Raises:
        RoiInputError: Unknown preset name, or an empty gallery.
    """
    if name not in PRESETS:
        raise RoiInputError(t("roi.ERROR_PRESET", got=repr(name)[:40], allowed=", ".join(PRESETS)), field="preset")
    column = PRESETS.index(name)
    values: dict[str, Any] = {field: Estimate(*rows[column]) for field, rows in _TABLE.items()}
    inputs = RoiInputs(**values, horizon_months=_HORIZON[name], k=1, direction="left_to_right", currency="JPY",
                       target_recall=DEFAULT_TARGET_RECALL)
    if gallery_size is not None:
        validate_inputs(inputs, gallery_size)
    return inputs
