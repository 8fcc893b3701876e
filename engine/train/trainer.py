"""The fine-tuning loop (plain PyTorch, nanoGPT-style: one function you can read top to bottom).

Why not ``SentenceTransformerTrainer``: we need clash-free batches, a per-step callback for the
dashboard, NaN detection that stops with a clear error, and epoch checkpoints we can resume — a
small explicit loop is easier to get exactly right than the trainer's callbacks. Our losses still
satisfy the sentence-transformers loss contract, so ST users can train with them there.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from engine.chosen_epoch import STOP_CAP, STOP_PATIENCE
from engine.config import TrainConfig
from engine.errors import TrainingCancelled, TrainingError
from engine.models import DualEncoder
from engine.train.batching import no_duplicate_batches
from engine.train.checkpoint import load_checkpoint, save_checkpoint
from engine.train.early_stopping import EarlyStopping
from engine.train.progress import StepInfo

if TYPE_CHECKING:
    from engine.data import PairDataset

logger = logging.getLogger(__name__)


@dataclass
class TrainResult:
    steps: int
    epochs_completed: int
    final_loss: float
    seconds: float
    resumed_from_epoch: int = 0
    history: list[float] = field(default_factory=list)
    # With a validation slice: the epoch whose weights were kept, why training ended, and the
    # validation scores per epoch. Without one: the last epoch, None and [].
    best_epoch: int = 0
    stopped_because: str | None = None
    validation_curve: list[dict[str, float]] = field(default_factory=list)


def _group_labels(groups: tuple[str, ...]) -> torch.Tensor:
    ids: dict[str, int] = {}
    return torch.tensor([ids.setdefault(g, len(ids)) for g in groups], dtype=torch.long)


def _warmup_linear(total_steps: int, warmup_steps: int) -> Callable[[int], float]:
    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / max(1, warmup_steps)
        remaining = max(1, total_steps - warmup_steps)
        return max(0.0, (total_steps - step) / remaining)

    return factor


def current_temperature(loss_fn: torch.nn.Module) -> float | None:
    """The loss's τ now (learned or fixed), or None for a loss without one."""
    value = getattr(loss_fn, "temperature", None)
    if callable(value):
        value = value()
    if isinstance(value, torch.Tensor):
        return float(value.detach().cpu())
    return float(value) if value is not None else None


def _or_nan(value: float | None) -> float:
    return float("nan") if value is None else value


