"""Time to first chart of the Results page with N stored runs, and the dashboard process's memory.

Usage: HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_dashboard.py [--source-store STORE] [--runs 50]
       [--reloads 4] [--navigations 6] [--no-floor]

Copies the finished runs of a store (cycling if it has fewer than --runs; each run's ``model/``
folder is left out, as the Results page never reads it) into a fresh store, with the source's
``comparison.json`` and ``learning_curve.json`` pointing at the first copies, so the page opens on
a stored comparison as a user's does. Without ``--source-store`` a source is built first: a
1-epoch clip-vs-joint comparison of ``sample_data/catalogue_small.csv`` with the PCA map and 200
bootstrap resamples (the cheapest setting that stores every section), about 2 minutes on 2 cores;
with ``--source tiny`` the same comparison of toy pairs with the test suite's tiny model (~30 s).

Then starts ``streamlit run dashboard/app.py`` on a free port and, in Debian's chromium:

* the first load of ``/results`` (server imports, cold caches, nothing in the browser's cache);
* ``--reloads`` full reloads of ``/results``: a new document and a new Streamlit session each;
* ``--navigations`` openings of Results from the sidebar after Start, as a user moves in the app.

Each is timed to the first plotly chart drawn (its SVG in the page), measured inside the page
(``performance.now()``), so the time Playwright itself needs to notice it (0.1-0.3 s on a loaded
machine) is left out; the Playwright-observed time of the reloads is reported too. With the floor
on, the same is measured for a page holding only a title and one small plotly chart: what any
Streamlit page with a chart costs on this machine at this load. The last line of stdout is a JSON
object (keys in :func:`main`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SOURCE_DATA = REPO / "sample_data" / "catalogue_small.csv"
# The cheapest comparison that still stores every section the Results page draws.
SOURCE_ARGS = ["--losses", "clip,joint", "--epochs", "1", "--latent-map", "pca", "--bootstrap", "200"]
# Settled: Streamlit is not running the script and nothing on the page is left from a previous run.
SETTLED_JS = """() => !document.querySelector('[data-testid="stStatusWidget"]')
  && !document.querySelector('[data-testid="stElementContainer"][data-stale="true"]')"""
CHART = '[data-testid="stPlotlyChart"]'
# In every document: the page time (ms since navigation) at which the first plotly SVG appears.
MARK_CHART_JS = """
window.__chartAt = null;
new MutationObserver(() => {
  if (window.__chartAt === null && document.querySelector('[data-testid="stPlotlyChart"] .main-svg')) {
    window.__chartAt = performance.now();
  }
}).observe(document, {subtree: true, childList: true});
"""
NAV_LINK = 'a[data-testid="stSidebarNavLink"][href$="/{page}"]'
# The floor: a page with a title and one small chart, nothing read from the store.
FLOOR_APP = """import plotly.graph_objects as go
import streamlit as st

