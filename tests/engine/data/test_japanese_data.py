"""Japanese product data: headers, roles taken by order, language detection, CJK-aware audit (issue 9)."""

from __future__ import annotations

import pytest

from engine.data import ColumnMap, PairDataset, audit, load_pairs, resolve_columns
from engine.data.audit_report import length_stats, render_finding, render_languages
from engine.data.language import detect_language, length_unit, needs_multilingual
from engine.data.load_notes import render_load_note
from engine.data.near_duplicates import near_duplicate_pairs, normalise_text
from engine.errors import DataError
from engine.i18n import override


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (["商品ID", "商品名", "商品説明", "カテゴリ"], ("商品名", "商品説明", "商品ID", "カテゴリ")),
        (["品番", "名称", "詳細", "分類"], ("名称", "詳細", "品番", "分類")),
        (["SKU", "タイトル", "説明文"], ("タイトル", "説明文", "SKU", None)),
        (["品名", "説明"], ("品名", "説明", None, None)),
        (["ＳＫＵ", "商品名", "説明", "カテゴリー"], ("商品名", "説明", "ＳＫＵ", "カテゴリー")),  # full-width
        (["商品ＩＤ", "商品名　", "商品説明"], ("商品名　", "商品説明", "商品ＩＤ", None)),  # ideographic space
    ],
)
def test_japanese_headers_map_to_roles(columns, expected):
    got = resolve_columns(columns)
    assert (got.left, got.right, got.group, got.label) == expected


def test_explicit_japanese_name_matches_its_full_width_form():
    assert resolve_columns(["ｶﾃｺﾞﾘ", "商品名", "商品説明"], {"label": "カテゴリ"}).label == "ｶﾃｺﾞﾘ"


