"""One stored comparison (tiny model) with a learning curve and hostile user text, shared by the report tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import toy_rows, write_csv

# User text that must stay inert: column names reach headings and tables, product texts reach the examples.
LEFT_COLUMN = "<script>alert(1)</script>"
RIGHT_COLUMN = "<img src=x onerror=alert(2)>"
FORMULA_QUERY = '=HYPERLINK("http://evil.example","click")'
FORMULA_TRUE = "+cmd|' /C calc'!A0"


def _hostile_example(drilldown: dict) -> None:
    record = {"query": 0, "true_index": 0, "relevant": [0], "base_rank": 3, "tuned_rank": 1, "rank_change": 2,
              "query_text": FORMULA_QUERY, "true_text": FORMULA_TRUE, "tuned_topk_texts": [FORMULA_TRUE],
              "base_topk_texts": [FORMULA_QUERY]}
    for part in drilldown.values():
        part["wins"] = [record] + list(part.get("wins") or [])


@pytest.fixture(scope="session")
def report_store(tmp_path_factory, tiny_model_dir) -> Path:
    from engine.cli import main

    folder = tmp_path_factory.mktemp("report_store")
    rows = [{"product_id": r["product_id"], "category": r["category"], LEFT_COLUMN: r["title"],
             RIGHT_COLUMN: r["description"]} for r in toy_rows()]
    data = write_csv(folder / "pairs.csv", rows)
    store = folder / "store"
    common = ["--epochs", "1", "--model", str(tiny_model_dir), "--left-column", LEFT_COLUMN, "--right-column",
              RIGHT_COLUMN, "--group-column", "product_id", "--max-seq-length", "32", "--batch-size", "8",
              "--device", "cpu", "--bootstrap", "200", "--out", str(store)]
    assert main(["compare", str(data), "--losses", "clip,joint", "--latent-map", "pca", *common]) == 0
    assert main(["learning-curve", str(data), "--fractions", "0.25,0.5,1", "--seeds", "2", *common]) == 0
    for run_id in (r["run_id"] for r in json.loads((store / "comparison.json").read_text())["runs"]):
        path = store / run_id / "analysis" / "drilldown.json"
        drilldown = json.loads(path.read_text())
        _hostile_example(drilldown)
        path.write_text(json.dumps(drilldown))
    return store


@pytest.fixture(scope="session")
def built_report(report_store, tmp_path_factory) -> Callable[[str, str], Path]:
    """``built_report(fmt, lang)``: the report of ``report_store``, built once per format and language."""
    from engine.report import build_report

    out = tmp_path_factory.mktemp("reports")
    cache: dict[tuple[str, str], Path] = {}

    def build(fmt: str, lang: str) -> Path:
        if (fmt, lang) not in cache:
            cache[fmt, lang] = build_report(report_store, fmt, lang, out / f"report-{lang}.{fmt}")
        return cache[fmt, lang]

    return build


@pytest.fixture(scope="session")
def hostile() -> dict[str, str]:
    """The hostile user text planted in ``report_store``."""
    return {"left": LEFT_COLUMN, "right": RIGHT_COLUMN, "query": FORMULA_QUERY, "true": FORMULA_TRUE}


@pytest.fixture(scope="session")
def read_page() -> type:
    """The HTML reader class (tests in importlib mode cannot import helpers from this folder)."""
    return ReportPage


class ReportPage(HTMLParser):
    """Collects ``data-section`` ids, every ``src``/``href`` value, script bodies and visible text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[str] = []
        self.urls: list[str] = []
        self.scripts: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self._in: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        values = dict(attrs)
        if tag == "section" and values.get("data-section"):
            self.sections.append(values["data-section"])
        self.urls += [value or "" for name, value in attrs if name in ("src", "href")]
        self._in.append(tag)
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag):
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data):
        if self._in and self._in[-1] == "script":
            self.scripts[-1] += data
        elif not (self._in and self._in[-1] == "style"):
            self.text.append(data)

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())
