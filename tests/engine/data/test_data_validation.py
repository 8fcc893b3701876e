"""Every kind of bad input gets a DataError naming the problem, where it is, and the fix."""

from __future__ import annotations

import json

import pytest

from engine.data import MAX_CELL_CHARS, PairDataset, load_pairs, resolve_columns, split_pairs
from engine.errors import ConfigError, DataError


def _error(path, columns=None) -> DataError:
    with pytest.raises(DataError) as info:
        load_pairs(path, columns)
    return info.value


# 1. missing / not a file / empty / header only ----------------------------------------------


def test_missing_file(tmp_path):
    err = _error(tmp_path / "nope.csv")
    assert "File not found" in str(err) and "nope.csv" in str(err) and "absolute path" in str(err)


def test_directory_is_not_a_file(tmp_path):
    err = _error(tmp_path)
    assert "is a folder" in str(err) and "Pass the path of a CSV" in str(err)


def test_zero_byte_file(write):
    err = _error(write("p.csv", b""))
    assert "is empty (0 bytes)" in str(err) and "header line and at least one data row" in str(err)


def test_blank_lines_only(write):
    assert "only blank lines" in str(_error(write("p.csv", "\n \n\n")))


@pytest.mark.parametrize("name,content", [("p.csv", "title,description\n"), ("p.tsv", "title\tdescription\n\n")])
def test_header_only(write, name, content):
    err = _error(write(name, content))
    assert "has a header ('title', 'description') but no data rows" in str(err) and "Add at least one pair" in str(err)


def test_header_only_excel(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["title", "description"])
    book.save(tmp_path / "p.xlsx")
    assert "but no data rows" in str(_error(tmp_path / "p.xlsx"))


# 2. unsupported extension ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["p.xls", "p.json", "pairs"])
def test_unsupported_extension(write, name):
    err = str(_error(write(name, "title,description\na,b\n")))
    assert "not supported" in err
    for ext in (".csv", ".tsv", ".jsonl", ".parquet", ".xlsx"):
        assert ext in err


# 3. unreadable / corrupt content --------------------------------------------------------------


def test_csv_wrong_field_count_names_row_and_line(write):
    err = _error(write("p.csv", "title,description\nmug,a cup\nlamp, bright, warm light\nkettle,boils\n"))
    assert err.row == 2
    msg = str(err)
    assert "row 2 (line 3 of the file) has 3 fields but the header has 2 columns" in msg
    assert "double quotes" in msg


def test_csv_too_few_fields(write):
    err = _error(write("p.csv", "title,description,sku\nmug,a cup,S1\nlamp,light\n"))
    assert "row 2 (line 3 of the file) has 2 fields but the header has 3 columns" in str(err)


def test_csv_unclosed_quote_at_end(write):
    err = _error(write("p.csv", 'title,description\nmug,a cup\nlamp,"never closed\nkettle,boils\n'))
    assert "row 2 (line 3 of the file) is never closed" in str(err) and 'doubled ("")' in str(err)


def test_csv_malformed_quote(write):
    err = _error(write("p.csv", 'title,description\nmug,"a cup"x\n'))
    assert "row 1 (starting on line 2 of the file) has malformed quoting" in str(err)


def test_jsonl_invalid_line_names_line_number(write):
    text = json.dumps({"title": "a", "description": "b"}) + "\n\n" + '{"title": "c", "description": }\n'
    err = _error(write("p.jsonl", text))
    assert "line 3 (row 2) is not valid JSON" in str(err) and "fix or remove that line" in str(err)
    assert err.row == 2


def test_corrupt_parquet(write):
    err = str(_error(write("p.parquet", "title,description\na,b\n")))
    assert "is not a readable Parquet file" in err and "extension of its real format" in err


def test_corrupt_xlsx(write):
    err = str(_error(write("p.xlsx", b"PK\x03\x04 definitely not a workbook")))
    assert "is not a readable Excel .xlsx workbook" in err and "save it again as .xlsx" in err


def test_binary_garbage(write):
    garbage = bytes(range(256)) * 4
    err = str(_error(write("p.csv", garbage)))
    assert "binary data" in err and "right file" in err


def test_latin1_is_rejected_not_mojibaked(write):
    err = str(_error(write("p.csv", "title,description\ncafé au lait,crème\n", encoding="latin-1")))
    assert "not valid UTF-8" in err and "line 2" in err and "0xE9" in err and "Save the file as UTF-8" in err


def test_utf16(write):
    err = str(_error(write("p.csv", "title,description\na,b\n", encoding="utf-16")))
    assert "UTF-16" in err and "Save it as UTF-8" in err


# 4. columns -----------------------------------------------------------------------------------


def test_cannot_detect_columns_lists_them_and_shows_mapping(write):
    err = str(_error(write("p.csv", "foo,bar,baz\n1,2,3\n")))
    assert "Cannot tell which column is the left and which is the right text" in err
    assert "'foo', 'bar', 'baz'" in err
    assert "--left-column foo --right-column bar" in err
    assert 'columns={"left": "foo", "right": "bar"}' in err


def test_only_right_missing(write):
    err = str(_error(write("p.csv", "title,price\na,1\n")))
    assert "which column is the right text" in err and "description" in err


def test_mapping_names_missing_column(write):
    err = _error(write("p.csv", "title,description\na,b\n"), {"left": "titel"})
    assert err.column == "titel"
    assert "Column 'titel' (given for the left role) is not in the file" in str(err)
    assert "Did you mean 'title'?" in str(err) and "'title', 'description'" in str(err)


def test_left_and_right_same_column(write):
    err = _error(write("p.csv", "title,description\na,b\n"), {"left": "title", "right": "title"})
    assert "Left and right are both mapped to column 'title'" in str(err) and "two different columns" in str(err)


