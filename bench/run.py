"""The bench suite (issue 13): run the parts in sequence and regenerate the results table in bench/README.md.

Usage: HF_HUB_OFFLINE=1 nice -n 5 .venv/bin/python bench/run.py [--quick] [--device auto|cpu|cuda] [--no-write]

Each part runs as its own subprocess (its peak memory and imports stay its own) and prints a JSON
line last, which is parsed here:

* (a) ``bench_st_trainer.py``: our trainer against ``SentenceTransformerTrainer``, A B A B, the
  median of the per-repetition ratios of pairs/s;
* (b) ``bench_flops.py``: achieved training FLOP/s against the matmul peak measured in the same process;
* (c) ``bench_compare.py``: the sample 4-loss comparison's peak RSS on CPU (by stage) and its time
  against the four single runs (``--quick``: ``--epochs 1`` and no single runs);
* (d) ``bench_evaluation.py``: evaluation scaling (``--quick``: galleries of 1k and 10k only, so the
  1M goal is not measured);
* (e) ``bench_first_result.py``: from submitting the Start button's sample job to its first finished run,
  the first named stage on the job card, and the cancel latency in several stages (``--quick``: fewer stages);
* (f) ``bench_dashboard.py``: the Results page with 50 stored runs in Debian chromium: the first chart
  after opening it from the sidebar and after a full reload, the first load, the server's memory
  (``--quick``: the source runs come from the tiny test model, fewer repetitions);
* 2. ``bench_cached_memory.py``: cached against uncached step memory (full run only: a single
  uncached step of 256 pairs takes ~40 s here).

Every figure the table shows is a ratio measured side by side in this one run, or a memory figure;
absolute times on the shared machine vary 2-5×. The table goes between the
``<!-- bench:results:start -->`` and ``<!-- bench:results:end -->`` markers of bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
README = BENCH / "README.md"
START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"
TRAINER_GOAL = 1.5  # issue 13: ours >= 1.5x SentenceTransformerTrainer's pairs/s at equal quality
EVAL_GOAL_MB = 1024  # issue 13: under 1 GB beyond the embeddings at a 1M gallery
EVAL_SIZES = {"quick": ["1000", "10000"], "full": ["1000", "10000", "100000", "1000000"]}
CACHED_BATCHES = "64,256,1024"
DASHBOARD_RUNS = 50  # issue 13 (f): Results with 50 stored runs
DASHBOARD_GOAL_S = 1.0  # ... first chart under 1 s after the first load
DASHBOARD_ARGS = {"quick": ["--source", "tiny", "--reloads", "2", "--navigations", "3"], "full": []}
FIRST_RESULT_GOAL_S = 90.0  # issue 13: from the Start button to the first finished run of the sample comparison
CANCEL_GOAL_S = 2.0  # issue 13: a cancel takes effect within 2 s in every stage
NAMED_STAGE_GOAL_S = 1.0  # issue 13: visible named stages from the first second


def _run_part(script: str, args: list[str]) -> tuple[list[dict[str, Any]], float, str]:
    """Run ``bench/<script>``; returns (every JSON object line of its stdout, seconds, stdout)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True, text=True,
                          cwd=REPO, env=env, check=False)
    seconds = time.perf_counter() - started
    print(f"[bench] {script} {' '.join(args)}: {seconds:.0f} s, exit {done.returncode}", file=sys.stderr, flush=True)
    if done.returncode != 0:
        raise RuntimeError(f"{script} failed ({done.returncode}): {done.stderr[-3000:]}")
    return [obj for line in done.stdout.splitlines() if (obj := _json_object(line)) is not None], seconds, done.stdout


def _json_object(line: str) -> dict[str, Any] | None:
    """The line as a JSON object, or None (libraries print Python dicts to stdout too)."""
    if not line.startswith("{"):
        return None
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None


def _device(choice: str) -> str:
    if choice != "auto":
        return choice
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def machine(device: str) -> str:
    import torch

    gpu = torch.cuda.get_device_name() if torch.cuda.is_available() else "no GPU"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} CPU cores ({platform.machine()}), {gpu}; torch {torch.__version__}; "
            f"bench device {device}; load average at the end {load} (shared machine)")


