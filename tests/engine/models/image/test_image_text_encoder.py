from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch

from engine.config import TrainConfig
from engine.data.dataset import PairDataset
from engine.errors import ConfigError, ModelLoadError
from engine.losses import build_loss
from engine.models.image.feature_cache import FeatureCache, content_hash
from engine.models.image.image_text_encoder import ImageTextEncoder
from engine.models.image.towers import sentence_text_tower
from engine.names import IMAGE_TRAINING_MODES
from engine.train import train


def _encoder(tiny_model_dir, tower, mode: str, **kwargs) -> ImageTextEncoder:
    text = sentence_text_tower(str(tiny_model_dir), device="cpu", max_seq_length=32)
    return ImageTextEncoder(tower, text, training=mode, projection_dim=8, cache=FeatureCache(), **kwargs)


def _trainable(module) -> set[bool]:
    return {p.requires_grad for p in module.parameters()}


@pytest.mark.parametrize(("mode", "image", "text"), [("heads", False, False), ("lit", False, True),
                                                     ("full", True, True)])
def test_each_mode_freezes_exactly_its_towers(tiny_model_dir, tiny_tower, mode, image, text):
    encoder = _encoder(tiny_model_dir, tiny_tower, mode)
    assert _trainable(encoder.image_tower) == {image}
    assert _trainable(encoder.text_tower) == {text}
    assert _trainable(encoder.image_head) == _trainable(encoder.text_head) == {True}
    encoder.train()
    assert encoder.image_head.training and encoder.image_tower.training is image
    assert encoder.text_tower.encoder.model.training is text
    assert not encoder.image_tower.bn.training  # batch statistics stay fixed even in full fine-tuning


def test_forward_and_encode_give_one_unnormalised_row_per_item(tiny_model_dir, tiny_tower, photos):
    paths, captions, _ = photos
    encoder = _encoder(tiny_model_dir, tiny_tower, "full")
    assert tuple(encoder(paths[:5], "left").shape) == (5, 8)
    assert tuple(encoder(captions[:3], "right").shape) == (3, 8)
    left = encoder.encode(paths, "left", batch_size=7)
    assert left.shape == (len(paths), 8) and left.dtype == np.float32
    assert not np.allclose(np.linalg.norm(left, axis=1), 1.0)
    assert encoder.encode([], "right").shape == (0, 8)
    with pytest.raises(ConfigError, match="side"):
        encoder.encode(paths, "middle")


@pytest.mark.parametrize("mode", IMAGE_TRAINING_MODES)
def test_gradients_reach_only_what_the_mode_trains(tiny_model_dir, tiny_tower, photos, mode):
    paths, captions, _ = photos
    encoder = _encoder(tiny_model_dir, tiny_tower, mode)
    encoder.train()
    loss = build_loss("clip").compute_loss_from_embeddings([encoder(paths[:6], "left"), encoder(captions[:6], "right")])
    loss.backward()

    def got_gradient(module) -> bool:
        return any(p.grad is not None and bool(p.grad.abs().sum() > 0) for p in module.parameters())

    assert got_gradient(encoder.image_head) and got_gradient(encoder.text_head)
    assert got_gradient(encoder.image_tower) is (mode == "full")
    assert got_gradient(encoder.text_tower) is (mode in ("lit", "full"))


def _dataset(paths, captions, groups) -> PairDataset:
    return PairDataset(left=paths, right=captions, group=groups, row=tuple(range(1, len(paths) + 1)))


