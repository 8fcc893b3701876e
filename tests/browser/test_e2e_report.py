"""The meeting flow through a real browser, in Japanese: ROI headline, then a PDF report from the Export page.

Debian's chromium driven by Playwright against ``streamlit run`` (tests/browser/conftest.py). The
store gets a tiny-model comparison written by the CLI first, so the test does not wait for a job.
Also checked on Start and Results: the verdict card is there and no metric tile is titled by a
run id. Screenshots go to tests/artifacts/ (ignored by git).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import toy_rows, write_csv
from playwright.sync_api import Page, expect

from engine.i18n import LANGUAGE_NAMES, message, override

pytestmark = pytest.mark.browser

CARD = ".st-key-verdict-card"  # st.container(key="verdict-card") on Start and Results


@pytest.fixture(scope="module")
def stored_comparison(store_dir: Path, tiny_model_dir: Path) -> list[str]:
    """A clip-vs-joint comparison in the server's store; returns the store's run ids."""
    from engine.cli import main
    from engine.runs import RunStore

    data = write_csv(store_dir.parent / "report_pairs.csv", toy_rows())
    assert main(["compare", str(data), "--losses", "clip,joint", "--epochs", "1", "--model", str(tiny_model_dir),
                 "--max-seq-length", "32", "--batch-size", "8", "--device", "cpu", "--latent-map", "pca",
                 "--bootstrap", "200", "--out", str(store_dir)]) == 0
    return [run["run_id"] for run in RunStore(store_dir).list_runs()]


def _settle(page: Page) -> None:
    """Wait until Streamlit has finished the rerun a click started (its status widget is gone)."""
    page.wait_for_timeout(400)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=60_000)


def _open(page: Page, path: str) -> None:
    page.locator(f'a[data-testid="stSidebarNavLink"][href$="/{path}"]').first.click()
    _settle(page)


def _no_run_id_in_tiles(page: Page, run_ids: list[str]) -> None:
    titles = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    assert not [title for title in titles if any(run_id in title for run_id in run_ids)], titles


def test_japanese_roi_then_pdf_report_from_the_export_page(streamlit_server, stored_comparison, page: Page, tmp_path,
                                                           artifacts):
    ja = {key: message(key, "ja") for key in ("dashboard.PAGE_HOME", "roi_page.TILE_NPV", "export_page.BUILD",
                                              "roi.OUTCOME_GO", "roi.OUTCOME_EXTEND", "roi.OUTCOME_STOP")}
    pdf_label = message("export_page.FORMATS", "ja")["pdf"]

    page.goto(streamlit_server)
    expect(page.locator("h1").first).to_be_visible(timeout=60_000)
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has_text=message("dashboard.SIDEBAR_LANGUAGE", "en")).first.click()
    page.get_by_role("option", name=LANGUAGE_NAMES["ja"]).click()
    _settle(page)
    expect(page.locator('a[data-testid="stSidebarNavLink"]', has_text=ja["dashboard.PAGE_HOME"]).first).to_be_visible()

    # Start: the verdict card, and no tile titled by a run id
    expect(page.locator(CARD).first).to_be_visible(timeout=60_000)
    _no_run_id_in_tiles(page, stored_comparison)

    _open(page, "roi")
    headline = page.locator(".st-key-roi-headline")
    outcomes = "|".join(re.escape(ja[f"roi.OUTCOME_{o}"]) for o in ("GO", "EXTEND", "STOP"))
    expect(headline).to_contain_text(re.compile(outcomes), timeout=60_000)
    expect(headline).to_contain_text(ja["roi_page.TILE_NPV"])
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible(timeout=60_000)
    page.screenshot(path=str(artifacts / "10-roi-ja.png"), full_page=True)

    _open(page, "report")
    page.locator('[data-testid="stRadio"]').get_by_text(pdf_label, exact=True).click()
    _settle(page)
    page.get_by_role("button", name=ja["export_page.BUILD"]).click()
    download_button = page.locator('[data-testid="stDownloadButton"] button')
    expect(download_button).to_be_visible(timeout=180_000)
    page.screenshot(path=str(artifacts / "11-export-ja.png"), full_page=True)
    with page.expect_download(timeout=60_000) as info:
        download_button.click()
    pdf = tmp_path / info.value.suggested_filename
    info.value.save_as(pdf)
    assert pdf.name == "tiltpilot-report-ja.pdf" and pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    from engine.report.assemble import section_title

    with override("ja"):
        headings = [section_title(s) for s in ("summary", "roi")]
    assert all(heading in text for heading in headings), (headings, text[:500])

    # Results: the verdict card, and no tile titled by a run id
    _open(page, "results")
    expect(page.locator(CARD).first).to_be_visible(timeout=60_000)
    expect(page.locator('[data-testid="stMetric"]').first).to_be_visible(timeout=60_000)
    _no_run_id_in_tiles(page, stored_comparison)
    page.screenshot(path=str(artifacts / "12-results-ja.png"), full_page=True)
