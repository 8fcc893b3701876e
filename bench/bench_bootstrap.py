"""Time the bootstrap on a 2,000-query test split with 2,000 resamples (issue 3: "a few seconds").

Usage: .venv/bin/python bench/bench_bootstrap.py [--queries 2000] [--resamples 2000] [--runs 4]

Synthetic geometric ranks stand in for a run's ``ranks.npz``; the bootstrap sees only ranks, so
its cost depends on the query count and the number of resamples, not on where the ranks came from.
Prints one JSON object of wall times in seconds (best of ``--repeat``).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from engine.analysis.evidence.bootstrap import bootstrap_metrics, compare_runs, fine_tuning_effect, run_uncertainty
from engine.names import DIRECTIONS

ALL_METRICS = ("recall@1", "recall@5", "recall@10", "mrr", "median_rank")


def fake_ranks(rng: np.random.Generator, n_queries: int, p_base: float, p_tuned: float) -> dict[str, np.ndarray]:
    out = {}
    for direction in DIRECTIONS:
        out[f"base_{direction}"] = rng.geometric(p_base, size=n_queries)
        out[f"tuned_{direction}"] = rng.geometric(p_tuned, size=n_queries)
    return out


def best_time(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return round(min(times), 3)


def run(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--resamples", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    ranks = fake_ranks(rng, args.queries, 0.2, 0.3)
    runs = {f"run{i}": fake_ranks(rng, args.queries, 0.2, 0.25 + 0.02 * i) for i in range(args.runs)}
    b, q = args.resamples, args.queries
    report = {
        "queries": q,
        "resamples": b,
        # recall@1/5/10, MRR and median rank, for base and tuned, both directions (4 interval sets).
        "intervals_all_metrics_4_rank_sets_s": best_time(
            lambda: [bootstrap_metrics(ranks[key], n_resamples=b) for key in ranks], args.repeat
        ),
        # tuned - base with CI and sign-flip p-value, all 5 metrics, both directions.
        "fine_tuning_all_metrics_both_directions_s": best_time(
            lambda: fine_tuning_effect(ranks, metrics=ALL_METRICS, n_resamples=b), args.repeat
        ),
        "run_uncertainty_s": best_time(lambda: run_uncertainty(ranks, n_resamples=b), args.repeat),
        f"compare_{args.runs}_runs_r1_mrr_both_directions_s": best_time(
            lambda: compare_runs(runs, n_resamples=b), args.repeat
        ),
    }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    run()
