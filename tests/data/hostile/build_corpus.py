"""Build the hostile-input corpus: files a careless exporter or an attacker could hand to tiltpilot.

Nothing here is committed as data: every file (the ZIP bombs included) is generated, in a second or
two, into the folder given, and the tests build it into their own temporary folder. The expected
outcome of every case is in ``expected.py`` beside this file.

Usage::

    python tests/data/hostile/build_corpus.py OUT_DIR     # writes the files and prints the list

Each case has a file name on disk (used by the CLI) and an upload name (what the browser sends as
the file's name; different only for the path-traversal and odd-name cases).
"""

from __future__ import annotations

import csv
import io
import json
import random
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# 30 distinct, unrelated pairs: enough to split and to train, so a case built on them fails only for
# the hostile part it adds.
_COLOURS = ["red", "blue", "green", "black", "white", "grey"]
_ITEMS = ["kettle", "lamp", "chair", "towel", "mug"]
BASE_ROWS = 30
PIXEL_URL = "http://host/pixel.png"  # the remote image a Markdown column name would make a browser fetch
MARKDOWN_IMAGE = f"![x]({PIXEL_URL})"
FORMULAS = ['=HYPERLINK("http://evil.example/x","click me")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "-2+3", "\t=1+1"]
SCRIPT = '<script>alert("xss")</script>'
IMG_ONERROR = '<img src=x onerror=alert("xss")>'
ZIP_BOMB_MIB = 256      # inflated size of the ZIP bomb's member; it compresses to about 250 KB
SHEET_BOMB_MIB = 100    # whitespace padding inside a real worksheet's XML
HUGE_LINE_FIELDS = 400_000


@dataclass(frozen=True)
class CorpusFile:
    """One built case.

    Attributes:
        name: Case id (the key of ``expected.EXPECTED``).
        path: The file on disk.
        upload_name: The name the browser sends for it (may hold ``../`` or odd characters).
    """

    name: str
    path: Path
    upload_name: str


def base_rows(n: int = BASE_ROWS) -> list[dict[str, str]]:
    """``n`` distinct pairs, each its own product: ``product_id, title, description``."""
    rows = []
    for i in range(n):
        colour, item = _COLOURS[i % len(_COLOURS)], _ITEMS[i // len(_COLOURS) % len(_ITEMS)]
        rows.append({"product_id": f"P{i:03d}", "title": f"{colour} {item} model {i}",
                     "description": f"a {colour} {item}, catalogue number {i}, sold since {1990 + i}"})
    return rows


def csv_text(rows: list[dict[str, str]], *, header: list[str] | None = None, delimiter: str = ",",
             lineterminator: str = "\n") -> str:
    out = io.StringIO()
    fields = header or list(rows[0])
    writer = csv.writer(out, delimiter=delimiter, lineterminator=lineterminator)
    writer.writerow(fields)
    for row in rows:
        writer.writerow([row.get(f, "") for f in fields])
    return out.getvalue()


def _good() -> bytes:
    return csv_text(base_rows()).encode()


def _with_cells(column: str, values: list[str]) -> bytes:
    rows = base_rows()
    for row, value in zip(rows, values):
        row[column] = value
    return csv_text(rows).encode()


def _with_extra_column(name: str, value: str = "x") -> bytes:
    rows = [{**r, name: value} for r in base_rows()]
    return csv_text(rows).encode()


def _latin1() -> bytes:
    rows = base_rows()
    rows[3]["description"] = "café crème, façade naïve, 25 °C"
    return csv_text(rows).encode("latin-1")


def _cp1252() -> bytes:
    rows = base_rows()
    rows[5]["title"] = "“smart” quotes – and a dash"
    return csv_text(rows).encode("cp1252")


def _ragged() -> bytes:
    lines = _good().decode().splitlines()
    lines[8] += ",surplus,fields"
    return ("\n".join(lines) + "\n").encode()


def _short_row() -> bytes:
    lines = _good().decode().splitlines()
    lines[12] = "P011,only a title"
    return ("\n".join(lines) + "\n").encode()


def _unbalanced_quote() -> bytes:
    lines = _good().decode().splitlines()
    lines[10] = 'P009,"an opening quote that never closes,a description'
    return ("\n".join(lines) + "\n").encode()


def _junk_after_quote() -> bytes:
    lines = _good().decode().splitlines()
    lines[6] = 'P005,"quoted"junk after the quote,a description'
    return ("\n".join(lines) + "\n").encode()


def _whitespace_rows() -> bytes:
    lines = _good().decode().splitlines()
    lines.insert(5, "   ,  ,\t")
    lines.insert(20, " , , ")
    return ("\n".join(lines) + "\n").encode()


def _blank_lines() -> bytes:
    lines = _good().decode().splitlines()
    return ("\n\n".join(lines) + "\n\n").encode()


def _rtl() -> bytes:
    rows = base_rows()
    for i, row in enumerate(rows[:10]):
        row["title"] = f"غلاية كهربائية {i}" if i % 2 else f"קומקום חשמלי {i}"
        row["description"] = f"وصف المنتج رقم {i} \u202egnp.exe\u202c بالعربية"
    return csv_text(rows).encode()


def _cjk() -> bytes:
    rows = base_rows()
    for i, row in enumerate(rows):
        row["title"] = f"ステンレス製電気ケトル 型番{i}" if i % 2 else f"不锈钢电热水壶 {i}号"
        row["description"] = f"容量1.2リットル、自動電源オフ機能付き。製品番号{i}。🫖"
    return csv_text(rows).encode()


def _control_chars() -> bytes:
    return _with_cells("description", [f"\x1b[2J\x1b[31mred alert {i}\x07\x1b[0m" for i in range(5)])


def _header_only() -> bytes:
    return b"product_id,title,description\n"


def _rows(n: int) -> bytes:
    return csv_text(base_rows(n)).encode()


def _one_pair_repeated() -> bytes:
    row = base_rows(1)[0]
    return csv_text([dict(row) for _ in range(100)]).encode()


def _few_distinct() -> bytes:
    rows = base_rows(3)
    return csv_text([dict(rows[i % 3]) for i in range(12)]).encode()


def _single_group() -> bytes:
    rows = [{**r, "product_id": "SAME"} for r in base_rows()]
    return csv_text(rows).encode()


def _duplicate_headers() -> bytes:
    rows = base_rows()
    return csv_text(rows, header=["product_id", "title", "description", "title"]).encode()


def _duplicate_headers_spaces() -> bytes:
    lines = _good().decode().splitlines()
    lines[0] = "product_id,title,description, description "
    return ("\n".join(line if i == 0 else line + ",more" for i, line in enumerate(lines)) + "\n").encode()


def _markdown_header_duplicate() -> bytes:
    rows = [{**r, MARKDOWN_IMAGE: "x"} for r in base_rows()]
    return csv_text(rows, header=["product_id", "title", "description", MARKDOWN_IMAGE, MARKDOWN_IMAGE]).encode()


def _markdown_header_as_title() -> bytes:
    rows = [{"product_id": r["product_id"], MARKDOWN_IMAGE: r["title"], "description": r["description"]}
            for r in base_rows()]
    return csv_text(rows).encode()


def _long_cell(chars: int) -> bytes:
    rows = base_rows()
    rows[4]["description"] = ("lorem ipsum dolor sit amet " * (chars // 27 + 1))[:chars]
    return csv_text(rows).encode()


def _nul_bytes() -> bytes:
    return _with_cells("description", ["nul\x00inside a cell"])


def _nul_late() -> bytes:
    # past the first 64 KiB, where a quick binary sniff stops looking
    rows = base_rows()
    rows[1]["description"] = "padding " * 9000
    rows[20]["description"] = "late nul\x00byte"
    return csv_text(rows).encode()


def _huge_line() -> bytes:
    return _good() + ("x," * HUGE_LINE_FIELDS + "x\n").encode()


def _huge_unquoted_cell() -> bytes:
    return _good() + ("P999,title," + "y" * 2_000_000 + "\n").encode()


def _binary_garbage() -> bytes:
    return random.Random(8).randbytes(4096)


def _mz_header() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200)


def _zip_of_csv() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("pairs.csv", _good())
    return out.getvalue()


def _zip_bomb() -> bytes:
    """A ZIP whose one member inflates to ``ZIP_BOMB_MIB`` MiB of zeros, renamed ``.xlsx``."""
    out = io.BytesIO()
    chunk = bytes(1 << 20)
    with (zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
          archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member):
        for _ in range(ZIP_BOMB_MIB):
            member.write(chunk)
    return out.getvalue()


def _workbook(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_rows() -> list[list[object]]:
    rows = base_rows()
    return [list(rows[0])] + [list(r.values()) for r in rows]


def _xlsx_formula_extra() -> bytes:
    rows = _xlsx_rows()
    rows[0].append("length")
    for i, row in enumerate(rows[1:], start=2):
        row.append(f"=LEN(C{i})")
    return _workbook(rows)


def _xlsx_formula_text() -> bytes:
    rows = _xlsx_rows()
    for i, row in enumerate(rows[1:], start=2):
        row[2] = f'=HYPERLINK("http://evil.example/{i}","click")' if i % 3 == 0 else row[2]
    return _workbook(rows)


def _sheet_bomb() -> bytes:
    """A real workbook whose worksheet XML is padded with ``SHEET_BOMB_MIB`` MiB of spaces."""
    source = zipfile.ZipFile(io.BytesIO(_workbook(_xlsx_rows())))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info.filename, data)
                continue
            head, tail = data.split(b"</sheetData>", 1)
            with archive.open(info.filename, "w", force_zip64=True) as member:
                member.write(head)
                pad = b" " * (1 << 20)
                for _ in range(SHEET_BOMB_MIB):
                    member.write(pad)
                member.write(b"</sheetData>" + tail)
    return out.getvalue()


def _ole2() -> bytes:
    return bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)


def _parquet(table_rows: dict[str, list[object]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = io.BytesIO()
    pq.write_table(pa.table(table_rows), out)
    return out.getvalue()


def _parquet_good() -> bytes:
    rows = base_rows()
    return _parquet({k: [r[k] for r in rows] for k in rows[0]})


def _parquet_ints() -> bytes:
    rows = base_rows()
    return _parquet({"product_id": list(range(1000, 1000 + len(rows))), "title": [r["title"] for r in rows],
                     "description": [r["description"] for r in rows], "price": [i * 100 for i in range(len(rows))]})


def _parquet_truncated() -> bytes:
    data = _parquet_good()
    return data[: len(data) // 2]


def _jsonl(records: list[object]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def _jsonl_invalid() -> bytes:
    lines = _jsonl(base_rows()).decode().splitlines()
    lines[4] = '{"title": "cut short", "description": '
    lines[9] = "not json at all"
    return ("\n".join(lines) + "\n").encode()


def _jsonl_not_object() -> bytes:
    return _jsonl([*base_rows()[:5], [1, 2, 3], *base_rows()[5:]])


def _jsonl_nested() -> bytes:
    rows: list[dict[str, object]] = [dict(r) for r in base_rows()]
    rows[2]["title"] = {"en": "kettle", "ja": "ケトル"}
    return _jsonl(rows)


def _jsonl_duplicate_key() -> bytes:
    lines = _jsonl(base_rows()).decode().splitlines()
    lines[3] = '{"product_id": "P003", "title": "a", "title": "b", "description": "c"}'
    return ("\n".join(lines) + "\n").encode()


def _no_header() -> bytes:
    return csv_text(base_rows()).split("\n", 1)[1].encode()


# name -> (file name on disk, upload name or None for the same, builder)
CASES: dict[str, tuple[str, str | None, Callable[[], bytes]]] = {
    "good_csv": ("good.csv", None, _good),
    "empty_file": ("empty.csv", None, lambda: b""),
    "only_blank_lines": ("blank_lines_only.csv", None, lambda: b"\n  \n\t\n\r\n"),
    "bom_only": ("bom_only.csv", None, lambda: b"\xef\xbb\xbf"),
    "binary_garbage": ("garbage.csv", None, _binary_garbage),
    "utf8_bom": ("utf8_bom.csv", None, lambda: b"\xef\xbb\xbf" + _good()),
    "latin1": ("latin1.csv", None, _latin1),
    "cp1252_smart_quotes": ("cp1252.csv", None, _cp1252),
    "utf16_bom": ("utf16_bom.csv", None, lambda: _good().decode().encode("utf-16")),
    "utf16_no_bom": ("utf16_le.csv", None, lambda: _good().decode().encode("utf-16-le")),
    "ragged_rows": ("ragged.csv", None, _ragged),
    "short_row": ("short_row.csv", None, _short_row),
    "unbalanced_quote": ("unbalanced_quote.csv", None, _unbalanced_quote),
    "junk_after_quote": ("junk_after_quote.csv", None, _junk_after_quote),
    "formulas_in_cells": ("formulas.csv", None, lambda: _with_cells("title", FORMULAS)),
    "formula_in_header": ("formula_header.csv", None, lambda: _with_extra_column(FORMULAS[0])),
    "script_in_cells": ("script_cells.csv", None, lambda: _with_cells("title", [SCRIPT, IMG_ONERROR] * 3)),
    "script_in_header": ("script_header.csv", None, lambda: _with_extra_column(SCRIPT)),
    "img_onerror_in_header": ("img_header.csv", None, lambda: _with_extra_column(IMG_ONERROR)),
    "markdown_in_cells": ("markdown_cells.csv", None,
                          lambda: _with_cells("description", [f"{MARKDOWN_IMAGE} **bold** [go](javascript:alert(1))"])),
    "markdown_image_header_duplicate": ("markdown_header_dup.csv", None, _markdown_header_duplicate),
    "markdown_image_header_as_title": ("markdown_header_title.csv", None, _markdown_header_as_title),
    "rtl_text": ("rtl.csv", None, _rtl),
    "cjk_text": ("cjk.csv", None, _cjk),
    "control_characters": ("control_chars.csv", None, _control_chars),
    "whitespace_only_rows": ("whitespace_rows.csv", None, _whitespace_rows),
    "blank_lines_between_rows": ("blank_between.csv", None, _blank_lines),
    "header_only": ("header_only.csv", None, _header_only),
    "one_row": ("one_row.csv", None, lambda: _rows(1)),
    "nine_pairs": ("nine_pairs.csv", None, lambda: _rows(9)),
    "one_pair_100_rows": ("one_pair_100.csv", None, _one_pair_repeated),
    "three_distinct_pairs": ("three_distinct.csv", None, _few_distinct),
    "single_group": ("single_group.csv", None, _single_group),
    "duplicate_headers": ("duplicate_headers.csv", None, _duplicate_headers),
    "duplicate_headers_spaces": ("duplicate_headers_spaces.csv", None, _duplicate_headers_spaces),
    "long_cell_ok": ("long_cell.csv", None, lambda: _long_cell(20_000)),
    "very_long_cell": ("very_long_cell.csv", None, lambda: _long_cell(150_000)),
    "nul_bytes": ("nul.csv", None, _nul_bytes),
    "nul_byte_after_64k": ("nul_late.csv", None, _nul_late),
    "huge_line": ("huge_line.csv", None, _huge_line),
    "huge_unquoted_cell": ("huge_cell_line.csv", None, _huge_unquoted_cell),
    "crlf_line_endings": ("crlf.csv", None, lambda: csv_text(base_rows(), lineterminator="\r\n").encode()),
    "cr_only_line_endings": ("cr_only.csv", None, lambda: csv_text(base_rows(), lineterminator="\r").encode()),
    "semicolon_delimited": ("semicolon.csv", None, lambda: csv_text(base_rows(), delimiter=";").encode()),
    "tsv": ("pairs.tsv", None, lambda: csv_text(base_rows(), delimiter="\t").encode()),
    "no_header": ("no_header.csv", None, _no_header),
    "path_traversal_name": ("passwd.csv", "../../etc/passwd.csv", _good),
    "path_traversal_windows_name": ("win.ini.csv", "..\\..\\Windows\\win.ini.csv", _good),
    "absolute_path_name": ("evil.csv", "/etc/cron.d/evil.csv", _good),
    "path_traversal_bad_content": ("evil_ragged.csv", "../../../tmp/evil_ragged.csv", _ragged),
    "rtl_override_name": ("invoice_rtlo.csv", "invoice\u202egpj.csv", _good),
    "very_long_name": ("long_name.csv", "n" * 300 + ".csv", _good),
    "exe_extension": ("setup.exe", None, _mz_header),
    "csv_content_exe_name": ("pairs.exe", None, _good),
    "double_extension_exe": ("pairs.csv.exe", None, _good),
    "zip_extension": ("pairs.zip", None, _zip_of_csv),
    "no_extension": ("pairs", None, _good),
    "jsonl_good": ("pairs.jsonl", None, lambda: _jsonl(base_rows())),
    "jsonl_invalid_lines": ("invalid.jsonl", None, _jsonl_invalid),
    "jsonl_not_object": ("not_object.jsonl", None, _jsonl_not_object),
    "jsonl_nested_title": ("nested.jsonl", None, _jsonl_nested),
    "jsonl_duplicate_key": ("duplicate_key.jsonl", None, _jsonl_duplicate_key),
    "parquet_good": ("pairs.parquet", None, _parquet_good),
    "parquet_integer_columns": ("ints.parquet", None, _parquet_ints),
    "parquet_truncated": ("truncated.parquet", None, _parquet_truncated),
    "parquet_named_csv": ("parquet_inside.csv", None, _parquet_good),
    "xlsx_good": ("pairs.xlsx", None, lambda: _workbook(_xlsx_rows())),
    "xlsx_formula_column": ("formula_column.xlsx", None, _xlsx_formula_extra),
    "xlsx_formula_text_cells": ("formula_text.xlsx", None, _xlsx_formula_text),
    "xlsx_is_csv": ("csv_inside.xlsx", None, _good),
    "xls_ole2_named_xlsx": ("old_excel.xlsx", None, _ole2),
    "zip_bomb_xlsx": ("bomb.xlsx", None, _zip_bomb),
    "xlsx_sheet_bomb": ("sheet_bomb.xlsx", None, _sheet_bomb),
}


def build_corpus(folder: str | Path, names: list[str] | None = None) -> dict[str, CorpusFile]:
    """Write the corpus (or the cases in ``names``) into ``folder``.

    Args:
        folder: Where to write; created if missing.
        names: Case ids to build; all when None.

    Returns:
        Case id -> :class:`CorpusFile`.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    built = {}
    for name in names or list(CASES):
        file_name, upload_name, make = CASES[name]
        path = out / file_name
        path.write_bytes(make())
        built[name] = CorpusFile(name=name, path=path, upload_name=upload_name or file_name)
    return built


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: build_corpus.py OUT_DIR")
    for case in build_corpus(sys.argv[1]).values():
        print(f"{case.name:34} {case.path.stat().st_size:>10,} bytes  upload as {case.upload_name!r}")
