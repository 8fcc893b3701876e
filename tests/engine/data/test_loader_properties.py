"""Property-based tests: whatever a file holds, ``load_pairs`` returns a valid dataset or raises the engine's error.

Two families of inputs: arbitrary bytes under every supported extension (plus valid workbooks
and Parquet files with bytes flipped), and arbitrary small tables (text, whitespace, RTL and CJK
text, numbers, empty cells) written in every format. For tables with a known header the loaded
texts must equal the written ones and every row must be accounted for: loaded, or named in a
load note, or the cause of a refusal.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from engine.data import PairDataset, check_trainable, load_pairs, render_load_note
from engine.data.error_text import render_error
from engine.errors import EngineError
from engine.i18n import override

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EXTENSIONS = (".csv", ".tsv", ".jsonl", ".xlsx", ".parquet")
HEADER = ["title", "description", "group"]

# Cells a real catalogue holds, and the awkward ones: whitespace only, right-to-left and CJK
# text, numbers, quotes and delimiters, line breaks, emoji.
WORDS = st.sampled_from([
    "", " ", "\t", "\u3000", "  \n ", "Red mug", "0", "12", "-3.5", "1e5", "TRUE", "N/A", "=1+1", '"quoted"',
    "a,b", "a;b", "a\tb", "line\nbreak", "مرحبا بالعالم", "שלום", "ステンレス製ボルト M6", "不锈钢", "😀", "\u200f",
])
CELLS = st.one_of(WORDS, st.text(max_size=12), st.integers(-10**6, 10**6).map(str))


def _check(data: PairDataset) -> None:
    """What every dataset the loader returns must satisfy."""
    n = len(data)
    assert n >= 1
    assert all(len(field) == n for field in (data.left, data.right, data.group, data.row))
    assert data.row == tuple(range(1, n + 1))
    assert all(v and v == v.strip() for v in data.left + data.right)
    assert all(data.group)
    assert len(data.fingerprint()) == 64  # every text is encodable
    for note in data.notes:
        for lang in ("en", "ja"):
            with override(lang):
                assert render_load_note(note.to_dict())
    try:
        check_trainable(data)
    except EngineError as exc:
        _check_error(exc)


def _check_error(exc: EngineError) -> None:
    assert str(exc)
    for lang in ("en", "ja"):
        with override(lang):
            assert render_error(exc)


def _load(path: Path, **kwargs: object) -> PairDataset | None:
    """load_pairs, with its own errors accepted (and rendered); any other exception fails the test."""
    try:
        data = load_pairs(path, **kwargs)  # type: ignore[arg-type]
    except EngineError as exc:
        _check_error(exc)
        return None
    _check(data)
    return data


@contextmanager
def _path(ext: str) -> Iterator[Path]:
    """A fresh file path per example (hypothesis cannot use pytest's per-test tmp_path)."""
    with tempfile.TemporaryDirectory(prefix="props-") as folder:
        yield Path(folder) / f"table{ext}"


# --- arbitrary bytes ------------------------------------------------------------------------------

@SETTINGS
@given(ext=st.sampled_from(EXTENSIONS), data=st.binary(max_size=600))
def test_arbitrary_bytes(ext, data):
    with _path(ext) as path:
        path.write_bytes(data)
        result = _load(path)
        assert result is None or len(result) >= 1  # refused with our own error, or a usable dataset


TEXTY = st.lists(st.sampled_from(["title", "description", ",", ";", "\t", "\n", "\r\n", '"', "{", "}", ":", "[",
                                  "]", "\\u0041", "\\ud800", " ", "x", "１", "é", "null", "1", "\ufeff"]),
                 max_size=60).map("".join)


@SETTINGS
@given(ext=st.sampled_from((".csv", ".tsv", ".jsonl")), text=TEXTY)
def test_arbitrary_text_shaped_like_tables(ext, text):
    with _path(ext) as path:
        path.write_text(text, encoding="utf-8")
        result = _load(path)
        assert result is None or len(result) >= 1  # refused with our own error, or a usable dataset


def _valid_bytes(ext: str) -> bytes:
    rows = [[f"Item {i}", f"Description of item {i}", f"G{i}"] for i in range(12)]
    buffer = io.BytesIO()
    if ext == ".xlsx":
        book = Workbook()
        book.active.append(HEADER)
        for row in rows:
            book.active.append(row)
        book.save(buffer)
    else:
        pq.write_table(pa.table({h: [r[i] for r in rows] for i, h in enumerate(HEADER)}), buffer)
    return buffer.getvalue()


VALID = {ext: _valid_bytes(ext) for ext in (".xlsx", ".parquet")}


@SETTINGS
@given(ext=st.sampled_from((".xlsx", ".parquet")), flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)),
                                                                min_size=1, max_size=4),
       cut=st.one_of(st.none(), st.integers(0, 10**6)))
