from __future__ import annotations

import subprocess
import sys


def test_python_dash_m_engine_shows_the_commands():
    out = subprocess.run([sys.executable, "-m", "engine", "--help"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0
    for command in ("audit", "train", "evaluate", "compare"):
        assert command in out.stdout
