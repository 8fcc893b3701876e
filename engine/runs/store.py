"""A folder of run directories plus ``index.json`` listing them.

Several processes (the CLI, the dashboard's background jobs) may write to one store at once, so
index updates hold an exclusive ``fcntl`` lock on ``index.lock`` around read-modify-write.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from engine.errors import ConfigError
from engine.i18n import t
from engine.runs.atomic import atomic_write_json, read_json
from engine.runs.ids import check_id
from engine.runs.index_entries import (
    INDEX_VERSION,
    UNKNOWN,
    empty_index,
    read_run_json,
    run_dirs,
    run_entry,
    scan_runs,
    unreadable_entry,
)
from engine.runs.layout import INDEX_FILE, RunPaths
from engine.runs.store_errors import RunUnreadableError, StoreWriteError, write_guard

logger = logging.getLogger(__name__)

STATES = ("queued", "running", "done", "failed", "cancelled")
__all__ = ["INDEX_VERSION", "STATES", "RunStore", "dead_process_message", "new_run_id", "process_alive"]


def new_run_id(label: str) -> str:
    """Sortable, unique, filesystem-safe id: ``20261128-201500-clip-cosine-3f2a``."""
    # ASCII only: str.isalnum() is also true for kana and accented letters, which the id shape refuses.
    safe = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "-_" else "-" for ch in label.lower()).strip("-")
    return check_id("run", f"{time.strftime('%Y%m%d-%H%M%S')}-{safe[:80]}-{secrets.token_hex(2)}")


def dead_process_message() -> str:
    """The error shown for a run whose process died while it was running."""
    return t("store.DEAD_PROCESS")


class RunStore:
    """Run directories under one root folder.

    Reading a damaged store never raises: a corrupt ``index.json`` is rebuilt from the run
    directories (a warning is logged and the repair recorded in :attr:`repairs`), and a run
    whose own files are damaged lists with state ``unreadable`` and the reason.

    Args:
        root: Folder holding the runs; created on first write.

    Attributes:
        repairs: What this object repaired while reading, oldest first: dicts with ``kind``
            (``"index_rebuilt"``), ``path``, ``detail`` (what was wrong), ``runs`` (how many
            entries the new index holds) and ``message`` (the warning, in the language in force).
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.repairs: list[dict[str, Any]] = []

    @property
    def index_path(self) -> Path:
        return self.root / INDEX_FILE

    def paths(self, run_id: str) -> RunPaths:
        """The paths of run ``run_id`` (which need not exist yet).

        Raises:
            ConfigError: ``run_id`` is not a well-formed run id (e.g. ``../../x``).
        """
        return RunPaths(self.root / check_id("run", run_id))

    def create_run(self, label: str, config: dict[str, Any]) -> RunPaths:
        """Make a new run directory with its config and a ``queued`` status.

        Raises:
            StoreWriteError: The disk is full or the store is not writable; nothing is left behind.
        """
        run = self.paths(new_run_id(label))
        with write_guard(run.root):
            self.root.mkdir(parents=True, exist_ok=True)
            run.root.mkdir(parents=False, exist_ok=False)
        try:
            atomic_write_json(run.config, {**config, "run_id": run.run_id})
            self.set_status(run, "queued")
        except BaseException:
            shutil.rmtree(run.root, ignore_errors=True)  # no orphan folder for a run that never started
            raise
        return run

    def set_status(self, run: RunPaths, state: str, **extra: Any) -> dict[str, Any]:
        """Write ``status.json`` (atomically) and mirror the state into the index.

        Raises:
            ConfigError: ``state`` is not one of :data:`STATES`.
            StoreWriteError: The disk is full or the store is not writable.
        """
        if state not in STATES:
            raise ConfigError(t("store.STATE_UNKNOWN", state=state, states=", ".join(STATES)))
        try:
            previous = read_run_json(run, run.status, store=self.root) or {}
        except RunUnreadableError as exc:
            logger.warning("%s It is overwritten with the new status.", exc)
            previous = {}
        status = {
            **{k: v for k, v in previous.items() if k in ("created", "progress", "pid")},
            **extra,
            "state": state,
            "updated": time.time(),
        }
        status.setdefault("created", status["updated"])
        status.setdefault("error", None)
        atomic_write_json(run.status, status)
        self.update_index(run.run_id, {"state": state, "error": status.get("error")})
        return status

    def append_log(self, run: RunPaths, record: dict[str, Any]) -> None:
        # One JSON object per line, appended: a reader may see a partial last line while we write,
        # so readers skip lines that do not parse (see read_log).
        with write_guard(run.train_log), open(run.train_log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, allow_nan=False) + "\n")

    def read_status(self, run: RunPaths) -> dict[str, Any]:
        """``status.json``, with a run whose process died while running reported as failed.

        Raises:
            RunUnreadableError: ``status.json`` is damaged.
        """
        status = read_run_json(run, run.status, store=self.root) or {}
        if not isinstance(status, dict):
            status = {}
        if status.get("state") == "running" and status.get("pid") and not process_alive(status["pid"]):
            status = {**status, "state": "failed", "error": dead_process_message()}
        return status

    def read_run_json(self, run_id: str, file: str) -> Any:
        """A JSON file of a run (``"metrics.json"``), or None when the run has no such file.

        Raises:
            ConfigError: ``run_id`` or ``file`` is not well-formed.
            RunUnreadableError: The file is damaged (the message names the run, the file and what to do).
        """
        run = self.paths(run_id)
        if Path(file).name != file or not file.endswith(".json"):
            raise ConfigError(t("store.BAD_RUN_FILE", file=file))
        return read_run_json(run, run.root / file, store=self.root)

    @staticmethod
    def read_log(run: RunPaths) -> list[dict[str, Any]]:
        if not run.train_log.is_file():
            return []
        records = []
        for line in run.train_log.read_text(encoding="utf-8", errors="replace").splitlines():
            with contextlib.suppress(json.JSONDecodeError):
                records.append(json.loads(line))
        return records

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        lock_path = self.root / "index.lock"
        with write_guard(lock_path):
            self.root.mkdir(parents=True, exist_ok=True)
            lock = open(lock_path, "a+")  # held for the whole block
        with lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def inspect_index(self) -> tuple[dict[str, Any] | None, str | None]:
        """The index (None when missing) and, when it is damaged, what is wrong instead."""
        try:
            index = read_json(self.index_path, default=None)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            return None, str(exc)[:160]
        if index is None:
            return None, None
        runs = index.get("runs") if isinstance(index, dict) else None
        if not isinstance(runs, dict) or not all(isinstance(entry, dict) for entry in runs.values()):
            return None, "not an index (no 'runs' table of entries)"
        return index, None

    def _rebuild_locked(self, detail: str | None) -> dict[str, Any]:
        """Rewrite the index from the run folders; ``detail`` says why it could not be read (None: it was stale)."""
        # Caller holds the lock.
        previous, _damage = self.inspect_index()
        entries, damaged = scan_runs(self.root)
        for exc in damaged:  # list_runs shows them as unreadable; keep what the old index knew
            old = (previous or {}).get("runs", {}).get(exc.run_id)
            blank = {"run_id": exc.run_id, "state": UNKNOWN, "error": None}
            entries[exc.run_id] = old if isinstance(old, dict) else blank
        index = {**empty_index(), "runs": entries}
        if detail is None:
            warning = t("store.INDEX_RESYNCED", path=str(self.index_path), runs=len(entries))
        else:
            warning = t("store.INDEX_REBUILT", path=str(self.index_path), error=detail, runs=len(entries))
        logger.warning(warning)
        try:
            atomic_write_json(self.index_path, index)
        except OSError as exc:  # a read-only store still lists; the rebuilt index lives in memory only
            logger.warning("%s", exc)
        self.repairs.append(
            {"kind": "index_rebuilt", "path": str(self.index_path), "detail": detail, "runs": len(entries),
             "message": warning}
        )
        return index

    def rebuild_index(self) -> dict[str, Any]:
        """Rewrite ``index.json`` from the run directories (recorded in :attr:`repairs`); returns the new index."""
        with self._locked():
            _index, damage = self.inspect_index()
            return self._rebuild_locked(damage)

    def load_index(self) -> dict[str, Any]:
        """The index; a damaged one is rebuilt from the run directories first (see :attr:`repairs`)."""
        index, damage = self.inspect_index()
        if damage is None:
            return index or empty_index()
        try:
            with self._locked():
                index, damage = self.inspect_index()  # another process may have rebuilt it meanwhile
                return self._rebuild_locked(damage) if damage is not None else (index or empty_index())
        except StoreWriteError:  # no lock in a read-only store: it still lists, from an index rebuilt in memory
            return self._rebuild_locked(damage)

    def update_index(self, run_id: str, fields: dict[str, Any]) -> None:
        """Merge ``fields`` into the index entry of ``run_id`` (a damaged index is rebuilt first).

        Raises:
            ConfigError: ``run_id`` is not a well-formed run id.
            StoreWriteError: The disk is full or the store is not writable.
        """
        check_id("run", run_id)
        with self._locked():
            index, damage = self.inspect_index()
            if damage is not None:
                index = self._rebuild_locked(damage)
            index = index or empty_index()
            entry = index["runs"].setdefault(run_id, {"run_id": run_id})
            entry.update(fields)
            atomic_write_json(self.index_path, index)

    def list_runs(self) -> list[dict[str, Any]]:
        """Every run, newest first: its index entry, checked against the run's own files.

        A run directory missing from the index is added back; an entry whose directory is gone is
        dropped; the state comes from ``status.json`` (a run whose process died reads ``failed``);
        a run with a damaged file reads ``unreadable`` with the reason in ``error``. Never raises
        for a damaged store.
        """
        # A worker killed mid-job leaves its runs "running"; every reader writes them failed first.
        # Imported here: engine.jobs imports this module.
        from engine.jobs.recovery import reap_dead_jobs

        reap_dead_jobs(self.root)
        indexed = self.load_index()["runs"]
        entries: dict[str, dict[str, Any]] = {}
        for folder in run_dirs(self.root):
            run = RunPaths(folder)
            try:
                fresh = run_entry(run)
            except RunUnreadableError as exc:
                entries[run.run_id] = unreadable_entry(exc)
                continue
            entry = {**fresh, **indexed.get(run.run_id, {})} if run.run_id in indexed else fresh
            entry.update(state=fresh["state"], error=fresh["error"])  # status.json is written first: it wins
            if entry["state"] == "running":
                status = self.read_status(run)
                entry.update(state=status.get("state"), error=status.get("error"))
            entries[run.run_id] = entry
        return sorted(entries.values(), key=lambda e: e["run_id"], reverse=True)


def process_alive(pid: int | None) -> bool:
    """Whether a process id is still running (used to spot jobs that died without a status)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
