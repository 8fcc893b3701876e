"""Check a run store and repair what can be repaired (``tiltpilot doctor STORE``).

What it looks at, in this order:

1. Runs recorded as ``running`` whose process has died: marked ``failed`` with the reason.
2. ``index.json``: rebuilt from the run folders when it cannot be read, is missing, or disagrees
   with them (a run folder it lacks, an entry without a folder, a wrong state or summary).
3. Temporary files left by an interrupted atomic write: removed once older than ``temp_age_s``
   (a younger one may belong to a write in progress).
4. Runs whose own files are damaged: listed, never changed (only a person can decide to delete).

The report is plain data (the ``--json`` output); :func:`report_lines` renders it in the language
in force.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

from engine.errors import ConfigError
from engine.i18n import message, t
from engine.runs.atomic import is_temp_file
from engine.runs.index_entries import read_run_json, run_dirs, scan_runs
from engine.runs.layout import INDEX_FILE, RunPaths
from engine.runs.store import RunStore, dead_process_message, process_alive
from engine.runs.store_errors import RunUnreadableError

logger = logging.getLogger(__name__)

DEFAULT_TEMP_AGE_S = 600.0  # far longer than any single atomic write, even of a checkpoint
_LEGACY_TEMP_NAMES = ("state.pt.tmp",)  # checkpoints were once written through this fixed name
_JOBS_DIR = "jobs"


def _looks_like_store(root: Path) -> bool:
    return (root / INDEX_FILE).exists() or (root / _JOBS_DIR).is_dir() or bool(run_dirs(root))


def _dead_runs(store: RunStore, repair: bool) -> list[dict[str, Any]]:
    found = []
    for folder in run_dirs(store.root):
        run = RunPaths(folder)
        try:
            status = read_run_json(run, run.status) or {}
        except RunUnreadableError:
            continue  # listed with the unreadable runs
        if not isinstance(status, dict):
            continue  # listed with the unreadable runs
        pid = status.get("pid")
        if status.get("state") == "running" and pid and not process_alive(pid):
            if repair:
                store.set_status(run, "failed", error=dead_process_message())
            found.append({"run_id": run.run_id, "pid": pid, "repaired": repair})
    return found


def _index_problems(store: RunStore) -> dict[str, Any]:
    index, damage = store.inspect_index()
    entries, damaged = scan_runs(store.root)
    present = set(entries) | {exc.run_id for exc in damaged}
    result: dict[str, Any] = {"status": "ok", "detail": None, "added": [], "dropped": [], "changed": []}
    if damage is not None:
        return {**result, "status": "corrupt", "detail": damage}
    if index is None:
        return {**result, "status": "missing"} if present else result
    indexed = index["runs"]
    result["added"] = sorted(present - set(indexed))
    result["dropped"] = sorted(set(indexed) - present)
    result["changed"] = sorted(
        run_id for run_id, fresh in entries.items()
        if run_id in indexed and any(indexed[run_id].get(k) != v for k, v in fresh.items())
    )
    if result["added"] or result["dropped"] or result["changed"]:
        result["status"] = "out_of_sync"
    return result


def _temp_files(root: Path, repair: bool, temp_age_s: float, now: float) -> list[dict[str, Any]]:
    found = []
    for folder, _dirs, files in os.walk(root):  # does not follow symbolic links out of the store
        for name in files:
            path = Path(folder) / name
            if not (is_temp_file(path) or name in _LEGACY_TEMP_NAMES):
                continue
            try:
                if now - path.lstat().st_mtime < temp_age_s:
                    continue
                if repair:
                    path.unlink()
            except FileNotFoundError:
                continue  # its write finished (renamed) meanwhile
            found.append({"path": str(path), "repaired": repair})
    return found


def check_store(root: str | Path, *, repair: bool = True, temp_age_s: float = DEFAULT_TEMP_AGE_S) -> dict[str, Any]:
    """Check the store at ``root`` and, unless ``repair`` is False, repair it.

    Args:
        root: The run store folder.
        repair: False for a dry run: report what would be repaired, change nothing.
        temp_age_s: Temporary files younger than this are left alone (a write may be in progress).

    Returns:
        ``store``, ``dry_run``, ``runs`` (run folders), ``index`` (``status``: ``ok``, ``corrupt``,
        ``missing`` or ``out_of_sync``; ``detail``; the ``added``, ``dropped`` and ``changed`` run
        ids; ``repaired``), ``dead_runs`` and ``temp_files`` (each with ``repaired``),
        ``unreadable`` (``run_id``, ``file``, ``detail``) and ``repairs`` (how many things were,
        or in a dry run would be, repaired).

    Raises:
        ConfigError: ``root`` is not a run store folder.
        StoreWriteError: A repair could not be written (full disk, no permission).
    """
    root = Path(root)
    if not root.is_dir() or not _looks_like_store(root):
        raise ConfigError(t("store.DOCTOR_NOT_A_STORE", path=str(root)))
    store = RunStore(root)
    index = _index_problems(store)  # before any repair writes to the index
    dead = _dead_runs(store, repair)
    index["repaired"] = repair and index["status"] != "ok"
    if index["repaired"]:
        store.rebuild_index()
    temp = _temp_files(root, repair, temp_age_s, time.time())
    _entries, damaged = scan_runs(root)
    unreadable = [{"run_id": exc.run_id, "file": exc.file, "detail": exc.detail} for exc in damaged]
    report = {
        "store": str(root),
        "dry_run": not repair,
        "runs": len(run_dirs(root)),
        "index": index,
        "dead_runs": dead,
        "temp_files": temp,
        "unreadable": unreadable,
        "repairs": len(dead) + len(temp) + (index["status"] != "ok"),
    }
    logger.info("doctor %s: %d repairs, %d unreadable runs", root, report["repairs"], len(unreadable))
    return report


def report_lines(report: dict[str, Any]) -> list[str]:
    """The report as lines of text, in the language in force."""
    actions = message("store.DOCTOR_PLANNED" if report["dry_run"] else "store.DOCTOR_DONE")
    lines = [t("store.DOCTOR_HEAD", store=report["store"], runs=report["runs"])]
    if report["dry_run"]:
        lines.append(t("store.DOCTOR_DRY_RUN"))
    index = report["index"]
    if index["status"] == "corrupt":
        lines.append(t("store.DOCTOR_INDEX_CORRUPT", error=index["detail"], action=actions["index"]))
    elif index["status"] == "missing":
        lines.append(t("store.DOCTOR_INDEX_MISSING", action=actions["index"]))
    elif index["status"] == "out_of_sync":
        lines.append(t("store.DOCTOR_INDEX_OUT_OF_SYNC", added=len(index["added"]), dropped=len(index["dropped"]),
                       changed=len(index["changed"]), action=actions["index"]))
    else:
        lines.append(t("store.DOCTOR_INDEX_OK"))
    lines += [t("store.DOCTOR_DEAD_RUN", run_id=d["run_id"], pid=d["pid"], action=actions["dead"])
              for d in report["dead_runs"]]
    lines += [t("store.DOCTOR_TEMP_FILE", path=f["path"], action=actions["temp"]) for f in report["temp_files"]]
    lines += [t("store.DOCTOR_UNREADABLE", run_id=u["run_id"], file=u["file"], error=u["detail"])
              for u in report["unreadable"]]
    if not report["repairs"] and not report["unreadable"]:
        lines.append(t("store.DOCTOR_NOTHING"))
    else:
        lines.append(t("store.DOCTOR_SUMMARY", repairs=report["repairs"], unreadable=len(report["unreadable"])))
    return lines
