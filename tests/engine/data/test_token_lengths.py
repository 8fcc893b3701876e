"""Long-text warnings counted in the chosen model's own tokens (engine.data.token_lengths).

A tiny word-level tokenizer (one token per whitespace word, plus [CLS] and [SEP]) gives counts
that can be worked out by hand; the packaged tokenizers are checked against transformers' own.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from engine.data import PairDataset, audit, token_lengths
from engine.data.audit_report import render_finding
from engine.data.token_lengths import TokenCounter, counter_or_none, load_counter
from engine.i18n import override

WORDS = ["red", "blue", "mug", "pan", "oak", "desk", "lamp", "with", "a", "of"]
# 150 characters of catalogue Japanese (a kettle's description), measured against both packaged models.
JA_150 = ("本体カラーは清潔感のあるホワイトです。容量は0.8Lで、一人分のコーヒーやカップスープにちょうどよいサイズです。"
          "本体は二重構造で、沸騰後も外側が熱くなりにくく安心です。注ぎ口が細く、ハンドドリップでもお湯の量を調整しやすい形です。"
          "朝の忙しい時間でも、コーヒー1杯分なら約1分で沸きます。ステンレス製で")[:150]
EN = ["Red ceramic mug 350 ml", "A glazed mug that holds a large coffee, dishwasher-safe.", "", "Café crème"]
JA = ["ステンレス製 電気ケトル 0.8L", "容量は0.8Lで、一人分のコーヒーにちょうどよいサイズです。", JA_150]


def _tiny_folder(folder: Path, *, prompts: dict[str, str] | None = None, model_max: int | None = 16) -> Path:
    """A model folder whose tokenizer.json counts one token per whitespace word, plus [CLS] and [SEP]."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors

    vocab = {w: i for i, w in enumerate(["[UNK]", "[CLS]", "[SEP]", "[PAD]", *WORDS])}
    tokenizer = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]",
                                                             special_tokens=[("[CLS]", 1), ("[SEP]", 2)])
    tokenizer.enable_truncation(4)  # as saved model tokenizers often are: the counter must undo it
    tokenizer.enable_padding(length=4, pad_id=3, pad_token="[PAD]")
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(folder / "tokenizer.json"))
    if prompts is not None:
        (folder / "config_sentence_transformers.json").write_text(json.dumps({"prompts": prompts}), encoding="utf-8")
    if model_max is not None:
        (folder / "tokenizer_config.json").write_text(json.dumps({"model_max_length": model_max}), encoding="utf-8")
    return folder


def _by_hand(prefix: str, text: str) -> int:
    return len((prefix + text).split()) + 2


def _pairs(left: list[str], right: list[str]) -> PairDataset:
    n = len(left)
    return PairDataset(left=left, right=right, group=[f"g{i}" for i in range(n)], row=list(range(1, n + 1)))


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return _tiny_folder(tmp_path / "tiny", prompts={"query": "q ", "passage": "p p ", "document": ""})


def test_counter_reads_the_folder(tiny: Path):
    counter = TokenCounter.from_folder(tiny, limit=8, model="tiny")
    assert (counter.limit, counter.model, counter.model_max) == (8, "tiny", 16)
    assert counter.prefixes == {"left": "q ", "right": "p p "}  # an empty "document" prompt does not win
    assert TokenCounter.from_folder(_tiny_folder(tiny.parent / "plain"), limit=8).prefixes == {"left": "", "right": ""}
    assert TokenCounter.from_folder(_tiny_folder(tiny.parent / "nomax", model_max=None), limit=8).model_max is None


def test_counts_by_hand_with_prefix_special_tokens_and_no_truncation(tiny: Path, monkeypatch):
    monkeypatch.setattr(token_lengths, "CHUNK_TEXTS", 2)  # several chunks, and repeats across them
    counter = TokenCounter.from_folder(tiny, limit=8)
    texts = ["red mug", "", "oak desk with a lamp and more unknown words here", "red mug", "zz"]
    steps: list[float] = []
    left = counter.count(texts, "left", step=steps.append)
    assert left.tolist() == [_by_hand("q ", t) for t in texts] == [5, 3, 13, 5, 4]
    assert counter.count(texts, "right").tolist() == [_by_hand("p p ", t) for t in texts]
    assert steps == [0.5, 1.0]  # 4 distinct texts in chunks of 2
    assert counter.count([], "left").tolist() == []


def test_a_lone_surrogate_is_counted_not_fatal(tiny: Path):
    counter = TokenCounter.from_folder(tiny, limit=8)
    assert counter.count(["red \ud800 mug", "red mug"], "left").tolist() == [6, 5]  # the surrogate is one word


def test_folder_without_tokenizer_json_keeps_the_heuristic(tmp_path: Path):
    folder = tmp_path / "slow_only"
    folder.mkdir()
    (folder / "modules.json").write_text("[]", encoding="utf-8")
    (folder / "vocab.txt").write_text("[UNK]\n", encoding="utf-8")
    assert TokenCounter.from_folder(folder, limit=128) is None
    assert load_counter(str(folder), 128) is None  # the run's path: resolves the folder, finds no fast tokenizer
    (folder / "tokenizer.json").write_text("not json", encoding="utf-8")
    assert TokenCounter.from_folder(folder, limit=128) is None


