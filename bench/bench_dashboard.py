"""Time to first chart of the Results page with N stored runs, and the dashboard process's memory.

Usage: .venv/bin/python bench/bench_dashboard.py --source-store /path/to/store_with_runs [--runs 10]

Copies the finished runs of a store (cycling if it has fewer than --runs) into a fresh store,
starts `streamlit run dashboard/app.py` on a free port, opens Results in Debian's chromium three
times (first load, then two reloads that hit the st.cache_data caches), and reports the time from
navigation to the first plotly chart being visible, plus the server's resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _copy_runs(source: Path, target: Path, n: int) -> None:
    runs = sorted(p for p in source.iterdir() if (p / "metrics.json").is_file())
    index = {"version": 1, "runs": {}}
    for i in range(n):
        src = runs[i % len(runs)]
        run_id = f"{src.name}-copy{i:02d}"
        shutil.copytree(src, target / run_id)
        config = json.loads((target / run_id / "config.json").read_text())
        config["run_id"] = run_id
        (target / run_id / "config.json").write_text(json.dumps(config))
        index["runs"][run_id] = {"run_id": run_id, "state": "done", "loss": config["loss"]["name"],
                                 "tilt": config["loss"]["tilt"]}
    (target / "index.json").write_text(json.dumps(index))


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser()
    parser.add_argument("--source-store", required=True)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    store = Path(tempfile.mkdtemp(prefix="tiltpilot-dash-"))
    _copy_runs(Path(args.source_store), store, args.runs)
    port = _port()
    env = {**os.environ, "TILTPILOT_STORE": str(store), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard" / "app.py"),
                             "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.2)
        timings = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for _ in range(3):
                started = time.perf_counter()
                page.goto(url + "/results")
                page.locator('[data-testid="stPlotlyChart"]').first.wait_for(state="visible", timeout=120_000)
                timings.append(round(time.perf_counter() - started, 2))
            browser.close()
        print(json.dumps({"runs": args.runs, "first_chart_s": timings, "server_rss_mb": round(_rss_mb(proc.pid), 1)}))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)


if __name__ == "__main__":
    main()
