"""Read-only dashboard pages must not pay torch's import cost: these modules stay torch-free."""

from __future__ import annotations

import subprocess
import sys

TORCH_FREE = [
    "engine.analysis",
    "engine.analysis.checks",
    "engine.analysis.labels",
    "engine.analysis.wording",
    "engine.analysis.gaussian.blocks",
    "engine.analysis.gaussian.conditionals",
    "engine.analysis.gaussian.examples",
    "engine.analysis.gaussian.fit",
    "engine.analysis.gaussian.lab",
    "engine.analysis.gaussian.losses",
    "engine.analysis.gaussian.optima",
    "engine.analysis.evidence.bootstrap",
    "engine.analysis.evidence.dependence_examples",
    "engine.analysis.evidence.latent_map",
    "engine.analysis.evidence.low_rank",
    "engine.analysis.evidence.multiplicity",
    "engine.analysis.evidence.power_law",
    "engine.analysis.evidence.reliability",
    "engine.analysis.evidence.run_analysis",
    "engine.analysis.evidence.shared_dependence",
    "engine.analysis.evidence.training_noise",
    "engine.analysis.evidence.verdict",
    "engine.runs",
]


def test_modules_import_without_torch():
    code = "import sys\n" + "".join(f"import {m}\n" for m in TORCH_FREE) + "print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