def train(
    encoder: DualEncoder,
    loss_fn: torch.nn.Module,
    data: PairDataset,
    config: TrainConfig,
    *,
    callback: Callable[[StepInfo], None] | None = None,
    checkpoint_dir: Path | None = None,
    resume: bool = False,
    should_stop: Callable[[], bool] | None = None,
    validation: PairDataset | None = None,
    tilt: str = "cosine",
) -> TrainResult:
    """Fine-tune ``encoder`` in place on the pairs of ``data``.

    With ``validation``, ``config.epochs`` is a cap: after each epoch the model is scored on
    ``validation`` (:class:`engine.train.early_stopping.EarlyStopping`), training stops after
    ``config.patience`` epochs without a better score, and the best epoch's weights are kept.

    Args:
        encoder: The dual encoder to update.
        loss_fn: A loss with ``compute_loss_from_embeddings([left, right], labels)``.
        data: Training pairs.
        config: Optimiser and schedule settings.
        callback: Called after every optimiser step.
        checkpoint_dir: Where to save a checkpoint after each epoch (and resume from).
        resume: Continue from the checkpoint in ``checkpoint_dir`` if there is one.
        should_stop: Polled every step; returning True stops with :class:`TrainingError`.
        validation: Pairs held out of ``data`` to choose the epoch (never the test split); None
            trains exactly ``config.epochs`` epochs.
        tilt: How the validation slice is scored (the loss's tilt).

    Raises:
        TrainingError: The loss became NaN/inf, or training was cancelled.
    """
    torch.manual_seed(config.seed)
    device = encoder.device
    use_autocast = config.bf16 and device.type == "cuda"
    labels_all = _group_labels(data.group)
    epoch_batches = [
        no_duplicate_batches(data.left, data.right, data.group, config.batch_size, seed=config.seed + epoch)
        for epoch in range(config.epochs)
    ]
    total_steps = sum(len(b) for b in epoch_batches)
    if total_steps == 0:
        raise TrainingError(
            f"No training batch could be formed from {len(data)} pairs with batch size {config.batch_size}. "
            "Add more pairs or lower --batch-size."
        )
    params = [p for p in encoder.parameters() if p.requires_grad]
    loss_params = [p for p in loss_fn.parameters() if p.requires_grad]
    groups = [{"params": params, "weight_decay": config.weight_decay}]
    if loss_params:
        # A learned temperature moves on a log scale; it needs a far larger step than the weights.
        groups.append({"params": loss_params, "weight_decay": 0.0, "lr": config.learning_rate * 100})
    optimizer = torch.optim.AdamW(groups, lr=config.learning_rate)
    warmup = int(round(config.warmup_ratio * total_steps))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _warmup_linear(total_steps, warmup))

    stopper = EarlyStopping(validation, tilt=tilt, patience=config.patience) if validation is not None else None
    start_epoch, step = 0, 0
    if resume and checkpoint_dir is not None:
        state = load_checkpoint(checkpoint_dir)
        if state is not None:
            encoder.load_state_dict(state["encoder"])
            loss_fn.load_state_dict(state["loss"])
            optimizer.load_state_dict(state["optimizer"])
            scheduler.load_state_dict(state["scheduler"])
            start_epoch, step = int(state["epoch"]), int(state["step"])
            if stopper is not None:
                stopper.load_checkpoint_state(state, encoder, loss_fn)
            logger.info("Resuming after epoch %d (step %d)", start_epoch, step)

    encoder.train()
    loss_fn.train()
    started = time.perf_counter()
    history: list[float] = []
    last = float("nan")
    epochs_run, stopped_early = start_epoch, False
    for epoch in range(start_epoch, config.epochs):
        for batch in epoch_batches[epoch]:
            if should_stop is not None and should_stop():
                raise TrainingCancelled("Training was cancelled.")
            left = [data.left[i] for i in batch]
            right = [data.right[i] for i in batch]
            labels = labels_all[batch].to(device) if config.mask_false_negatives else None
            autocast = torch.autocast("cuda", dtype=torch.bfloat16) if use_autocast else contextlib.nullcontext()
            with autocast:
                emb_left = encoder(left, "left")
                emb_right = encoder(right, "right")
            # The loss runs in float32: log-sum-exp over bf16 logits loses the small differences
            # between candidates that the gradient depends on.
            loss = loss_fn.compute_loss_from_embeddings([emb_left.float(), emb_right.float()], labels)
            if isinstance(loss, dict):
                loss = sum(loss.values())
            if not torch.isfinite(loss):
                raise TrainingError(
                    f"The loss became {float(loss.detach())} at epoch {epoch + 1}, step {step + 1}. Training was stopped "
                    "and no model was saved. Lower --learning-rate, raise --temperature (dot and l2 tilts "
                    "with large embeddings overflow easily), or check the data for empty texts."
                )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params + loss_params, config.max_grad_norm)
            optimizer.step()
            scheduler.step()
            step += 1
            last = float(loss.detach())
            history.append(last)
            if callback is not None:
                elapsed = time.perf_counter() - started
                done_here = step - sum(len(b) for b in epoch_batches[:start_epoch])
                remaining = total_steps - step
                callback(
                    StepInfo(
                        epoch=epoch + 1,
                        epochs=config.epochs,
                        step=step,
                        total_steps=total_steps,
                        loss=last,
                        learning_rate=float(scheduler.get_last_lr()[0]),
                        temperature=_or_nan(current_temperature(loss_fn)),
                        elapsed_s=elapsed,
                        eta_s=elapsed / max(1, done_here) * remaining,
                    )
                )
        epochs_run = epoch + 1
        if stopper is not None and stopper.after_epoch(epochs_run, encoder, loss_fn):
            stopped_early = True
            break
        if checkpoint_dir is not None and config.checkpoint_every_epoch and epoch + 1 < config.epochs:
            save_checkpoint(
                checkpoint_dir,
                encoder=encoder.state_dict(),
                loss=loss_fn.state_dict(),
                optimizer=optimizer.state_dict(),
                scheduler=scheduler.state_dict(),
                epoch=epoch + 1,
                step=step,
                **(stopper.checkpoint_state() if stopper is not None else {}),
            )
    if stopper is not None:
        stopper.restore_best(encoder, loss_fn)
    encoder.eval()
    return TrainResult(
        steps=step,
        epochs_completed=epochs_run,
        final_loss=last if not math.isnan(last) else float("nan"),
        seconds=time.perf_counter() - started,
        resumed_from_epoch=start_epoch,
        history=history,
        best_epoch=stopper.best_epoch if stopper is not None else epochs_run,
        stopped_because=(STOP_PATIENCE if stopped_early else STOP_CAP) if stopper is not None else None,
        validation_curve=list(stopper.curve) if stopper is not None else [],
    )
