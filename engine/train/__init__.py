"""Fine-tuning loop: batching without duplicates, AdamW with warm-up, checkpoints, progress, and early
stopping on a validation slice of the training split (``early_stopping``)."""

from __future__ import annotations

from engine.train.batching import no_duplicate_batches
from engine.train.progress import StepInfo
from engine.train.trainer import TrainResult, current_temperature, train

__all__ = ["StepInfo", "TrainResult", "current_temperature", "no_duplicate_batches", "train"]
