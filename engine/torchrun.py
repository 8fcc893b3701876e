"""``tiltpilot train`` and ``compare`` under torchrun: one process group, and who does what in it.

torchrun starts the same command in every process (``--nproc-per-node`` per machine, ``--nnodes``
machines) and tells each its ``RANK``, ``LOCAL_RANK`` and ``WORLD_SIZE``. :func:`process_group`
joins them (gloo on the CPU; nccl on CUDA, one GPU per process). Then

- rank 0 runs the command as in a single process: it evaluates, trains its slice of every
  batch, writes the run folders, analyses and prints;
- every other rank (a *follower*) loads the same data and model and joins each run's training
  (:mod:`engine.train.data_parallel`), and nothing else; it writes no file.

At the end every process waits at a barrier until rank 0 is done, then leaves. The followers
repeat rank 0's choices (split, chosen model, validation slice, loss) from the same command line;
:func:`engine.train.data_parallel.check_same_inputs` refuses to train if any of them differs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import ConfigError
from engine.i18n import t

if TYPE_CHECKING:  # the CLI imports this module for every command; torch only when it is used
    from engine.config import RunConfig
    from engine.experiment import SplitData

# The commands that train on several processes.
DISTRIBUTED_COMMANDS = ("train", "compare")
# How long a process waits in a collective. The followers wait while rank 0 evaluates the base
# model before the first run and analyses each run after it, which can take long on a big catalogue.
COLLECTIVE_TIMEOUT = timedelta(hours=6)


def launched() -> bool:
    """True when torchrun started this process as one of several (``WORLD_SIZE`` above 1)."""
    try:
        return int(os.environ.get("WORLD_SIZE", "1")) > 1
    except ValueError:
        return False


@contextmanager
def process_group(command: str, device: str | None, mini_batch: int | None = None) -> Iterator[None]:
    """The process group of one command; on a normal exit, a barrier (rank 0 is done), then teardown.

    Args:
        command: The sub-command being run.
        device: The ``--device`` option (None: auto).
        mini_batch: The ``--mini-batch`` option, refused here before minutes of loading (the
            trainer refuses it too, e.g. a resumed run's own setting).

    Raises:
        ConfigError: The command does not train, ``mini_batch`` is set, or ``device`` names one
            particular GPU.
    """
    import torch
    import torch.distributed as dist

    from engine.models.device import select_device

    if command not in DISTRIBUTED_COMMANDS:
        raise ConfigError(t("scale_out.COMMAND_NOT_DISTRIBUTED", command=command))
    if mini_batch is not None:
        raise ConfigError(t("scale_out.MINI_BATCH", processes=os.environ["WORLD_SIZE"], mini_batch=mini_batch))
    chosen = select_device(device)
    if chosen.type == "cuda":
        if chosen.index is not None:
            raise ConfigError(t("scale_out.DEVICE_INDEX", device=device))
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))  # "cuda" now means this process's GPU
    dist.init_process_group("nccl" if chosen.type == "cuda" else "gloo", timeout=COLLECTIVE_TIMEOUT)
    try:
        yield
        dist.barrier()
    finally:
        dist.destroy_process_group()


def is_main_process() -> bool:
    """True on rank 0, the process that evaluates, writes and prints (and in a single process)."""
    from engine.train.data_parallel import is_main_process as main_process

    return main_process()


def follow_run(config: RunConfig) -> None:
    """A follower's part of ``tiltpilot train``: the run's training."""
    from engine.experiment import prepare_data

    _train_share(config, prepare_data(config))


def follow_resume(run_dir: str | Path, *, data: str | None, device: str | None) -> None:
    """A follower's part of ``tiltpilot train --resume``: the rest of the run's training, from its checkpoint.

    The run folder must be readable by every process (on several machines: shared storage).
    """
    from engine.experiment import prepare_data
    from engine.resume import resume_config
    from engine.runs import RunPaths

    run = RunPaths(Path(run_dir))
    config = resume_config(run, data=data, device=device)
    _train_share(config, prepare_data(config), checkpoint_dir=run.checkpoint, resume=True)


def follow_comparison(base_config: RunConfig, losses: Sequence[str], tilts: Sequence[str]) -> None:
    """A follower's part of ``tiltpilot compare``: each run's training, in rank 0's order."""
    from engine.compare import comparison_configs
    from engine.experiment import prepare_data, with_chosen_model

    split = prepare_data(base_config)
    base_config = with_chosen_model(base_config, split.full)
    for config in comparison_configs(base_config, losses, tilts):
        _train_share(config, split)


def _train_share(config: RunConfig, split: SplitData, *, checkpoint_dir: Path | None = None,
                 resume: bool = False) -> None:
    """Join one run's training as rank 0 runs it (``engine.experiment``: model, loss, validation slice)."""
    from engine.experiment import build_run_loss, encoder_from_config, with_chosen_model
    from engine.train import train
    from engine.train.early_stopping import plan_validation

    config = with_chosen_model(config, split.full)
    plan = plan_validation(split.train, config.train)
    encoder = encoder_from_config(config.model)
    train(encoder, build_run_loss(config, encoder), plan.fit, config.train, checkpoint_dir=checkpoint_dir,
          resume=resume, validation=plan.validation, tilt=config.loss.tilt)
