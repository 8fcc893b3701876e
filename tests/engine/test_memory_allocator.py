"""The training allocator (engine.memory_allocator): who gets it, how, and that memory goes back.

These run real processes: the library must be installed (Debian ``libjemalloc2``; ``make test``
installs it), or they fail rather than skip.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine import memory_allocator
from engine.jobs.worker import runner_env
from engine.memory_allocator import CHOICE_ENV, LIBRARY, NAME, PRELOAD_ENV, SYSTEM, allocator_env

REPO = Path(__file__).resolve().parents[2]
REPORT = "from engine.memory_allocator import active_allocator; import os; print(active_allocator(), os.environ.get('LD_PRELOAD', ''))"


@pytest.fixture(autouse=True)
def _allocator_on(monkeypatch):
    monkeypatch.delenv(CHOICE_ENV, raising=False)
    monkeypatch.delenv("TILTPILOT_ALLOCATOR_RESTARTED", raising=False)
    assert memory_allocator.available(), f"{LIBRARY} is missing: install libjemalloc2 (make test does)"


def _run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_environment_gains_the_library_once_and_keeps_other_preloads():
    env = allocator_env({PRELOAD_ENV: "libother.so", "KEEP": "1"})
    assert env[PRELOAD_ENV] == f"{LIBRARY}:libother.so" and env["KEEP"] == "1"
    assert allocator_env(env)[PRELOAD_ENV] == env[PRELOAD_ENV]


def test_the_system_choice_keeps_the_environment(monkeypatch):
    monkeypatch.setenv(CHOICE_ENV, "System")
    assert PRELOAD_ENV not in allocator_env({})
    assert PRELOAD_ENV not in runner_env()


def test_a_process_started_with_the_environment_runs_on_the_allocator():
    base = {k: v for k, v in os.environ.items() if k != PRELOAD_ENV}
    assert _run([sys.executable, "-c", REPORT], base).split()[0] == SYSTEM
    assert _run([sys.executable, "-c", REPORT], allocator_env(base)).split()[0] == NAME


def test_the_job_runner_is_started_on_the_allocator():
    assert LIBRARY in runner_env()[PRELOAD_ENV].split(":")


def test_the_command_restarts_itself_on_the_allocator_and_its_children_do_not_inherit_it():
    """`python -m engine -v ...` logs the allocator it runs on; the restarted process drops the preload."""
    base = {k: v for k, v in os.environ.items() if k != PRELOAD_ENV}
    done = subprocess.run([sys.executable, "-m", "engine", "-v", "models", "list"], env=base, cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert f"memory allocator: {NAME}" in done.stderr
    restarted = "from engine.memory_allocator import forget_preload, restart_with_allocator\n" \
                "restart_with_allocator()\nforget_preload()\n" + REPORT.replace("; ", "\n")
    child = _run([sys.executable, "-c", restarted], base)
    allocator, preload = (child.split() + [""])[:2]
    assert allocator == NAME and LIBRARY not in preload


def test_the_system_choice_keeps_the_command_on_glibc():
    base = {k: v for k, v in os.environ.items() if k != PRELOAD_ENV} | {CHOICE_ENV: SYSTEM}
    done = subprocess.run([sys.executable, "-m", "engine", "-v", "models", "list"], env=base, cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and f"memory allocator: {SYSTEM}" in done.stderr


RELEASE = """
import ctypes
from engine.process_memory import release_freed_memory
def rss():
    return int(open('/proc/self/statm').read().split()[1]) * 4096 / 2**20
blocks = [ctypes.create_string_buffer(65536) for _ in range(3000)]  # ~190 MiB in small blocks
held = rss()
del blocks
freed = rss()
release_freed_memory()
print(held, freed, rss())
"""


def test_freed_memory_goes_back_to_the_system_on_the_allocator():
    """Small blocks stay with jemalloc when freed; the release between a comparison's runs returns them."""
    base = {k: v for k, v in os.environ.items() if k != PRELOAD_ENV}
    held, freed, released = map(float, _run([sys.executable, "-c", RELEASE], allocator_env(base)).split())
    assert held - released > 150, (held, freed, released)
    assert freed - released > 50, (held, freed, released)  # the release, not the free, gave most of it back
