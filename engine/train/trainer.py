"""The fine-tuning loop (plain PyTorch, nanoGPT-style: :func:`train` reads top to bottom, each of its
steps a short function below it).

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
from engine.losses.distributed import rank
from engine.models import DualEncoder
from engine.train.batching import no_duplicate_batches
from engine.train.cached_step import cached_backward
from engine.train.checkpoint import load_checkpoint, save_checkpoint
from engine.train.data_parallel import (
    average_loss_gradients,
    check_same_inputs,
    check_supported,
    is_main_process,
    local_rows,
    min_global_batch,
    parallel_forward,
    rank_zero_decides,
)
from engine.train.early_stopping import EarlyStopping
from engine.train.length_buckets import CHUNK_OVERHEAD_TOKENS, PairForward, token_lengths
from engine.train.progress import StepInfo

if TYPE_CHECKING:
    from engine.data import PairDataset

logger = logging.getLogger(__name__)

# On a GPU, reading the loss back every step makes the host wait for the device; losses are then
# read (and checked for NaN) every this many steps, and the progress callback follows. A CPU step
# has no queue to drain, so there every step is read.
LOSS_READ_EVERY_GPU = 16


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


@dataclass
class _Loop:
    """What the loop carries from step to step: the model, its optimiser and the position reached."""

    encoder: DualEncoder
    loss_fn: torch.nn.Module
    data: PairDataset
    config: TrainConfig
    epoch_batches: list[list[list[int]]]
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LambdaLR
    clipped: list[torch.nn.Parameter]  # every trained parameter, weights then loss (for gradient clipping)
    labels_all: torch.Tensor
    forward: torch.nn.Module  # both sides of a batch in one call (engine.train.length_buckets.PairForward)
    start_epoch: int = 0
    step: int = 0
    started: float = 0.0
    last: float = float("nan")
    history: list[float] = field(default_factory=list)
    unread: list[torch.Tensor] = field(default_factory=list)  # losses of steps not yet read back

    @property
    def read_every(self) -> int:
        return LOSS_READ_EVERY_GPU if self.encoder.device.type == "cuda" else 1

    @property
    def total_steps(self) -> int:
        return sum(len(b) for b in self.epoch_batches)


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
        should_stop: Polled every step; returning True stops with :class:`TrainingCancelled`.
        validation: Pairs held out of ``data`` to choose the epoch (never the test split); None
            trains exactly ``config.epochs`` epochs.
        tilt: How the validation slice is scored (the loss's tilt).

    Raises:
        TrainingError: The loss became NaN/inf, or training was cancelled (:class:`TrainingCancelled`).
    """
    torch.manual_seed(config.seed + rank())  # under torchrun each process draws its own dropout masks
    check_same_inputs(data, validation, config, loss_fn)
    loop = _start(encoder, loss_fn, data, config)
    # The best epoch's weights wait on disk beside the checkpoint, not in memory (~90 MB for MiniLM).
    stopper = (EarlyStopping(validation, tilt=tilt, patience=config.patience, spill_dir=checkpoint_dir)
               if validation is not None else None)
    if resume and checkpoint_dir is not None:
        _resume(loop, checkpoint_dir, stopper)
    encoder.train()
    loss_fn.train()
    loop.started = time.perf_counter()
    epochs_run, stopped_early = loop.start_epoch, False
    for epoch in range(loop.start_epoch, config.epochs):
        _epoch(loop, epoch, callback, should_stop)
        epochs_run = epoch + 1
        if _end_of_epoch(loop, epochs_run, stopper, checkpoint_dir):
            stopped_early = True
            break
    if stopper is not None:
        stopper.restore_best(encoder, loss_fn)
    encoder.eval()
    return _result(loop, epochs_run, stopper, stopped_early)