def _met(ok: bool | None) -> str:
    return "not measured" if ok is None else ("**met**" if ok else "**not met**")


def trainer_row(summary: dict[str, Any]) -> tuple[list[str], str]:
    """Table row of part (a) and its goal verdict: ratio >= 1.5 and ours' R@1 within theirs' interval or above."""
    def median_r1(who: str, direction: str, key: str) -> float:
        return statistics.median(r["r1"][direction][key] for r in summary["runs"] if r["contender"] == who)

    directions = ("left_to_right", "right_to_left")
    equal_quality = all(median_r1("ours", d, "estimate") >= median_r1("theirs", d, "low") for d in directions)
    quality = "; ".join(
        f"{label} R@1 ours {median_r1('ours', d, 'estimate'):.3f} [{median_r1('ours', d, 'low'):.3f}, "
        f"{median_r1('ours', d, 'high'):.3f}] vs theirs {median_r1('theirs', d, 'estimate'):.3f} "
        f"[{median_r1('theirs', d, 'low'):.3f}, {median_r1('theirs', d, 'high'):.3f}]"
        for label, d in zip(("title→description", "description→title"), directions, strict=True))
    ratios = ", ".join(f"{r:.2f}" for r in summary["ratios"])
    result = (f"**{summary['ratio']:.2f}×** (per repetition {ratios}; by CPU seconds {summary['cpu_ratio']:.2f}×); {summary['ours_pairs_per_s']:.2f} vs "
              f"{summary['theirs_pairs_per_s']:.2f} pairs/s, {summary['steps']} steps of 32; {quality}")
    verdict = _met(summary["ratio"] >= TRAINER_GOAL and equal_quality)
    return ["(a) training throughput vs `SentenceTransformerTrainer` (`bench_st_trainer.py`)", result,
            f"≥ {TRAINER_GOAL}× at equal quality (ours' R@1 ≥ theirs' lower 95% bound, both directions)",
            verdict], verdict


def flops_row(out: dict[str, Any]) -> list[str]:
    peak, run = out["peak"], out["train"]
    result = (f"MFU **{run['mfu']:.1%}** ({run['flops_per_s'] / 1e9:,.1f} GFLOP/s achieved, padded tokens; "
              f"{run['useful_mfu']:.1%} counting only real tokens) of a measured {peak['dtype']} matmul peak of "
              f"{peak['flops_per_s'] / 1e9:,.1f} GFLOP/s; {run['steps']} steps on {out['device']}; padding is "
              f"{1 - run['useful_flops'] / run['flops']:.0%} of the FLOPs computed in length chunks, "
              f"{1 - run['useful_flops'] / run['one_pass_flops']:.0%} in one padded pass per side")
    return ["(b) hardware efficiency (`bench_flops.py`)", result, "reported (no threshold set)", "—"]


def evaluation_row(cases: list[dict[str, Any]], quick: bool) -> list[str]:
    measured = [c for c in cases if "skipped" not in c]
    at_1m = [c for c in measured if c["size"] == 1_000_000 and c["method"] != "naive"]
    parts = [f"{c['size'] // 1000}k {c['method']}: {c['seconds']:.2f} s, +{c['extra_mb']} MB" for c in measured]
    ok = all(c["extra_mb"] < EVAL_GOAL_MB for c in at_1m) if at_1m else None
    note = " (`--quick` stops at 10k; see the section below for 1M)" if quick else ""
    return ["(d) evaluation scaling (`bench_evaluation.py`)", "; ".join(parts) + note,
            "under 1 GB beyond the embeddings at 1M", _met(ok)]


