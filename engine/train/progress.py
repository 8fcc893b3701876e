"""What the training loop reports after each step (to the CLI bar, the log and the dashboard)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class StepInfo:
    epoch: int  # 1-based
    epochs: int
    step: int  # 1-based global optimiser step
    total_steps: int
    loss: float
    learning_rate: float
    temperature: float
    elapsed_s: float
    eta_s: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