def test_tokenizer_json_in_a_module_subfolder_is_found(tmp_path: Path):
    folder = tmp_path / "model"
    _tiny_folder(folder / "0_Transformer")
    (folder / "modules.json").write_text(json.dumps([{"idx": 0, "name": "0", "path": "0_Transformer"}]),
                                         encoding="utf-8")
    assert TokenCounter.from_folder(folder, limit=8).count(["red mug"], "left").tolist() == [4]


def test_missing_packaged_model_gives_none(monkeypatch):
    from engine.errors import ModelLoadError
    from engine.models import packaged as packaged_module

    def missing():
        raise ModelLoadError("not built")

    model = packaged_module.PACKAGED[packaged_module.MULTILINGUAL]
    monkeypatch.setitem(packaged_module.PACKAGED, packaged_module.MULTILINGUAL,
                        packaged_module.PackagedModel(model.name, model.aliases, model.languages, missing, model.licence))
    load_counter.cache_clear()
    try:
        assert counter_or_none(packaged_module.MULTILINGUAL, 128) is None
        with pytest.raises(ModelLoadError):
            load_counter(packaged_module.MULTILINGUAL, 128)
    finally:
        load_counter.cache_clear()


def test_audit_flags_texts_just_over_the_limit(tiny: Path):
    counter = TokenCounter.from_folder(tiny, limit=8, model="tiny")
    # Left: "q " + words + 2 specials. 5 words -> 8 tokens (at the limit, kept); 6 words -> 9 (over).
    left = ["red blue mug pan oak", "red blue mug pan oak desk", "a", "red blue mug pan oak desk lamp with", "oak"]
    right = ["red", "blue", "mug", "pan", "oak desk lamp with a"]  # "p p " + 5 words + 2 = 9: over
    report = audit(_pairs(left, right), tokens=counter)
    long_left, long_right = report.finding("long_left"), report.finding("long_right")
    assert (long_left.count, long_left.rows, long_left.severity) == (2, [2, 4], "warning")
    assert long_left.key == "audit.LONG_TOKENS"
    assert long_left.fields == {"role": "left", "limit": 8, "model": "tiny", "longest": 11, "model_max": 16}
    assert (long_right.count, long_right.rows, long_right.fields["longest"]) == (1, [5], 9)
    tokens = report.lengths["left"]["tokens"]
    assert (tokens["over"], tokens["longest"], tokens["limit"], tokens["model"]) == (2, 11, 8, "tiny")
    assert tokens["counts"]["min"] == 4.0 and tokens["counts"]["max"] == 11.0
    assert "8 tokens (tiny)" in long_left.message and "11 tokens" in long_left.message
    assert "up to 16 tokens" in long_left.advice
    with override("ja"):
        text, advice = render_finding(long_left.to_dict())
    assert "左側のテキスト2件" in text and "8トークン" in text and "11トークン" in text and "16トークン" in advice
    assert report.finding("short_left").rows == [3, 5]  # short texts are still judged by words
    json.dumps(report.to_dict())


def test_audit_with_room_to_spare_has_no_long_finding_even_for_many_words(tiny: Path):
    many = " ".join(["red"] * 210)  # over the 200-word heuristic
    counter = TokenCounter.from_folder(tiny, limit=512)
    report = audit(_pairs([many, "red blue mug"], ["oak desk lamp", "blue pan mug"]), tokens=counter)
    assert report.finding("long_left") is None
    assert report.lengths["left"]["tokens"]["longest"] == 213 and report.lengths["left"]["very_long"] == 1
    heuristic = audit(_pairs([many, "red blue mug"], ["oak desk lamp", "blue pan mug"]))
    assert heuristic.finding("long_left").key == "audit.LONG_TEXTS" and "tokens" not in heuristic.lengths["left"]


def test_advice_fits_how_far_the_limit_can_go(tiny: Path):
    left, right = ["red blue mug pan oak desk lamp with", "red"], ["oak", "pan"]
    at_max = audit(_pairs(left, right), tokens=replace(TokenCounter.from_folder(tiny, limit=8), model_max=8))
    assert at_max.finding("long_left").key == "audit.LONG_TOKENS_AT_MAX"
    no_max = TokenCounter.from_folder(_tiny_folder(tiny.parent / "nomax", model_max=None), limit=8)
    finding = audit(_pairs(left, right), tokens=no_max).finding("long_left")
    assert finding.key == "audit.LONG_TOKENS_NO_MAX" and "model_max" not in finding.fields


def test_progress_through_token_counting_reaches_the_end(tiny: Path):
    stages: list[tuple[str, float]] = []
    counter = TokenCounter.from_folder(tiny, limit=8)
    audit(_pairs(["red", "blue mug"], ["oak", "pan"]), tokens=counter, progress=lambda s, f: stages.append((s, f)))
    fractions = [f for _, f in stages]
    assert fractions == sorted(fractions) and stages[-1] == ("done", 1.0)
    lengths = [f for s, f in stages if s == "lengths"]
    # With tokens the lengths stage has a quarter of the bar, after 0.65 of it (structure .. one_to_many).
    assert lengths[0] == pytest.approx(0.65) and lengths[-1] == pytest.approx(0.90)