def test_a_frozen_image_tower_runs_once_per_image_content(tiny_model_dir, tiny_tower, photos, tmp_path):
    paths, captions, groups = photos
    # The same bytes under another name (as if uploaded twice) is the same content.
    twin = tmp_path / "twin.png"
    shutil.copy(paths[0], twin)
    cache = FeatureCache()
    encoder = ImageTextEncoder(tiny_tower, sentence_text_tower(str(tiny_model_dir), device="cpu", max_seq_length=32),
                               training="lit", projection_dim=8, cache=cache)
    before = encoder.encode(paths, "left")
    assert tiny_tower.images_seen == len(paths)
    train(encoder, build_loss("clip"), _dataset(paths, captions, groups), TrainConfig(epochs=3, batch_size=8))
    assert np.allclose(encoder.encode([str(twin)], "left"), encoder.encode([paths[0]], "left"))
    assert tiny_tower.images_seen == len(paths)  # 3 epochs, 3 evaluations, a twin: no further tower pass
    assert not np.allclose(before, encoder.encode(paths, "left"))  # the head did train
    # A second encoder in the same process (the next run of a comparison) reuses the features.
    again = ImageTextEncoder(tiny_tower, encoder.text_tower, training="heads", projection_dim=8, cache=cache)
    again.encode(paths, "left")
    assert tiny_tower.images_seen == len(paths)


def test_a_trained_image_tower_is_never_served_from_the_cache(tiny_model_dir, tiny_tower, photos):
    paths, _, _ = photos
    encoder = _encoder(tiny_model_dir, tiny_tower, "full")
    encoder.encode(paths, "left")
    encoder.encode(paths, "left")
    assert tiny_tower.images_seen == 2 * len(paths)
    assert len(encoder.cache) == 0


def test_the_content_hash_is_the_stored_name_or_the_bytes(tmp_path, photos):
    paths, _, _ = photos
    import hashlib

    digest = hashlib.sha256(open(paths[1], "rb").read()).hexdigest()
    assert content_hash(paths[1]) == digest
    stored = tmp_path / f"{'ab' * 32}.png"
    shutil.copy(paths[1], stored)
    assert content_hash(str(stored)) == "ab" * 32  # the store's name is trusted, not re-hashed


def test_the_cache_forgets_the_oldest_entries_beyond_its_budget():
    cache = FeatureCache(max_bytes=3 * 16)  # three 4-float vectors
    for i in range(5):
        cache.put("t", str(i), torch.full((4,), float(i)))
    assert len(cache) == 3 and cache.get("t", "0") is None and float(cache.get("t", "4")[0]) == 4.0


def test_every_run_starts_from_the_same_untrained_heads(tiny_model_dir, tiny_tower, photos):
    paths, captions, _ = photos
    torch.manual_seed(1)
    first = _encoder(tiny_model_dir, tiny_tower, "heads")
    torch.manual_seed(2)
    second = _encoder(tiny_model_dir, tiny_tower, "heads")
    assert np.array_equal(first.encode(paths, "left"), second.encode(paths, "left"))
    assert np.array_equal(first.encode(captions, "right"), second.encode(captions, "right"))


def test_an_unknown_mode_is_refused(tiny_model_dir, tiny_tower):
    with pytest.raises(ConfigError, match="heads, lit, full"):
        _encoder(tiny_model_dir, tiny_tower, "everything")


def test_a_folder_without_a_saved_model_is_refused(tmp_path):
    with pytest.raises(ModelLoadError, match="image_text_encoder.json"):
        ImageTextEncoder.load(tmp_path)


def test_a_tower_that_trained_never_reads_the_pretrained_features(tiny_model_dir, tiny_tower, photos):
    paths, _, _ = photos
    cache = FeatureCache()
    text = sentence_text_tower(str(tiny_model_dir), device="cpu", max_seq_length=32)
    frozen = ImageTextEncoder(tiny_tower, text, training="heads", projection_dim=8, cache=cache)
    frozen.encode(paths, "left")
    ImageTextEncoder(tiny_tower, text, training="full", projection_dim=8, cache=cache)  # it may now change
    with torch.no_grad():
        tiny_tower.out.bias.add_(1.0)
    again = ImageTextEncoder(tiny_tower, text, training="heads", projection_dim=8, cache=cache)
    seen = tiny_tower.images_seen
    again.encode(paths, "left")
    assert tiny_tower.images_seen == seen + len(paths)  # recomputed, not the stale pretrained features
