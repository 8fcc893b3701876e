"""Printing the report's HTML to an A4 PDF with headless Debian chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from engine.errors import EngineError
from engine.report import strings

# Headless printing without network, sync or first-run work (the report is self-contained).
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-extensions", "--mute-audio")
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")
PRINT_TIMEOUT_S = 180


def find_browser() -> str:
    """The chromium executable: ``$BROWSER_PATH`` (as kaleido reads it), else the first on ``PATH``.

    Raises:
        EngineError: No browser found (the message names the package to install).
    """
    configured = os.environ.get("BROWSER_PATH")
    if configured and Path(configured).is_file():
        return configured
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise EngineError(strings.ERROR_NO_BROWSER)


def print_pdf(html: str, timeout: float = PRINT_TIMEOUT_S) -> bytes:
    """The PDF of ``html`` (A4 and page breaks come from its CSS ``@page`` and ``break-before``).

    Raises:
        EngineError: No browser, the browser failed, or it ran past ``timeout`` seconds.
    """
    browser = find_browser()
    with tempfile.TemporaryDirectory(prefix="tiltpilot-report-") as tmp:
        source, target = Path(tmp, "report.html"), Path(tmp, "report.pdf")
        source.write_text(html, encoding="utf-8")
        command = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/profile", "--no-pdf-header-footer",
                   "--virtual-time-budget=10000", f"--print-to-pdf={target}", source.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise EngineError(strings.ERROR_PRINT_TIMEOUT.format(seconds=int(timeout))) from exc
        if not target.is_file() or target.stat().st_size == 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise EngineError(strings.ERROR_PRINT_FAILED.format(code=done.returncode, detail=" / ".join(detail)))
        return target.read_bytes()