def first_result_row(out: dict[str, Any]) -> list[str]:
    """Table row of part (e): the first finished run, the first named stage, the cancel latencies."""
    first, named, worst = out["first_result_s"], out["first_named_stage_s"], out["max_cancel_s"]
    early = ["finished before the cancel"]

    def cancel_text(trial: dict[str, Any]) -> str:
        if trial["latency_s"] is None:
            return f"{trial['stage']} not seen"
        return f"{trial['stage']} " + ("finished first" if trial["problems"] == early else f"{trial['latency_s']:.2f} s")

    cancels = ", ".join(cancel_text(c) for c in out["cancel"])
    problems = [f"{c['stage']}: {'; '.join(c['problems'])}" for c in out["cancel"] if c["problems"] not in ([], early)]
    cpu = out.get("runner_cpu_s_at_first_result")
    result = (f"first finished run after **{first:.0f} s** (job process CPU {cpu:.0f} s)" if first is not None and cpu
              else f"first finished run after **{first:.0f} s**" if first is not None else "no run finished")
    result += (f"; a named stage on the card after {named:.2f} s; cancel latency max **{worst:.2f} s** ({cancels})"
               f"{'; left behind: ' + ' | '.join(problems) if problems else ''}; load average "
               f"{', '.join(str(x) for x in out['load_average'])} while it ran")
    ok = (first is not None and first < FIRST_RESULT_GOAL_S and named is not None and named < NAMED_STAGE_GOAL_S
          and worst is not None and worst < CANCEL_GOAL_S and not problems)
    return ["(e) time to first result in the dashboard (`bench_first_result.py`)", result,
            f"first run under {FIRST_RESULT_GOAL_S:.0f} s, a named stage within {NAMED_STAGE_GOAL_S:.0f} s, "
            f"cancel under {CANCEL_GOAL_S:.0f} s in every stage, nothing left running", _met(ok)]


def dashboard_row(out: dict[str, Any]) -> list[str]:
    """Table row of part (f): medians of the first chart after opening Results from the sidebar and after a reload."""
    nav, reload = out["navigation_s"], out["reload_s"]
    floor = (f"; a page with only a title and one chart reloads in {out['floor_reload_s']:.2f} s here now"
             if out.get("floor_reload_s") is not None else "")
    result = (f"{out['runs']} runs: first chart **{nav:.2f} s** after opening Results from the sidebar (median of "
              f"{len(out['all']['navigation_s'])}), **{reload:.2f} s** after a full browser reload (median of "
              f"{len(out['all']['reload_s'])}, timed in the page; {out['reload_seen_s']:.2f} s as Playwright saw it); "
              f"first load {out['first_load_s']:.1f} s{floor}; server RSS {out['server_rss_mb']:.0f} MB; "
              f"load average {out['load_average']}")
    return ["(f) Results with 50 stored runs (`bench_dashboard.py`)", result,
            f"first chart under {DASHBOARD_GOAL_S:.0f} s after the first load (sidebar and reload)",
            _met(nav < DASHBOARD_GOAL_S and reload < DASHBOARD_GOAL_S)]


def comparison_row(out: dict[str, Any]) -> list[str]:
    """Table row of part (c): the 4-loss comparison's peak RSS and its time against the four single runs."""
    stages = ", ".join(f"{stage} {peak:,} MiB" for stage, peak in sorted(out["stage_peaks_mb"].items(),
                                                                        key=lambda kv: -kv[1])[:3])
    epochs = f"--epochs {out['epochs']}" if out["epochs"] is not None else "default epochs"
    if out["singles_s"] is None:
        timing = f"{out['comparison_s']:.0f} s (single runs not timed with `--quick`)"
    else:
        timing = (f"{out['comparison_s']:.0f} s against {out['singles_s']:.0f} s for the four single runs "
                  f"(**{out['ratio']:.2f}×**)")
    result = (f"peak RSS **{out['peak_rss_mb']:,} MiB** ({epochs}, {out['device']}, allocator "
              f"{out.get('allocator') or 'unknown'}; highest stages: {stages}; "
              f"base model {out['run_peaks_mb'][0]:,} MiB, then per run {', '.join(f'{p:,}' for p in out['run_peaks_mb'][1:])} MiB); "
              f"{timing}")
    return ["(c) comparison cost (`bench_compare.py`)", result,
            f"under {out['goal_mb'] / 1024:.1f} GB ({out['goal_mb']:,.0f} MiB) peak RSS on CPU", _met(out["met"])]