# --- the packaged tokenizers, against transformers' own ---


def _reference(folder: Path, prefix: str, texts: list[str]) -> list[int]:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    return [len(tokenizer(prefix + text)["input_ids"]) for text in texts]


def test_minilm_counts_match_transformers_and_japanese_150_chars_is_over_128():
    from engine.models.packaged import MINILM, packaged

    counter = load_counter(MINILM, 128)
    assert (counter.model, counter.prefixes, counter.model_max) == (MINILM, {"left": "", "right": ""}, 512)
    texts = EN + JA
    assert counter.count(texts, "left").tolist() == _reference(packaged(MINILM).locate(), "", texts)
    # Its English word pieces give about one token per kana or kanji: 150 characters overflow 128.
    assert len(JA_150) == 150 and counter.count([JA_150], "left")[0] == 129


def test_counting_imports_neither_torch_nor_transformers():
    import subprocess

    code = ("import sys; from engine.data.token_lengths import load_counter; "
            "load_counter(None, 128).count(['red mug'], 'left'); "
            "print('torch' in sys.modules, 'transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.slow
def test_e5_counts_match_transformers_with_prefixes_and_japanese_150_chars_fits():
    from engine.models.packaged import MULTILINGUAL, packaged

    counter = load_counter(MULTILINGUAL, 128)
    assert counter.prefixes == {"left": "query: ", "right": "passage: "} and counter.model_max == 512
    folder = packaged(MULTILINGUAL).locate()
    texts = EN + JA
    assert counter.count(texts, "left").tolist() == _reference(folder, "query: ", texts)
    assert counter.count(texts, "right").tolist() == _reference(folder, "passage: ", texts)
    # SentencePiece joins common kana and kanji runs: the same 150 characters fit, prefix and all.
    assert counter.count([JA_150], "right")[0] == 99
    report = audit(_pairs(["ケトル", "鍋"], [JA_150, JA_150 * 2]), tokens=counter)
    assert report.finding("long_right").rows == [2] and report.finding("long_right").fields["model"] == MULTILINGUAL


def test_cli_audit_counts_with_the_named_model(tmp_path: Path, capsys):
    from engine.cli import main

    path = tmp_path / "pairs.csv"
    long = " ".join(["word"] * 40)
    path.write_text("title,description\n" + "\n".join(f"item {i},{long if i == 2 else 'short text'}" for i in range(1, 13))
                    + "\n", encoding="utf-8")
    assert main(["audit", str(path), "--model", "all-MiniLM-L6-v2", "--max-seq-length", "32", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    finding = next(f for f in report["findings"] if f["code"] == "long_right")
    assert finding["rows"] == [2] and finding["fields"]["limit"] == 32 and finding["fields"]["longest"] == 42
    assert report["lengths"]["right"]["tokens"]["model"] == "all-MiniLM-L6-v2"
    assert main(["audit", str(path), "--max-seq-length", "4"]) == 2  # below the smallest allowed limit


def test_a_run_audits_lengths_in_its_model_tokens(toy_comparison_store: Path, tiny_model_dir: Path):
    audits = sorted(toy_comparison_store.glob("*/audit.json"))
    assert audits
    tokens = json.loads(audits[0].read_text(encoding="utf-8"))["lengths"]["right"]["tokens"]
    assert (tokens["limit"], tokens["model"]) == (32, str(tiny_model_dir))  # the run's --max-seq-length and --model


def test_data_page_counts_english_with_minilm():
    from dashboard import audit_runner
    from engine.config import ModelConfig
    from engine.models.packaged import MINILM

    counter = audit_runner._token_counter(_pairs(["red steel mug", "oak desk"], ["a mug for coffee", "a desk"]))
    assert (counter.model, counter.limit) == (MINILM, ModelConfig.max_seq_length)


@pytest.mark.slow
def test_data_page_counts_japanese_with_e5():
    from dashboard import audit_runner
    from engine.models.packaged import MULTILINGUAL

    counter = audit_runner._token_counter(_pairs(JA, JA[::-1]))
    assert counter.model == MULTILINGUAL and counter.prefixes["right"] == "passage: "


def test_cancel_stops_in_the_middle_of_counting(tiny: Path, monkeypatch):
    from engine.errors import CancelledError

    monkeypatch.setattr(token_lengths, "CHUNK_TEXTS", 1)
    seen: list[float] = []

    def progress(stage: str, fraction: float) -> None:
        if stage == "lengths" and fraction > 0.65:  # a first chunk counted
            seen.append(fraction)

    with pytest.raises(CancelledError) as excinfo:
        audit(_pairs(["red", "blue", "oak"], ["mug", "pan", "lamp"]), tokens=TokenCounter.from_folder(tiny, limit=8),
              progress=progress, should_stop=lambda: bool(seen))
    assert excinfo.value.stage == "lengths" and len(seen) == 1
