"""Save and restore everything needed to resume training after the last finished epoch.

A checkpoint lies in a run directory, which anybody with access to the store can replace, and
unpickling a file can run any code it names. So it is read with ``torch.load(weights_only=True)``,
which accepts tensors and plain containers only, and everything is saved in that form: model,
loss, optimiser and scheduler state dicts (tensors, numbers, lists, dicts), and the random
generators' states as tensors and lists of ints.
"""

from __future__ import annotations

import logging
import pickle
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from engine.errors import TrainingError
from engine.i18n import t
from engine.runs.atomic import atomic_write_stream
from engine.runs.layout import CHECKPOINT_FILE

logger = logging.getLogger(__name__)

# What a checkpoint must hold for the trainer to resume from it.
REQUIRED_KEYS = ("encoder", "loss", "optimizer", "scheduler", "epoch", "step")


def _rng_state() -> dict[str, Any]:
    """The random generators' states in plain types (numpy's and Python's tuples become lists of ints)."""
    kind, keys, pos, has_gauss, cached_gaussian = np.random.get_state()
    version, internal, gauss_next = random.getstate()
    state: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "numpy": {"kind": str(kind), "keys": torch.from_numpy(np.asarray(keys, dtype=np.int64)), "pos": int(pos),
                  "has_gauss": int(has_gauss), "cached_gaussian": float(cached_gaussian)},
        "python": {"version": int(version), "internal": [int(v) for v in internal], "gauss_next": gauss_next},
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _restore_rng(rng: dict[str, Any]) -> None:
    if "torch" in rng:
        torch.set_rng_state(rng["torch"])
    if "numpy" in rng:
        state = rng["numpy"]
        keys = np.asarray(state["keys"].numpy() if isinstance(state["keys"], torch.Tensor) else state["keys"])
        np.random.set_state((state["kind"], keys.astype(np.uint32), state["pos"], state["has_gauss"],
                             state["cached_gaussian"]))
    if "python" in rng:
        state = rng["python"]
        random.setstate((state["version"], tuple(state["internal"]), state["gauss_next"]))
    if "cuda" in rng and torch.cuda.is_available() and len(rng["cuda"]) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(rng["cuda"])


def save_checkpoint(directory: Path, **state: Any) -> None:
    """Write ``state`` (state dicts, epoch, step) and the RNG states to ``directory/state.pt``.

    Atomic: a crash mid-save keeps the previous checkpoint.

    Raises:
        StoreWriteError: The disk is full or the run folder is not writable.
    """
    state["rng"] = _rng_state()
    atomic_write_stream(Path(directory) / CHECKPOINT_FILE, lambda handle: torch.save(state, handle))


def load_checkpoint(directory: Path) -> dict[str, Any] | None:
    """The checkpoint in ``directory`` (RNG states restored), or None when there is none.

    Raises:
        TrainingError: The file holds objects other than tensors and plain data (it could run
            code, so it is refused unread), is damaged, or lacks part of the training state.
    """
    directory = Path(directory)
    path = directory / CHECKPOINT_FILE
    if not path.is_file():
        return None
    fields = {"path": str(path), "folder": str(directory)}
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        # weights_only refuses any global it does not know: that is a crafted or foreign file.
        logger.warning("Refused checkpoint %s: %s", path, str(exc).splitlines()[0] if str(exc) else exc)
        raise TrainingError(t("store.CHECKPOINT_UNSAFE", **fields)) from None
    except Exception as exc:  # torch raises several types for a damaged file
        raise TrainingError(t("store.CHECKPOINT_DAMAGED", error=str(exc)[:200], **fields)) from exc
    missing = [key for key in REQUIRED_KEYS if not isinstance(state, dict) or key not in state]
    if missing:
        raise TrainingError(t("store.CHECKPOINT_INCOMPLETE", missing=", ".join(missing), **fields))
    _restore_rng(state.get("rng", {}))
    return state