def test_damaged_workbooks_and_parquet(ext, flips, cut):
    data = bytearray(VALID[ext])
    for where, xor in flips:
        data[where % len(data)] ^= xor
    if cut is not None:
        data = data[: cut % len(data)]
    with _path(ext) as path:
        path.write_bytes(bytes(data))
        result = _load(path)
        assert result is None or len(result) >= 1  # refused with our own error, or a usable dataset


# --- arbitrary tables -----------------------------------------------------------------------------

def _write_delimited(path: Path, header: list[str], rows: list[list[str]], delimiter: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)


def _write_jsonl(path: Path, header: list[str], rows: list[list[str]]) -> None:
    lines = [json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_xlsx(path: Path, header: list[str], rows: list[list[str]]) -> None:
    book = Workbook()
    sheet = book.active
    for r, values in enumerate([header, *rows], start=1):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = ILLEGAL_CHARACTERS_RE.sub("", value) or None
            cell.data_type = "s"  # text, even when it starts with "=": a formula has no cached value
    book.save(path)


def _write_parquet(path: Path, header: list[str], rows: list[list[str]]) -> None:
    pq.write_table(pa.table({h: [r[i] for r in rows] for i, h in enumerate(header)}, schema=pa.schema(
        [(h, pa.string()) for h in header])), path)


WRITERS = {
    ".csv": lambda p, h, r: _write_delimited(p, h, r, ","),
    ".tsv": lambda p, h, r: _write_delimited(p, h, r, "\t"),
    ".jsonl": _write_jsonl,
    ".xlsx": _write_xlsx,
    ".parquet": _write_parquet,
}
ROWS = st.lists(st.lists(CELLS, min_size=3, max_size=3), min_size=0, max_size=14)
NAMES = st.lists(st.one_of(st.sampled_from(["title", "description", "group", "商品名", "説明", "", " x "]),
                           st.text(max_size=8)), min_size=1, max_size=4)


@SETTINGS
@given(ext=st.sampled_from(EXTENSIONS), rows=ROWS)
def test_tables_with_a_known_header_lose_nothing_silently(ext, rows):
    with _path(ext) as path:
        WRITERS[ext](path, HEADER, rows)
        data = _load(path)
    if data is None:
        return
    written = [r for r in rows if not all(not c.strip() for c in r)] if ext in (".csv", ".tsv") else rows
    if ext == ".xlsx":  # the writer drops illegal characters; a row of them is an empty sheet row
        written = [r for r in written if any(ILLEGAL_CHARACTERS_RE.sub("", c).strip() for c in r)]
    assert len(data) == len(written)
    clean = (lambda v: ILLEGAL_CHARACTERS_RE.sub("", v)) if ext == ".xlsx" else (lambda v: v)
    assert list(data.left) == [clean(r[0]).strip() for r in written]
    assert list(data.right) == [clean(r[1]).strip() for r in written]
    blank = sum(n.count for n in data.notes if n.code == "blank_rows")
    if ext in (".csv", ".tsv"):
        assert blank == len(rows) - len(written)  # every skipped row is reported


@SETTINGS
@given(ext=st.sampled_from(EXTENSIONS), names=NAMES, rows=st.lists(st.lists(CELLS, min_size=4, max_size=4),
                                                                   max_size=10), header=st.booleans())
def test_arbitrary_tables_and_mappings(ext, names, rows, header):
    width = len(names)
    rows = [r[:width] for r in rows]
    mapping = {"left": names[0], "right": names[-1]} if width >= 2 else None
    with _path(ext) as path:
        try:
            WRITERS[ext](path, names, rows)
        except (ValueError, pa.ArrowException):
            assume(False)  # the writer itself refuses (e.g. duplicate Parquet names)
        result = _load(path, columns=mapping, header=header)
        assert result is None or len(result) >= 1  # refused with our own error, or a usable dataset


@SETTINGS
@given(values=st.lists(st.one_of(st.none(), st.integers(-2**62, 2**62), st.floats(allow_nan=True),
                                 st.booleans()), min_size=1, max_size=12),
       texts=st.lists(CELLS, min_size=12, max_size=12))
def test_parquet_with_typed_columns(values, texts):
    n = len(values)
    kind = pa.bool_() if all(isinstance(v, bool) or v is None for v in values) else None
    try:
        column = pa.array(values, type=kind)
    except (pa.ArrowException, OverflowError, TypeError):
        assume(False)
    with _path(".parquet") as path:
        pq.write_table(pa.table({"title": column, "description": texts[:n], "group": column}), path)
        data = _load(path)
    if data is not None and not pa.types.is_string(column.type) and not pa.types.is_null(column.type):
        assert any(n.code == "not_text" and "title" in n.fields["converted"] for n in data.notes)