def _start(encoder: DualEncoder, loss_fn: torch.nn.Module, data: PairDataset, config: TrainConfig) -> _Loop:
    """Every epoch's batches, then the optimiser (AdamW) and the warm-up/linear-decay schedule.

    Raises:
        TrainingError: Not one batch can be formed.
        ConfigError: Settings that data-parallel training does not support (under torchrun).
    """
    check_supported(config)
    # Under torchrun every process forms these same global batches and trains on its slice of each.
    epoch_batches = [
        no_duplicate_batches(data.left, data.right, data.group, config.batch_size, seed=config.seed + epoch,
                             min_batch=min_global_batch())
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
    # The fused kernel updates every tensor in one pass: measured 31 ms against 176 ms per MiniLM step
    # on one CPU thread (the default loops over 100 tensors); same update up to float rounding.
    fused = encoder.device.type in ("cpu", "cuda")
    optimizer = torch.optim.AdamW(groups, lr=config.learning_rate, fused=fused)
    warmup = int(round(config.warmup_ratio * total_steps))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _warmup_linear(total_steps, warmup))
    return _Loop(encoder=encoder, loss_fn=loss_fn, data=data, config=config, epoch_batches=epoch_batches,
                 optimizer=optimizer, scheduler=scheduler, clipped=params + loss_params,
                 labels_all=_group_labels(data.group),
                 forward=parallel_forward(_pair_forward(encoder, data, config), loss_fn, encoder.device))


def _pair_forward(encoder: DualEncoder, data: PairDataset, config: TrainConfig) -> PairForward:
    """The step's forward pass; with length buckets, every training text's token count is read once here."""
    if not config.length_buckets:
        return PairForward(encoder)
    lengths = {side: token_lengths(encoder, getattr(data, side), side) for side in ("left", "right")}
    overhead = CHUNK_OVERHEAD_TOKENS["cuda" if encoder.device.type == "cuda" else "cpu"]
    return PairForward(encoder, lengths, overhead)


def _resume(loop: _Loop, checkpoint_dir: Path, stopper: EarlyStopping | None) -> None:
    """Load the model, optimiser, schedule and early-stopping state saved after an epoch, if any."""
    state = load_checkpoint(checkpoint_dir)
    if state is None:
        return
    loop.encoder.load_state_dict(state["encoder"])
    loop.loss_fn.load_state_dict(state["loss"])
    loop.optimizer.load_state_dict(state["optimizer"])
    loop.scheduler.load_state_dict(state["scheduler"])
    loop.start_epoch, loop.step = int(state["epoch"]), int(state["step"])
    if stopper is not None:
        stopper.load_checkpoint_state(state, loop.encoder, loop.loss_fn)
    logger.info("Resuming after epoch %d (step %d)", loop.start_epoch, loop.step)


def _epoch(loop: _Loop, epoch: int, callback: Callable[[StepInfo], None] | None,
           should_stop: Callable[[], bool] | None) -> None:
    """One pass over the epoch's batches, reporting every step.

    Raises:
        TrainingCancelled: ``should_stop`` said so (polled before every step).
        TrainingError: The loss is NaN or infinite.
    """
    batches = loop.epoch_batches[epoch]
    for position, batch in enumerate(batches):
        if should_stop is not None and should_stop():
            raise TrainingCancelled("Training was cancelled.")
        read = _step(loop, batch, epoch)
        if position == len(batches) - 1 and loop.unread:
            _read_losses(loop, epoch, last_step=loop.step)
            read = True
        if read and callback is not None:
            callback(_step_info(loop, epoch))


def _read_losses(loop: _Loop, epoch: int, *, last_step: int) -> None:
    """Bring the unread losses (up to step ``last_step``) to the host; stop at a NaN or infinite one.

    Raises:
        TrainingError: A loss is NaN or infinite.
    """
    values = torch.stack(loop.unread).float().cpu().tolist()
    first_step = last_step - len(values) + 1
    loop.unread.clear()
    for offset, value in enumerate(values):
        if not math.isfinite(value):
            raise TrainingError(
                f"The loss became {value} at epoch {epoch + 1}, step {first_step + offset}. Training was stopped "
                "and no model was saved. Lower --learning-rate, raise --temperature (dot and l2 tilts "
                "with large embeddings overflow easily), or check the data for empty texts."
            )
    loop.history.extend(values)
    loop.last = values[-1]


def _end_of_epoch(loop: _Loop, epochs_done: int, stopper: EarlyStopping | None, checkpoint_dir: Path | None) -> bool:
    """Score the validation slice and save a checkpoint; True when early stopping ends training here."""
    if stopper is not None and rank_zero_decides(stopper.after_epoch(epochs_done, loop.encoder, loop.loss_fn)):
        return True
    if (checkpoint_dir is not None and loop.config.checkpoint_every_epoch and epochs_done < loop.config.epochs
            and is_main_process()):
        _save(loop, checkpoint_dir, stopper, epochs_done)
    return False


