"""UMAP layouts drawn in a short-lived process of their own.

Importing umap-learn brings numba and LLVM into a process: ~135 MiB that stay resident until the
process ends. A comparison draws a latent map after each run and then trains the next model in
the same process, so every later run trained on top of them: on the sample 4-loss comparison
(``bench/bench_compare.py --quick``) runs 2-4 peaked at 1,550-1,570 MiB against 1,384 MiB for run
1, and at 1,386-1,431 MiB when the maps were drawn with PCA instead. Here the two fits of a map
(base and tuned) run in a child process, which gives all of that back when it exits. It costs the
child's start and imports, about 3 s per map once numba's disk cache is filled
(:func:`engine.analysis.evidence.latent_map.import_umap`).

The child fits with exactly the options the caller passes, on the same float32 points, so its
layouts are those an in-process fit gives (``tests/engine/analysis/evidence/test_umap_process.py``).
It ends with its parent (:func:`engine.parent_watch.exit_with_parent`), and the parent kills it
when the wait is interrupted (a cancelled job), so no child outlives its map.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

MODULE = "engine.analysis.evidence.umap_process"
POINTS_FILE = "points.npz"
LAYOUTS_FILE = "layouts.npz"
OPTIONS_FILE = "options.json"
STDERR_TAIL = 2000  # characters of a failed child's error output kept in the exception


class UmapProcessError(RuntimeError):
    """The UMAP process failed; the message ends with its error output."""


def umap_layouts(base_points: np.ndarray, tuned_points: np.ndarray, *, seed: int, n_neighbors: int,
                 min_dist: float, metric: str) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """Fit a 2-D UMAP layout of each point set in a child process.

    Args:
        base_points, tuned_points: (N, D) points, fitted separately.
        seed, n_neighbors, min_dist, metric: UMAP's options, the same for both fits.

    Returns:
        ``(base_xy, tuned_xy, timings)``: (N, 2) float64 layouts and the seconds of each fit
        (``fit_base_s``, ``fit_tuned_s``) and of the whole child (``process_s``).

    Raises:
        UmapProcessError: The child failed (its error output is in the message).
    """
    started = time.perf_counter()
    options = {"seed": int(seed), "n_neighbors": int(n_neighbors), "min_dist": float(min_dist), "metric": metric}
    with tempfile.TemporaryDirectory(prefix="tiltpilot-umap-") as scratch:
        folder = Path(scratch)
        np.savez(folder / POINTS_FILE, base=base_points, tuned=tuned_points)
        (folder / OPTIONS_FILE).write_text(json.dumps(options), encoding="utf-8")
        _run_child([str(folder)])
        with np.load(folder / LAYOUTS_FILE) as layouts:
            base_xy, tuned_xy = layouts["base"], layouts["tuned"]
            timings = {"fit_base_s": float(layouts["fit_base_s"]), "fit_tuned_s": float(layouts["fit_tuned_s"])}
    timings["process_s"] = time.perf_counter() - started
    return base_xy, tuned_xy, timings


def warm_up_in_background(seed: int = 0) -> None:
    """Fill numba's disk cache in a child process while this one goes on (a job about to draw maps).

    Its failure only means the first map compiles UMAP itself; it is logged, never raised.
    """
    def warm() -> None:
        try:
            _run_child(["--warm-up", "--seed", str(int(seed))])
        except (OSError, UmapProcessError) as exc:
            logger.warning("UMAP warm-up failed: %s", exc)

    threading.Thread(target=warm, name="umap-warm-up", daemon=True).start()


def _run_child(arguments: list[str]) -> None:
    command = [sys.executable, "-m", MODULE, "--parent", str(os.getpid()), *arguments]
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True, encoding="utf-8", errors="replace")
    try:
        _, errors = child.communicate()
    finally:  # interrupted (a cancelled job): the child must not go on drawing
        if child.poll() is None:
            child.kill()
            child.wait()
    if child.returncode != 0:
        raise UmapProcessError(f"the UMAP process exited with {child.returncode}: {errors[-STDERR_TAIL:]}")


def _fit(folder: Path) -> None:
    from engine.analysis.evidence.latent_map import fit_umap_2d, import_umap

    umap_module = import_umap()
    options: dict[str, Any] = json.loads((folder / OPTIONS_FILE).read_text(encoding="utf-8"))
    with np.load(folder / POINTS_FILE) as points:
        base_points, tuned_points = points["base"], points["tuned"]
    tick = time.perf_counter()
    base_xy = fit_umap_2d(base_points, umap_module=umap_module, **options)
    fit_base_s = time.perf_counter() - tick
    tick = time.perf_counter()
    tuned_xy = fit_umap_2d(tuned_points, umap_module=umap_module, **options)
    fit_tuned_s = time.perf_counter() - tick
    partial = folder / f"partial-{LAYOUTS_FILE}"  # renamed once complete: the parent never reads half a file
    np.savez(partial, base=base_xy, tuned=tuned_xy, fit_base_s=fit_base_s, fit_tuned_s=fit_tuned_s)
    os.replace(partial, folder / LAYOUTS_FILE)


def main(argv: list[str] | None = None) -> int:
    from engine.parent_watch import exit_with_parent

    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}", description="Draw UMAP layouts for tiltpilot.")
    parser.add_argument("folder", nargs="?", help="holds points.npz and options.json; layouts.npz is written there")
    parser.add_argument("--parent", type=int, required=True, help="the pid this process ends with")
    parser.add_argument("--warm-up", action="store_true", help="only compile UMAP (fill numba's disk cache)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    exit_with_parent(args.parent)
    if args.warm_up:
        from engine.analysis.evidence.latent_map import warm_up_umap

        warm_up_umap(args.seed)
    else:
        _fit(Path(args.folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
