"""Photos ↔ descriptions through a real browser: upload a ZIP, see its thumbnails, train, see pictures on Results.

Debian's chromium driven by Playwright against ``streamlit run`` (tests/browser/conftest.py). The
job trains the image–text encoder: the packaged image tower with the tiny text model the server
is started with (TILTPILOT_MODEL). Screenshots go to tests/artifacts/ (ignored by git).
"""

from __future__ import annotations

import re

import pytest
from photo_zip import write_photo_zip
from playwright.sync_api import Page, expect

from engine.i18n import message, t

pytestmark = pytest.mark.browser

PHOTOS = 60
IMAGE = '[data-testid="stImage"] img'


def _settle(page: Page) -> None:
    """Wait until Streamlit has finished the rerun a click started (its status widget is gone)."""
    page.wait_for_timeout(400)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=120_000)


def _nav(page: Page, name: str) -> None:
    page.locator('a[data-testid="stSidebarNavLink"]', has_text=name).first.click()
    _settle(page)


def _pick(page: Page, label: str) -> None:
    page.locator('[data-testid="stButtonGroup"] button', has_text=label).first.click()
    _settle(page)


def test_upload_photos_train_and_see_thumbnails(streamlit_server, page: Page, tmp_path, artifacts):
    archive = write_photo_zip(tmp_path / "product_photos.zip", PHOTOS)
    page.goto(streamlit_server)
    expect(page.locator("h1").first).to_be_visible(timeout=60_000)

    _nav(page, "Data")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(archive))
    page.get_by_role("button", name=t("photos_ui.ZIP_STORE")).click()
    _settle(page)
    expect(page.get_by_text(re.compile(r"Stored product_photos\.zip: 60 pairs")).first).to_be_visible(timeout=60_000)
    expect(page.locator(IMAGE)).to_have_count(12, timeout=30_000)  # the preview's thumbnails
    page.screenshot(path=str(artifacts / "photos-01-data.png"), full_page=True)

    _nav(page, "Train")
    start = page.get_by_role("button", name="Start comparison")
    expect(start).to_be_visible(timeout=60_000)
    _settle(page)
    done = page.get_by_text(re.compile(r"Finished: \d+ runs\."))
    earlier = done.count()  # other tests' jobs in the same store keep their finished cards
    start.click()
    expect(done).to_have_count(earlier + 1, timeout=480_000)
    page.screenshot(path=str(artifacts / "photos-02-train-done.png"), full_page=True)

    _nav(page, "Results")
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible(timeout=60_000)
    _pick(page, message("decision_screen.SECTIONS")["examples"])
    expect(page.locator(IMAGE).first).to_be_visible(timeout=60_000)
    assert page.locator(IMAGE).count() >= 2  # a photo query and its correct match, or a top 5 of photos
    page.locator(IMAGE).first.scroll_into_view_if_needed()  # the page scrolls inside its own frame
    page.screenshot(path=str(artifacts / "photos-03-results-examples.png"), full_page=True)

    # the latent map: a clicked point shows its picture beside the map
    _pick(page, message("decision_screen.SECTIONS")["technical"])
    _pick(page, message("decision_screen.TECHNICAL")["latent"])
    expect(page.get_by_text(t("photos_ui.LATENT_CLICK"))).to_be_visible(timeout=60_000)
    page.locator('[data-testid="stPlotlyChart"] .scatterlayer .trace').last.locator(".point").first.click(force=True)
    _settle(page)
    expect(page.locator(IMAGE).first).to_be_visible(timeout=60_000)
    page.locator(IMAGE).first.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "photos-04-results-latent.png"), full_page=True)
