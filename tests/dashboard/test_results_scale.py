"""Results with many stored runs: the page reads the heavy files of the run shown in detail only.

Issue 13 (f): with 50 stored runs the first chart must come quickly, so the overview must not read
every run's test pairs, drill-down, maps or arrays. Every file the page opens is recorded by
wrapping ``open`` (``json``, ``pathlib`` and ``numpy`` all go through it) while the page runs on a
copy of the tiny-model comparison with more finished runs added beside it.
"""

from __future__ import annotations

import builtins
import io
import json
import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import services, state
from engine.i18n import override

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
EXTRA_RUNS = 6  # finished runs beside the comparison's two
# A run's small files: the index, the overview and the verdict card read these for every shown run.
SMALL_FILES = {"status.json", "config.json", "metrics.json", "train_log.jsonl", "audit.json",
               "analysis/index.json", "analysis/uncertainty.json"}
# The verdict card's ROI decision values the stored per-query ranks of each run of the comparison
# (engine.roi, cached per comparison and inputs): allowed for the comparison's runs, none other.
ROI_FILES = {"ranks.npz", "split.json"}


@pytest.fixture
def big_store(toy_comparison_store, tmp_path) -> Path:
    """The comparison store plus EXTRA_RUNS copies of its runs (not in its comparison)."""
    store = Path(shutil.copytree(toy_comparison_store, tmp_path / "store"))
    runs = sorted(p for p in store.iterdir() if (p / "metrics.json").is_file())
    for i in range(EXTRA_RUNS):
        shutil.copytree(runs[i % len(runs)], store / f"{runs[i % len(runs)].name}-more{i}",
                        ignore=shutil.ignore_patterns("model"))
    return store


@pytest.fixture
def opened(monkeypatch) -> list[Path]:
    """Every path opened from now on (by any thread: AppTest runs the page in its own)."""
    paths: list[Path] = []
    real_open = builtins.open

    def recording_open(file, *args, **kwargs):
        if isinstance(file, (str, Path)):
            paths.append(Path(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", recording_open)
    monkeypatch.setattr(io, "open", recording_open)
    return paths


def heavy_reads(paths: list[Path], store: Path, allowed: set[str] = SMALL_FILES) -> dict[str, set[str]]:
    """Run id -> the files of that run opened, other than ``allowed`` ones."""
    reads: dict[str, set[str]] = {}
    for path in paths:
        if store.resolve() not in path.resolve().parents:
            continue
        parts = path.resolve().relative_to(store.resolve()).parts
        if len(parts) < 2:  # a file of the store itself (index, comparison)
            continue
        name = "/".join(parts[1:])
        if name not in allowed:
            reads.setdefault(parts[0], set()).add(name)
    return reads


def test_results_reads_the_heavy_files_of_the_detail_run_only(monkeypatch, big_store, opened):
    st.cache_data.clear()  # nothing of this store may come from another test's cache
    monkeypatch.setenv("TILTPILOT_STORE", str(big_store))
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("views/results.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.get("plotly_chart"), "the retrieval chart is drawn"
    assert len([p for p in big_store.iterdir() if (p / "metrics.json").is_file()]) == 2 + EXTRA_RUNS
    compared = {r["run_id"] for r in json.loads((big_store / "comparison.json").read_text(encoding="utf-8"))["runs"]}
    # Runs outside the comparison: their small files only (the store's listing), whatever is shown.
    # The default section (retrieval bars, tiles, verdicts) needs no heavy file of any run.
    assert set(heavy_reads(opened, big_store)) <= compared
    assert heavy_reads(opened, big_store, SMALL_FILES | ROI_FILES) == {}

    detail = at.session_state[state.DETAIL_RUN]
    for section in ("examples", "technical", "similarity"):
        opened.clear()
        at.session_state[state.RESULT_SECTION] = section
        at.run()
        assert not at.exception, section
        reads = heavy_reads(opened, big_store, SMALL_FILES | ROI_FILES)
        assert set(reads) <= {detail}, (section, reads)
    # Another run picked in detail: its heavy files are read, and no other run's.
    other = next(run_id for run_id in sorted(compared) if run_id != detail)
    opened.clear()
    at.selectbox(key=state.DETAIL_RUN).set_value(other).run()
    assert not at.exception
    assert set(heavy_reads(opened, big_store, SMALL_FILES | ROI_FILES)) == {other}


def test_list_runs_is_cached_per_language(tmp_path):
    """A damaged run lists with its error in the language in force, also when cached in another one."""
    run = tmp_path / "20261201-000000-clip-cosine-0000"
    run.mkdir()
    (run / "config.json").write_text("{}", encoding="utf-8")
    (run / "status.json").write_text('{"state": "do', encoding="utf-8")  # cut by a full disk
    stamp = services.store_mtime(str(tmp_path))
    with override("en"):
        english = services.list_runs(str(tmp_path), stamp)[0]["error"]
    with override("ja"):
        japanese = services.list_runs(str(tmp_path), stamp)[0]["error"]
    assert english != japanese
    assert any("\u3040" <= ch <= "\u30ff" for ch in japanese), japanese  # kana: really Japanese
