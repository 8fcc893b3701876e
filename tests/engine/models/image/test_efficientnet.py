"""The packaged EfficientNet-Lite0 tower (real weights: 0.2 s to load, small crops keep it fast)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from engine.config import ModelConfig
from engine.errors import ConfigError
from engine.models.image.efficientnet import FEATURE_DIM, EfficientNetTower, _verified_weights, packaged_weights_path
from engine.models.image.image_text_encoder import CONFIG_FILE, IMAGE_TOWER_FILE, ImageTextEncoder
from engine.models.loading import load_image_text_encoder

PALACE = 698  # ImageNet class index of "palace"


def test_the_packaged_weights_recognise_a_known_photo(tmp_path):
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    path = tmp_path / "china.jpg"
    Image.fromarray(sklearn_datasets.load_sample_image("china.jpg")).save(path)
    tower = EfficientNetTower(224).eval()
    with torch.no_grad():
        features = tower(tower.pixels([str(path)]))
    assert tuple(features.shape) == (1, FEATURE_DIM)
    # The ImageNet classifier the tower leaves out, applied by hand to its pooled features.
    state = torch.load(packaged_weights_path(), map_location="cpu", weights_only=True)
    logits = features @ state["_fc.weight"].T + state["_fc.bias"]
    assert PALACE in logits.topk(3).indices[0].tolist()  # a temple roof: palace, bell cote, castle


@pytest.mark.parametrize("size", [64, 160])
def test_smaller_crops_give_the_same_width(photos, size):
    tower = EfficientNetTower(size).eval()
    with torch.no_grad():
        assert tuple(tower(tower.pixels(photos[0][:2])).shape) == (2, FEATURE_DIM)


def _encoder(tiny_model_dir, mode: str) -> ImageTextEncoder:
    return load_image_text_encoder(None, str(tiny_model_dir), training=mode, image_size=64, projection_dim=8,
                                   device="cpu", max_seq_length=32)


@pytest.mark.parametrize("mode", ["heads", "full"])
def test_save_and_reload_give_identical_embeddings(tiny_model_dir, photos, tmp_path, mode):
    paths, captions, _ = photos
    encoder = _encoder(tiny_model_dir, mode)
    with torch.no_grad():  # stand-in for training: every trainable part moves
        for parameter in encoder.parameters():
            if parameter.requires_grad:
                parameter.add_(0.01 * torch.randn_like(parameter))
    encoder.save(tmp_path / "model", tilt="dot")
    saved = json.loads((tmp_path / "model" / CONFIG_FILE).read_text())
    assert saved["training"] == mode and saved["image_tower"]["image_size"] == 64
    assert saved["normalize"] is False and saved["tilt"] == "dot"
    assert (tmp_path / "model" / IMAGE_TOWER_FILE).is_file() is (mode == "full")
    assert (tmp_path / "model" / "text" / "modules.json").is_file()
    # A run directory (holding model/) is accepted as well as the folder itself.
    reloaded = load_image_text_encoder(str(tmp_path), device="cpu")
    assert reloaded.training_mode == mode
    assert np.array_equal(encoder.encode(paths[:6], "left"), reloaded.encode(paths[:6], "left"))
    assert np.array_equal(encoder.encode(captions, "right"), reloaded.encode(captions, "right"))


def test_the_weights_file_is_checked_against_its_hash(tmp_path):
    fake = tmp_path / "efficientnet-lite0-57934424.pth"
    fake.write_bytes(b"not the weights")
    with pytest.raises(Exception, match="not the one the package shipped"):
        _verified_weights(str(fake))


def test_sizes_and_modes_are_validated_in_the_config_and_the_loader():
    with pytest.raises(ConfigError, match="model.image_training"):
        ModelConfig(image_training="all")
    with pytest.raises(ConfigError, match="model.image_size"):
        ModelConfig(image_size=8)
    with pytest.raises(ConfigError, match="model.image_size"):
        load_image_text_encoder(image_size=4096, device="cpu")
    assert ModelConfig().image_model is None


def test_heads_training_links_photos_to_their_captions(tiny_model_dir, photos):
    from engine.config import TrainConfig
    from engine.data.dataset import PairDataset
    from engine.evaluate import evaluate_retrieval
    from engine.losses import build_loss
    from engine.train import train

    paths, captions, groups = photos
    data = PairDataset(left=paths, right=captions, group=groups, row=tuple(range(1, len(paths) + 1)))
    encoder = _encoder(tiny_model_dir, "heads")

    def photo_to_text_recall() -> float:
        left, right = encoder.encode(paths, "left"), encoder.encode(captions, "right")
        return float(evaluate_retrieval(left, right, list(groups), tilt="cosine", device="cpu")["left_to_right"]["recall@1"])

    before = photo_to_text_recall()
    train(encoder, build_loss("clip"), data, TrainConfig(epochs=15, batch_size=8, learning_rate=1e-3))
    after = photo_to_text_recall()
    assert before < 0.2 and after >= before + 0.3  # 24 photos: chance is 0.04
