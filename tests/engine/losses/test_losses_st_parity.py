"""Parity with sentence-transformers 6.2 losses, and training through SentenceTransformerTrainer.

ST's MultipleNegativesRankingLoss (MNRL) is the mean row cross-entropy of ``scale * cos_sim``,
with the positive among the candidates and no ``log N`` term. So, for a batch of N pairs:

    MNRL(scale=1/tau)                                                   == right_given_left + log N
    MNRL(directions=(query_to_doc, doc_to_query), partition_mode=per_direction)
      == MultipleNegativesSymmetricRankingLoss                          == clip + log N

with identical gradients (the constants do not depend on the embeddings).
"""

from __future__ import annotations

import math
import os
import warnings
from pathlib import Path

import pytest
import torch

from engine.losses import build_loss

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import sentence_transformers.sentence_transformer.losses as st_losses


def _batch(n: int = 8) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    left = torch.randn(n, 5, generator=g, dtype=torch.float64)
    right = left + torch.randn(n, 5, generator=g, dtype=torch.float64)
    return left.requires_grad_(True), right.requires_grad_(True)


def _value_and_grads(
    loss: torch.nn.Module, left: torch.Tensor, right: torch.Tensor
) -> tuple[float, tuple[torch.Tensor, ...]]:
    value = loss.compute_loss_from_embeddings([left, right], None)
    return value.item(), torch.autograd.grad(value, (left, right))


def test_right_given_left_equals_mnrl_minus_log_n() -> None:
    left, right = _batch()
    mnrl = st_losses.MultipleNegativesRankingLoss(None, scale=20.0)
    ours = build_loss("right-given-left", tilt="cosine", temperature=0.05)
    v_st, g_st = _value_and_grads(mnrl, left, right)
    v_ours, g_ours = _value_and_grads(ours, left, right)
    assert v_ours + math.log(left.shape[0]) == pytest.approx(v_st, rel=1e-12)
    for a, b in zip(g_ours, g_st):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("variant", ["mnrl-per-direction", "symmetric-class"])
def test_clip_equals_symmetric_mnrl_minus_log_n(variant: str) -> None:
    left, right = _batch()
    if variant == "mnrl-per-direction":
        st_loss = st_losses.MultipleNegativesRankingLoss(
            None, scale=20.0, directions=("query_to_doc", "doc_to_query"), partition_mode="per_direction"
        )
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the class is a deprecated alias of the variant above
            st_loss = st_losses.MultipleNegativesSymmetricRankingLoss(None, scale=20.0)
    ours = build_loss("clip", tilt="cosine", temperature=0.05)
    v_st, g_st = _value_and_grads(st_loss, left, right)
    v_ours, g_ours = _value_and_grads(ours, left, right)
    assert v_ours + math.log(left.shape[0]) == pytest.approx(v_st, rel=1e-12)
    for a, b in zip(g_ours, g_st):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def _tiny_static_model():  # type: ignore[no-untyped-def]
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding
    from tokenizers import Tokenizer, models, pre_tokenizers

    colours = ["red", "green", "blue", "black", "white", "pink", "gold", "grey"]
    left = [f"{c} {item}" for c in colours for item in ("shirt", "shoe")]
    right = [f"a {item} in {c}" for c in colours for item in ("shirt", "shoe")]
    words = sorted({"[UNK]", *" ".join(left + right).split()})
    tokenizer = Tokenizer(models.WordLevel(vocab={w: k for k, w in enumerate(words)}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    torch.manual_seed(0)
    model = SentenceTransformer(modules=[StaticEmbedding(tokenizer, embedding_dim=8)], device="cpu")
    return model, left, right


def test_trains_with_sentence_transformer_trainer(tmp_path: Path) -> None:
    from datasets import Dataset
    from sentence_transformers import SentenceTransformerTrainer, SentenceTransformerTrainingArguments

    model, left, right = _tiny_static_model()
    loss = build_loss("clip", model, temperature="learn")
    weights_before = model[0].embedding.weight.detach().clone()
    log_scale_before = loss.log_scale.detach().clone()
    args = SentenceTransformerTrainingArguments(
        output_dir=str(tmp_path),
        max_steps=2,
        per_device_train_batch_size=8,
        learning_rate=0.1,
        report_to="none",
        save_strategy="no",
        logging_steps=1,
        use_cpu=True,
        disable_tqdm=True,
        seed=0,
    )
    trainer = SentenceTransformerTrainer(
        model=model, args=args, train_dataset=Dataset.from_dict({"left": left, "right": right}), loss=loss
    )
    result = trainer.train()
    assert result.global_step == 2
    logged = [row["loss"] for row in trainer.state.log_history if "loss" in row]
    assert len(logged) == 2 and all(math.isfinite(v) for v in logged)
    assert not torch.equal(model[0].embedding.weight.detach(), weights_before)
    # ST optimises loss parameters too, so a learned temperature moves.
    assert loss.log_scale.detach().item() != pytest.approx(log_scale_before.item())


def test_forward_embeds_each_column_with_the_model() -> None:
    model, left, right = _tiny_static_model()
    loss = build_loss("weighted", model, tilt="l2", weights=(0.5, 1.5))
    features = [model.preprocess(left[:6]), model.preprocess(right[:6])]
    labels = torch.tensor([0, 1, 1, 2, 3, 4])
    with torch.no_grad():
        via_forward = loss(features, labels)
        embeddings = [model.encode(texts, convert_to_tensor=True) for texts in (left[:6], right[:6])]
        via_embeddings = loss.compute_loss_from_embeddings(embeddings, labels)
    torch.testing.assert_close(via_forward, via_embeddings)


def test_model_card_metadata() -> None:
    model, _, _ = _tiny_static_model()
    loss = build_loss("joint", model, tilt="dot")
    model.model_card_data.set_losses([loss])
    assert "2505.24134" in model.model_card_data.citations["JointLoss"]