def _csv(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


ROWS = ["ステンレス製の水筒です。保温も保冷もできます。", "木製のまな板です。", "ガラスのポットです。"]


def test_two_unknown_columns_map_by_order_with_a_notice(tmp_path):
    body = "".join(f"品{i},{text}\n" for i, text in enumerate(ROWS, 1))
    data = load_pairs(_csv(tmp_path, "items.csv", "見本A,見本B\n" + body))
    assert data.columns == ColumnMap(left="見本A", right="見本B")
    assert data.left == ("品1", "品2", "品3") and data.right == tuple(ROWS)
    note = {n.code: n for n in data.notes}["positional_columns"]
    assert note.fields == {"source": "items.csv", "left": "見本A", "right": "見本B"}
    assert "'見本A', is taken as the left text" in note.message
    with override("ja"):
        assert "「見本A」を左側のテキスト、後にある「見本B」を右側のテキストとして扱いました" in render_load_note(note)


def test_a_recognised_group_column_leaves_two_text_columns_by_order(tmp_path):
    body = "".join(f"g{i},品{i},{text}\n" for i, text in enumerate(ROWS, 1))
    data = load_pairs(_csv(tmp_path, "items.csv", "品番,見本A,見本B\n" + body))
    assert data.columns == ColumnMap(left="見本A", right="見本B", group="品番")
    assert "positional_columns" in {n.code for n in data.notes}


def test_a_number_column_does_not_count_as_text(tmp_path):
    body = "".join(f"{i},品{i},{text}\n" for i, text in enumerate(ROWS, 1))
    data = load_pairs(_csv(tmp_path, "items.csv", "番号,見本A,見本B\n" + body))
    assert (data.columns.left, data.columns.right) == ("見本A", "見本B") and data.extras["番号"] == ("1", "2", "3")
    assert "positional_columns" in {n.code for n in data.notes}


def test_no_notice_when_names_are_recognised_or_given(tmp_path):
    body = "".join(f"品{i},{text}\n" for i, text in enumerate(ROWS, 1))
    named = load_pairs(_csv(tmp_path, "a.csv", "商品名,商品説明\n" + body))
    given = load_pairs(_csv(tmp_path, "b.csv", "見本A,見本B\n" + body), {"left": "見本A", "right": "見本B"})
    assert not {n.code for n in named.notes + given.notes} & {"positional_columns"}


def test_three_unknown_columns_are_still_an_error():
    with pytest.raises(DataError, match="Cannot tell which column"):
        resolve_columns(["見本A", "見本B", "見本C"])


@pytest.mark.parametrize(
    ("texts", "language"),
    [
        (["ステンレス製 水筒 500ml", "電気圧力鍋", "USB充電式 LEDライト 5W"], "ja"),  # kanji-only value counts as ja
        (["Stainless steel bottle", "Red kettle 1.7 l", "Oak desk"], "latin"),
        (["무선 이어폰", "전기 주전자 1.7L", "스테인리스 텀블러"], "ko"),
        (["电动牙刷", "不锈钢保温杯", "木制砧板"], "zh"),
        (["ｽﾃﾝﾚｽ水筒", "ｶﾞﾗｽﾎﾟｯﾄ"], "ja"),  # half-width katakana
        (["ステンレス水筒", "Red kettle", "Blue kettle", "ガラスポット"], "mixed"),
        (["123", "-", "4.5"], "unknown"),
        ([], "unknown"),
    ],
)
def test_language_of_a_column(texts, language):
    assert detect_language(texts).language == language


def test_language_shares_are_letter_shares():
    got = detect_language(["あア", "ab"])  # 1 hiragana + 1 katakana + 2 Latin letters
    assert got.shares == {"kana": 0.5, "latin": 0.5}
    assert got.values == {"ja": 0.5, "latin": 0.5} and got.language == "mixed" and got.sampled == 2


def test_multilingual_recommended_only_off_latin_script():
    assert not needs_multilingual(["latin", "latin"]) and not needs_multilingual(["latin", "unknown"])
    assert needs_multilingual(["latin", "ja"]) and needs_multilingual(["mixed", "latin"])


def _pairs(left, right, group=None):
    n = len(left)
    return PairDataset(left=left, right=right, group=group or [f"g{i}" for i in range(n)], row=list(range(1, n + 1)),
                       columns=ColumnMap(left="商品名", right="商品説明", group="商品ID"))


JA_LEFT = ["ＡＢＣ水筒", "ABC水筒", "ｶﾀｶﾅ鍋", "カタカナ鍋", "まな板"]
JA_RIGHT = [
    "真空断熱構造で、温かい飲み物も冷たい飲み物も長時間そのままの温度を保ちます。",
    "軽くて丈夫なステンレス製です。毎日の通勤や通学に便利です。",
    "厚手のアルミ製で熱が均一に伝わり、煮込み料理に向いています。",
    "ｽﾃﾝﾚｽ製の両手鍋です。ＩＨにもガス火にも使えます。",
    "ステンレス製の両手鍋です。IHにもガス火にも使えます。",
]


def test_audit_of_japanese_rows_counts_characters_not_words():
    report = audit(_pairs(JA_LEFT, JA_RIGHT))
    assert report.lengths["right"]["unit"] == "chars" and report.lengths["left"]["unit"] == "chars"
    codes = {f.code for f in report.findings}
    assert "short_right" not in codes  # each right text is one "word" by whitespace, but a full sentence
    short = report.finding("short_left")  # "まな板" has 3 characters, under 4
    assert short is not None and short.rows == [5] and short.count == 1 and short.key == "audit.SHORT_TEXTS_CHARS"
    assert short.message == "1 left texts have fewer than 4 characters."
    with override("ja"):
        assert render_finding(short.to_dict())[0] == "左側のテキスト1件が4文字未満です。"


def test_full_and_half_width_duplicates_are_found_without_changing_the_text():
    data = _pairs(JA_LEFT, JA_RIGHT)
    report = audit(data)
    dup = report.finding("duplicate_left")  # ＡＢＣ水筒 = ABC水筒 and ｶﾀｶﾅ鍋 = カタカナ鍋, each in two groups
    assert dup is not None and dup.rows == [1, 2, 3, 4] and dup.count == 4 and dup.fields["texts"] == 2
    assert report.duplicates["left"] == {"values": 2, "rows": 4, "rows_across_groups": 4}
    assert report.duplicates["right"] == {"values": 1, "rows": 2, "rows_across_groups": 2}  # rows 4 and 5
    near = report.near_duplicates["right"]  # distinct as given, equal after NFKC: Jaccard 1.0
    assert near["pairs"] == 1 and near["examples"] == [[4, 5, 1.0]]
    assert data.left[0] == "ＡＢＣ水筒" and data.right[3].startswith("ｽﾃﾝﾚｽ")


def test_nfkc_comparison_key():
    assert normalise_text("ＡＢＣ　ｶﾀｶﾅ") == "abc カタカナ"
    assert near_duplicate_pairs(["ｶﾀｶﾅの鍋", "カタカナの鍋", "まったく別の文"], 0.9) == [(0, 1, 1.0)]


def test_audit_reports_languages_and_recommends_a_multilingual_model():
    english = ["Stainless bottle that keeps drinks hot", "Wooden board for cutting bread", "Glass pot for tea",
               "Steel pan with two handles", "Cast iron pan for the oven"]
    report = audit(_pairs(JA_LEFT, english))
    assert report.languages["left"]["language"] == "ja" and report.languages["right"]["language"] == "latin"
    assert report.recommend_multilingual and report.to_dict()["recommend_multilingual"] is True
    note = report.finding("non_english")
    assert note is not None and note.severity == "info"
    assert note.fields == {"left_language": "ja", "right_language": "latin"}
    assert note.message.startswith("The texts are not all in English: left Japanese, right English or another")
    with override("ja"):
        assert render_finding(note.to_dict())[0].startswith("英語以外のテキストが含まれています：左側は日本語、")
        assert render_languages(report.to_dict()) == "テキストの言語：左側は日本語、右側は英語またはその他のラテン文字の言語です。"
    assert render_languages(report.to_dict()) == (
        "Language of the texts: left Japanese, right English or another Latin-script language.")


def test_english_audit_recommends_nothing():
    english = ["red steel mug for coffee", "oak desk with drawers", "warm wool scarf for winter"]
    report = audit(_pairs(english, english[::-1]))
    assert not report.recommend_multilingual and report.finding("non_english") is None
    assert report.lengths["left"]["unit"] == "words"
    assert render_languages({}) == ""


def test_length_stats_in_characters_by_hand():
    texts = ["鍋", "まな板です", "あ" * 300]
    stats = length_stats(texts, "chars")
    assert stats["chars"]["min"] == 1.0 and stats["chars"]["max"] == 300.0 and stats["chars"]["median"] == 5.0
    assert stats["very_short"] == 1 and stats["very_long"] == 1  # under 4 chars; over 256 chars
    assert length_stats(texts)["very_short"] == 3  # by whitespace words every one is "one word"
    assert length_unit(detect_language(texts)) == "chars"
