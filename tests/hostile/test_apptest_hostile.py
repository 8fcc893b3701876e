"""Every hostile file through the Data page (AppTest): upload, map if needed, Save.

Each case gets a fresh session and a fresh store placed two folders deep in ``tmp_path``, so a
file name with ``../`` that escaped the store would land in ``tmp_path`` and be seen. Checked for
every case: no exception, the expected error or acceptance, nothing stored for a refused file,
no temporary upload folder left behind, nothing written outside the store, and no user text
rendered as Markdown (a Markdown image would make the browser fetch a remote URL).
"""

from __future__ import annotations

import mimetypes
import re
import tempfile
import time
from pathlib import Path

import pytest
from build_corpus import CASES, PIXEL_URL
from checks import files_under, matches
from expected import EXPECTED, NOTICE_CONVERTED, NOTICE_DROPPED
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
UPLOAD_KEY = "upload_file"   # dashboard.state.UPLOAD
SAVE_KEY = "save_dataset"    # dashboard.state.SAVE_DATASET
STORE_PHOTOS_KEY = "store_photos"  # dashboard.state.STORE_PHOTOS: a ZIP is checked and stored in one step
ROLE_PREFIX = "column_role_"  # dashboard.state.ROLE_PREFIX
_CHOOSER_REFUSAL = "Invalid file extension"  # streamlit.elements.lib.file_uploader_utils
# Elements whose body Streamlit renders as Markdown.
MARKDOWN_ELEMENTS = ("markdown", "caption", "error", "warning", "info", "success", "title", "header", "subheader")
# A link or image whose target survived unescaped: "](" right before a URL we planted.
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_LIVE_LINK = re.compile(r"(?<!\\)\]\((?:" + re.escape(PIXEL_URL) + r"|javascript:)")

# Outcomes that differ from the careful user's today (case -> why); the owners' fixes remove them.
KNOWN_DASHBOARD: dict[str, str] = {
}


def _params() -> list:
    return [pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_DASHBOARD[name]))
            if name in KNOWN_DASHBOARD else name for name in CASES]


