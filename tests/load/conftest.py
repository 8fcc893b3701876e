"""The load scenario lives in bench/load_dashboard.py (also a script); the test loads it by path."""

from __future__ import annotations

import importlib.util
import os
import signal
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"


@pytest.fixture(scope="session")
def scenario() -> ModuleType:
    spec = importlib.util.spec_from_file_location("load_dashboard", REPO / "bench" / "load_dashboard.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def load_store(tmp_path: Path):
    """A folder for the store; a job worker that a failing test left running is stopped afterwards."""
    yield tmp_path
    from engine.jobs import worker_running
    from engine.jobs.queue import jobs_dir

    for lock in jobs_dir(tmp_path / "store").glob("worker-*.lock"):
        key = lock.stem.removeprefix("worker-")
        if worker_running(tmp_path / "store", key):
            os.kill(int(lock.read_text().split()[0]), signal.SIGKILL)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
