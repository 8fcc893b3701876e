"""A few representative hostile files through the real file chooser of a running dashboard.

Same server and Chromium set-up as tests/browser (its fixtures are reused). Per case: the page
answers with the expected message or accepts and saves, no exception box, no script dialog, no
request for a URL planted in the file, and the store holds nothing new for a refused file.
"""

from __future__ import annotations

import importlib.util
import mimetypes
import re
from pathlib import Path

import pytest
from build_corpus import PIXEL_URL
from checks import files_under
from expected import EXPECTED
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

_spec = importlib.util.spec_from_file_location("browser_fixtures", Path(__file__).parents[1] / "browser" / "conftest.py")
_browser = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_browser)
# The dashboard server and Chromium launch settings of tests/browser, for this folder too.
store_dir = _browser.store_dir
streamlit_server = _browser.streamlit_server
browser_type_launch_args = _browser.browser_type_launch_args
browser_context_args = _browser.browser_context_args

# Refused by the file chooser itself (Streamlit's type filter) before our code sees the file.
CHOOSER_REFUSES = {"exe_extension": "not allowed|not supported|invalid"}
CASES = ["path_traversal_name", "script_in_cells", "markdown_image_header_duplicate", "latin1", "zip_bomb_xlsx",
         "exe_extension"]


def _settle(page: Page) -> None:
    page.wait_for_timeout(400)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=60_000)


def _open_data_page(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("h1").first).to_be_visible(timeout=60_000)
    page.locator('a[data-testid="stSidebarNavLink"]', has_text="Data").first.click()
    _settle(page)
    expect(page.locator('[data-testid="stFileUploader"]')).to_be_visible(timeout=30_000)


def _words(name: str) -> re.Pattern[str]:
    words = CHOOSER_REFUSES.get(name) or "|".join(map(re.escape, EXPECTED[name].dashboard.words))
    return re.compile(words, re.IGNORECASE)


@pytest.mark.parametrize("name", CASES)
def test_hostile_upload_through_the_file_chooser(name, corpus, streamlit_server, store_dir, page: Page):
    case = corpus[name]
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _open_data_page(page, streamlit_server)
    before = files_under(store_dir)

    mime = mimetypes.guess_type(case.upload_name)[0] or "application/octet-stream"
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        {"name": case.upload_name, "mimeType": mime, "buffer": case.path.read_bytes()})
    _settle(page)
    outcome = EXPECTED[name].dashboard
    if outcome.kind == "accept":
        expect(page.get_by_text("Data check").first).to_be_visible(timeout=60_000)
        page.get_by_role("button", name="Save dataset").click()
        expect(page.get_by_text("Saved").first).to_be_visible(timeout=60_000)
        new = files_under(store_dir) - before
        assert new and all(p.startswith("datasets/") and p.count("/") == 2 for p in new), new
        assert not (store_dir.parent / "etc").exists()
    else:
        expect(page.get_by_text(_words(name)).first).to_be_visible(timeout=60_000)
        expect(page.get_by_role("button", name="Save dataset")).to_have_count(0)
        assert files_under(store_dir) == before, "a refused file left something in the store"

    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    assert not dialogs, f"a script in the file ran: {dialogs}"
    assert not [u for u in requests if PIXEL_URL in u], "a Markdown image in the file was fetched"
    assert not page.locator(f'img[src="{PIXEL_URL}"]').count()
