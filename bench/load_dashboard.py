"""Load test of the dashboard: concurrent browser sessions click through Results while a job trains.

Usage: .venv/bin/python bench/load_dashboard.py [--sessions 5] [--rounds 2] [--out load.json]

Builds a small stored comparison with the tiny test model (as tests/dashboard/test_views.py does),
submits a long tiny-model comparison job to the same store so a worker trains throughout, starts
``streamlit run dashboard/app.py`` on a free loopback port, and opens one Debian chromium with
``--sessions`` browser contexts at once. Each context opens the dashboard, then does ``--rounds``
rounds of: open Results from the sidebar, click every section and every part of "Technical
details", go back to Start. A page time runs from the click (or the navigation) until the page has
settled: no running indicator, no stale element, and the step's chart or its "nothing stored"
notice on screen. Errors are Streamlit exceptions on the page, console and page errors, and
time-outs. Requests to any host but 127.0.0.1 are blocked and listed apart.

The same scenario runs in the suite as tests/load/test_dashboard_load.py (marker ``load``), which
asserts that there are no errors and reports the times without asserting them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SESSIONS = 5
ROUNDS = 2
STEP_TIMEOUT_MS = 60_000
# 64 train pairs / batch 8 = 8 steps an epoch: thousands of steps, far longer than the load; cancelled after it.
TRAIN_EPOCHS = 1000
LOCAL_HOST = "127.0.0.1"

# Settled: Streamlit is not running the script, nothing on the page is stale (left from the previous
# run), and one of the section's markers is in a live element.
SETTLED_JS = """(markers) => {
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  if (document.querySelector('[data-testid="stElementContainer"][data-stale="true"]')) return false;
  const live = document.querySelectorAll('[data-testid="stElementContainer"]:not([data-stale="true"])');
  return [...live].some(el => markers.some(m => el.textContent.includes(m)));
}"""


@dataclass(frozen=True)
class Step:
    """One timed action and what shows it is done.

    ``action`` is "load" (open the dashboard's address: a new Streamlit session), "nav" (click the
    sidebar link ``label``) or "pick" (click the section button ``label``); ``markers`` are texts of
    which one must be in a live element once the page has settled.
    """

    name: str
    action: str
    label: str
    markers: tuple[str, ...]


def _fragment(template: str, limit: int = 60) -> str:
    """The longest literal piece of a catalogue template (fields like ``{metric}`` vary)."""
    return max(re.split(r"\{[^}]*\}", template), key=len).strip()[:limit]


def session_steps() -> tuple[list[Step], list[Step]]:
    """The steps, in English (the dashboard's default): (once per session, once per round).

    A session opens the Start page. A round opens Results from the sidebar, clicks every section and
    every part of "Technical details", and goes back to Start. Each step is marked by its chart title
    or, where nothing is stored, its "nothing stored" notice, read from the message catalogue so a
    wording change does not break the scenario. Calibration comes last among the technical parts and
    Retrieval last among the sections: they are the defaults, and clicking the picked button of a
    segmented control un-picks it.
    """
    from engine.i18n import message, override

    with override("en"):
        sections, technical = message("decision_screen.SECTIONS"), message("decision_screen.TECHNICAL")
        empty = message("decision_screen.EMPTY")
        home = (_fragment(message("dashboard.HOME_RUNS")),)

        def marks(chart_key: str, empty_key: str | None) -> tuple[str, ...]:
            texts = [message(f"charts.{chart_key}")] + ([empty[empty_key]] if empty_key else [])
            return tuple(_fragment(text) for text in texts)

        start = [Step("start", "load", "", home)]
        round_steps = [
            Step("open_results", "nav", message("dashboard.PAGE_RESULTS"), marks("RETRIEVAL_TITLE", None)),
            Step("similarity", "pick", sections["similarity"], marks("SIMILARITY_TITLE", "similarity")),
            Step("learning", "pick", sections["learning"], marks("LEARNING_TITLE", "learning")),
            Step("examples", "pick", sections["examples"], marks("RANK_TITLE", "examples")),
            Step("technical", "pick", sections["technical"], marks("CALIBRATION_TITLE", "calibration")),
            Step("latent", "pick", technical["latent"], marks("LATENT_TITLE", "latent")),
            Step("low_rank", "pick", technical["low_rank"], marks("SPECTRUM_TITLE", "low_rank")),
            Step("training", "pick", technical["training"], marks("LOSS_TITLE", "training")),
            Step("calibration", "pick", technical["calibration"], marks("CALIBRATION_TITLE", "calibration")),
            Step("retrieval", "pick", sections["retrieval"], marks("RETRIEVAL_TITLE", None)),
            Step("back_to_start", "nav", message("dashboard.PAGE_HOME"), home),
        ]
    return start, round_steps


# --- fixtures: a stored comparison, a training job, the server -------------------------------------


def _test_helpers() -> Any:
    """tests/conftest.py (the tiny model and toy rows), loaded by path: tests/ is not a package."""
    spec = importlib.util.spec_from_file_location("tiltpilot_test_helpers", REPO / "tests" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_store(folder: Path, model_dir: Path) -> tuple[Path, Path]:
    """A store holding a finished clip/joint comparison of 80 toy pairs, trained with the tiny model.

    Returns:
        The store and the CSV it was trained on.
    """
    from engine.cli import main

    helpers = _test_helpers()
    data = helpers.write_csv(folder / "pairs.csv", helpers.toy_rows())
    store = folder / "store"
    code = main(["compare", str(data), "--losses", "clip,joint", "--epochs", "1", "--model", str(model_dir),
                 "--max-seq-length", "32", "--batch-size", "8", "--device", "cpu", "--latent-map", "pca",
                 "--bootstrap", "200", "--out", str(store)])
    if code != 0:
        raise RuntimeError(f"tiltpilot compare exited with {code}")
    return store, data


def start_training(store: Path, data: Path, model_dir: Path) -> str:
    """Queue a tiny-model comparison long enough to train through the whole load; returns its job id."""
    from engine.jobs import submit_job

    spec = {"data": str(data), "losses": ["clip"], "tilts": ["cosine"], "epochs": TRAIN_EPOCHS, "batch_size": 8,
            "learning_rate": 1e-3, "model": str(model_dir), "max_seq_length": 32, "device": "cpu",
            "analysis": False, "latent_map": "pca", "bootstrap": 200}
    return submit_job(store, spec, idle_s=1.0)


def wait_until_training(store: Path, job_id: str, timeout_s: float = 120.0) -> dict[str, Any]:
    """Block until the job reports training steps (the worker has loaded the model and started)."""
    from engine.jobs import get_job

    deadline = time.monotonic() + timeout_s
    while True:
        job = get_job(store, job_id)
        if (job.get("progress") or {}).get("stage") == "train" and job["progress"].get("step", 0) > 0:
            return job
        if job["state"] in ("done", "failed", "cancelled") or time.monotonic() > deadline:
            raise RuntimeError(f"the training job did not start training: {json.dumps(job)}")
        time.sleep(0.2)


def stop_training(store: Path, job_id: str, timeout_s: float = 60.0) -> dict[str, Any]:
    """Cancel the job and wait until the worker has recorded it finished; returns the last job record."""
    from engine.jobs import cancel_job, get_job

    cancel_job(store, job_id)
    deadline = time.monotonic() + timeout_s
    while (job := get_job(store, job_id))["state"] not in ("done", "failed", "cancelled"):
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    return job


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOCAL_HOST, 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(store: Path, log_path: Path, timeout_s: float = 90.0) -> Iterator[tuple[str, int]]:
    """``streamlit run dashboard/app.py`` on a free loopback port over ``store``; yields (url, pid)."""
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TILTPILOT_STORE": str(store)}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard" / "app.py"),
             "--server.headless", "true", "--server.address", LOCAL_HOST, "--server.port", str(port),
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            url = f"http://{LOCAL_HOST}:{port}"
            _wait_healthy(url, proc, log_path, timeout_s)
            yield url, proc.pid
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _wait_healthy(url: str, proc: subprocess.Popen, log_path: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log_path.read_text(errors='replace')}")
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"streamlit was not healthy after {timeout_s:.0f} s")
        time.sleep(0.3)


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (NaN when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


# --- the browser sessions --------------------------------------------------------------------------


def _is_local(url: str) -> bool:
    parsed = urllib.parse.urlparse(url)
    return parsed.scheme in ("data", "blob", "about") or parsed.hostname == LOCAL_HOST


@dataclass
class SessionLog:
    """What one browser session saw: page times as (round, step, seconds), errors, blocked outside requests."""

    times: list[tuple[int, str, float]]
    errors: list[str]
    external: set[str]


async def _watch(context: Any, page: Any, log: SessionLog) -> None:
    """Block every request that leaves 127.0.0.1, and record console and page errors."""

    async def route(request_route: Any) -> None:
        url = request_route.request.url
        if _is_local(url):
            await request_route.continue_()
        else:
            log.external.add(url.split("?")[0])
            await request_route.abort()

    def console(msg: Any) -> None:
        # A blocked outside request shows up as a console error about that resource: listed apart.
        if msg.type == "error" and _is_local(msg.location.get("url") or ""):
            log.errors.append(f"console: {msg.text[:300]} ({msg.location.get('url')})")

    await context.route("**/*", route)
    page.on("console", console)
    page.on("pageerror", lambda exc: log.errors.append(f"page error: {str(exc)[:300]}"))


async def _timed_step(page: Any, url: str, step: Step, round_no: int, log: SessionLog) -> bool:
    """Do one step and record its time; returns False (with the error logged) when the page did not settle."""
    start = time.monotonic()
    try:
        if step.action == "load":
            await page.goto(url, timeout=STEP_TIMEOUT_MS)
        elif step.action == "nav":
            link = page.locator('a[data-testid="stSidebarNavLink"]', has_text=step.label).first
            await link.click(timeout=STEP_TIMEOUT_MS)
        else:
            picker = page.locator('[data-testid="stButtonGroup"]')
            await picker.get_by_role("radio", name=step.label, exact=True).click(timeout=STEP_TIMEOUT_MS)
        await page.wait_for_function(SETTLED_JS, arg=list(step.markers), timeout=STEP_TIMEOUT_MS, polling=50)
    except Exception as exc:  # a time-out or a broken page is a result to count, not a crash
        log.errors.append(f"{step.name}: {type(exc).__name__}: {str(exc).splitlines()[0][:300]}")
        return False
    log.times.append((round_no, step.name, time.monotonic() - start))
    exceptions = await page.locator('[data-testid="stException"]').all_text_contents()
    log.errors.extend(f"{step.name}: exception on the page: {text[:300]}" for text in exceptions)
    return not exceptions


async def _session(browser: Any, url: str, rounds: int, shots: Path | None, index: int) -> SessionLog:
    log = SessionLog(times=[], errors=[], external=set())
    start, round_steps = session_steps()
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    await _watch(context, page, log)
    try:
        fresh = True
        for round_no in range(rounds):
            for step in (start if fresh else []) + round_steps:
                fresh = not await _timed_step(page, url, step, round_no, log)
                if fresh:  # a failed step: screenshot, then the next round starts from a fresh page load
                    if shots:
                        await page.screenshot(path=str(shots / f"load-error-s{index}-r{round_no}-{step.name}.png"))
                    break
    finally:
        await context.close()
    return log


async def _drive(url: str, sessions: int, rounds: int, shots: Path | None) -> list[SessionLog]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return list(await asyncio.gather(*(_session(browser, url, rounds, shots, i) for i in range(sessions))))
        finally:
            await browser.close()


def drive(url: str, sessions: int = SESSIONS, rounds: int = ROUNDS, shots: Path | None = None) -> list[SessionLog]:
    """Run ``sessions`` browser contexts of one chromium at once, each doing ``rounds`` rounds of the steps.

    Args:
        url: The dashboard's base URL (127.0.0.1 only: other hosts are blocked).
        sessions: Concurrent browser contexts (each its own Streamlit session).
        rounds: Rounds per session: open Results from the sidebar, every section, back to Start.
        shots: Where to save a screenshot of a page that failed; None for none.

    Returns:
        One log per session.
    """
    # A thread of its own: under pytest, the sync Playwright of the browser tests may already run an
    # event loop in this thread, and asyncio.run refuses to nest.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _drive(url, sessions, rounds, shots)).result()


# --- figures ---------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between order statistics (NaN if empty)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarise(logs: list[SessionLog], *, rounds: int, wall_s: float, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The figures: errors (goal 0), p50/p95/max page time overall, per step and per round, blocked outside requests."""
    times = [t for log in logs for _, _, t in log.times]
    by_step: dict[str, list[float]] = {}
    by_round: dict[str, list[float]] = {}
    for log in logs:
        for round_no, name, t in log.times:
            by_step.setdefault(name, []).append(t)
            by_round.setdefault(str(round_no + 1), []).append(t)

    def stats(values: list[float]) -> dict[str, Any]:
        return {"n": len(values), "p50_s": round(percentile(values, 50), 3), "p95_s": round(percentile(values, 95), 3),
                "max_s": round(max(values), 3) if values else None,
                "mean_s": round(statistics.fmean(values), 3) if values else None}

    return {
        "sessions": len(logs), "rounds": rounds, "pages": len(times),
        "errors": sum(len(log.errors) for log in logs),
        "error_messages": [e for log in logs for e in log.errors][:50],
        "page_time": stats(times),
        "per_step": {name: stats(values) for name, values in by_step.items()},
        # round 1 finds cold caches (first imports, st.cache_data misses); later rounds are warm
        "per_round": {name: stats(values) for name, values in by_round.items()},
        "external_requests_blocked": sorted({u for log in logs for u in log.external}),
        "wall_s": round(wall_s, 1),
        **(extra or {}),
    }


def run_scenario(store: Path, data: Path, model_dir: Path, log_dir: Path, *, sessions: int = SESSIONS,
                 rounds: int = ROUNDS, shots: Path | None = None) -> dict[str, Any]:
    """Serve ``store``, train a job in it, drive the browser sessions, stop the job; returns the figures.

    Args:
        store: A store holding a finished comparison (see :func:`build_store`).
        data: The CSV the training job trains on.
        model_dir: A sentence-transformers folder for the job (the tiny test model).
        log_dir: Where the server's log goes.
        sessions: Concurrent browser sessions.
        rounds: Rounds per session.
        shots: Folder for screenshots of failed pages; None for none.

    Returns:
        The figures of :func:`summarise`, plus the training job's steps during the load and its state
        when the load ended (it must still have been running), and the server's memory.
    """
    from engine.jobs import get_job

    job_id = start_training(store, data, model_dir)
    try:
        # The server starts while the worker loads the model; the sessions wait until it trains.
        with serve(store, log_dir / "streamlit.log") as (url, pid):
            first = wait_until_training(store, job_id)
            start = time.monotonic()
            logs = drive(url, sessions, rounds, shots)
            wall = time.monotonic() - start
            server_mb = rss_mb(pid)
        last = get_job(store, job_id)
    finally:
        stopped = stop_training(store, job_id)
    training = {"job_state_after_load": last["state"], "job_final_state": stopped["state"],
                "train_steps_during_load": (last.get("progress") or {}).get("step", 0) - first["progress"]["step"]}
    return summarise(logs, rounds=rounds, wall_s=wall,
                     extra={"training": training, "server_rss_mb": round(server_mb, 1)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=SESSIONS)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--out", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    with tempfile.TemporaryDirectory(prefix="load_dashboard_") as tmp:
        folder = Path(tmp)
        start = time.monotonic()
        model_dir = _test_helpers()._build_tiny_model(folder / "model")
        store, data = build_store(folder, model_dir)
        figures = run_scenario(store, data, model_dir, folder, sessions=args.sessions, rounds=args.rounds)
        figures["total_s"] = round(time.monotonic() - start, 1)
    text = json.dumps(figures, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0 if figures["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
