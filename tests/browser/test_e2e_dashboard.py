"""The whole pilot through a real browser: upload, compare two losses, read the evidence.

Debian's chromium driven by Playwright against ``streamlit run`` on a free loopback port. Jobs use
the tiny in-process model (set through TILTPILOT_MODEL) so the flow takes about a minute; the real
model is covered by tests/slow. Screenshots of every page go to tests/artifacts/ (ignored by git).
"""

from __future__ import annotations

import pytest
from conftest import toy_rows, write_csv
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def _settle(page: Page) -> None:
    """Wait until Streamlit has finished the rerun a click started (its status widget is gone)."""
    page.wait_for_timeout(400)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=60_000)


def _nav(page: Page, name: str) -> None:
    page.locator('a[data-testid="stSidebarNavLink"]', has_text=name).first.click()
    _settle(page)


def test_upload_compare_and_read_the_evidence(streamlit_server, page: Page, tmp_path, artifacts):
    upload = write_csv(tmp_path / "pilot_pairs.csv", toy_rows(80))

    page.goto(streamlit_server)
    expect(page.locator("h1").first).to_be_visible(timeout=60_000)
    page.screenshot(path=str(artifacts / "01-home-empty.png"), full_page=True)

    _nav(page, "Data")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(upload))
    expect(page.get_by_text("Data check").first).to_be_visible(timeout=60_000)
    page.get_by_role("button", name="Save dataset").click()
    expect(page.get_by_text("Saved").first).to_be_visible(timeout=60_000)
    page.screenshot(path=str(artifacts / "02-data.png"), full_page=True)

    _nav(page, "Train")
    expect(page.get_by_role("button", name="Start comparison")).to_be_visible(timeout=60_000)
    slice_input = page.get_by_role("spinbutton", name="Use only the first N pairs (0 = all)")
    slice_input.fill("60")
    slice_input.press("Enter")
    page.get_by_role("button", name="Start comparison").click()
    expect(page.locator('[data-testid="stProgress"]').first).to_be_visible(timeout=60_000)
    page.screenshot(path=str(artifacts / "03-train-running.png"), full_page=True)
    # the job runs in its own process: a page refresh (a new browser session) finds it still going
    page.reload()
    _settle(page)
    _nav(page, "Train")
    expect(page.get_by_text("Finished: 2 runs.")).to_be_visible(timeout=240_000)
    page.screenshot(path=str(artifacts / "04-train-done.png"), full_page=True)

    _nav(page, "Results")
    charts = page.locator('[data-testid="stPlotlyChart"]')
    expect(charts.first).to_be_visible(timeout=60_000)
    page.screenshot(path=str(artifacts / "05-results.png"), full_page=True)
    # the intervals (error bars of the retrieval chart) and the paired verdict between the two losses
    expect(page.locator('[data-testid="stPlotlyChart"] .errorbar').first).to_be_attached()
    verdict = page.get_by_text("95% CI").first
    expect(verdict).to_be_visible()
    expect(page.get_by_text("clip").first).to_be_visible()

    def pick(label: str) -> None:
        page.locator('[data-testid="stButtonGroup"] button', has_text=label).first.click()
        _settle(page)
        page.screenshot(path=str(artifacts / f"05-results-{label.lower().replace(' ', '-')}.png"), full_page=True)

    for section in ("Similarity", "Examples"):
        pick(section)
    # calibration, the map, low-rank and training sit under "Technical details" (a second picker)
    pick("Technical details")
    for part in ("Calibration", "Latent map", "Low-rank", "Training"):
        pick(part)
    for name, shot in (("ROI estimate", "06-roi"), ("Export report", "07-report"), ("Start", "08-home-with-runs")):
        _nav(page, name)
        expect(page.locator("h1").first).to_be_visible(timeout=30_000)
        page.screenshot(path=str(artifacts / f"{shot}.png"), full_page=True)
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible(timeout=30_000)
