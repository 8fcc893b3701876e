"""Side prefixes (E5's "query: " / "passage: "): applied in training and evaluation, saved, reloaded."""

from __future__ import annotations

import json

import numpy as np
import torch

from engine.models import load_encoder
from engine.models.dual_encoder import DualEncoder
from engine.models.prefixes import side_prefixes

# Words of the tiny model's vocabulary, so the prefix is real tokens and not [UNK].
PREFIXES = {"left": "made ", "right": "in "}


def test_side_prefixes_from_prompts():
    assert side_prefixes({"query": "query: ", "passage": "passage: "}) == {"left": "query: ", "right": "passage: "}
    assert side_prefixes({"query": "q: ", "document": "d: "}) == {"left": "q: ", "right": "d: "}
    assert side_prefixes({"document": "", "passage": "p: "}) == {"left": "", "right": "p: "}
    assert side_prefixes(None) == {"left": "", "right": ""}


def _prefixed_encoder(tiny_model_dir) -> DualEncoder:
    encoder = load_encoder(str(tiny_model_dir), device="cpu", max_seq_length=32)
    encoder.prefixes = dict(PREFIXES)
    return encoder


def test_training_tokens_carry_the_prefix(tiny_model_dir):
    encoder = _prefixed_encoder(tiny_model_dir)
    plain = encoder.model.preprocess(["made red cotton shirt"])["input_ids"]
    left = encoder.preprocess(["red cotton shirt"], "left")["input_ids"]
    assert torch.equal(left, plain)
    right = encoder.preprocess(["red cotton shirt"], "right")["input_ids"]
    assert torch.equal(right, encoder.model.preprocess(["in red cotton shirt"])["input_ids"])


def test_evaluation_embeds_the_prefixed_text(tiny_model_dir):
    encoder = _prefixed_encoder(tiny_model_dir)
    texts = ["red cotton shirt", "blue wool hat"]
    got = encoder.encode(texts, "left")
    want = encoder.model.encode([PREFIXES["left"] + t for t in texts], convert_to_numpy=True)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    # ...and the same as a training-time forward pass, so train and test see the same inputs.
    with torch.no_grad():
        encoder.model.eval()
        forward = encoder(texts, "left").numpy()
    np.testing.assert_allclose(got, forward, rtol=1e-5, atol=1e-6)


def test_saved_model_keeps_its_prefixes(tiny_model_dir, tmp_path):
    encoder = _prefixed_encoder(tiny_model_dir)
    encoder.save(tmp_path / "model")
    prompts = json.loads((tmp_path / "model" / "config_sentence_transformers.json").read_text())["prompts"]
    assert prompts["query"] == "made " and prompts["passage"] == "in "
    again = load_encoder(str(tmp_path / "model"), device="cpu", max_seq_length=32)
    assert again.prefixes == PREFIXES


def test_models_without_prompts_get_no_prefix(tiny_model_dir):
    assert load_encoder(str(tiny_model_dir), device="cpu").prefixes == {"left": "", "right": ""}
