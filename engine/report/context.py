"""What every section builder receives: the stored evidence, the headline facts and the ROI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.i18n import format as fmt
from engine.report import strings
from engine.report.facts import Facts
from engine.report.roi_part import RoiOutcome
from engine.report.source import ReportSource


@dataclass
class Context:
    """Inputs of the section builders (read-only by convention)."""

    source: ReportSource
    facts: Facts
    roi: RoiOutcome
    labels: dict[str, str]

    @property
    def chosen_run(self) -> dict[str, Any]:
        return self.source.runs[self.facts.run_id]

    @property
    def audit(self) -> dict[str, Any] | None:
        return self.source.audits.get(self.facts.run_id)

    @property
    def currency(self) -> str:
        return str((self.roi.result or {}).get("currency") or "JPY")

    def money(self, amount: float | None) -> str:
        return fmt.money(amount, self.currency)

    def money_range(self, record: dict[str, Any] | None) -> str:
        """``¥1,200,000 to ¥3,400,000`` for a stored ``{low, high}``."""
        if not record:
            return fmt.MISSING
        return strings.RANGE_MONEY.format(low=self.money(record.get("low")), high=self.money(record.get("high")))
