"""A local CLIP folder as both towers: the tiny random CLIP is built, saved, trained and evaluated offline."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch

from engine.config import TrainConfig
from engine.data.dataset import PairDataset
from engine.errors import ConfigError
from engine.evaluate import evaluate_retrieval
from engine.losses import build_loss
from engine.models.loading import load_image_text_encoder
from engine.train import train


def _clip(tiny_clip_dir, mode: str = "lit"):
    return load_image_text_encoder(str(tiny_clip_dir), training=mode, device="cpu")


def test_a_hub_name_or_a_missing_folder_is_refused_without_looking_it_up(tmp_path):
    for name in ("openai/clip-vit-base-patch32", str(tmp_path / "absent")):
        with pytest.raises(ConfigError, match="not a folder on this machine"):
            load_image_text_encoder(name, device="cpu")


def test_a_folder_holding_another_model_is_refused(tiny_model_dir, tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}))
    with pytest.raises(ConfigError, match="model type 'bert'"):
        load_image_text_encoder(str(tmp_path), device="cpu")


def test_the_untrained_heads_leave_clip_as_it_was(tiny_clip_dir, photos):
    paths, captions, _ = photos
    encoder = _clip(tiny_clip_dir, "heads")
    assert encoder.projection_dim == 12 and encoder.aligned
    with torch.no_grad():
        raw = encoder.image_tower(encoder.image_tower.pixels(paths[:4])).numpy()
    assert np.allclose(encoder.encode(paths[:4], "left"), raw, atol=1e-6)
    assert {p.requires_grad for p in encoder.image_tower.parameters()} == {False}


def test_the_tiny_clip_trains_and_evaluates_through_the_trainer(tiny_clip_dir, photos, tmp_path):
    paths, captions, groups = photos
    encoder = _clip(tiny_clip_dir, "lit")
    data = PairDataset(left=paths, right=captions, group=groups, row=tuple(range(1, len(paths) + 1)))
    text_before = [p.detach().clone() for p in encoder.text_tower.parameters()]
    image_before = [p.detach().clone() for p in encoder.image_tower.parameters()]
    result = train(encoder, build_loss("clip"), data, TrainConfig(epochs=3, batch_size=8, learning_rate=1e-2))
    assert result.steps == 9 and np.isfinite(result.final_loss)
    assert any(not torch.equal(a, b) for a, b in zip(text_before, encoder.text_tower.parameters()))
    assert all(torch.equal(a, b) for a, b in zip(image_before, encoder.image_tower.parameters()))
    left, right = encoder.encode(paths, "left"), encoder.encode(captions, "right")
    metrics = evaluate_retrieval(left, right, list(groups), tilt="cosine", device="cpu")
    assert 0.0 <= metrics["left_to_right"]["recall@1"] <= 1.0
    encoder.save(tmp_path / "model", tilt="cosine")
    assert (tmp_path / "model" / "clip" / "preprocessor_config.json").is_file()
    reloaded = load_image_text_encoder(str(tmp_path / "model"), device="cpu")
    assert np.array_equal(left, reloaded.encode(paths, "left"))
    assert np.array_equal(right, reloaded.encode(captions, "right"))


def test_a_sentence_transformers_multimodal_folder_is_read_for_its_clip(tiny_clip_dir, photos, tmp_path):
    from engine.models.image.image_text_encoder import _write_clip_processor
    from engine.models.image.preprocess import ImageTransform
    from engine.models.st_compat import SentenceTransformer, Transformer

    paths, captions, _ = photos
    direct = _clip(tiny_clip_dir, "heads")
    clip_copy = tmp_path / "clip"
    shutil.copytree(tiny_clip_dir, clip_copy)
    _write_clip_processor(clip_copy, ImageTransform(size=16, crop_fraction=1.0))  # sentence-transformers needs one
    modern = tmp_path / "st6"
    SentenceTransformer(modules=[Transformer(str(clip_copy))], device="cpu").save(str(modern))
    # The older layout: the CLIP module in a subfolder named by modules.json.
    older = tmp_path / "st_old"
    shutil.copytree(tiny_clip_dir, older / "0_CLIPModel")
    (older / "modules.json").write_text(json.dumps([{"idx": 0, "name": "0", "path": "0_CLIPModel",
                                                     "type": "sentence_transformers.models.CLIPModel"}]))
    for folder in (modern, older):
        encoder = load_image_text_encoder(str(folder), training="heads", device="cpu")
        assert np.allclose(encoder.encode(paths[:4], "left"), direct.encode(paths[:4], "left"), atol=1e-5)
        assert np.allclose(encoder.encode(captions[:4], "right"), direct.encode(captions[:4], "right"), atol=1e-5)


def test_a_modules_list_pointing_outside_the_folder_is_not_followed(tiny_clip_dir, tmp_path):
    (tmp_path / "modules.json").write_text(json.dumps([{"idx": 0, "name": "0", "path": str(tiny_clip_dir)}]))
    with pytest.raises(ConfigError, match="does not hold a CLIP model"):
        load_image_text_encoder(str(tmp_path), device="cpu")
