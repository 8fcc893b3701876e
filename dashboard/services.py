"""The dashboard's only ``st.cache_data`` wrappers around the engine's public API.

Cached loaders take explicit arguments only (a path and the mtime of the file that changes when
the data does), never read session state and have no side effects; so a page refreshed after a
job finished sees the new mtime and loads fresh data, and an unchanged run is read once.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from engine.charts.load import load_comparison as _load_comparison
from engine.charts.load import load_run_data, load_run_summary, read_train_log
from engine.charts.verdict_evidence import load_verdict_evidence
from engine.config import DataConfig
from engine.data import ROLES, audit, load_pairs, resolve_columns, split_pairs
from engine.datasets import META_FILE, StoredDataset, list_datasets, preview, safe_name
from engine.errors import EngineError
from engine.i18n import get_language, override
from engine.runs import COMPARISON_FILE, INDEX_FILE, LEARNING_CURVE_FILE, RunStore, read_json
from engine.runs.layout import ROBUSTNESS_FILE, RunPaths

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 20
_CACHE_ENTRIES = 64


def mtime(*paths: str | Path) -> float:
    """Newest modification time among ``paths`` (0.0 for missing ones): the cache key of a loader."""
    times = [Path(p).stat().st_mtime for p in paths if Path(p).exists()]
    return max(times, default=0.0)


def store_mtime(root: str) -> float:
    return mtime(root, Path(root) / INDEX_FILE, Path(root) / COMPARISON_FILE, Path(root) / LEARNING_CURVE_FILE)


def run_mtime(root: str, run_id: str) -> float:
    run = RunStore(root).paths(run_id)
    return mtime(run.status, run.metrics, run.train_log, run.analysis_index)


def list_runs(root: str, stamp: float) -> list[dict[str, Any]]:
    """Index entries of the store, newest first (``stamp`` = :func:`store_mtime`).

    A damaged or dead run's entry carries its ``error`` in the language in force, so the cache
    is keyed by the language too.
    """
    return _list_runs(root, stamp, get_language())


@st.cache_data(max_entries=_CACHE_ENTRIES, show_spinner=False)
def _list_runs(root: str, stamp: float, lang: str) -> list[dict[str, Any]]:
    with override(lang):
        return RunStore(root).list_runs()


def store_repairs(root: str) -> list[str]:
    """Read the store once, repairing what is damaged (e.g. a truncated ``index.json``), and say what
    was repaired, so the page can warn about it. Empty when the store was sound (the usual case)."""
    store = RunStore(root)
    if not store.index_path.parent.is_dir() or store.inspect_index()[1] is None:
        return []  # the usual case costs one read of index.json per page run
    store.list_runs()
    return [repair["message"] for repair in store.repairs]


@st.cache_data(max_entries=_CACHE_ENTRIES, show_spinner=False)
def load_run(run_dir: str, stamp: float) -> dict[str, Any]:
    """Everything the charts draw for one run, heavy files included (``stamp`` = :func:`run_mtime`).

    For the one run a page shows in detail; an overview of several runs takes :func:`run_summary`.
    """
    return load_run_data(run_dir)


@st.cache_data(max_entries=256, show_spinner=False)
def run_summary(run_dir: str, stamp: float) -> dict[str, Any]:
    """A run's config, metrics and stored intervals only (``stamp`` = :func:`run_mtime`): a few kB,
    so an overview of many runs reads and copies little (see :func:`engine.charts.load.load_run_summary`)."""
    return load_run_summary(run_dir)


@st.cache_data(max_entries=256, show_spinner=False)
def train_log(run_dir: str, stamp: float) -> list[dict[str, Any]]:
    """A run's ``train_log.jsonl`` records (``stamp`` = :func:`run_mtime`, which covers the log)."""
    return read_train_log(RunPaths(Path(run_dir)).train_log)


@st.cache_data(max_entries=_CACHE_ENTRIES, show_spinner=False)
def load_comparison(root: str, stamp: float) -> dict[str, Any] | None:
    return _load_comparison(root)


@st.cache_data(max_entries=_CACHE_ENTRIES, show_spinner=False)
def load_learning_curve(root: str, stamp: float) -> dict[str, Any] | None:
    return read_json(Path(root) / LEARNING_CURVE_FILE)


@st.cache_data(max_entries=_CACHE_ENTRIES, show_spinner=False)
def load_robustness(root: str, stamp: float) -> dict[str, Any] | None:
    """The store's latest robustness study (``stamp`` = mtime of ``<root>/robustness.json``)."""
    return read_json(Path(root) / ROBUSTNESS_FILE)


def robustness_mtime(root: str) -> float:
    return mtime(Path(root) / ROBUSTNESS_FILE)


@st.cache_data(max_entries=_CACHE_ENTRIES, show_spinner=False)
def datasets(root: str, stamp: float) -> list[StoredDataset]:
    """Stored datasets, newest first (``stamp`` = mtime of ``<root>/datasets``)."""
    return list_datasets(root)


