"""Errors for a bad data file: English message unchanged, Japanese on demand, old errors as they are."""

from __future__ import annotations

import pytest

from engine.cli import main
from engine.data import load_pairs
from engine.data.error_text import render_error
from engine.data.validation import check_splittable
from engine.errors import DataError
from engine.i18n import override


def _error(call) -> DataError:
    with pytest.raises(DataError) as info:
        call()
    return info.value


def test_empty_cells_in_both_languages(tmp_path):
    path = tmp_path / "pairs.csv"
    path.write_text("title,description\nred mug,a cup\noak desk, \n", encoding="utf-8")
    exc = _error(lambda: load_pairs(path))
    assert str(exc) == render_error(exc) == (
        "[row 2, column 'description'] 'pairs.csv': 1 of 2 rows have a whitespace-only 'description' cell (the right "
        "role): row 2 (line 3 of the file). Every pair needs both texts. Remove those rows or fill in the text, then "
        "load the file again.")
    with override("ja"):
        assert render_error(exc) == (
            "[2行目、列「description」] 「pairs.csv」：2行のうち1行で、列「description」（右側の役割）のセルが"
            "空白文字のみです：2行目（ファイルの3行目）。どのペアにも両側のテキストが必要です。"
            "それらの行を削除するかテキストを入力してから、もう一度読み込んでください。")


def test_shift_jis_file_gets_a_japanese_hint(tmp_path):
    path = tmp_path / "sjis.csv"
    path.write_bytes("タイトル,説明\nマグカップ,陶器\n".encode("shift_jis"))
    exc = _error(lambda: load_pairs(path))
    assert str(exc).startswith("'sjis.csv' is not valid UTF-8 text: byte 0x83 on line 1 cannot be decoded")
    with override("ja"):
        assert render_error(exc).startswith("「sjis.csv」は有効な UTF-8 のテキストではありません。1行目のバイト 0x83 を")
        assert "Shift_JIS" in render_error(exc)


def test_unknown_columns_name_the_users_columns(tmp_path):
    path = tmp_path / "ja.csv"
    # 名前/説明 are recognised now, and two unknown text columns are taken by order: three stay unknown.
    path.write_text("見本A,見本B,見本C\nマグ,陶器のカップ,白\n", encoding="utf-8")
    with override("ja"):
        text = render_error(_error(lambda: load_pairs(path)))
    assert text.startswith("どの列が左側のテキストで、どの列が右側のテキストか判別できません。見つかった列：'見本A', '見本B', '見本C'。")
    assert "--left-column 見本A --right-column 見本B" in text


def test_too_little_data_and_errors_without_a_key():
    exc = _error(lambda: check_splittable(50, 1))
    with override("ja"):
        assert render_error(exc) == (
            "学習用とテスト用に分けるにはデータが足りません。1グループに50組ありますが、少なくとも10組・2グループが"
            "必要です。行を追加するか、グループ列を確認してください。すべての行が同じグループになっています。")
        assert render_error(DataError("plain English", row=3)) == "[row 3] plain English"


def test_cli_prints_the_error_in_japanese(capsys, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert main(["--lang", "ja", "audit", str(path)]) == 2
    assert capsys.readouterr().err.strip() == (
        "エラー：「empty.csv」は空です（0バイト）。データをもう一度書き出してください。"
        "ファイルには見出し行と、少なくとも1行のデータが必要です。")
    assert main(["audit", str(path)]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: 'empty.csv' is empty (0 bytes). Export the data again; the file needs a header line and at least one "
        "data row.")
