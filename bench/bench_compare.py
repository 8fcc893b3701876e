"""Comparison cost (issue 13, deliverable 1(c)): a 4-loss comparison against 4 single runs, and its peak memory.

Usage: HF_HUB_OFFLINE=1 nice .venv/bin/python bench/bench_compare.py [--quick] [--epochs N] [--no-singles]
       [--device cpu|cuda] [--model PATH] [--data PATH]

* The comparison: ``tiltpilot compare <sample> --losses clip,joint,left-given-right,right-given-left``
  with the defaults (``--epochs`` overrides the epoch cap), in a fresh process. Its peak resident
  size is the kernel's (``ru_maxrss`` from ``wait4``); while it runs, its resident size is read from
  ``/proc/<pid>/statm`` every 0.2 s and booked to the stage its newest run reports in ``status.json``
  (``base`` before the first run exists), so the table shows where the memory goes.
* The single runs: ``tiltpilot train <sample> --loss L`` for each of the four losses, each in its
  own fresh process, one after another. Their summed wall time is what the comparison saves on: it
  loads the data, evaluates the base model and pays the imports once. ``--no-singles`` (and
  ``--quick``) skip them.

``--quick`` = ``--epochs 1 --no-singles`` (bench/run.py --quick must finish in 10 minutes on 2 cores).
Both sides run on the CPU unless ``--device`` says otherwise: the goal is CPU memory.

Prints a Markdown table of the stages' peak memory, then, last, a JSON summary that ``bench/run.py``
parses: ``comparison_s``, ``singles_s`` (None when skipped), ``ratio`` (comparison / sum of singles),
``peak_rss_mb`` (MiB), ``stage_peaks_mb``, ``run_peaks_mb``, ``allocator`` (``jemalloc`` or ``system``:
what the comparison ran on, see ``engine/memory_allocator.py``; ``TILTPILOT_ALLOCATOR=system`` measures
the C library's), ``epochs``, ``goal_mb``, ``met``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from engine.memory_allocator import active_allocator

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "sample_data" / "catalogue.csv"
LOSSES = ("clip", "joint", "left-given-right", "right-given-left")
GOAL_MB = 1.5 * 1024  # issue 13: under 1.5 GB peak RSS on CPU for the sample 4-loss comparison
SAMPLE_EVERY_S = 0.2
ALLOCATOR_AFTER_S = 2.0  # the command restarts on its allocator within its first second
BASE_STAGE = "base"  # before the first run directory exists: data, base model and its evaluation


def _rss_mb(pid: int) -> float | None:
    """Resident size of process ``pid`` in MiB, or None once it is gone."""
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _current_stage(store: Path) -> tuple[int, str]:
    """(run number from 1, stage) of the newest run directory in ``store``; (0, "base") before any."""
    runs = sorted(p for p in store.iterdir() if p.is_dir()) if store.is_dir() else []
    if not runs:
        return 0, BASE_STAGE
    try:
        status = json.loads((runs[-1] / "status.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return len(runs), "audit"
    stage = str(status.get("stage") or status.get("state") or "audit")
    return len(runs), stage.split(":", 1)[0]  # analyse:<part> -> analyse


class _StageSampler(threading.Thread):
    """Reads a process's resident size every 0.2 s and keeps the peak per stage and per run."""

    def __init__(self, pid: int, store: Path) -> None:
        super().__init__(daemon=True)
        self.pid, self.store = pid, store
        self.stage_peaks: dict[str, float] = {}
        self.run_peaks: dict[int, float] = {}
        self.allocator: str | None = None  # read once the process has restarted on it (engine.console)
        self.done = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        while not self.done.is_set():
            if self.allocator is None and time.monotonic() - started > ALLOCATOR_AFTER_S:
                self.allocator = active_allocator(self.pid)
            rss = _rss_mb(self.pid)
            if rss is not None:
                number, stage = _current_stage(self.store)
                self.stage_peaks[stage] = max(self.stage_peaks.get(stage, 0.0), rss)
                self.run_peaks[number] = max(self.run_peaks.get(number, 0.0), rss)
            self.done.wait(SAMPLE_EVERY_S)


def _engine(args: list[str], store: Path, sample: bool) -> dict[str, Any]:
    """Run ``python -m engine <args>`` in a fresh process; its wall time, peak RSS and stage peaks."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "engine", *args], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = _StageSampler(proc.pid, store)
    if sample:
        sampler.start()
    stderr = proc.stderr.read()  # drained while it runs, so a full pipe never blocks the child
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak, not the largest child's so far
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    sampler.done.set()
    if proc.returncode != 0:
        raise RuntimeError(f"tiltpilot {args[0]} failed ({proc.returncode}): {stderr[-3000:]}")
    return {"seconds": seconds, "peak_rss_mb": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime,
            "stage_peaks_mb": {k: round(v) for k, v in sampler.stage_peaks.items()},
            "run_peaks_mb": [round(v) for _, v in sorted(sampler.run_peaks.items())], "allocator": sampler.allocator}


def _common(args: argparse.Namespace) -> list[str]:
    extra = ["--device", args.device]
    if args.epochs is not None:
        extra += ["--epochs", str(args.epochs)]
    if args.model:
        extra += ["--model", args.model]
    return extra


def run(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="--epochs 1 --no-singles")
    parser.add_argument("--epochs", type=int, help="epoch cap (default: tiltpilot's own default)")
    parser.add_argument("--no-singles", action="store_true", help="skip the four single runs")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--model")
    parser.add_argument("--data", default=str(DATA))
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs, args.no_singles = 1 if args.epochs is None else args.epochs, True
    root = Path(tempfile.mkdtemp(prefix="tiltpilot-bench-compare-"))
    store = root / "compare"
    comparison = _engine(["compare", args.data, "--losses", ",".join(LOSSES), *_common(args), "--out", str(store)],
                         store, sample=True)
    singles = None
    if not args.no_singles:
        singles = [_engine(["train", args.data, "--loss", loss, *_common(args), "--out", str(root / loss)],
                           root / loss, sample=False) for loss in LOSSES]
    singles_s = sum(s["seconds"] for s in singles) if singles else None
    summary = {
        "epochs": args.epochs, "device": args.device, "losses": list(LOSSES),
        "comparison_s": round(comparison["seconds"], 1), "comparison_cpu_s": round(comparison["cpu_s"], 1),
        "singles_s": round(singles_s, 1) if singles_s is not None else None,
        "single_peaks_mb": [round(s["peak_rss_mb"]) for s in singles] if singles else None,
        "ratio": round(comparison["seconds"] / singles_s, 3) if singles_s else None,
        "peak_rss_mb": round(comparison["peak_rss_mb"]),
        "stage_peaks_mb": comparison["stage_peaks_mb"], "run_peaks_mb": comparison["run_peaks_mb"],
        "allocator": comparison["allocator"],
        "goal_mb": GOAL_MB, "met": comparison["peak_rss_mb"] < GOAL_MB, "store": str(store),
    }
    print("| stage of the comparison | peak RSS |\n|---|---|")
    for stage, peak in sorted(summary["stage_peaks_mb"].items(), key=lambda kv: -kv[1]):
        print(f"| {stage} | {peak:,} MiB |")
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    run()
