"""Read-only dashboard pages must not pay torch's import cost: these modules stay torch-free."""

from __future__ import annotations

import subprocess
import sys

TORCH_FREE = [
    "engine.analysis",
    "engine.analysis.bootstrap",
    "engine.analysis.verdict",
    "engine.analysis.reliability",
    "engine.analysis.latent_map",
    "engine.analysis.power_law",
    "engine.analysis.conditionals",
    "engine.analysis.cross_modal_gaussian",
    "engine.runs",
]


def test_modules_import_without_torch():
    code = "import sys\n" + "".join(f"import {m}\n" for m in TORCH_FREE) + "print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
