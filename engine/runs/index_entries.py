"""What ``index.json`` holds about a run, rebuilt from the run's own files.

The index is a cache: every field of an entry comes from the run directory (``status.json`` for
the state, ``config.json`` and ``metrics.json`` for the summary of a finished run). So a damaged
or stale index can always be rebuilt from the folders, and a damaged run file is found here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine.config import LossConfig
from engine.errors import ConfigError
from engine.i18n import t
from engine.runs.atomic import read_json
from engine.runs.ids import is_valid_id
from engine.runs.layout import RunPaths
from engine.runs.store_errors import RunUnreadableError

INDEX_VERSION = 1
_DETAIL_CHARS = 160
# The state shown for a run whose files are damaged; not a state a run is ever written with.
UNREADABLE = "unreadable"
UNKNOWN = "unknown"  # a run folder whose status.json is missing


def empty_index() -> dict[str, Any]:
    return {"version": INDEX_VERSION, "runs": {}}


def index_summary(config: dict[str, Any], metrics: dict[str, Any]) -> dict[str, Any]:
    """The index fields of a finished run, from its stored ``config.json`` and ``metrics.json``.

    Raises:
        KeyError, TypeError, ConfigError: The files lack a field (the caller reports the run unreadable).
    """
    loss = config["loss"]
    label = LossConfig(name=loss["name"], tilt=loss["tilt"], weights=loss.get("weights")).label
    return {
        "loss": loss["name"],
        "tilt": loss["tilt"],
        "label": label,
        "data": config["data"]["path"],
        "epochs": config["train"]["epochs"],
        "seed": config["train"]["seed"],
        "r1_left_to_right": {
            "base": metrics["base"]["left_to_right"]["recall@1"],
            "tuned": metrics["tuned"]["left_to_right"]["recall@1"],
        },
        "r1_right_to_left": {
            "base": metrics["base"]["right_to_left"]["recall@1"],
            "tuned": metrics["tuned"]["right_to_left"]["recall@1"],
        },
    }


def read_run_json(run: RunPaths, path: Path, *, store: str | Path | None = None) -> Any:
    """A JSON file of a run, or None when it does not exist.

    Raises:
        RunUnreadableError: The file exists but is truncated, not UTF-8 or not JSON.
    """
    try:
        return read_json(path, default=None)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise unreadable(run, path.name, str(exc), store=store) from exc


def unreadable(run: RunPaths, file: str, detail: str, *, store: str | Path | None = None) -> RunUnreadableError:
    """The error (and message) for a damaged ``file`` of ``run``."""
    detail = detail[:_DETAIL_CHARS]
    return RunUnreadableError(
        t("store.RUN_UNREADABLE", run_id=run.run_id, file=file, error=detail, store=str(store or run.root.parent)),
        run_id=run.run_id,
        file=file,
        detail=detail,
    )


def is_run_dir(path: Path) -> bool:
    """Whether ``path`` is a run directory: a folder with a valid run id holding ``config.json``."""
    return path.is_dir() and is_valid_id("run", path.name) and RunPaths(path).config.exists()


def run_dirs(root: Path) -> list[Path]:
    """The run directories of a store, by name."""
    if not root.is_dir():
        return []
    return sorted(child for child in root.iterdir() if is_run_dir(child))


def run_entry(run: RunPaths) -> dict[str, Any]:
    """The index entry of ``run``, from its files.

    Raises:
        RunUnreadableError: ``status.json``, ``config.json`` or ``metrics.json`` is damaged.
    """
    status = read_run_json(run, run.status) or {}
    config = read_run_json(run, run.config)
    metrics = read_run_json(run, run.metrics)
    for path, value in ((run.status, status), (run.config, config), (run.metrics, metrics)):
        if value is not None and not isinstance(value, dict):
            raise unreadable(run, path.name, f"expected a JSON object, got {type(value).__name__}")
    entry: dict[str, Any] = {"run_id": run.run_id, "state": status.get("state", UNKNOWN), "error": status.get("error")}
    if entry["state"] == "done" and metrics is not None:
        try:
            entry.update(index_summary(config or {}, metrics))
        except (KeyError, TypeError, ConfigError) as exc:
            culprit = run.metrics.name if config and "loss" in config else run.config.name
            raise unreadable(run, culprit, f"missing or wrong field {exc}") from exc
    return entry


def unreadable_entry(exc: RunUnreadableError) -> dict[str, Any]:
    """How ``list_runs`` shows a damaged run: state ``unreadable`` and the reason."""
    return {
        "run_id": exc.run_id,
        "state": UNREADABLE,
        "error": str(exc),
        "unreadable": {"file": exc.file, "detail": exc.detail},
    }


def scan_runs(root: Path) -> tuple[dict[str, dict[str, Any]], list[RunUnreadableError]]:
    """Index entries of every readable run under ``root``, and the errors of the damaged ones."""
    entries: dict[str, dict[str, Any]] = {}
    damaged: list[RunUnreadableError] = []
    for folder in run_dirs(root):
        try:
            entries[folder.name] = run_entry(RunPaths(folder))
        except RunUnreadableError as exc:
            damaged.append(exc)
    return entries, damaged
