"""Run the Gaussian lab's full sweeps (paper Figs. 8-10) and print learned-vs-closed-form tables.

Usage: .venv/bin/python bench/gaussian_lab_sweeps.py [--seeds 3] [--steps 600] [--out bench/gaussian_lab_results.json]
       [--examples 2d,gp] [--losses clip,joint,l2-left-given-right] [--quick]

Every setting is trained once per seed; the tables show the median over seeds, and the JSON
keeps the per-seed values of each measure. About 6 minutes on two shared CPU cores with the
defaults; ``--quick`` (1 seed, 300 steps, smaller sweeps) takes about 1.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from engine.analysis.gaussian.lab import run_lab

FULL = {
    "batch_sizes": (32, 64, 128, 256, 512),
    "sample_sizes": (500, 1000, 2000, 5000, 10000, 20000),
    "gp_bilinear_latent_dims": (1, 2, 3, 4, 5, 6),
}
QUICK = {
    "batch_sizes": (32, 128, 512),
    "sample_sizes": (500, 2000, 8000),
    "gp_bilinear_latent_dims": (1, 2, 3, 4, 5),
}
MEASURES = (
    "cond_mean_error_u_given_v",
    "cond_mean_error_v_given_u",
    "relative_whitened_error",
    "loss_gap",
    "cond_cov_error_u_given_v",
)


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def summarise(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Median over seeds of each setting's measures, with the closed-form reference beside them."""
    table = []
    for sweep, rows in runs[0]["sweeps"].items():
        for i, row in enumerate(rows):
            per_seed = [run["sweeps"][sweep][i] for run in runs]
            entry = {
                "sweep": sweep,
                "latent_dim": row["latent_dim"],
                "batch_size": row["batch_size"],
                "sample_size": row["sample_size"],
            }
            for key in MEASURES:
                entry[key] = _median([r[key] for r in per_seed])
                entry[f"{key}_per_seed"] = [r[key] for r in per_seed]
            entry["reference_u_given_v"] = row["reference"].get("cond_mean_error_u_given_v")
            entry["reference_v_given_u"] = row["reference"].get("cond_mean_error_v_given_u")
            if runs[0]["example"] == "2d":
                entry["A_learned"] = _median([r["A_learned"][0][0] for r in per_seed])
                entry["A_star"] = (row["reference"]["A_star"] or [[None]])[0][0]
                if per_seed[0]["B_learned"] is not None:
                    entry["B_learned"] = _median([r["B_learned"][0][0] for r in per_seed])
            table.append(entry)
    return table


def summarise_runs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One example/loss entry of the JSON: the example's spectrum, settings, notes and the table."""
    first = runs[0]
    keep = ("example", "loss", "tilt", "n_u", "n_v", "canonical_correlations", "mutual_information_nats", "notes")
    entry = {key: first[key] for key in keep}
    entry["settings"] = {k: v for k, v in first["settings"].items() if k != "seed"}
    entry["table"] = summarise(runs)
    entry["wall_s"] = sum(r["wall_s"] for r in runs)
    return entry


def print_table(example: str, loss: str, table: list[dict[str, Any]]) -> None:
    print(f"\n## {example} / {loss}")
    head = "| sweep | n_e | batch | N | mean err u given v (ref) | mean err v given u (ref) | rel. whitened err | loss gap |"
    l2 = loss == "l2-left-given-right"
    if l2:
        head += " cov err u given v |"
    if example == "2d":
        head += " A (A*) |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for e in table:
        n = "fresh" if e["sample_size"] is None else str(e["sample_size"])
        line = (
            f"| {e['sweep']} | {e['latent_dim']} | {e['batch_size']} | {n} | "
            f"{_fmt(e['cond_mean_error_u_given_v'])} ({_fmt(e['reference_u_given_v'])}) | "
            f"{_fmt(e['cond_mean_error_v_given_u'])} ({_fmt(e['reference_v_given_u'])}) | "
            f"{_fmt(e['relative_whitened_error'])} | {_fmt(e['loss_gap'])} |"
        )
        if l2:
            line += f" {_fmt(e['cond_cov_error_u_given_v'])} |"
        if example == "2d":
            extra = f" B {_fmt(e['B_learned'])}" if "B_learned" in e else ""
            line += f" {_fmt(e['A_learned'])} ({_fmt(e['A_star'])}){extra} |"
        print(line)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--examples", default="2d,gp")
    parser.add_argument("--losses", default="clip,joint,l2-left-given-right")
    parser.add_argument("--quick", action="store_true", help="1 seed, 300 steps, smaller sweeps")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "gaussian_lab_results.json"))
    args = parser.parse_args(argv)
    sweeps = QUICK if args.quick else FULL
    seeds = 1 if args.quick else args.seeds
    steps = 300 if args.quick else args.steps
    started = time.perf_counter()
    report: dict[str, Any] = {"seeds": seeds, "steps": steps, "sweeps": dict(sweeps), "results": []}
    for example in args.examples.split(","):
        for loss in args.losses.split(","):
            latent = None
            if example == "gp" and loss != "l2-left-given-right":
                latent = sweeps["gp_bilinear_latent_dims"]
            runs = [
                run_lab(
                    example,
                    loss=loss,
                    latent_dims=latent,
                    batch_sizes=sweeps["batch_sizes"],
                    sample_sizes=sweeps["sample_sizes"],
                    base_batch_size=256,
                    steps=steps,
                    seed=seed,
                )
                for seed in range(seeds)
            ]
            report["results"].append(summarise_runs(runs))
            print_table(example, loss, report["results"][-1]["table"])
    report["wall_s"] = time.perf_counter() - started
    Path(args.out).write_text(json.dumps(report, indent=1))
    print(f"\nwall time {report['wall_s']:.0f} s; wrote {args.out}")
    return report


if __name__ == "__main__":
    main()
