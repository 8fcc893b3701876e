"""UMAP in its own process (engine.analysis.evidence.umap_process): in-process layouts, nothing left behind.

Slow: the in-process reference imports umap-learn into the test process (numba ~11 s without the cache).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.analysis.evidence import umap_process
from engine.analysis.evidence.latent_map import fit_umap_2d, import_umap
from engine.analysis.evidence.umap_process import UmapProcessError, umap_layouts

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
OPTIONS = {"seed": 3, "n_neighbors": 8, "min_dist": 0.1, "metric": "euclidean"}


def _points(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((60, 12)) + 3.0 * (np.arange(60) % 3)[:, None]).astype(np.float64)


def test_the_child_draws_the_layouts_an_in_process_fit_draws():
    base, tuned = _points(0), _points(1)
    base_xy, tuned_xy, timings = umap_layouts(base, tuned, **OPTIONS)
    umap_module = import_umap()
    np.testing.assert_array_equal(base_xy, fit_umap_2d(base, umap_module=umap_module, **OPTIONS))
    np.testing.assert_array_equal(tuned_xy, fit_umap_2d(tuned, umap_module=umap_module, **OPTIONS))
    assert not np.allclose(base_xy, tuned_xy)  # two fits, not one layout twice
    assert set(timings) == {"fit_base_s", "fit_tuned_s", "process_s"}


MAP_IN_A_FRESH_PROCESS = """
import json, sys
import numpy as np
from engine.analysis.evidence.latent_map import latent_map
rng = np.random.default_rng(0)
a, b = rng.standard_normal((40, 8)), rng.standard_normal((40, 8))
meta = latent_map(a, b, a, a + 0.01 * b, method="umap", n_neighbors=5)["meta"]
print(json.dumps({"method": meta["method"], "umap_imported": "umap" in sys.modules, "numba_imported": "numba" in sys.modules,
                  "versions": meta["versions"]}))
"""


def test_a_umap_map_leaves_umap_and_numba_out_of_the_calling_process():
    done = subprocess.run([sys.executable, "-c", MAP_IN_A_FRESH_PROCESS], cwd=REPO, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["method"] == "umap" and "umap-learn" in result["versions"]
    assert not result["umap_imported"] and not result["numba_imported"]


def test_a_failing_child_raises_with_its_error_output():
    with pytest.raises(UmapProcessError, match="unrecognized arguments: --no-such-option"):
        umap_process._run_child(["--no-such-option"])


class _Interrupted(Exception):
    pass


def test_an_interrupted_wait_kills_the_child(monkeypatch):
    """A cancelled job's signal lands while the map is drawn: the child must not go on drawing."""
    started: list[subprocess.Popen] = []
    real_popen = subprocess.Popen

    def recording_popen(*args, **kwargs):
        started.append(real_popen(*args, **kwargs))
        return started[-1]

    def interrupt(signum, frame):
        raise _Interrupted

    monkeypatch.setattr(umap_process.subprocess, "Popen", recording_popen)
    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 1.0)  # the warm-up child imports umap for longer than this
        with pytest.raises(_Interrupted):
            umap_process._run_child(["--warm-up"])
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert len(started) == 1
    assert started[0].returncode == -signal.SIGKILL  # killed and reaped by _run_child, not left running
    with pytest.raises(ProcessLookupError):
        os.kill(started[0].pid, 0)