def test_duplicate_header_names(write):
    err = _error(write("p.csv", "title,description,title\na,b,c\n"))
    assert err.column == "title"
    assert "two columns named 'title' (columns 1 and 3" in str(err) and "Rename one" in str(err)


def test_duplicate_keys_in_a_jsonl_line(write):
    err = _error(
        write("p.jsonl", '{"title": "a", "description": "b"}\n{"title": "c", "title": "d", "description": "e"}\n')
    )
    assert err.row == 2 and err.column == "title"
    assert "line 2 (row 2) has the key 'title' twice" in str(err) and "Rename or remove one" in str(err)


def test_duplicate_names_in_a_frame():
    with pytest.raises(DataError, match="two columns named 'title'"):
        resolve_columns(["title", "description", "title"])


def test_duplicate_names_in_parquet(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_arrays(
        [pa.array(["a"]), pa.array(["b"]), pa.array(["c"])], names=["title", "description", "title"]
    )
    pq.write_table(table, tmp_path / "p.parquet")
    assert "two columns named 'title'" in str(_error(tmp_path / "p.parquet"))


# 5. empty and whitespace-only cells -------------------------------------------------------------


def test_empty_right_cells_list_rows_and_count(write):
    lines = ["title,description"] + [
        f"t{i},{'' if i in (3, 5, 6, 7, 8, 9, 11) else 'd' + str(i)}" for i in range(1, 13)
    ]
    err = _error(write("p.csv", "\n".join(lines) + "\n"))
    msg = str(err)
    assert err.row == 3 and err.column == "description"
    assert "7 of 12 rows have an empty 'description' cell (the right role)" in msg
    assert "row 3 (line 4 of the file), row 5 (line 6 of the file)" in msg and "and 2 more" in msg
    assert "Remove those rows or fill in the text" in msg


def test_whitespace_only_left_cell(write):
    err = _error(write("p.csv", 'title,description\n"   ",a\nb,c\n'))
    assert "1 of 2 rows have a whitespace-only 'title' cell (the left role): row 1 (line 2 of the file)" in str(err)


def test_empty_cell_in_excel_names_sheet_row(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    for values in (["title", "description"], ["a", "x"], ["b", None]):
        book.active.append(values)
    book.save(tmp_path / "p.xlsx")
    assert "row 2 (sheet row 3)" in str(_error(tmp_path / "p.xlsx"))


# 6. too small for a split ------------------------------------------------------------------------


def _pairs(n: int, groups: list[str] | None = None) -> PairDataset:
    return PairDataset(
        left=[f"l{i}" for i in range(n)],
        right=[f"r{i}" for i in range(n)],
        group=groups or [f"g{i}" for i in range(n)],
        row=list(range(1, n + 1)),
    )


def test_too_few_pairs_for_split():
    with pytest.raises(DataError) as info:
        split_pairs(_pairs(6))
    assert "found 6 pairs in 6 groups, need at least 10 pairs and 2 groups" in str(info.value)


def test_one_group_cannot_be_split():
    with pytest.raises(DataError) as info:
        split_pairs(_pairs(12, ["same"] * 12))
    assert "found 12 pairs in 1 groups" in str(info.value) and "check the group column" in str(info.value)


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1, True, "0.2"])
def test_test_size_out_of_range(bad):
    with pytest.raises(ConfigError, match="test_size"):
        split_pairs(_pairs(20), test_size=bad)


# 7. JSONL structure ---------------------------------------------------------------------------------


def test_jsonl_line_not_an_object(write):
    err = _error(write("p.jsonl", '{"title": "a", "description": "b"}\n["c", "d"]\n'))
    assert "line 2 (row 2) is a JSON list, not an object" in str(err) and err.row == 2


def test_nested_value_in_role_column(write):
    text = '{"title": "a", "description": "b"}\n{"title": "c", "description": ["d", "e"]}\n'
    err = _error(write("p.jsonl", text))
    assert err.row == 2 and err.column == "description"
    assert "holds a list or object at row 2" in str(err) and "Flatten the value" in str(err)


def test_nested_value_in_other_column_is_kept_as_json(write):
    text = '{"title": "a", "description": "b", "tags": ["x", "y"]}\n'
    assert load_pairs(write("p.jsonl", text)).extras["tags"] == ('["x", "y"]',)


def test_nested_value_in_parquet_role_column(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"title": ["a", "b"], "description": [["x"], ["y", "z"]]})
    pq.write_table(table, tmp_path / "p.parquet")
    err = _error(tmp_path / "p.parquet")
    assert err.column == "description" and "list or object at row 1" in str(err)


# 8. absurdly long cells ----------------------------------------------------------------------------


def test_long_cell_names_row_and_column(write):
    text = "title,description\na,b\nc," + "x" * (MAX_CELL_CHARS + 1) + "\n"
    err = _error(write("p.csv", text))
    assert err.row == 2 and err.column == "description"
    assert "row 2 (line 3 of the file) has a cell of 100,001 characters in column 'description'" in str(err)
    assert "opening quote without a closing quote" in str(err)


def test_runaway_quote_beyond_csv_field_limit(write):
    body = "\n".join(f"t{i},some text number {i}" for i in range(20_000))
    err = _error(write("p.csv", 'title,description\nmug,"oops\n' + body + '\nlamp,"x"\n'))
    assert "row 1 (line 2 of the file)" in str(err) and "closing quote" in str(err)


def test_failed_loads_write_nothing(tmp_path, write):
    write("p.csv", "title,description\na,\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    _error(tmp_path / "p.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == before
