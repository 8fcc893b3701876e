"""Time to first result in the dashboard, and cancel latency per stage (issue 13, deliverable 1(e)).

Usage: HF_HUB_OFFLINE=1 nice .venv/bin/python bench/bench_first_result.py [--quick] [--cancel-stages a,b,...]
       [--json out.json]

First result: the job the Start page's sample button submits (``engine.jobs.spec.quick_run_spec`` on
the bundled ``catalogue.csv`` with the model the button picks), submitted through
``engine.jobs.submit_job`` into a fresh store exactly as the button does (a detached worker, a runner
process per job). The clock starts at the submit call; the script polls the job file and the run
folders every 50 ms and records when each named stage first shows, when the job card first has a
named stage, and when the first run is ``done`` (its metrics and stored evidence written). The job
is then cancelled in its second run's training, which gives the cancel latency of that stage.

Cancel latency: for each stage of ``--cancel-stages``, a fresh job (the sample cut to
:data:`SMALL_ROWS` rows, so the late stages come quickly) is cancelled as soon as its card shows that
stage; the latency is from the ``cancel_job`` call until the job reads ``cancelled``. Each trial also
checks that no run was left ``running`` and no temporary file was left behind.

Prints one line per measurement and, last, a JSON summary that ``bench/run.py`` parses. Times are
wall-clock on a shared machine (the load average is recorded with them); the runner's CPU seconds
until the first result are a second reading less moved by other work.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from engine.datasets import TEXT_SAMPLES, register_sample  # noqa: E402
from engine.jobs import cancel_job, get_job, submit_job  # noqa: E402
from engine.jobs.spec import quick_run_spec  # noqa: E402
from engine.models.packaged import recommend, side_languages  # noqa: E402
from engine.runs import RunPaths, read_json  # noqa: E402
from engine.runs.atomic import is_temp_file  # noqa: E402

POLL_S = 0.05
GOAL_FIRST_RESULT_S = 90.0
GOAL_CANCEL_S = 2.0
SMALL_ROWS = 80
FULL_CANCEL_STAGES = ("starting", "load_model", "evaluate_base", "classify_base", "train", "evaluate_tuned",
                      "classify_tuned", "analyse:low_rank", "analyse:latent_map", "compare_runs")
QUICK_CANCEL_STAGES = ("evaluate_base", "analyse:latent_map")  # plus run 2's training; keeps the suite short
FINISHED = ("done", "failed", "cancelled")
TIMEOUT_S = 900.0


def _sample_spec(store: Path, max_rows: int | None = None) -> dict[str, Any]:
    """The Start button's job for the English sample (the model it picks for the sample's languages)."""
    entry = register_sample(store, TEXT_SAMPLES["catalogue"])
    from engine.data import load_pairs

    pairs = load_pairs(entry.path, entry.mapping)
    spec = quick_run_spec(entry.path, recommend(side_languages(pairs.left[:50], pairs.right[:50])).name)
    return {**spec, "max_rows": max_rows} if max_rows else spec


def _runs(store: Path) -> dict[str, dict[str, Any]]:
    found = {}
    for child in sorted(store.iterdir()):
        if child.is_dir() and child.name not in ("jobs", "datasets"):
            status = read_json(RunPaths(child).status, default=None)
            if isinstance(status, dict):
                found[child.name] = status
    return found


def _cpu_s(pid: int | None) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError, TypeError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stage(job: dict[str, Any]) -> str | None:
    return (job.get("progress") or {}).get("stage")


def _wait_cancelled(store: Path, job_id: str) -> float:
    """Cancel now; seconds until the job reads finished."""
    started = time.perf_counter()
    cancel_job(store, job_id)
    while get_job(store, job_id)["state"] not in FINISHED:
        if time.perf_counter() - started > 60:
            raise RuntimeError(f"job {job_id} did not stop within 60 s of its cancel")
        time.sleep(0.01)
    return time.perf_counter() - started


def _check_clean(store: Path, job_id: str) -> list[str]:
    """Problems a cancel left: the job not cancelled, runs still running, temporary files."""
    problems = []
    job = get_job(store, job_id)
    if job["state"] == "done":
        return ["finished before the cancel"]
    if job["state"] != "cancelled":
        problems.append(f"job {job['state']}")
    for name, status in _runs(store).items():
        if status.get("state") in ("queued", "running"):
            problems.append(f"run {name} {status.get('state')}")
    problems += [f"temporary file {p.relative_to(store)}" for p in store.rglob("*") if is_temp_file(p)]
    return problems


def first_result() -> dict[str, Any]:
    """Submit the sample job; time every stage and the first finished run; cancel it in run 2's training."""
    store = Path(tempfile.mkdtemp(prefix="bench_first_result_"))
    spec = _sample_spec(store)
    started = time.perf_counter()
    job_id = submit_job(store, spec)
    seen: dict[str, float] = {}
    cpu_seen: dict[str, float | None] = {}  # the runner's CPU seconds when each stage first showed
    named_after = first_done = cpu = None
    cancel_s = None
    while time.perf_counter() - started < TIMEOUT_S:
        now = time.perf_counter() - started
        job = get_job(store, job_id)
        progress = job.get("progress") or {}
        stage = _stage(job)
        if stage and named_after is None:
            named_after = now
        key = f"{stage}@{progress.get('run_label')}" if progress.get("run_label") else stage
        if key and key not in seen:
            seen[key] = round(now, 2)
            cpu_seen[key] = _cpu_s(job.get("runner_pid"))
            print(f"[first-result] {now:7.2f} s  {key} (runner CPU {cpu_seen[key]} s)", file=sys.stderr, flush=True)
        if first_done is None and any(s.get("state") == "done" for s in _runs(store).values()):
            first_done = now
            cpu = _cpu_s(job.get("runner_pid"))
            print(f"[first-result] {now:7.2f} s  first run done", file=sys.stderr, flush=True)
        if first_done is not None and stage == "train" and (progress.get("runs_done") or 0) >= 1:
            cancel_s = _wait_cancelled(store, job_id)
            break
        if job["state"] in FINISHED:
            break
        time.sleep(POLL_S)
    return {"first_result_s": first_done, "first_named_stage_s": named_after, "stages_s": seen,
            "stages_runner_cpu_s": cpu_seen,
            "runner_cpu_s_at_first_result": cpu, "cancel_in_run_2_training_s": cancel_s,
            "cancel_problems": _check_clean(store, job_id) if cancel_s is not None else None,
            "model": spec["model"], "store": str(store)}


