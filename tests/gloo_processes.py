"""Real multi-process runs for the distributed tests: spawn processes on a gloo group, collect what each saved."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
import torch.multiprocessing as mp


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_processes(worker: Callable[..., None], args: tuple, out_dir: Path, *, world: int,
                  timeout_s: float) -> list[dict[object, object]]:
    """Spawn ``world`` processes of ``worker(rank, port, *args)``; each saves ``out_dir/rank{r}.pt``.

    Fails the test (rather than hanging the suite) when they do not finish in ``timeout_s``: a
    collective that one process never reaches deadlocks the others.
    """
    context = mp.start_processes(worker, args=(free_port(), *args), nprocs=world, join=False, start_method="spawn")
    deadline = time.monotonic() + timeout_s
    while not context.join(timeout=1.0):
        if time.monotonic() > deadline:
            for process in context.processes:
                process.terminate()
            pytest.fail(f"the {world} gloo processes did not finish within {timeout_s} s (deadlock in a collective?)")
    return [torch.load(out_dir / f"rank{r}.pt") for r in range(world)]