def _data_page(monkeypatch: pytest.MonkeyPatch, store: Path) -> AppTest:
    monkeypatch.setenv("TILTPILOT_STORE", str(store))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("views/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _bodies(at: AppTest, kind: str) -> list[str]:
    return [str(element.value) for element in at.get(kind)]


def _shown(at: AppTest, kind: str) -> list[str]:
    """The bodies as the reader sees them: Markdown's backslash escapes removed."""
    return [_ESCAPED.sub(r"\1", body) for body in _bodies(at, kind)]


def _no_live_markdown(at: AppTest) -> None:
    for kind in MARKDOWN_ELEMENTS:
        for body in _bodies(at, kind):
            assert not _LIVE_LINK.search(body), f"user text rendered as a live Markdown link in st.{kind}: {body!r}"


def _notices(at: AppTest) -> str:
    return "\n".join(b for kind in ("warning", "info", "text", "caption", "success", "markdown") for b in _shown(at, kind))


def _step(at: AppTest) -> None:
    at.run()
    assert not at.exception, "\n".join(str(e.value) + "\n" + "\n".join(e.stack_trace) for e in at.exception)
    _no_live_markdown(at)


def _until_audited(at: AppTest, timeout_s: float = 60.0) -> None:
    """Rerun while the page shows the audit's progress bar (AppTest never fires the page's polling)."""
    deadline = time.monotonic() + timeout_s
    while at.get("progress") and time.monotonic() < deadline:
        time.sleep(0.2)
        _step(at)


def upload_and_save(at: AppTest, name: str, upload_name: str, data: bytes) -> dict[str, list[str]]:
    """Upload, pick the case's mapping, press Save if offered; the errors and notices seen on the way."""
    mime = mimetypes.guess_type(upload_name)[0] or "application/octet-stream"
    at.file_uploader(key=UPLOAD_KEY).upload(upload_name, data, mime)
    at.run()
    refused = [str(e.value) for e in at.exception if str(e.value).startswith(_CHOOSER_REFUSAL)]
    if refused and len(refused) == len(at.exception):
        # Streamlit's own type check (the browser's chooser refuses first; AppTest skips the browser).
        return {"errors": refused, "notices": [], "saved": []}
    _step(at)
    _until_audited(at)
    seen = {"errors": _shown(at, "error"), "notices": [_notices(at)], "saved": []}
    mapping = EXPECTED[name].mapping
    for role, column in mapping.items():
        at.selectbox(key=ROLE_PREFIX + role).select(column)
    if mapping:  # the user maps by hand: what the page says now replaces what it said before
        _step(at)
        _until_audited(at)
        seen["errors"] = _shown(at, "error")
    save = [b for b in at.button if b.key in (SAVE_KEY, STORE_PHOTOS_KEY)]
    if save and not seen["errors"]:
        save[0].click()
        _step(at)
        seen["errors"] += _shown(at, "error")
        seen["notices"].append(_notices(at))
        seen["saved"] = _shown(at, "success")
    return seen


def check_dashboard_outcome(name: str, seen: dict[str, list[str]], stored: list) -> None:
    expected = EXPECTED[name]
    outcome = expected.dashboard
    errors = "\n".join(seen["errors"])
    accepted = not seen["errors"] and len(stored) == 1
    if outcome.kind == "either" and accepted:
        return
    if outcome.kind == "accept":
        assert not seen["errors"], f"expected acceptance, got: {errors}"
        assert len(stored) == 1, "accepted but not stored (no Save button, or Save stored nothing)"
        if expected.rows is not None:
            assert stored[0].rows == expected.rows, f"stored {stored[0].rows} pairs, the file has {expected.rows}"
        assert not outcome.words or matches("\n".join(seen["notices"]), outcome.words), (
            f"accepted without the notice ({' / '.join(outcome.words)})")
        return
    # refuse (or either, refused)
    assert seen["errors"], f"expected a refusal ({' / '.join(outcome.words)}); the file was accepted"
    assert matches(errors, outcome.words), f"refusal does not say {' / '.join(outcome.words)}: {errors}"
    assert stored == [], "a refused file was stored"


@pytest.mark.parametrize("name", _params())
def test_data_page_answers_every_hostile_file(name, corpus, monkeypatch, tmp_path):
    from engine.datasets import list_datasets

    case = corpus[name]
    store = tmp_path / "deep" / "er" / "store"
    uploads_tmp = tmp_path / "tmp"
    uploads_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(uploads_tmp))  # where the page spools uploads
    at = _data_page(monkeypatch, store)
    before = files_under(tmp_path)
    seen = upload_and_save(at, name, case.upload_name, case.path.read_bytes())
    stored = list_datasets(store)
    check_dashboard_outcome(name, seen, stored)
    after = files_under(tmp_path)
    new = after - before
    assert files_under(uploads_tmp) == set(), "an upload's temporary copy was left behind"
    outside = {p for p in new if not (tmp_path / p).resolve().is_relative_to(store.resolve())}
    assert outside == set(), f"written outside the store: {outside}"
    if stored:
        entry = stored[0]
        assert entry.path.resolve().parent.parent == (store / "datasets").resolve()
        assert re.fullmatch(r"[A-Za-z0-9_-]+\.[a-z]+", entry.name), entry.name  # a safe display name
        assert entry.original_name == case.upload_name  # kept verbatim as data, never as a path
        folder = entry.path.resolve().parent.relative_to(tmp_path.resolve())
        assert new == {str(folder / entry.path.name), str(folder / "meta.json")}
    else:
        assert new == set(), f"left behind for a refused file: {new}"


@pytest.mark.parametrize("name", ["good_csv", "parquet_good"])
def test_notice_words_are_absent_from_a_clean_upload(name, corpus, monkeypatch, tmp_path):
    """The notice checks above can fail: a clean upload's page has none of their words."""
    at = _data_page(monkeypatch, tmp_path / "store")
    seen = upload_and_save(at, name, corpus[name].upload_name, corpus[name].path.read_bytes())
    assert not seen["errors"] and seen["saved"]
    assert not matches("\n".join(seen["notices"]), NOTICE_DROPPED + NOTICE_CONVERTED)


def test_a_markdown_column_name_in_an_error_is_shown_as_text(corpus, monkeypatch, tmp_path):
    """The check for live Markdown can fail: the error names the column, escaped."""
    at = _data_page(monkeypatch, tmp_path / "store")
    case = corpus["markdown_image_header_duplicate"]
    seen = upload_and_save(at, case.name, case.upload_name, case.path.read_bytes())
    assert any(PIXEL_URL in e for e in seen["errors"])  # named, as text
    assert not any(_LIVE_LINK.search(e) for e in _bodies(at, "error"))
    assert _LIVE_LINK.search(f"![x]({PIXEL_URL})")


def test_an_audit_error_names_this_sessions_file(corpus, monkeypatch, tmp_path):
    """Audits are shared between sessions by content; a message must still name this user's file."""
    lines = corpus["good_csv"].path.read_text().splitlines()
    lines[26] += ",surplus,fields"  # past the preview's rows, so only the audit finds it
    data = ("\n".join(lines) + "\n# i8d-unique\n").encode()
    errors = {}
    for name in ("alice_private_plan.csv", "bob.csv"):
        at = _data_page(monkeypatch, tmp_path / name)
        errors[name] = "\n".join(upload_and_save(at, "ragged_rows", name, data)["errors"])
    assert "alice_private_plan.csv" in errors["alice_private_plan.csv"]
    assert "bob.csv" in errors["bob.csv"] and "alice" not in errors["bob.csv"]
