"""Audits of uploads in a background thread, with progress and cancel, shared by every session.

The Data page used to audit inside its script run: a 100k-row upload held the page (and its
memory) for minutes with no sign of life. Here one worker thread runs audits one at a time, so
at most one audit's memory is in use; the page polls a task's progress and can cancel it. A task
is keyed by the upload's digest, its file name and the column mapping, so a rerun (or a second
session with the same file) finds the audit already running or finished. Finished results (small dicts) are
kept for the last :data:`MAX_FINISHED` audits; an upload's bytes are dropped when its task ends.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.config import DataConfig, ModelConfig
from engine.data import PairDataset, audit, check_trainable, load_pairs, split_pairs
from engine.data.token_lengths import TokenCounter, counter_or_none
from engine.datasets import safe_name
from engine.errors import CancelledError, EngineError
from engine.models.packaged import recommend, side_languages

logger = logging.getLogger(__name__)

MAX_FINISHED = 8
# A task nobody has looked at for this long belongs to a closed page: it is cancelled.
ABANDONED_AFTER_S = 60.0
ACTIVE = ("queued", "running")
LOAD_STAGE = "load"  # before the audit's own stages (engine.data.audit.AUDIT_STAGES)

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tiltpilot-audit")
_tasks: OrderedDict[str, AuditTask] = OrderedDict()
_lock = threading.Lock()


@dataclass
class AuditTask:
    """One audit of one upload under one column mapping.

    Attributes:
        key: Digest, file name and mapping (see :func:`task_key`).
        state: ``queued``, ``running``, ``done``, ``failed`` or ``cancelled``.
        stage: The stage running now (``load`` or one of the audit's stages).
        fraction: Overall fraction done, in [0, 1].
        result: When done: ``report`` (the audit as a dict), ``notes`` (load notes as dicts) and
            ``refusal`` (the :class:`EngineError` that Save would give, or None).
        error: When failed: the engine's error (or any other exception).
    """

    key: str
    state: str = "queued"
    stage: str = "queued"
    fraction: float = 0.0
    result: dict[str, Any] | None = None
    error: BaseException | None = None
    seen: float = field(default_factory=time.monotonic)
    stop: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    def progress(self, stage: str, fraction: float) -> None:
        self.stage, self.fraction = stage, max(self.fraction, min(1.0, float(fraction)))

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the task to end; True when it has."""
        return self.finished.wait(timeout)


def task_key(digest: str, name: str, mapping: dict[str, str]) -> str:
    # The file name is part of the key: messages quote it, and another session's upload of the
    # same bytes under another name must never be shown this one's name.
    return "|".join([digest, name, ",".join(f"{role}={column}" for role, column in sorted(mapping.items()))])


def _work(task: AuditTask, name: str, payload: list[bytes], mapping: dict[str, str]) -> None:
    if task.stop.is_set():
        raise CancelledError("cancelled before it started")
    task.state = "running"
    task.progress(LOAD_STAGE, 0.0)
    with tempfile.TemporaryDirectory(prefix="tiltpilot-audit-") as folder:
        path = Path(folder) / safe_name(name)
        path.write_bytes(payload.pop())  # the upload's bytes live on disk only while it loads
        pairs = load_pairs(path, mapping or None)
    try:
        train, test = split_pairs(pairs, test_size=DataConfig.test_size, seed=DataConfig.split_seed)
    except EngineError:  # too few pairs to split: audit without the leakage check
        train = test = None
    report = audit(pairs, train=train, test=test, tokens=_token_counter(pairs), progress=task.progress,
                   should_stop=task.stop.is_set)
    try:
        check_trainable(pairs)
        refusal = None
    except EngineError as exc:
        refusal = _bare(exc)
    task.result = {"report": report.to_dict(), "notes": [note.to_dict() for note in pairs.notes],
                   "refusal": refusal}
    task.state = "done"


def _token_counter(pairs: PairDataset) -> TokenCounter | None:
    """The tokenizer of the model the data's language calls for, at the default token limit.

    Japanese data is counted with the multilingual model's tokenizer, English with MiniLM's; when
    that model is not installed the audit judges long texts by their length.
    """
    choice = recommend(side_languages(pairs.left, pairs.right))
    return counter_or_none(choice.name, ModelConfig.max_seq_length)


def _bare(exc: BaseException) -> BaseException:
    """The error without its traceback: a kept traceback would keep the loaded data alive with it."""
    exc.__context__ = exc.__cause__ = None
    return exc.with_traceback(None)


def _run(task: AuditTask, name: str, payload: list[bytes], mapping: dict[str, str]) -> None:
    try:
        _work(task, name, payload, mapping)
    except CancelledError:
        task.state = "cancelled"
    except EngineError as exc:
        task.error, task.state = _bare(exc), "failed"
    except Exception as exc:
        logger.exception("audit %s failed", task.key[:12])
        task.error, task.state = _bare(exc), "failed"
    finally:
        task.finished.set()


def _prune_locked() -> None:
    now = time.monotonic()
    for task in _tasks.values():
        if task.active and now - task.seen > ABANDONED_AFTER_S:
            task.stop.set()
    finished = [key for key, task in _tasks.items() if not task.active and task.finished.is_set()]
    for key in finished[: max(0, len(finished) - MAX_FINISHED)]:
        del _tasks[key]


def start(name: str, data: bytes, mapping: dict[str, str], digest: str) -> AuditTask:
    """The audit of this upload under this mapping: the existing task, or a new one queued.

    A cancelled or failed task is started again only through :func:`restart`. Other active
    audits of the same upload (an earlier mapping) are cancelled: their result is no longer wanted.
    """
    key = task_key(digest, name, mapping)
    with _lock:
        task = _tasks.get(key)
        if task is None:
            for other in _tasks.values():
                if other.active and other.key.split("|")[0] == digest:
                    other.stop.set()
            task = _tasks[key] = AuditTask(key)
            _executor.submit(_run, task, name, [bytes(data)], dict(mapping))
        _tasks.move_to_end(key)
        task.seen = time.monotonic()
        _prune_locked()
    return task


def get(key: str) -> AuditTask | None:
    """The task, marked as still watched; None when it was dropped."""
    with _lock:
        task = _tasks.get(key)
        if task is not None:
            task.seen = time.monotonic()
        return task


def cancel(key: str) -> None:
    """Ask a task to stop at the audit's next step (a queued one never starts)."""
    task = get(key)
    if task is not None:
        task.stop.set()


def restart(key: str) -> None:
    """Forget a task, so the next :func:`start` queues it anew."""
    with _lock:
        task = _tasks.pop(key, None)
    if task is not None:
        task.stop.set()
