"""Save and restore everything needed to resume training after the last finished epoch."""

from __future__ import annotations

import logging
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from engine.errors import TrainingError

logger = logging.getLogger(__name__)

_FILE = "state.pt"


def save_checkpoint(directory: Path, **state: Any) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    state["rng"] = {
        "torch": torch.get_rng_state(),
        "numpy": np.random.get_state(),
        "python": random.getstate(),
    }
    tmp = directory / (_FILE + ".tmp")
    torch.save(state, tmp)
    tmp.replace(directory / _FILE)  # atomic: a crash mid-save keeps the previous checkpoint


def load_checkpoint(directory: Path) -> dict[str, Any] | None:
    path = directory / _FILE
    if not path.is_file():
        return None
    try:
        state = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:  # torch raises several types for a damaged file
        raise TrainingError(f"Checkpoint '{path}' cannot be read ({exc}). Delete it to start from scratch.") from exc
    rng = state.get("rng", {})
    if "torch" in rng:
        torch.set_rng_state(rng["torch"])
    if "numpy" in rng:
        np.random.set_state(rng["numpy"])
    if "python" in rng:
        random.setstate(rng["python"])
    return state
