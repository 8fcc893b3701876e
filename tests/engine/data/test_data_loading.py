"""Reading every supported format, column auto-detection and explicit mapping, PairDataset basics."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from engine.data import ColumnMap, PairDataset, load_pairs, read_table, resolve_columns
from engine.errors import ConfigError, DataError


def _frame(rows):
    return pd.DataFrame(rows, columns=["product_id", "category", "title", "description"])


def _check_catalogue(data: PairDataset, rows) -> None:
    assert len(data) == len(rows)
    assert data.left == tuple(r["title"] for r in rows)
    assert data.right == tuple(r["description"] for r in rows)
    assert data.group == tuple(r["product_id"] for r in rows)
    assert data.label == tuple(r["category"] for r in rows)
    assert data.row == tuple(range(1, len(rows) + 1))
    assert data.columns == ColumnMap(left="title", right="description", group="product_id", label="category")
    assert data.extras == {}


@pytest.mark.parametrize(
    "name,sep",
    [
        ("pairs.csv", ","),
        ("pairs.txt", ";"),
        ("semi.csv", ";"),
        ("tabbed.csv", "\t"),
        ("pairs.tsv", "\t"),
        ("pairs.tab", "\t"),
    ],
)
def test_delimited_formats_and_sniffing(write, rows, to_csv, name, sep):
    path = write(name, to_csv(rows, sep=sep))
    data = load_pairs(path)
    _check_catalogue(data, rows)
    assert data.source == name


def test_jsonl_and_ndjson(write, rows):
    text = "\n".join(json.dumps(r) for r in rows[:6]) + "\n\n" + "\n".join(json.dumps(r) for r in rows[6:]) + "\n"
    for name in ("pairs.jsonl", "pairs.ndjson"):
        _check_catalogue(load_pairs(write(name, text)), rows)


def test_jsonl_numbers_and_missing_keys_become_text(write):
    lines = [
        {"title": "a", "description": "x", "price": 2.5, "stock": 3, "sale": True, "note": None},
        {"title": "b", "description": "y", "price": 4.0},
    ]
    frame = read_table(write("p.jsonl", "\n".join(json.dumps(x) for x in lines)))
    assert frame.to_dict("list") == {
        "title": ["a", "b"],
        "description": ["x", "y"],
        "price": ["2.5", "4"],
        "stock": ["3", ""],
        "sale": ["true", ""],
        "note": ["", ""],
    }


def test_parquet(tmp_path, rows):
    frame = _frame(rows)
    frame["price"] = [float(i) + 0.5 for i in range(len(rows))]
    frame["qty"] = list(range(len(rows)))
    path = tmp_path / "pairs.parquet"
    frame.to_parquet(path)
    data = load_pairs(path)
    assert data.extras["price"][:2] == ("0.5", "1.5")
    assert data.extras["qty"][:3] == ("0", "1", "2")
    data_no_extras = load_pairs(
        path, ColumnMap(left="title", right="description", group="product_id", label="category")
    )
    assert data_no_extras.left == data.left
    assert data.right == tuple(r["description"] for r in rows)
    assert data.row == tuple(range(1, len(rows) + 1))


def test_excel(tmp_path, rows):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["product_id", "category", "title", "description", "count"])
    for i, r in enumerate(rows):
        sheet.append([r["product_id"], r["category"], r["title"], r["description"], i])
        if i == 4:
            sheet.append([None, None, None, None, None])  # a blank sheet row is skipped
    book.create_sheet("notes").append(["ignored"])
    path = tmp_path / "pairs.xlsx"
    book.save(path)
    data = load_pairs(path)
    assert data.left == tuple(r["title"] for r in rows)
    assert data.extras["count"][:3] == ("0", "1", "2")
    assert data.row == tuple(range(1, len(rows) + 1))
    assert data.group == tuple(r["product_id"] for r in rows)


def test_quoted_multiline_cell_keeps_rows_and_reports_lines(write):
    text = 'title,description\nmug,"two\nlines"\nlamp,\nkettle,ok\n'
    with pytest.raises(DataError) as info:
        load_pairs(write("p.csv", text))
    # row 2 starts on line 4 because row 1 spans lines 2-3
    assert "row 2 (line 4 of the file)" in str(info.value)
    assert info.value.row == 2 and info.value.column == "description"


def test_bom_and_whitespace_header_and_crlf(write):
    path = write("p.csv", "\ufeff title , Description \r\nmug,  a cup  \r\n\r\nlamp,a light\r\n")
    data = load_pairs(path)
    assert data.columns == ColumnMap(left="title", right="Description")
    assert data.left == ("mug", "lamp") and data.right == ("a cup", "a light")
    assert data.row == (1, 2)
    assert data.group == ("r1", "r2")  # no group column: every row is its own group


def test_trailing_delimiters_are_tolerated(write):
    data = load_pairs(write("p.csv", "title,description,\nmug,cup,\nlamp,light,,\n"))
    assert data.left == ("mug", "lamp") and data.extras == {}


def test_empty_group_cells_become_own_group(write):
    data = load_pairs(write("p.csv", "sku,title,description\nS1,a,x\n,b,y\n,c,z\nS1,d,w\n"))
    assert data.group == ("S1", "r2", "r3", "S1")


def test_read_table_every_cell_str(write):
    frame = read_table(write("p.csv", "a;b;c\n1;;x\n2;3;\n"))
    assert list(frame.columns) == ["a", "b", "c"]
    assert frame.to_dict("list") == {"a": ["1", "2"], "b": ["", "3"], "c": ["x", ""]}


def test_max_rows(write, rows, to_csv):
    path = write("p.csv", to_csv(rows))
    assert len(load_pairs(path, max_rows=12)) == 12
    with pytest.raises(DataError, match=r"more than 5 data rows, over the limit of max_rows=5"):
        load_pairs(path, max_rows=5)
    with pytest.raises(ConfigError, match="max_rows"):
        load_pairs(path, max_rows=0)


# --- column roles -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "columns,expected",
    [
        (
            ["Product Title", "Product-Description", "SKU", "Class"],
            ("Product Title", "Product-Description", "SKU", "Class"),
        ),
        (["query", "positive"], ("query", "positive", None, None)),
        (["sentence1", "sentence2", "label"], ("sentence1", "sentence2", None, "label")),
        (["text", "text_b", "id"], ("text", "text_b", "id", None)),
        (["caption", "image_path", "pair_id"], ("caption", "image_path", "pair_id", None)),
        (["question", "answer", "group_id", "category"], ("question", "answer", "group_id", "category")),
        (["name", "title", "body"], ("title", "body", None, None)),  # title outranks name
    ],
)
def test_auto_detection(columns, expected):
    got = resolve_columns(columns)
    assert (got.left, got.right, got.group, got.label) == expected


def test_explicit_mapping_wins_and_partial_mapping_is_completed():
    cols = ["title", "description", "summary", "product_id"]
    got = resolve_columns(cols, {"right": "summary"})
    assert got == ColumnMap(left="title", right="summary", group="product_id")
    swapped = resolve_columns(cols, {"left": "description", "right": "title"})
    assert (swapped.left, swapped.right) == ("description", "title")
    loose = resolve_columns(cols, {"left": "TITLE", "right": "Summary"})  # case-insensitive fallback
    assert (loose.left, loose.right) == ("title", "summary")


def test_mapping_loads_from_file(write):
    data = load_pairs(write("p.csv", "a,b,c\nx1,y1,g\nx2,y2,g\n"), {"left": "b", "right": "a", "group": "c"})
    assert data.left == ("y1", "y2") and data.right == ("x1", "x2") and data.group == ("g", "g")


def test_unknown_role_is_config_error():
    with pytest.raises(ConfigError, match="allowed roles: left, right, group, label"):
        resolve_columns(["title", "description"], {"anchor": "title"})


# --- PairDataset ------------------------------------------------------------------------------


def _dataset() -> PairDataset:
    return PairDataset(
        left=["a", "b", "c"],
        right=["x", "y", "z"],
        group=["g1", "g1", "g2"],
        row=[1, 2, 3],
        label=["k", "k", "m"],
        extras={"note": ["n1", "n2", "n3"]},
        source="f.csv",
    )


def test_subset_to_frame_and_fingerprint():
    data = _dataset()
    sub = data.subset([2, 0])
    assert (
        sub.left == ("c", "a")
        and sub.row == (3, 1)
        and sub.label == ("m", "k")
        and sub.extras == {"note": ("n3", "n1")}
    )
    assert sub.source == "f.csv"
    frame = data.to_frame()
    assert list(frame.columns) == ["left", "right", "group", "row", "label", "note"]
    assert frame["row"].tolist() == [1, 2, 3]
    assert data.fingerprint() == _dataset().fingerprint()
    assert len(data.fingerprint()) == 64
    assert data.fingerprint() != sub.fingerprint()
    assert data.subset([0, 1, 2]).fingerprint() == data.fingerprint()
    changed = PairDataset(
        left=["a", "b", "c"],
        right=["x", "y", "zz"],
        group=data.group,
        row=data.row,
        label=data.label,
        extras=data.extras,
    )
    assert changed.fingerprint() != data.fingerprint()
    with pytest.raises(IndexError):
        data.subset([3])
    with pytest.raises(IndexError):
        data.subset([-1])


def test_fingerprint_is_a_fixed_value():
    # Pinned so a change to the hashing scheme (which would orphan stored run fingerprints) is noticed.
    data = PairDataset(left=["a"], right=["b"], group=["r1"], row=[1])
    assert data.fingerprint() == "fc41bfe693151425838444b3e99e96c81ee89d6bc6d4274b6fa3645e7cb580ec"
    assert data.fingerprint() == PairDataset(left=("a",), right=("b",), group=("r1",), row=(1,)).fingerprint()


def test_inconsistent_lengths_rejected():
    with pytest.raises(DataError, match="right"):
        PairDataset(left=["a", "b"], right=["x"], group=["g", "h"], row=[1, 2])


def test_modality_detects_image_paths():
    data = PairDataset(left=["a red mug", "a lamp"], right=["img/1.JPG", "img/2.png"], group=["r1", "r2"], row=[1, 2])
    assert data.modality == {"left": "text", "right": "image"}
