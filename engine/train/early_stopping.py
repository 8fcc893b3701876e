"""Choosing the number of epochs: early stopping on a validation slice carved from the training split.

The slice is a group-aware split of the *training* pairs (whole groups, stratified by label like
the train/test split), so the test split is never read before the final evaluation. After each
epoch the model retrieves within the slice in both directions; the score is the mean reciprocal
rank averaged over the two directions (MRR rather than Recall@1: on a few dozen pairs Recall@1
moves in steps of several points and ties often, so it cannot tell close epochs apart). Training
stops once ``patience`` epochs in a row have not beaten the best score, or at the cap; the best
epoch's weights are kept.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from engine.chosen_epoch import (
    MAX_VALIDATION_SHARE,
    MIN_VALIDATION_GROUPS,
    SKIP_OFF,
    SKIP_ONE_EPOCH,
    SKIP_TOO_SMALL,
)
from engine.config import TrainConfig
from engine.data.split import split_pairs
from engine.evaluate import evaluate_retrieval

if TYPE_CHECKING:
    from engine.data import PairDataset
    from engine.models import DualEncoder

logger = logging.getLogger(__name__)

VALIDATION_METRIC = "mrr"
VALIDATION_BATCH = 64


@dataclass(frozen=True)
class ValidationPlan:
    """The pairs to train on and the slice held out to choose the epoch (None when skipped)."""

    fit: PairDataset
    validation: PairDataset | None
    skipped: str | None  # one of SKIP_*, or None when early stopping runs


def validation_groups(n_groups: int, fraction: float) -> int:
    """How many training groups to hold out; 0 when there are too few to spare them.

    Args:
        n_groups: Groups in the training split.
        fraction: Share to hold out (``TrainConfig.validation_fraction``).
    """
    wanted = max(round(fraction * n_groups), MIN_VALIDATION_GROUPS)
    return wanted if wanted <= MAX_VALIDATION_SHARE * n_groups else 0


def plan_validation(train: PairDataset, config: TrainConfig) -> ValidationPlan:
    """Carve the validation slice out of the training split, or say why there is none.

    The slice is seeded by the training seed, so every loss of a comparison (same seed) is chosen
    on the same slice. It takes whole groups, so no product is on both sides.

    Args:
        train: The training split (never the test split).
        config: Training settings (``early_stopping``, ``epochs``, ``validation_fraction``, ``seed``).

    Returns:
        The plan; without early stopping ``fit`` is ``train`` itself.
    """
    if not config.early_stopping:
        return ValidationPlan(fit=train, validation=None, skipped=SKIP_OFF)
    if config.epochs < 2:
        return ValidationPlan(fit=train, validation=None, skipped=SKIP_ONE_EPOCH)
    n_groups = len(set(train.group))
    n_validation = validation_groups(n_groups, config.validation_fraction)
    if n_validation == 0:
        logger.info("early stopping skipped: %d training groups are too few to hold %d out",
                    n_groups, MIN_VALIDATION_GROUPS)
        return ValidationPlan(fit=train, validation=None, skipped=SKIP_TOO_SMALL)
    fit, validation = split_pairs(train, test_size=n_validation / n_groups, seed=config.seed, min_pairs=2)
    return ValidationPlan(fit=fit, validation=validation, skipped=None)


def validation_scores(encoder: DualEncoder, validation: PairDataset, tilt: str) -> dict[str, float]:
    """Recall@1 and MRR on the slice, each averaged over left→right and right→left."""
    left = encoder.encode(validation.left, "left", batch_size=VALIDATION_BATCH)
    right = encoder.encode(validation.right, "right", batch_size=VALIDATION_BATCH)
    result = evaluate_retrieval(left, right, validation.group, tilt=tilt, device=str(encoder.device))
    directions = ("left_to_right", "right_to_left")
    return {name: sum(float(result[d][name]) for d in directions) / 2 for name in ("recall@1", "mrr")}


def _cpu_copy(state: dict[str, Any]) -> dict[str, Any]:
    return {k: v.detach().to("cpu", copy=True) if isinstance(v, torch.Tensor) else v for k, v in state.items()}


class EarlyStopping:
    """Scores each epoch on the validation slice, remembers the best epoch and keeps its weights.

    The best weights are held on the CPU (one copy of the model), or with ``spill_dir`` in a file
    there, so that they add nothing to the memory of the epochs still training (on the CPU a copy
    of MiniLM is ~90 MB, while the goal for a whole comparison is 1.5 GB). A checkpoint carries
    them and the curve, so a resumed run chooses exactly as an uninterrupted one.

    Args:
        validation: The slice scored after each epoch.
        tilt: How the slice is scored.
        patience: Epochs without a better score before training stops.
        spill_dir: Folder for the best weights' file (a run's checkpoint folder); None keeps them in memory.
    """

    def __init__(self, validation: PairDataset, *, tilt: str, patience: int, spill_dir: Path | None = None) -> None:
        self.validation = validation
        self.tilt = tilt
        self.patience = patience
        self.curve: list[dict[str, float]] = []
        self.best_epoch = 0
        self.best_score = -math.inf
        self._best_encoder: dict[str, Any] | None = None
        self._best_loss: dict[str, Any] | None = None
        # One file per process: under torchrun every rank may share the folder.
        self._spill = Path(spill_dir) / f"best-epoch-weights-{os.getpid()}.pt" if spill_dir is not None else None
        self._has_best = False

    @property
    def last_epoch(self) -> int:
        return int(self.curve[-1]["epoch"]) if self.curve else 0

    @property
    def epochs_without_improvement(self) -> int:
        return self.last_epoch - self.best_epoch

    def after_epoch(self, epoch: int, encoder: DualEncoder, loss_fn: torch.nn.Module) -> bool:
        """Score epoch ``epoch`` (1-based); returns True when training should stop now."""
        scores = validation_scores(encoder, self.validation, self.tilt)
        self.curve.append({"epoch": epoch, **scores})
        # Strictly better only: on a tie the earlier (less trained) epoch is kept.
        if scores[VALIDATION_METRIC] > self.best_score:
            self.best_epoch, self.best_score = epoch, scores[VALIDATION_METRIC]
            self._keep(encoder.state_dict(), loss_fn.state_dict())
        logger.info("epoch %d: validation %s %.4f (best epoch %d)", epoch, VALIDATION_METRIC,
                    scores[VALIDATION_METRIC], self.best_epoch)
        return self.epochs_without_improvement >= self.patience

    def _keep(self, encoder_state: dict[str, Any], loss_state: dict[str, Any]) -> None:
        """Remember these as the best weights: a CPU copy, or the spill file (written exactly, bit for bit)."""
        self._has_best = True
        if self._spill is None:
            self._best_encoder, self._best_loss = _cpu_copy(encoder_state), _cpu_copy(loss_state)
            return
        self._spill.parent.mkdir(parents=True, exist_ok=True)
        torch.save({"encoder": encoder_state, "loss": loss_state}, self._spill)

    def _best(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The best weights (model, loss), read back from the spill file when there is one."""
        if self._spill is None:
            return self._best_encoder, self._best_loss
        saved = torch.load(self._spill, map_location="cpu", weights_only=True)
        return saved["encoder"], saved["loss"]

    def restore_best(self, encoder: DualEncoder, loss_fn: torch.nn.Module) -> None:
        """Load the best epoch's weights (model and loss, e.g. a learned temperature) back; the spill file goes."""
        if self._has_best and self.best_epoch != self.last_epoch:
            best_encoder, best_loss = self._best()
            encoder.load_state_dict(best_encoder)
            loss_fn.load_state_dict(best_loss)
        if self._spill is not None:
            self._spill.unlink(missing_ok=True)

    def checkpoint_state(self) -> dict[str, Any]:
        """What a checkpoint needs to continue choosing (plain data and tensors only).

        The best weights are included only when they differ from the checkpoint's own weights.
        """
        state: dict[str, Any] = {"early_stopping": {"curve": [dict(c) for c in self.curve],
                                                    "best_epoch": self.best_epoch, "best_score": self.best_score}}
        if self.best_epoch != self.last_epoch:
            best_encoder, best_loss = self._best()
            state.update(best_encoder=best_encoder, best_loss=best_loss)
        return state

    def load_checkpoint_state(self, state: dict[str, Any], encoder: DualEncoder, loss_fn: torch.nn.Module) -> None:
        """Continue from a checkpoint (its weights already loaded into ``encoder`` and ``loss_fn``)."""
        saved = state.get("early_stopping")
        if not saved:  # a checkpoint written without early stopping: choose from here on
            return
        self.curve = [dict(c) for c in saved["curve"]]
        self.best_epoch, self.best_score = int(saved["best_epoch"]), float(saved["best_score"])
        if "best_encoder" in state:
            self._keep(state["best_encoder"], state["best_loss"])
        else:  # the checkpoint's own epoch is the best
            self._keep(encoder.state_dict(), loss_fn.state_dict())


def summary(plan: ValidationPlan, result: Any, config: TrainConfig) -> dict[str, Any]:
    """The ``train`` fields of metrics.json that say how the epoch count was chosen.

    Args:
        plan: The validation plan the run trained with.
        result: The :class:`engine.train.TrainResult`.
        config: The run's training settings.
    """
    validation = None
    if plan.validation is not None:
        validation = {"pairs": len(plan.validation), "groups": len(set(plan.validation.group)),
                      "metric": VALIDATION_METRIC, "curve": result.validation_curve}
    return {
        "early_stopping": config.early_stopping,
        "max_epochs": config.epochs,
        "patience": config.patience if plan.validation is not None else None,
        "epochs_run": result.epochs_completed,
        "best_epoch": result.best_epoch,
        "stopped_because": plan.skipped or result.stopped_because,
        "train_groups": len(set(plan.fit.group)) + (validation or {}).get("groups", 0),
        "trained_pairs": len(plan.fit),
        "validation": validation,
    }
