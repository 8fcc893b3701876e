"""Time and peak memory of the data audit (load, split, audit) on synthetic catalogues (issue 8).

Usage: .venv/bin/python bench/bench_audit.py [--rows 10000 100000 1000000] [--dir /tmp/bench_audit]
       [--kind catalogue|serial] [--timeout 600] [--profile]

For each row count a CSV of short templated product titles and descriptions is written (once; it
is reused when present), with about 3% exact duplicate pairs, 5% near-duplicates (one character
changed) and a group and a category column; ``--kind serial`` writes the worst case for the
near-duplicate search instead (one template plus a serial number, about ten near-duplicates per text). Each size is audited in a fresh child process, as
``tiltpilot audit`` does (``load_pairs`` -> ``split_pairs`` -> ``audit``), so its peak RSS is the
child's own (``os.wait4``), not the largest of all sizes. Prints a Markdown table: rows, file MB,
CPU seconds (load / split / audit / whole process; on the shared 2-core machine wall time
varies with other jobs, CPU time much less), wall seconds and peak RSS MB. ``--profile`` prints the child's per-stage timings
from the audit's progress callback: at the start of each stage, the audit's CPU seconds so far,
the current and the peak RSS in MB (Linux).
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

_ADJ = ("compact", "heavy-duty", "slim", "premium", "basic", "cordless", "quiet", "smart", "mini", "pro")
_COLOUR = ("black", "white", "red", "blue", "grey", "green", "silver", "navy")
_NOUN = ("drill", "kettle", "lamp", "mixer", "router", "fan", "heater", "scale", "pump", "saw", "valve", "hose")
_MATERIAL = ("steel", "ABS", "aluminium", "nylon", "brass", "glass")
_UNIT = ("mm", "cm", "W", "V", "L", "kg")
_ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"


def _edit(text: str, rng: random.Random) -> str:
    """The text with one character replaced (a near-duplicate at Jaccard ~0.8-0.95 on short texts)."""
    i = rng.randrange(len(text))
    return text[:i] + rng.choice(_ALNUM.lower()) + text[i + 1 :]


def make_csv(path: Path, rows: int, seed: int = 0) -> None:
    """Write a synthetic paired catalogue of ``rows`` rows (columns title, description, sku, category)."""
    rng = random.Random(seed)
    lines = ["title,description,sku,category"]
    made: list[tuple[str, str]] = []
    for r in range(rows):
        roll = rng.random()
        if made and roll < 0.03:  # exact duplicate pair under another sku
            title, desc = made[rng.randrange(len(made))]
        elif made and roll < 0.08:  # near-duplicate: one character changed in both texts
            title, desc = made[rng.randrange(len(made))]
            title, desc = _edit(title, rng), _edit(desc, rng)
        else:
            model = "".join(rng.choices(_ALNUM, k=5))
            title = f"{rng.choice(_ADJ)} {rng.choice(_COLOUR)} {rng.choice(_NOUN)} {model}"
            desc = f"{rng.choice(_MATERIAL)} {rng.randint(1, 999)}{rng.choice(_UNIT)} x{rng.randint(1, 12)}"
            if len(made) < 200_000:
                made.append((title, desc))
        lines.append(f"{title},{desc},s{r // 2},c{rng.randrange(40)}")  # two rows per sku: real groups
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def make_serial_csv(path: Path, rows: int) -> None:
    """Write the worst case for near-duplicate search: one template with a serial number, no group column.

    Texts that differ in the last digit of the serial are near-duplicates (Jaccard ~0.9), so each
    text has about ten, and the MinHash buckets hold thousands of texts.
    """
    lines = ["title,description"]
    lines += [f"Product {i:07d},Description of product number {i:07d}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _child(path: str, profile: bool) -> None:
    """Audit one file as ``tiltpilot audit`` does and print the timings as JSON."""
    from engine.data import audit, load_pairs, split_pairs

    stages: list[tuple[str, float, int, int]] = []  # (stage, audit CPU s so far, RSS MB, peak RSS MB)
    t0, c0 = time.perf_counter(), time.process_time()
    data = load_pairs(path)
    t1, c1 = time.perf_counter(), time.process_time()
    train, test = split_pairs(data, test_size=0.2, seed=0)
    t2, c2 = time.perf_counter(), time.process_time()

    def progress(stage: str, fraction: float) -> None:
        if profile and (not stages or stages[-1][0] != stage):  # first report of each stage: time and memory
            rss_mb = int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            stages.append((stage, round(time.process_time() - c2, 1), round(rss_mb), round(peak_mb)))

    try:
        report = audit(data, train=train, test=test, progress=progress)
    except TypeError:  # an audit without progress (measuring the code before issue 8)
        report = audit(data, train=train, test=test)
    t3, c3 = time.perf_counter(), time.process_time()
    out = {"load_s": t1 - t0, "split_s": t2 - t1, "audit_s": t3 - t2, "findings": len(report.findings),
           "load_cpu": c1 - c0, "split_cpu": c2 - c1, "audit_cpu": c3 - c2}
    if profile:
        out["stages"] = stages
    print(json.dumps(out))


def _run(path: Path, timeout: float, profile: bool) -> dict[str, object]:
    cmd = [sys.executable, __file__, "--child", str(path)] + (["--profile"] if profile else [])
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.2)
    wall = time.perf_counter() - start
    text = proc.stdout.read() if proc.stdout else ""
    result: dict[str, object] = {
        "wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024, "status": status,
    }
    if status == 0 and text.strip():
        result.update(json.loads(text.strip().splitlines()[-1]))
    else:
        result["failed"] = f"killed after {timeout:.0f} s" if wall >= timeout else f"exit status {status}"
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/bench_audit"))
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--kind", choices=("catalogue", "serial"), default="catalogue")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.profile)
        return
    args.dir.mkdir(parents=True, exist_ok=True)
    print("| rows | file MB | load CPU s | split CPU s | audit CPU s | process CPU s | process wall s | peak RSS MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for rows in args.rows:
        path = args.dir / f"{args.kind}_{rows}.csv"
        if not path.exists():
            (make_csv if args.kind == "catalogue" else make_serial_csv)(path, rows)
        r = _run(path, args.timeout, args.profile)
        mb = path.stat().st_size / 1024 / 1024
        if "failed" in r:
            print(f"| {rows:,} | {mb:.1f} | - | - | - | {r['cpu_s']:.0f} | {r['failed']} | >= {r['peak_mb']:.0f} |",
                  flush=True)
            continue
        print(f"| {rows:,} | {mb:.1f} | {r['load_cpu']:.1f} | {r['split_cpu']:.1f} | {r['audit_cpu']:.1f} | "
              f"{r['cpu_s']:.1f} | {r['wall_s']:.1f} | {r['peak_mb']:.0f} |", flush=True)
        if args.profile:
            print(json.dumps(r.get("stages")), file=sys.stderr)


if __name__ == "__main__":
    main()
