"""What a report holds, independent of its format: sections of text, key numbers, tables and charts.

The section builders fill these plain dataclasses from stored run data; the HTML, PDF and
PowerPoint writers only lay them out. All text here is final, translated display text; user text
is kept as plain strings (the writers escape it), never as markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import plotly.graph_objects as go

from engine.report.thumbnails import PictureTable

# Section ids, in report order (one home: the CLI, the dashboard and the writers import this).
SECTIONS: tuple[str, ...] = (
    "summary",
    "data",
    "losses",
    "similarity",
    "low_rank",
    "learning_curve",
    "roi",
    "examples",
    "caveats",
    "next_steps",
    "phrases",
    "methods",
)


@dataclass
class KeyNumber:
    """A headline figure: a short label, the value as a manager reads it, and its range or context."""

    label: str
    value: str
    note: str = ""


@dataclass
class Table:
    """A table of display strings; ``rows`` hold already formatted (and neutralised) cells."""

    columns: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass
class Chart:
    """A figure from :mod:`engine.charts` with its one-line takeaway."""

    key: str
    figure: go.Figure
    takeaway: str


@dataclass
class Section:
    """One section of the report.

    ``empty`` is set when the section's data is missing: it says why and what to do, and the
    writers show it instead of the body (never a blank page, never a crash).
    """

    id: str
    title: str
    headline: str = ""
    paragraphs: list[str] = field(default_factory=list)
    numbers: list[KeyNumber] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    pictures: list[PictureTable] = field(default_factory=list)  # a run on image pairs: examples as thumbnails
    empty: str | None = None
    tone: str | None = None  # "go" | "extend" | "stop" on the summary: colours the decision


@dataclass
class Report:
    """A whole report: the cover lines and the chosen sections in order."""

    lang: str
    title: str
    subtitle: str
    generated: str
    sections: list[Section]
