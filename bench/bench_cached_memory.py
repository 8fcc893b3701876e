"""Peak memory of one training step, cached (GradCache) against uncached, at growing batch sizes (issue 13).

Usage: .venv/bin/python bench/bench_cached_memory.py [--batches 64,256,1024] [--mini-batch 64]
       [--device cpu|cuda] [--largest MAX] [--json out.json]

Each measurement runs in a fresh child process (peak RSS only ever grows, so processes cannot be
shared): it loads the packaged all-MiniLM-L6-v2 (``max_seq_length`` 64), makes B synthetic pairs of
~30 words a side, and takes exactly one step of :func:`engine.train.train` (clip loss, cosine, AdamW)
with ``TrainConfig(batch_size=B, mini_batch=M or None)``. On CPU it reports the child's peak RSS
(``resource.getrusage``; ``tracemalloc`` does not see torch's allocations) and its RSS after loading
the model, so "step" = peak - loaded is what the step itself added. On CUDA it reports
``torch.cuda.max_memory_allocated`` over the step. A child whose RSS passes ``--cap-mb`` is stopped
and reported as over the cap (uncached steps grow with the batch; the machine is shared). Prints a
Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORDS = ("steel cotton oak wool ceramic leather red blue green black white grey small medium large compact "
         "durable lightweight waterproof handmade kettle lamp chair mug towel blanket pen backpack shirt "
         "sneaker bottle table shelf drawer cable charger speaker camera lens bag scarf glove hat watch "
         "with for and the a of in on by from fits holds keeps made designed ideal everyday travel home "
         "office kitchen outdoor garden winter summer classic modern premium soft strong").split()
WORDS_PER_TEXT = 30
SEQ_LEN = 64


def _texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    # A serial number keeps every text unique (the batcher never puts two equal texts in a batch).
    return [f"item {i} " + " ".join(rng.choices(WORDS, k=WORDS_PER_TEXT - 2)) for i in range(n)]


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(batch: int, mini_batch: int | None, device: str) -> dict[str, float]:
    """One training step in this (fresh) process; returns the memory and time figures."""
    import torch

    from engine.config import TrainConfig
    from engine.data.dataset import PairDataset
    from engine.losses import build_loss
    from engine.models import load_encoder
    from engine.train import train

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    encoder = load_encoder(None, device=device, max_seq_length=SEQ_LEN)
    data = PairDataset(left=tuple(_texts(batch, 1)), right=tuple(_texts(batch, 2)),
                       group=tuple(f"g{i}" for i in range(batch)), row=tuple(range(1, batch + 1)))
    config = TrainConfig(epochs=1, batch_size=batch, mini_batch=mini_batch, early_stopping=False,
                         checkpoint_every_epoch=False)
    loaded = _rss_mb()
    if device == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        before_cuda = torch.cuda.memory_allocated() / 2**20
    started = time.perf_counter()
    result = train(encoder, build_loss("clip"), data, config)
    seconds = time.perf_counter() - started
    out = {"batch": batch, "mini_batch": mini_batch, "steps": result.steps, "seconds": seconds,
           "loaded_rss_mb": loaded, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if device == "cuda":
        torch.cuda.synchronize()
        out["cuda_before_mb"] = before_cuda
        out["cuda_peak_mb"] = torch.cuda.max_memory_allocated() / 2**20
    return out


def _process_rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            return next((int(line.split()[1]) / 1024 for line in handle if line.startswith("VmRSS:")), 0.0)
    except OSError:  # the child has just ended
        return 0.0


def _run_child(batch: int, mini_batch: int | None, device: str, cap_mb: float) -> dict[str, float]:
    """One measurement in a fresh process, stopped if its RSS passes ``cap_mb`` (the machine is shared)."""
    command = [sys.executable, __file__, "--child", "--batches", str(batch), "--device", device,
               "--mini-batch", str(mini_batch or 0)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
                          env=env) as proc:
        while proc.poll() is None:
            if _process_rss_mb(proc.pid) > cap_mb:
                proc.kill()
                proc.wait()
                return {"batch": batch, "mini_batch": mini_batch, "over_cap_mb": cap_mb}
            time.sleep(0.1)
        out, err = proc.communicate()
    if proc.returncode != 0 and "out of memory" in err.lower():
        return {"batch": batch, "mini_batch": mini_batch, "out_of_memory": True}
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({proc.returncode}): {err[-2000:]}")
    return json.loads(out.strip().splitlines()[-1])


def _table(rows: list[dict[str, float]], device: str) -> str:
    if device == "cuda":
        lines = ["| batch | step | peak CUDA memory allocated | step time |", "|---|---|---|---|"]
        for r in rows:
            mode = f"cached, mini-batch {r['mini_batch']}" if r["mini_batch"] else "uncached"
            lines.append(f"| {r['batch']} | {mode} | {r['cuda_peak_mb']:,.0f} MB "
                         f"(model and optimiser {r['cuda_before_mb']:,.0f} MB) | {r['seconds']:.1f} s |")
        return "\n".join(lines)
    lines = ["| batch | step | peak RSS | added by the step (peak - loaded) | step time |", "|---|---|---|---|---|"]
    for r in rows:
        mode = f"cached, mini-batch {r['mini_batch']}" if r["mini_batch"] else "uncached"
        if "over_cap_mb" in r:
            lines.append(f"| {r['batch']} | {mode} | over {r['over_cap_mb']:,.0f} MB: stopped | | |")
            continue
        lines.append(f"| {r['batch']} | {mode} | {r['peak_rss_mb']:,.0f} MB | "
                     f"{r['peak_rss_mb'] - r['loaded_rss_mb']:,.0f} MB | {r['seconds']:.1f} s |")
    return "\n".join(lines)


def _grid(batches: list[int], args: argparse.Namespace) -> list[dict[str, float]]:
    rows = []
    for batch in batches:
        for mini_batch in (None, args.mini_batch):
            rows.append(_run_child(batch, mini_batch, args.device, args.cap_mb))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    return rows


def _largest(first: int, args: argparse.Namespace) -> list[dict[str, float]]:
    """Doubling batch sizes per mode until one runs out of memory (or passes ``args.largest``)."""
    rows = []
    for mini_batch in (None, args.mini_batch):
        batch = first
        while batch <= args.largest:
            rows.append(_run_child(batch, mini_batch, args.device, args.cap_mb))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
            if "out_of_memory" in rows[-1] or "over_cap_mb" in rows[-1]:
                break
            batch *= 2
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", default="64,256,1024")
    parser.add_argument("--mini-batch", type=int, default=64, help="chunk size of the cached step")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument("--cap-mb", type=float, default=8000,
                        help="stop a measurement whose RSS passes this (CPU; the machine is shared)")
    parser.add_argument("--largest", type=int, metavar="MAX",
                        help="instead: double the batch from the first of --batches up to MAX until a step runs "
                             "out of memory, cached and uncached (for a GPU)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    if args.child:
        print(json.dumps(child(batches[0], args.mini_batch or None, args.device)))
        return
    rows = _largest(batches[0], args) if args.largest else _grid(batches, args)
    print(_table([r for r in rows if "out_of_memory" not in r], args.device))
    if args.largest:
        for mini_batch in (None, args.mini_batch):
            fits = [r["batch"] for r in rows if r["mini_batch"] == mini_batch and "out_of_memory" not in r]
            mode = f"cached (mini-batch {mini_batch})" if mini_batch else "uncached"
            print(f"largest batch that fits, {mode}: {max(fits) if fits else 'none'} (tried up to {args.largest})")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
