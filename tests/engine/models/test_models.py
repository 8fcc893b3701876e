from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.errors import ConfigError, ModelLoadError
from engine.models import load_encoder, select_device


def test_device_auto_prefers_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert select_device(None).type == "cpu"
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert select_device("auto").type == "mps"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert select_device(None).type == "cuda"


def test_device_override_is_checked(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ConfigError, match="no CUDA GPU.*--device cpu"):
        select_device("cuda")
    with pytest.raises(ConfigError, match="unknown device 'tpu'"):
        select_device("tpu")
    assert select_device("cpu").type == "cpu"


def test_unfetchable_hub_name_fails_with_clear_message(monkeypatch):
    # Even with the offline switch removed, a hub name is only looked up in the local cache.
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    with pytest.raises(ModelLoadError, match="not in the local Hugging Face cache.*--model"):
        load_encoder("some-org/not-a-real-model-xyz", device="cpu")


def test_missing_or_empty_folder(tmp_path):
    with pytest.raises(ModelLoadError, match="does not exist"):
        load_encoder(str(tmp_path / "nope" / "model"), device="cpu")
    with pytest.raises(ModelLoadError, match="holds no sentence-transformers model"):
        load_encoder(str(tmp_path), device="cpu")


def test_shared_tower_outputs_are_unnormalised_and_side_independent(tiny_model_dir):
    enc = load_encoder(str(tiny_model_dir), device="cpu", max_seq_length=32)
    a = enc.encode(["red mug", "large oak chair"], "left")
    b = enc.encode(["red mug", "large oak chair"], "right")
    np.testing.assert_allclose(a, b, rtol=1e-6)
    assert not np.allclose(np.linalg.norm(a, axis=1), 1.0)


def test_separate_towers_with_projection_are_independent_copies(tiny_model_dir):
    enc = load_encoder(str(tiny_model_dir), device="cpu", towers="separate", projection_dim=8, max_seq_length=32)
    left = enc(["red mug"], "left")
    right = enc(["red mug"], "right")
    assert left.shape == right.shape == (1, 8)
    # the two towers start as copies of the pretrained network but own separate weights
    (left.sum() + right.sum()).backward()
    params = dict(enc.named_parameters())
    grads = [n for n, p in params.items() if p.grad is not None]
    assert any("query" in n for n in grads) and any("document" in n for n in grads)


@pytest.mark.parametrize("tilt", ["cosine", "dot", "l2"])
@pytest.mark.parametrize("towers", ["shared", "separate"])
def test_save_round_trip_with_sentence_transformers(tiny_model_dir, tmp_path, tilt, towers):
    from sentence_transformers import SentenceTransformer

    enc = load_encoder(str(tiny_model_dir), device="cpu", towers=towers, max_seq_length=32)
    enc.save(tmp_path / "m", tilt=tilt)
    loaded = SentenceTransformer(str(tmp_path / "m"), device="cpu")
    ours = enc.encode(["green wool towel"], "right")
    theirs = loaded.encode_document(["green wool towel"]) if towers == "separate" else loaded.encode(["green wool towel"])
    if tilt == "cosine":
        ours = ours / np.linalg.norm(ours, axis=1, keepdims=True)
    np.testing.assert_allclose(theirs, ours, rtol=1e-5, atol=1e-6)
    assert loaded.similarity_fn_name == {"cosine": "cosine", "dot": "dot", "l2": "euclidean"}[tilt]
    # loading our own saved model back as an encoder keeps its towers
    again = load_encoder(str(tmp_path / "m"), device="cpu")
    assert again.towers == towers


def test_large_vocabulary_tables_stay_frozen(tiny_model_dir, monkeypatch):
    from engine.models import loading

    encoder = load_encoder(str(tiny_model_dir), device="cpu")
    assert all(p.requires_grad for p in encoder.parameters())  # a small vocabulary trains as before
    monkeypatch.setattr(loading, "FREEZE_VOCABULARY_ABOVE", 10)  # the tiny vocabulary now counts as large
    encoder = load_encoder(str(tiny_model_dir), device="cpu")
    frozen = [name for name, p in encoder.named_parameters() if not p.requires_grad]
    assert frozen and all("word_embeddings" in name for name in frozen)
    assert any(p.requires_grad for name, p in encoder.named_parameters() if "position_embeddings" in name)
