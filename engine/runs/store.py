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
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from engine.errors import ConfigError
from engine.runs.atomic import atomic_write_json, read_json
from engine.runs.layout import RunPaths

logger = logging.getLogger(__name__)

STATES = ("queued", "running", "done", "failed", "cancelled")
INDEX_VERSION = 1
DEAD_PROCESS = "The training process stopped unexpectedly (killed or out of memory). Start the run again."


def new_run_id(label: str) -> str:
    """Sortable, unique, filesystem-safe id: ``20261128-201500-clip-cosine-3f2a``."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in label.lower()).strip("-")
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{safe}-{secrets.token_hex(2)}"


class RunStore:
    """Run directories under one root folder.

    Args:
        root: Folder holding the runs; created on first write.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    @property
    def index_path(self) -> Path:
        return self.root / "index.json"

    def paths(self, run_id: str) -> RunPaths:
        return RunPaths(self.root / run_id)

    def create_run(self, label: str, config: dict[str, Any]) -> RunPaths:
        """Make a new run directory with its config and a ``queued`` status."""
        self.root.mkdir(parents=True, exist_ok=True)
        run = self.paths(new_run_id(label))
        run.root.mkdir(parents=False, exist_ok=False)
        atomic_write_json(run.config, {**config, "run_id": run.run_id})
        self.set_status(run, "queued")
        return run

    def set_status(self, run: RunPaths, state: str, **extra: Any) -> dict[str, Any]:
        """Write ``status.json`` (atomically) and mirror the state into the index."""
        if state not in STATES:
            raise ConfigError(f"run status: got '{state}', expected one of {', '.join(STATES)}.")
        previous = read_json(run.status, default={}) or {}
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
        with open(run.train_log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, allow_nan=False) + "\n")

    def read_status(self, run: RunPaths) -> dict[str, Any]:
        """``status.json``, with a run whose process died while running reported as failed."""
        status = read_json(run.status, default={}) or {}
        if status.get("state") == "running" and status.get("pid") and not process_alive(status["pid"]):
            status = {**status, "state": "failed", "error": DEAD_PROCESS}
        return status

    @staticmethod
    def read_log(run: RunPaths) -> list[dict[str, Any]]:
        if not run.train_log.is_file():
            return []
        records = []
        for line in run.train_log.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(json.JSONDecodeError):
                records.append(json.loads(line))
        return records

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "index.lock", "a+") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def update_index(self, run_id: str, fields: dict[str, Any]) -> None:
        """Merge ``fields`` into the index entry of ``run_id``."""
        with self._locked():
            index = read_json(self.index_path, default=None) or {"version": INDEX_VERSION, "runs": {}}
            entry = index["runs"].setdefault(run_id, {"run_id": run_id})
            entry.update(fields)
            atomic_write_json(self.index_path, index)

    def list_runs(self) -> list[dict[str, Any]]:
        """Index entries, newest first; directories missing from the index are added back."""
        index = read_json(self.index_path, default=None) or {"version": INDEX_VERSION, "runs": {}}
        entries = dict(index.get("runs", {}))
        if self.root.is_dir():
            for child in self.root.iterdir():
                if child.is_dir() and (child / "config.json").is_file() and child.name not in entries:
                    status = read_json(child / "status.json", default={}) or {}
                    entries[child.name] = {"run_id": child.name, "state": status.get("state", "unknown")}
        for run_id in list(entries):
            if not (self.root / run_id).is_dir():
                entries.pop(run_id)
            elif entries[run_id].get("state") == "running":
                status = self.read_status(self.paths(run_id))
                entries[run_id] = {**entries[run_id], "state": status.get("state"), "error": status.get("error")}
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
