"""Time `tiltpilot compare` on the bundled catalogue and print per-stage timings.

Usage: .venv/bin/python bench/bench_compare.py [--device cpu|cuda] [--epochs 1] [--model PATH]

Speed lives here, not in the tests: timings on shared 2-core machines vary 2-5x between runs, so
compare numbers measured in one run (e.g. CPU vs GPU, or one loss against another) as ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from engine.cli import main

LOSSES = "clip,joint,left-given-right,right-given-left"


def run(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="auto")
    parser.add_argument("--epochs", default="1")
    parser.add_argument("--model")
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[1] / "sample_data" / "catalogue.csv"))
    args = parser.parse_args(argv)
    out = Path(tempfile.mkdtemp(prefix="tiltpilot-bench-"))
    command = ["compare", args.data, "--losses", LOSSES, "--epochs", args.epochs, "--device", args.device, "--out", str(out)]
    if args.model:
        command += ["--model", args.model]
    started = time.perf_counter()
    code = main(command)
    wall = time.perf_counter() - started
    stages = {}
    for run_dir in sorted(p for p in out.iterdir() if p.is_dir()):
        metrics = json.loads((run_dir / "metrics.json").read_text())
        stages[run_dir.name] = {k: round(v, 2) for k, v in metrics["timings"].items()}
    report = {"exit_code": code, "wall_s": round(wall, 1), "stages": stages, "store": str(out)}
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    run()
