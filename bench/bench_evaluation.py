"""Evaluation scaling (issue 13, deliverable 1(d)): ranks + top-10 against galleries of 1k to 1M items.

Usage: nice .venv/bin/python bench/bench_evaluation.py [--sizes 1000 10000 100000 1000000] [--queries 1000]

Each (size, method) runs in a fresh subprocess so that its peak RSS is its own. Embeddings are
synthetic float32 (D = 384, unit-scale Gaussian), groups are item ids (one relevant item per query).
Methods:

* ``naive``: the full (Q, G) score matrix and a (Q, G) relevance mask at once (skipped above
  100k items: at 1M it would need 4 GB of scores plus 1 GB of mask);
* ``exact``: the tiled, memory-budgeted torch path (``first_relevant_ranks`` + ``per_query_topk``
  with FAISS switched off);
* ``faiss``: the same ranks, top-10 with ``faiss_topk`` (FAISS exact flat search).

Times are given for ranks and top-10 apart (the naive top-10 reuses the ranks' score matrix).
"extra MB" is the peak RSS minus the RSS measured once the embeddings exist: memory beyond the
embeddings and the interpreter. Prints one JSON line per case.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np
import torch

DIM, K, TILT = 384, 10, "cosine"
NAIVE_MAX = 100_000


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def run_case(size: int, queries: int, method: str) -> dict:
    import engine.evaluate.faiss_search as faiss_search
    from engine.evaluate import first_relevant_ranks, per_query_topk
    from engine.losses.tilts import tilt_scores

    rng = np.random.default_rng(0)
    gallery = rng.standard_normal((size, DIM), dtype=np.float32)
    rows = rng.choice(size, queries, replace=False)
    q = gallery[rows] + rng.standard_normal((queries, DIM), dtype=np.float32)
    groups, q_groups = np.arange(size), rows
    baseline = _rss_mb()
    start = time.perf_counter()
    if method == "naive":
        with torch.no_grad():
            scores = tilt_scores(torch.from_numpy(q), torch.from_numpy(gallery), TILT)
            relevant = torch.from_numpy(q_groups)[:, None] == torch.from_numpy(groups)[None, :]
            best = scores.masked_fill(~relevant, float("-inf")).amax(dim=1, keepdim=True)
            ranks = (((scores >= best) & ~relevant).sum(dim=1) + 1).numpy()
            ranked = time.perf_counter()
            torch.topk(scores, K, dim=1)
    else:
        ranks = first_relevant_ranks(q, gallery, q_groups.tolist(), groups.tolist(), tilt=TILT)
        ranked = time.perf_counter()
        if method == "faiss":
            faiss_search.faiss_topk(torch.from_numpy(q), torch.from_numpy(gallery), K, tilt=TILT)
        else:
            faiss_search.FAISS_MIN_GALLERY = sys.maxsize
            per_query_topk(q, gallery, k=K, tilt=TILT)
    done = time.perf_counter()
    seconds = done - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "size": size,
        "queries": queries,
        "method": method,
        "seconds": round(seconds, 2),
        "ranks_s": round(ranked - start, 2),
        "topk_s": round(done - ranked, 2),
        "extra_mb": round(peak - baseline),
        "embeddings_mb": round(gallery.nbytes / 2**20),
        "recall@1": float(np.mean(ranks == 1)),
        "ns_per_pair": round(seconds / (size * queries) * 1e9, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--case", nargs=2, metavar=("SIZE", "METHOD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(int(args.case[0]), args.queries, args.case[1])))
        return
    for size in args.sizes:
        for method in ("naive", "exact", "faiss"):
            if method == "naive" and size > NAIVE_MAX:
                print(json.dumps({"size": size, "method": method, "skipped": "full matrix needs Q*G*5 bytes"}))
                continue
            cmd = [sys.executable, __file__, "--queries", str(args.queries), "--case", str(size), method]
            print(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip(), flush=True)


if __name__ == "__main__":
    main()