def _step(loop: _Loop, batch: list[int], epoch: int) -> bool:
    """One optimiser step on one batch; True when the losses were read back in it.

    The loss joins ``loop.unread``; every ``loop.read_every`` steps they are read before the
    update, so a NaN or infinite loss stops training before its step is applied. On the CPU that
    is every step; on a GPU up to that many steps may run on from NaN (the run fails anyway).

    Raises:
        TrainingError: A loss read here is NaN or infinite.
    """
    config, data = loop.config, loop.data
    batch = local_rows(batch)  # under torchrun: this process's slice of the global batch
    left = [data.left[i] for i in batch]
    right = [data.right[i] for i in batch]
    labels = loop.labels_all[batch].to(loop.encoder.device) if config.mask_false_negatives else None
    use_autocast = config.bf16 and loop.encoder.device.type == "cuda"
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if use_autocast else contextlib.nullcontext()
    loop.optimizer.zero_grad(set_to_none=True)
    if config.mini_batch is not None:
        # GradCache: the gradients are already in .grad when the (detached) loss comes back.
        loss = cached_backward(loop.encoder, loop.loss_fn, left, right, labels, mini_batch=config.mini_batch,
                               autocast_dtype=torch.bfloat16 if use_autocast else None)
    else:
        with autocast:
            emb_left, emb_right = loop.forward(left, right)
        # The loss runs in float32: log-sum-exp over bf16 logits loses the small differences
        # between candidates that the gradient depends on.
        loss = loop.loss_fn.compute_loss_from_embeddings([emb_left.float(), emb_right.float()], labels)
    if isinstance(loss, dict):
        loss = sum(loss.values())
    loop.unread.append(loss.detach())
    read = len(loop.unread) >= loop.read_every
    if read:
        _read_losses(loop, epoch, last_step=loop.step + 1)
    if config.mini_batch is None:
        loss.backward()
    average_loss_gradients(loop.loss_fn)  # DDP averaged the weights' gradients; a learned τ's is averaged here
    torch.nn.utils.clip_grad_norm_(loop.clipped, config.max_grad_norm)
    loop.optimizer.step()
    loop.scheduler.step()
    loop.step += 1
    return read


def _step_info(loop: _Loop, epoch: int) -> StepInfo:
    """The progress record of the step just taken (the ETA counts only this attempt's steps)."""
    elapsed = time.perf_counter() - loop.started
    done_here = loop.step - sum(len(b) for b in loop.epoch_batches[:loop.start_epoch])
    total_steps = loop.total_steps
    return StepInfo(
        epoch=epoch + 1,
        epochs=loop.config.epochs,
        step=loop.step,
        total_steps=total_steps,
        loss=loop.last,
        learning_rate=float(loop.scheduler.get_last_lr()[0]),
        temperature=_or_nan(current_temperature(loop.loss_fn)),
        elapsed_s=elapsed,
        eta_s=elapsed / max(1, done_here) * (total_steps - loop.step),
    )


def _save(loop: _Loop, checkpoint_dir: Path, stopper: EarlyStopping | None, epochs_done: int) -> None:
    """The state to resume from after ``epochs_done`` epochs."""
    save_checkpoint(
        checkpoint_dir,
        encoder=loop.encoder.state_dict(),
        loss=loop.loss_fn.state_dict(),
        optimizer=loop.optimizer.state_dict(),
        scheduler=loop.scheduler.state_dict(),
        epoch=epochs_done,
        step=loop.step,
        **(stopper.checkpoint_state() if stopper is not None else {}),
    )


def _result(loop: _Loop, epochs_run: int, stopper: EarlyStopping | None, stopped_early: bool) -> TrainResult:
    return TrainResult(
        steps=loop.step,
        epochs_completed=epochs_run,
        final_loss=loop.last if not math.isnan(loop.last) else float("nan"),
        seconds=time.perf_counter() - loop.started,
        resumed_from_epoch=loop.start_epoch,
        history=loop.history,
        best_epoch=stopper.best_epoch if stopper is not None else epochs_run,
        stopped_because=(STOP_PATIENCE if stopped_early else STOP_CAP) if stopper is not None else None,
        validation_curve=list(stopper.curve) if stopper is not None else [],
    )