def cached_row(rows: list[dict[str, Any]] | None) -> list[str]:
    label = "2. large batches in small memory (`bench_cached_memory.py`)"
    goal = "cached 1,024 within the memory of uncached 64"
    if rows is None:
        return [label, "not run with `--quick` (see the section below)", goal, _met(None)]
    by = {(r["batch"], bool(r["mini_batch"])): r for r in rows}
    small, big = by.get((64, False)), by.get((1024, True))
    if not small or not big or "over_cap_mb" in small or "over_cap_mb" in big:
        return [label, json.dumps(rows), goal, _met(None)]
    key = "cuda_peak_mb" if "cuda_peak_mb" in small else "peak_rss_mb"
    return [label, f"cached 1,024: {big[key]:,.0f} MB; uncached 64: {small[key]:,.0f} MB", goal,
            _met(big[key] <= small[key])]


def render(rows: list[list[str]], ratio_line: str, details: list[str], machine_text: str, command: str,
           seconds: float) -> str:
    lines = [START, "",
             f"Generated by `{command}` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC in {seconds:.0f} s. "
             f"Machine: {machine_text}.", "",
             ratio_line, "",
             "| part | measured (side by side in this run) | goal | verdict |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines += [""]
    lines += details + ["", END]
    return "\n".join(lines)


def write_readme(block: str) -> None:
    text = README.read_text(encoding="utf-8")
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n## Suite results (`bench/run.py`, issue 13)\n\n" + block + "\n"
    README.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small settings; under 10 minutes on 2 CPU cores")
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"),
                        help="device of the FLOP and memory parts (the trainer comparison runs on CPU)")
    parser.add_argument("--no-write", action="store_true", help="print the table, leave bench/README.md alone")
    args = parser.parse_args(argv)
    device = _device(args.device)
    quick = ["--quick"] if args.quick else []
    started = time.perf_counter()

    trainer_out, _, trainer_text = _run_part("bench_st_trainer.py", quick)
    trainer = trainer_out[-1]
    flops_out, _, flops_text = _run_part("bench_flops.py", [*quick, "--device", device])
    evaluation, _, _ = _run_part("bench_evaluation.py",
                                 ["--sizes", *EVAL_SIZES["quick" if args.quick else "full"]])
    comparison, _, comparison_text = _run_part("bench_compare.py", [*quick, "--device", "cpu"])
    first_result, _, _ = _run_part("bench_first_result.py", quick)
    dashboard, _, _ = _run_part("bench_dashboard.py", ["--runs", str(DASHBOARD_RUNS),
                                                       *DASHBOARD_ARGS["quick" if args.quick else "full"]])
    cached = None
    if not args.quick:
        cached_json = REPO / "bench" / ".cached_memory.json"
        _run_part("bench_cached_memory.py", ["--batches", CACHED_BATCHES, "--device", device,
                                             "--json", str(cached_json)])
        cached = json.loads(cached_json.read_text(encoding="utf-8"))
        cached_json.unlink()

    trainer_cells, _ = trainer_row(trainer)
    rows = [trainer_cells, flops_row(flops_out[-1]), comparison_row(comparison[-1]), evaluation_row(evaluation, args.quick),
            first_result_row(first_result[-1]), dashboard_row(dashboard[-1]), cached_row(cached)]
    ratio_line = next(line for line in trainer_text.splitlines() if line.startswith("sentence-transformers trainer:"))
    details = ["Part (a), every run (A B A B):", "", *[ln for ln in trainer_text.splitlines() if ln.startswith("|")],
               "", "Part (b):", "", *[ln for ln in flops_text.splitlines() if ln.startswith("|")],
               "", "Part (c), peak RSS of the comparison by stage:", "",
               *[ln for ln in comparison_text.splitlines() if ln.startswith("|")]]
    command = "python bench/run.py" + (" --quick" if args.quick else "")
    block = render(rows, ratio_line, details, machine(device), command, time.perf_counter() - started)
    print(block)
    if not args.no_write:
        write_readme(block)


if __name__ == "__main__":
    main()
