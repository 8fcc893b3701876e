"""`make run` serves the loopback interface only unless told otherwise (the dashboard has no login)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _run_line(*overrides: str) -> str:
    if shutil.which("make") is None:
        pytest.fail("make is not installed; the README's set-up needs it")
    out = subprocess.run(["make", "-n", "run", *overrides], check=False, cwd=REPO, capture_output=True,
                         text=True, timeout=60)
    lines = [line for line in out.stdout.splitlines() if "streamlit run" in line]
    assert len(lines) == 1, out.stdout + out.stderr
    return lines[0]


def test_make_run_binds_to_localhost_by_default():
    assert re.search(r"--server\.address 127\.0\.0\.1(\s|$)", _run_line())


def test_the_address_is_a_make_variable():
    assert "--server.address 0.0.0.0 " in _run_line("ADDRESS=0.0.0.0")


def test_streamlit_config_does_not_open_the_server_to_the_network():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["server"].get("address", "127.0.0.1") in ("127.0.0.1", "localhost")
    assert config["server"].get("enableXsrfProtection", True) is True