def datasets_mtime(root: str) -> float:
    folder = Path(root) / "datasets"
    return mtime(folder, *(p / META_FILE for p in folder.iterdir() if p.is_dir())) if folder.is_dir() else 0.0


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _with_upload(name: str, data: bytes, work: Any) -> Any:
    # The engine reads files; an upload lives only in memory, so it is written to a private temp dir.
    with tempfile.TemporaryDirectory(prefix="tiltpilot-upload-") as folder:
        path = Path(folder) / safe_name(name)
        path.write_bytes(data)
        return work(path)


@st.cache_data(max_entries=8, show_spinner=False)
def upload_preview(name: str, key: str, _data: bytes) -> tuple[pd.DataFrame, dict[str, str | None]]:
    """First rows of an upload as read, and the auto-detected column roles (``key`` = its digest).

    Raises:
        EngineError: The file cannot be read (the engine's message).
    """
    def work(path: Path) -> tuple[pd.DataFrame, dict[str, str | None]]:
        frame = preview(path, n=PREVIEW_ROWS)
        try:
            roles = resolve_columns(list(frame.columns)).as_dict()
        except ValueError:  # no recognisable columns: the user maps them by hand
            roles = dict.fromkeys(ROLES)
        return frame, roles

    return _with_upload(name, _data, work)


@st.cache_data(max_entries=8, show_spinner=False)
def upload_audit(name: str, key: str, mapping: tuple[tuple[str, str], ...], _data: bytes) -> dict[str, Any]:
    """The engine's audit of an upload under a column mapping, as a plain dict (render it with
    :func:`engine.data.audit_report.render_finding` / ``render_headline`` in the page's language).

    Raises:
        EngineError: The pairs cannot be loaded or split (the engine's message).
    """
    def work(path: Path) -> dict[str, Any]:
        data = load_pairs(path, dict(mapping) or None)
        try:
            train, test = split_pairs(data, test_size=DataConfig.test_size, seed=DataConfig.split_seed)
        except EngineError:  # too few pairs to split: audit without the leakage check
            report = audit(data)
        else:
            report = audit(data, train=train, test=test)
        return report.to_dict()

    return _with_upload(name, _data, work)


@st.cache_data(max_entries=_CACHE_ENTRIES, show_spinner=False)
def verdict_evidence(root: str, run_ids: tuple[str, ...] | None, stamp: float) -> dict[str, Any]:
    """The verdict card's stored evidence (``run_ids`` None = the store's comparison; ``stamp`` = :func:`store_mtime`)."""
    return load_verdict_evidence(root, run_ids)


def verdict_roi(root: str, rule: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The ROI page's run and decision for the store's comparison, for the verdict card; None if none.

    The same call the ROI page makes (:func:`roi_result`, so one cached result serves both): the
    inputs saved for the comparison, else the default preset, and ``rule`` (the ROI page's
    thresholds from the session) or the default rule. None while the ROI engine cannot decide (no
    comparison, inputs that no longer parse); the card then rests on the retrieval evidence.

    Returns:
        ``{"run_id", "decision"}`` (the run the ROI values, and its ``outcome`` and ``reasons``).
    """
    from engine.roi import DecisionRule, load_inputs, locate_comparison, preset
    from engine.roi.presets import DEFAULT_PRESET

    try:
        comparison = str(locate_comparison(root))
        inputs = load_inputs(comparison) or preset(DEFAULT_PRESET)
        result = roi_result(comparison, roi_stamp(comparison), inputs.to_dict(), rule or DecisionRule().to_dict(),
                            get_language())
        return {"run_id": result["run_id"], "decision": result["decision"]}
    except (EngineError, KeyError, TypeError, ValueError) as exc:
        logger.info("no ROI decision for the verdict card: %s", exc)
        return None


@st.cache_data(max_entries=256, show_spinner=False)
def run_config(root: str, run_id: str, stamp: float) -> dict[str, Any] | None:
    """A run's ``config.json`` alone (``stamp`` = :func:`run_mtime`): lighter than :func:`load_run`."""
    return read_json(RunStore(root).paths(run_id).config)


def roi_stamp(comparison_file: str) -> float:
    """Cache key of an ROI result: the comparison file and the learning curve beside its runs."""
    folder = Path(comparison_file).parent
    return mtime(comparison_file, folder / LEARNING_CURVE_FILE, folder.parent / LEARNING_CURVE_FILE)


@st.cache_data(max_entries=_CACHE_ENTRIES, show_spinner=False)
def roi_result(comparison_file: str, stamp: float, inputs: dict[str, Any], rule: dict[str, Any],
               lang: str) -> dict[str, Any]:
    """:func:`engine.roi.evaluate` of a comparison (``stamp`` = :func:`roi_stamp`).

    ``lang`` is part of the key because a refused input raises with a message in that language.

    Raises:
        EngineError: The engine's message (e.g. ``RoiInputError`` naming the field).
    """
    from engine.roi import DecisionRule, RoiInputs, evaluate

    with override(lang):
        return evaluate(comparison_file, RoiInputs.from_dict(inputs), rule=DecisionRule.from_dict(rule))