st.title("Results")
st.plotly_chart(go.Figure(go.Bar(x=["a", "b"], y=[1, 2])).update_layout(template="plotly_white"))
"""


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_source(folder: Path, kind: str) -> Path:
    """A store with a finished clip-vs-joint comparison (see the module docstring).

    Args:
        folder: Where to build it.
        kind: ``"sample"`` (the real default model on the small sample, ~2 min on 2 cores) or
            ``"tiny"`` (the test suite's tiny model on its toy pairs, as ``load_dashboard.py``; ~30 s).
    """
    if kind == "tiny":
        from load_dashboard import _test_helpers, build_store

        (folder / "tiny").mkdir()
        return build_store(folder / "tiny", _test_helpers()._build_tiny_model(folder / "tiny" / "model"))[0]
    store = folder / "source"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    subprocess.run([sys.executable, "-m", "engine", "compare", str(SOURCE_DATA), *SOURCE_ARGS, "--out", str(store)],
                   cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
    return store


def _renamed(value: Any, names: dict[str, str]) -> Any:
    """``value`` with every string that is a source run id replaced by its copy's id."""
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return [_renamed(v, names) for v in value]
    if isinstance(value, dict):
        return {names.get(k, k): _renamed(v, names) for k, v in value.items()}
    return value


def copy_runs(source: Path, target: Path, n: int) -> None:
    """``n`` finished runs of ``source`` (cycling) under new ids in ``target``, with its index and comparison."""
    runs = sorted(p for p in source.iterdir() if (p / "metrics.json").is_file())
    if not runs:
        raise SystemExit(f"no finished runs in {source}")
    source_index = json.loads((source / "index.json").read_text(encoding="utf-8"))["runs"]
    index: dict[str, Any] = {"version": 1, "runs": {}}
    first_copy: dict[str, str] = {}
    for i in range(n):
        src = runs[i % len(runs)]
        run_id = f"{src.name}-copy{i:02d}"
        first_copy.setdefault(src.name, run_id)
        shutil.copytree(src, target / run_id, ignore=lambda folder, _names, src=src:
                        ["model"] if Path(folder) == src else [])
        config = json.loads((target / run_id / "config.json").read_text(encoding="utf-8"))
        config["run_id"] = run_id
        (target / run_id / "config.json").write_text(json.dumps(config), encoding="utf-8")
        index["runs"][run_id] = {**source_index.get(src.name, {}), "run_id": run_id, "state": "done"}
    (target / "index.json").write_text(json.dumps(index), encoding="utf-8")
    for name in ("comparison.json", "learning_curve.json"):
        if (source / name).is_file():
            stored = json.loads((source / name).read_text(encoding="utf-8"))
            (target / name).write_text(json.dumps(_renamed(stored, first_copy)), encoding="utf-8")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _wait_healthy(url: str, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the dashboard did not start")


def _serve(app: Path, store: Path) -> tuple[subprocess.Popen, str]:
    port = _port()
    env = {**os.environ, "TILTPILOT_STORE": str(store), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--browser.gatherUsageStats", "false"],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url)
    except BaseException:
        _stop(proc)
        raise
    return proc, url


def _stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=15)


def _open(page: Any, url: str) -> tuple[float, float]:
    """Load ``url`` in a new document; (seconds to the first chart in the page, as Playwright saw it)."""
    started = time.perf_counter()
    page.goto(url)
    page.locator(CHART).first.wait_for(state="visible", timeout=180_000)
    seen = time.perf_counter() - started
    page.wait_for_function("() => window.__chartAt !== null", timeout=60_000)
    in_page = page.evaluate("window.__chartAt") / 1000
    page.wait_for_function(SETTLED_JS, timeout=180_000, polling=50)
    return in_page, seen


def _navigate(page: Any) -> float:
    """From Start, open Results in the sidebar; seconds from the click to its first chart, in the page."""
    page.locator(NAV_LINK.format(page="")).first.click()
    page.wait_for_function(f"() => !document.querySelector('{CHART}')", timeout=60_000)
    page.wait_for_function(SETTLED_JS, timeout=60_000, polling=50)
    page.evaluate("() => { window.__chartAt = null; window.__clickAt = performance.now(); }")
    page.locator(NAV_LINK.format(page="results")).first.click()
    page.wait_for_function("() => window.__chartAt !== null", timeout=180_000)
    elapsed = page.evaluate("window.__chartAt - window.__clickAt") / 1000
    page.wait_for_function(SETTLED_JS, timeout=180_000, polling=50)
    return elapsed


@contextlib.contextmanager
def _chart_page(app: Path, store: Path) -> Iterator[tuple[subprocess.Popen, str, Any]]:
    """A served ``app`` and a chromium page that marks its first chart: (server process, url, page)."""
    from playwright.sync_api import sync_playwright

    proc, url = _serve(app, store)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.add_init_script(MARK_CHART_JS)
            yield proc, url, page
            browser.close()
    finally:
        _stop(proc)


def measure(app: Path, store: Path, reloads: int, navigations: int) -> dict[str, Any]:
    """First load, reloads and sidebar navigations of Results (seconds), and the server's RSS (MB)."""
    with _chart_page(app, store) as (proc, url, page):
        loads = [_open(page, url + "/results") for _ in range(1 + reloads)]
        navs = [_navigate(page) for _ in range(navigations)]
        rss = round(_rss_mb(proc.pid), 1)
    return {"first_load_s": round(loads[0][0], 2), "reload_s": [round(x, 2) for x, _ in loads[1:]],
            "reload_seen_s": [round(y, 2) for _, y in loads[1:]], "navigation_s": [round(x, 2) for x in navs],
            "server_rss_mb": rss}


def measure_floor(folder: Path, reloads: int) -> list[float]:
    """Reload times (in the page) of a page with a title and one small chart, on the same machine now."""
    folder.mkdir(exist_ok=True)
    app = folder / "floor_app.py"
    app.write_text(FLOOR_APP, encoding="utf-8")
    with _chart_page(app, folder) as (_, url, page):
        times = [_open(page, url)[0] for _ in range(1 + reloads)][1:]
    return [round(x, 2) for x in times]


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def main() -> None:
    """Print the measurements; the last line is JSON with ``runs``, ``first_load_s``, ``reload_s``
    (median, in the page), ``reload_seen_s`` (median, as Playwright saw it), ``navigation_s`` (median),
    ``floor_reload_s`` (median, or None), ``all`` (every time), ``server_rss_mb``, ``load_average``
    (1 min, at the end) and ``source_build_s`` (None when a source store was given)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-store", help="a store with finished runs (read only); default: build one")
    parser.add_argument("--source", choices=("sample", "tiny"), default="sample",
                        help="what to build without --source-store: the small sample with the real model, or toy "
                             "pairs with the tiny test model (cheap, for run.py --quick)")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--reloads", type=int, default=4, help="full reloads after the first load")
    parser.add_argument("--navigations", type=int, default=6, help="openings of Results from the sidebar")
    parser.add_argument("--no-floor", action="store_true", help="skip the one-chart page's reloads")
    parser.add_argument("--app", default=str(REPO / "dashboard" / "app.py"),
                        help="the dashboard to serve (e.g. an older copy, for a before/after comparison)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tiltpilot-dash-") as name:
        folder = Path(name)
        built = None
        source = Path(args.source_store) if args.source_store else None
        if source is None:
            started = time.perf_counter()
            source = build_source(folder, args.source)
            built = round(time.perf_counter() - started, 1)
            print(f"[bench_dashboard] source store built in {built} s", file=sys.stderr, flush=True)
        store = folder / "store"
        store.mkdir()
        copy_runs(source, store, args.runs)
        out = measure(Path(args.app), store, max(args.reloads, 1), args.navigations)
        floor = None if args.no_floor else measure_floor(folder / "floor", max(args.reloads, 1))
    print(json.dumps({"runs": args.runs, "first_load_s": out["first_load_s"], "reload_s": _median(out["reload_s"]),
                      "reload_seen_s": _median(out["reload_seen_s"]), "navigation_s": _median(out["navigation_s"]),
                      "floor_reload_s": _median(floor) if floor else None,
                      "all": {**{k: out[k] for k in ("reload_s", "reload_seen_s", "navigation_s")}, "floor_reload_s": floor},
                      "server_rss_mb": out["server_rss_mb"], "load_average": round(os.getloadavg()[0], 1),
                      "source_build_s": built}))


if __name__ == "__main__":
    main()
