"""Loading never changes data silently: every skipped line, number read as text, header line and
grouped repeat is in a load note (count and rows, both languages); untrainable data is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from engine import datasets as ds
from engine.data import (
    LoadNote,
    PairDataset,
    check_trainable,
    load_pairs,
    render_load_note,
    split_pairs,
)
from engine.data.error_text import render_error
from engine.errors import DataError
from engine.i18n import override


def _notes(data: PairDataset) -> dict[str, LoadNote]:
    return {n.code: n for n in data.notes}


def _japanese(text: str) -> bool:
    return any("\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" for c in text)


def _pairs(n: int) -> list[str]:
    return [f"Item {i},Description of item {i}" for i in range(1, n + 1)]


# --- whitespace-only rows -------------------------------------------------------------------------

def test_whitespace_only_rows_are_skipped_and_named_by_line(write):
    lines = ["title,description", *_pairs(3), "  ,\t", ",", *_pairs(12)[3:], "\u3000,  "]
    data = load_pairs(write("pairs.csv", "\n".join(lines) + "\n"))
    assert len(data) == 12  # 15 records after the header, 3 of them blank
    note = _notes(data)["blank_rows"]
    assert note.count == 3 and note.rows == []
    assert note.message == ("'pairs.csv': skipped 3 lines after the header that held only empty or whitespace "
                            "cells: line 5, line 6, line 16. If a pair belongs there, type in its texts and load "
                            "the file again.")
    with override("ja"):
        ja = render_load_note(note.to_dict())
    assert "3行を読み飛ばしました" in ja and "ファイルの5行目、ファイルの6行目、ファイルの16行目" in ja


def test_empty_lines_are_not_rows_and_need_no_note(write):
    data = load_pairs(write("pairs.csv", "title,description\n\n" + "\n\n".join(_pairs(10)) + "\n\n"))
    assert len(data) == 10 and "blank_rows" not in _notes(data)


def test_whitespace_rows_in_a_workbook_are_named_by_sheet_row(tmp_path):
    book = Workbook()
    book.active.append(["title", "description"])
    book.active.append(["Mug", "A mug"])
    book.active.append(["  ", " "])
    book.active.append(["Lamp", "A lamp"])
    path = tmp_path / "pairs.xlsx"
    book.save(path)
    note = _notes(load_pairs(path))["blank_rows"]
    assert note.count == 1 and "skipped 1 sheet row after the header" in note.message
    assert note.message.endswith("cells: sheet row 3. If a pair belongs there, type in its texts and load the file "
                                 "again.")


# --- numbers read as text -------------------------------------------------------------------------

def test_integer_parquet_columns_are_text_and_said_so(tmp_path):
    path = tmp_path / "codes.parquet"
    pq.write_table(pa.table({"title": pa.array([101, 202, 303], pa.int64()),
                             "description": ["one", "two", "three"],
                             "product_id": pa.array([1, 2, 3], pa.int32()),
                             "price": pa.array([1.5, 2.0, None])}), path)
    data = load_pairs(path)
    assert data.left == ("101", "202", "303") and data.group == ("1", "2", "3")
    assert data.extras["price"] == ("1.5", "2", "")
    note = _notes(data)["not_text"]
    assert note.count == 3 and note.fields["converted"] == {"title": "number", "product_id": "number",
                                                            "price": "number"}
    assert note.message == (
        "'codes.parquet': values that are not text in the file were converted to text, exactly as the file shows "
        "them (e.g. 1000 becomes \"1000\"): column 'title' (numbers, used as the left text), column 'product_id' "
        "(numbers, used as the group id), column 'price' (numbers).")
    with override("ja"):
        assert render_load_note(note).endswith(
            "：列「title」（数値、左側のテキストとして使用）、列「product_id」（数値、グループIDとして使用）、列「price」（数値）。")


def test_numbers_in_jsonl_and_excel_are_noted(write, tmp_path):
    jsonl = write("p.jsonl", '{"title": "Mug", "description": 12.5}\n{"title": "Lamp", "description": true}\n')
    assert _notes(load_pairs(jsonl))["not_text"].fields["converted"] == {"description": "number"}
    book = Workbook()
    for row in (["title", "description"], ["Mug", "A mug"], [2024, "A calendar"]):
        book.active.append(row)
    book.save(tmp_path / "p.xlsx")
    data = load_pairs(tmp_path / "p.xlsx")
    assert data.left == ("Mug", "2024") and _notes(data)["not_text"].fields["converted"] == {"title": "number"}


def test_text_columns_get_no_number_note(write):
    data = load_pairs(write("p.csv", "title,description\n12,34\n56,78\n"))
    assert data.left == ("12", "56") and data.notes == ()


# --- a file without a header ----------------------------------------------------------------------

def test_header_line_that_looks_like_data_is_named(write):
    path = write("nohead.csv", "\n" + "\n".join(_pairs(11)) + "\n")
    data = load_pairs(path, {"left": "Item 1", "right": "Description of item 1"})
    assert len(data) == 10 and data.left[0] == "Item 2"
    note = _notes(data)["header_line"]
    assert note.message.startswith("'nohead.csv': line 2 was read as the column names ('Item 1', "
                                   "'Description of item 1'), not as a pair;")
    with override("ja"):
        assert "ファイルの2行目を列名（'Item 1', 'Description of item 1'）として読み取りました" in render_load_note(note)


def test_first_line_that_reads_like_a_pair_is_kept(write):
    lines = [f"Item {i},A steel item number {i} that holds coffee." for i in range(1, 12)]
    path = write("nohead.csv", "\n".join(lines) + "\n")
    data = load_pairs(path, {"left": "Item 1", "right": "A steel item number 1 that holds coffee."})
    assert len(data) == 11 and data.left[:2] == ("Item 1", "Item 2") and data.row[0] == 1
    note = _notes(data)["header_kept"]
    assert note.rows == [1] and note.message.startswith(
        "'nohead.csv': line 1 looks like a pair, not like column names ('Item 1', 'A steel item number 1 that holds "
        "coffee.'), so it is kept as the first pair (row 1)")
    # No mapping and no usual names: the two columns are taken by their order, and a note says so.
    guessed = load_pairs(path)
    assert guessed.left == data.left and {"header_kept", "positional_columns"} <= set(_notes(guessed))


def test_header_false_keeps_the_first_line(write):
    path = write("nohead.csv", "\n".join(_pairs(11)) + "\n")
    data = load_pairs(path, {"left": "column_1", "right": "column_2"}, header=False)
    assert len(data) == 11 and data.left[0] == "Item 1" and data.row[0] == 1 and data.notes == ()


def test_header_false_in_a_workbook(tmp_path):
    book = Workbook()
    book.active.append(["Mug", "A mug"])
    book.active.append(["Lamp", "A lamp"])
    book.save(tmp_path / "p.xlsx")
    data = load_pairs(tmp_path / "p.xlsx", {"left": "column_1", "right": "column_2"}, header=False)
    assert data.left == ("Mug", "Lamp")


@pytest.mark.parametrize("header", ["title,description", "商品名,説明", "名前,説明", "product_id,name,body"])
def test_usual_headers_get_no_header_note(write, header):
    names = header.split(",")
    rows = [",".join(f"v{r}{c}" for c in range(len(names))) for r in range(3)]
    data = load_pairs(write("p.csv", "\n".join([header, *rows]) + "\n"), {"left": names[-2], "right": names[-1]})
    assert len(data) == 3 and "header_line" not in _notes(data)


# --- repeated pairs -------------------------------------------------------------------------------

def test_repeated_pairs_without_groups_are_masked_into_one_group(write):
    lines = ["title,description", "Mug,A mug", "Lamp,A lamp", "Mug,A mug", "Pen,A pen", "Mug,A mug"]
    data = load_pairs(write("p.csv", "\n".join(lines) + "\n"))
    assert len(data) == 5  # kept, not removed
    assert data.group == ("r1", "r2", "r1", "r4", "r1")
    note = _notes(data)["duplicate_pairs_masked"]
    assert (note.count, note.rows) == (2, [3, 5])
    assert note.message.startswith("'p.csv': the (left, right) pair of another row is repeated in 2 rows: row 3 "
                                   "(line 4 of the file), row 5 (line 6 of the file). Such repeats are kept")
    assert "(masked, not removed)" in note.message


def test_repeat_joins_the_given_group_and_given_groups_are_kept(write, rows, to_csv):
    rows = rows[:10]
    rows.append({**rows[0], "product_id": ""})  # no group of its own: joins P01
    rows.append({**rows[1], "product_id": "OTHER"})  # the user put it elsewhere: kept, and said so
    data = load_pairs(write("p.csv", to_csv(rows)))
    assert data.group[10] == "P01" and data.group[11] == "OTHER"
    notes = _notes(data)
    assert (notes["duplicate_pairs_masked"].rows, notes["duplicate_pairs_grouped_apart"].rows) == ([11], [12])
    assert notes["empty_groups"].rows == [11]
    assert "group column 'product_id' puts in another group is repeated in 1 row: row 12" in (
        notes["duplicate_pairs_grouped_apart"].message)


def test_masked_repeats_stay_on_one_side_of_the_split(write):
    lines = ["title,description", *_pairs(20), "Item 3,Description of item 3", "Item 3,Description of item 3"]
    data = load_pairs(write("p.csv", "\n".join(lines) + "\n"))
    for seed in range(5):
        train, _ = split_pairs(data, seed=seed)
        assert sum(r in (3, 21, 22) for r in train.row) in (0, 3)


# --- notes as data --------------------------------------------------------------------------------

def test_notes_are_json_and_render_in_both_languages(write):
    lines = ["title,description", "Mug,A mug", " , ", "Mug,A mug"]
    data = load_pairs(write("p.csv", "\n".join(lines) + "\n"))
    stored = json.loads(json.dumps([n.to_dict() for n in data.notes]))
    assert [n["code"] for n in stored] == ["blank_rows", "duplicate_pairs_masked"]
    for note in stored:
        assert render_load_note(note) == note["message"]
        with override("ja"):
            ja = render_load_note(note)
        assert _japanese(ja) and "{" not in ja
    assert render_load_note({"key": "load_notes.GONE", "fields": {}, "message": "stored"}) == "stored"


def test_notes_do_not_change_equality_fingerprint_or_subsets(write):
    data = load_pairs(write("p.csv", "title,description\nMug,A mug\n , \nLamp,A lamp\n"))
    plain = PairDataset(left=data.left, right=data.right, group=data.group, row=data.row, columns=data.columns,
                        source=data.source)
    assert data.notes and data == plain and data.fingerprint() == plain.fingerprint()
    assert data.subset([0]).notes == ()


# --- data that cannot train -----------------------------------------------------------------------

def test_one_row_and_one_pair_are_refused_with_what_helps(write):
    with pytest.raises(DataError) as one_row:
        check_trainable(load_pairs(write("one.csv", "title,description\nMug,A mug\n")))
    assert str(one_row.value).startswith("'one.csv' holds only one distinct (left, right) pair, in 1 row, so there is")
    same = load_pairs(write("same.csv", "title,description\n" + "Mug,A mug\n" * 100))
    assert len(set(same.group)) == 1  # masked: every repeat is in the first row's group
    with pytest.raises(DataError) as hundred:
        check_trainable(same)
    message = str(hundred.value)
    assert "'same.csv' holds only one distinct (left, right) pair, in 100 rows" in message and "A smaller batch size does not help" in message
    with override("ja"):
        assert "バッチサイズを小さくしても解決しません" in render_error(hundred.value)


def test_too_few_distinct_pairs_says_how_many(write):
    lines = ["title,description", *_pairs(9), *_pairs(9)]
    with pytest.raises(DataError) as err:
        check_trainable(load_pairs(write("nine.csv", "\n".join(lines) + "\n")))
    assert str(err.value).startswith("'nine.csv' has 9 distinct (left, right) pairs in 18 rows; training and testing "
                                     "need at least 10.")
    assert err.value.message_key == "data_errors.TOO_FEW_DISTINCT_PAIRS"  # type: ignore[attr-defined]
    check_trainable(load_pairs(write("ten.csv", "\n".join(["title,description", *_pairs(10)]) + "\n")))


def test_one_text_on_a_side_and_one_group_are_refused(write):
    lines = ["title,description", *[f"Item {i},TBD" for i in range(12)]]
    with pytest.raises(DataError, match="Every row of 'tbd.csv' has the same right text \\('TBD'\\)"):
        check_trainable(load_pairs(write("tbd.csv", "\n".join(lines) + "\n")))
    lines = ["group,title,description", *[f"G,{p}" for p in _pairs(12)]]
    with pytest.raises(DataError, match="all rows share one group"):
        check_trainable(load_pairs(write("g.csv", "\n".join(lines) + "\n")))


def test_store_upload_refuses_untrainable_data_and_keeps_nothing(tmp_path):
    with pytest.raises(DataError, match="'same.csv' holds only one distinct"):
        ds.store_upload(tmp_path, "same.csv", ("title,description\n" + "Mug,A mug\n" * 100).encode())
    assert ds.list_datasets(tmp_path) == []
    assert [p.name for p in (tmp_path / "datasets").iterdir()] == []


# --- JSON lines the parser cannot hold ------------------------------------------------------------

@pytest.mark.parametrize(("line", "key"), [
    ("[" * 100_000, "data_errors.JSON_TOO_COMPLEX"),
    ('{"title": ' + "9" * 5000 + ', "description": "x"}', "data_errors.JSON_TOO_COMPLEX"),
    ('{"title": "bad \\ud800 half", "description": "x"}', "data_errors.JSON_SURROGATE"),
])
def test_jsonl_lines_python_cannot_hold_are_refused(write, line, key):
    with pytest.raises(DataError) as err:
        load_pairs(write("p.jsonl", '{"title": "a", "description": "b"}\n' + line + "\n"))
    assert err.value.message_key == key and err.value.row == 2  # type: ignore[attr-defined]
    assert "line 2 (row 2)" in str(err.value)


def test_jsonl_keys_that_collide_after_stripping_are_refused(write):
    with pytest.raises(DataError, match="has the key 'title' twice"):
        load_pairs(write("p.jsonl", '{"title": "a", " title": "b", "description": "c"}\n'))


def test_damaged_workbook_is_a_data_error(tmp_path):
    book = Workbook()
    book.active.append(["title", "description"])
    book.active.append(["Mug", "A mug"])
    book.save(tmp_path / "ok.xlsx")
    data = bytearray((tmp_path / "ok.xlsx").read_bytes())
    data[242] ^= 2  # inside a compressed member: zlib fails while the sheet is read
    path = Path(tmp_path / "bad.xlsx")
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match="is not a readable Excel .xlsx workbook"):
        load_pairs(path)
