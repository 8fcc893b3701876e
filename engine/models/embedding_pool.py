"""Embedding a long list of texts for evaluation with a pool of processes (one per GPU, or CPU workers).

After training under torchrun only rank 0 evaluates, so without a pool it embeds the whole test
split or catalogue gallery on one GPU while the machine's others sit idle. Inside
:func:`embedding_pool`, :meth:`DualEncoder.encode <engine.models.dual_encoder.DualEncoder.encode>`
hands every list of at least :data:`POOL_MIN_TEXTS` texts to a pool of worker processes; shorter
lists are embedded in the calling process as before. The pool starts on the first such list and is
always stopped when the block ends (normally, on an error or on a cancel).

The work is sentence-transformers' own multi-process encoding: ``SentenceTransformer.encode(...,
pool=...)`` splits the list into chunks, its worker loop (``_multi_process_worker``) embeds them
with the same ``task=`` (the Router's ``query``/``document`` route) and keyword arguments as a
single-process call, and ``stop_multi_process_pool`` ends the workers. Only the start is ours
(:func:`_start`, the same steps with :func:`_worker` in front of that loop), because
``start_multi_process_pool`` cannot do what a command needs of its workers: import what loading
an encoder registers process-wide (e.g. an attention implementation :mod:`engine.models.loading`
switches the model to, which a bare spawned interpreter does not know), give each CPU worker its share of
the cores (otherwise every worker runs as many threads as the machine has cores), end them with
the command even when it is killed outright (otherwise they wait on their queue for ever, holding
a model in memory), and leave Ctrl-C to the parent (which stops them).

Photo encoders (:class:`engine.models.image.image_text_encoder.ImageTextEncoder`) always embed in
one process, photo and text side alike: :func:`embedding_pool` leaves them as they are.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import signal
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import torch
import torch.multiprocessing as mp
from tqdm import tqdm

from engine.models.dual_encoder import DualEncoder
from engine.models.st_compat import SentenceTransformer
from engine.parent_watch import exit_with_parent

logger = logging.getLogger(__name__)

# The shortest list a pool embeds. Each worker starts by importing torch and sentence-transformers
# and receiving the model, which takes seconds (measured: 7-19 s to start two workers on a busy,
# shared 2-core machine). One process on a GPU embeds 10 000 short texts with a small encoder in
# a few seconds, so below this size the start costs about what the pool saves; a test split of a
# pilot (hundreds of pairs) never starts one, a catalogue gallery of tens of thousands of items does.
POOL_MIN_TEXTS = 10_000


def pool_devices(processes: int | None, device: torch.device) -> list[str]:
    """The devices of a pool's workers for a setting and the device the model runs on; ``[]`` = no pool.

    Args:
        processes: ``None`` (automatic): one worker per visible GPU when the model runs on CUDA
            and more than one GPU is visible, else no pool. ``1``: no pool. ``N`` ≥ 2: N workers,
            on CUDA spread over the visible GPUs in turn, on the CPU each with an equal share of
            the threads. A model on Apple's GPU (MPS) never gets a pool: it is one device.
        device: Where the model runs (:attr:`DualEncoder.device`).

    Returns:
        One torch device name per worker (``"cuda:0"``, ``"cpu"``, ...), or ``[]``.
    """
    if device.type == "cuda":
        gpus = torch.cuda.device_count()
        count = gpus if processes is None else processes
        return [f"cuda:{i % gpus}" for i in range(count)] if count >= 2 and gpus >= 1 else []
    if device.type == "cpu" and processes is not None and processes >= 2:
        return ["cpu"] * processes
    return []


class EmbeddingPool:
    """Worker processes that embed long lists of texts with one model, started on first use.

    Args:
        model: The sentence-transformers model to embed with; each worker gets a copy of its
            weights as they are when the pool starts, so start (use) the pool after training.
        devices: One device per worker (:func:`pool_devices`).
        min_texts: The shortest list the pool embeds (:meth:`takes`).
    """

    def __init__(self, model: SentenceTransformer, devices: Sequence[str], *, min_texts: int = POOL_MIN_TEXTS) -> None:
        self.model = model
        self.devices = list(devices)
        self.min_texts = min_texts
        self.starts = 0  # how many times the workers were started (tests check the pool was used)
        self._pool: dict[str, Any] | None = None

    def takes(self, count: int) -> bool:
        """True when the pool embeds a list of ``count`` texts: it is long enough and the workers run.

        The workers start on the first such list. If they cannot (e.g. a container's ``/dev/shm``
        too small to share the model with them), the log says why and from then on every list is
        embedded in the calling process: the same result, only slower.
        """
        if not self.devices or count < self.min_texts:
            return False
        if self._pool is None:
            try:
                self._pool = _start(self.model, self.devices)
            except (OSError, RuntimeError) as exc:
                logger.warning("embedding in one process: %d pool workers could not start (%s)", len(self.devices), exc)
                self.devices = []
                return False
            self.starts += 1
        return True

    def encode(self, texts: Sequence[str], *, batch_size: int, task: str | None) -> np.ndarray:
        """Embed texts in the workers; the same float32 (N, D) array, in the same order, as one process gives.

        Args:
            texts: The texts, with any prefix already in front (a list :meth:`takes`).
            batch_size: Texts per forward pass in each worker.
            task: The Router route (``"query"``/``"document"``) of separate towers, None for shared ones.
        """
        if self._pool is None:
            raise RuntimeError("EmbeddingPool.encode: the workers are not running; ask takes() first.")
        kwargs = {"task": task} if task is not None else {}
        out = self.model.encode(list(texts), batch_size=batch_size, convert_to_numpy=True, show_progress_bar=False,
                                normalize_embeddings=False, pool=self._pool, **kwargs)
        return np.asarray(out, dtype=np.float32)

    def close(self) -> None:
        """Stop the workers (if they were started) and wait for them to end."""
        pool, self._pool = self._pool, None
        if pool is not None:
            SentenceTransformer.stop_multi_process_pool(pool)


@contextlib.contextmanager
def embedding_pool(encoder: Any, processes: int | None, *,
                   min_texts: int = POOL_MIN_TEXTS) -> Iterator[EmbeddingPool | None]:
    """While the block runs, ``encoder.encode`` embeds lists of at least ``min_texts`` texts with a pool.

    The workers start on the first such list (none start if every list is shorter) and are
    stopped when the block ends, whether it ends normally or by an exception (a cancel included).
    Use one block per evaluation, after training: the workers embed with the weights of that moment.

    Args:
        encoder: The encoder an evaluation embeds with. Only a text :class:`DualEncoder` gets a
            pool; a photo encoder embeds in one process.
        processes: The setting (``EvalConfig.embed_processes``; see :func:`pool_devices`).
        min_texts: The shortest list the pool embeds (default :data:`POOL_MIN_TEXTS`).

    Yields:
        The pool, or None when this encoder and setting get none (or a pool is already in force).
    """
    devices = pool_devices(processes, encoder.device) if isinstance(encoder, DualEncoder) else []
    if not devices or encoder.pool is not None:
        yield None
        return
    pool = EmbeddingPool(encoder.model, devices, min_texts=min_texts)
    encoder.pool = pool
    try:
        yield pool
    finally:
        encoder.pool = None
        pool.close()


def _start(model: SentenceTransformer, devices: Sequence[str]) -> dict[str, Any]:
    """Start one worker per device, as ``start_multi_process_pool`` does, with :func:`_worker` in front.

    The model is shared with the workers from CPU memory (``spawn`` starts them fresh, so no CUDA
    state is inherited); a model on a GPU goes back there once the workers are started.
    """
    device = model.device
    threads = max(1, torch.get_num_threads() // len(devices))  # the workers share the cores this process had
    logger.info("starting %d embedding workers on %s (%d threads each)", len(devices), ", ".join(devices), threads)
    ctx = mp.get_context("spawn")
    pool: dict[str, Any] = {"input": ctx.Queue(), "output": ctx.Queue(), "processes": []}
    try:
        model.to("cpu")
        model.share_memory()  # fails (OSError/RuntimeError) when /dev/shm cannot hold the model
        for target in devices:
            process = ctx.Process(target=_worker, args=(target, threads, os.getpid(), model, pool["input"],
                                                        pool["output"]), daemon=True)
            process.start()
            pool["processes"].append(process)
    except BaseException:
        SentenceTransformer.stop_multi_process_pool(pool)
        raise
    finally:
        model.to(device)
    return pool


def _worker(target: str, threads: int, parent: int, model: SentenceTransformer, inputs: Any, outputs: Any) -> None:
    """One pool process: set up, then serve chunks with sentence-transformers' own worker loop."""
    exit_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group; the parent stops us
    # What loading an encoder registers process-wide (e.g. an attention implementation the model is
    # switched to: the model names it, but pickling does not carry the registration) must exist here
    # too, and a spawned worker starts from a bare interpreter.
    importlib.import_module("engine.models.loading")
    torch.set_num_threads(threads)
    # sentence-transformers' (silent) progress bar would otherwise make tqdm create a semaphore in
    # this process, which a stopped worker never removes: Python warns of it when the command ends.
    tqdm.set_lock(threading.RLock())
    type(model)._multi_process_worker(target, model, inputs, outputs)