def cancel_trial(target: str) -> dict[str, Any]:
    """A small sample job cancelled as soon as its card shows ``target``; the latency and what it left."""
    store = Path(tempfile.mkdtemp(prefix="bench_cancel_"))
    job_id = submit_job(store, _sample_spec(store, SMALL_ROWS))
    started = time.perf_counter()
    while time.perf_counter() - started < TIMEOUT_S:
        job = get_job(store, job_id)
        stage = _stage(job)
        if stage == target:
            latency = _wait_cancelled(store, job_id)
            problems = _check_clean(store, job_id)
            print(f"[cancel] {target}: {latency:.2f} s {problems or 'clean'}", file=sys.stderr, flush=True)
            return {"stage": target, "latency_s": round(latency, 3), "problems": problems}
        if job["state"] in FINISHED:
            break
        time.sleep(0.01)
    return {"stage": target, "latency_s": None, "problems": ["stage not seen"]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="cancel only in a few stages")
    parser.add_argument("--cancel-stages", default=None, help="comma-separated stages to cancel in ('none': none)")
    parser.add_argument("--json", default=None, help="also write the summary here")
    args = parser.parse_args(argv)
    stages = ([s for s in args.cancel_stages.split(",") if s and s != "none"] if args.cancel_stages is not None
              else QUICK_CANCEL_STAGES if args.quick else FULL_CANCEL_STAGES)
    summary = first_result()
    summary["cancel"] = [cancel_trial(stage) for stage in stages]
    if summary["cancel_in_run_2_training_s"] is not None:
        summary["cancel"].append({"stage": "train", "latency_s": round(summary["cancel_in_run_2_training_s"], 3),
                                  "problems": summary["cancel_problems"]})
    latencies = [c["latency_s"] for c in summary["cancel"]
                 if c["latency_s"] is not None and c["problems"] != ["finished before the cancel"]]
    summary["max_cancel_s"] = max(latencies) if latencies else None
    summary["goal_first_result_s"], summary["goal_cancel_s"] = GOAL_FIRST_RESULT_S, GOAL_CANCEL_S
    summary["load_average"] = [round(x, 1) for x in os.getloadavg()]
    line = json.dumps(summary)
    if args.json:
        Path(args.json).write_text(line + "\n", encoding="utf-8")
    print(line)


if __name__ == "__main__":
    main()
