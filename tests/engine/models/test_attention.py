"""Lean attention (engine.models.attention): plain SDPA's results, keeping 5 of the 8 bytes per L×L entry that it keeps."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import torch
from torch.nn import functional as F

from engine.models import load_encoder
from engine.models.attention import LEAN_SDPA, DropoutAttention
from engine.models.st_compat import SentenceTransformer

LEFT = ["red cotton shirt", "a small blue steel kettle made of steel", "green wool scarf"]
RIGHT = ["shirt made of cotton in red", "kettle", "a large green scarf made of wool in green"]


def _attention_names(model: torch.nn.Module) -> set[str]:
    return {m.config._attn_implementation for m in model.modules() if hasattr(m, "config")
            and hasattr(m.config, "_attn_implementation")}


def _plain_copy(encoder: torch.nn.Module) -> torch.nn.Module:
    plain = copy.deepcopy(encoder)
    for module in plain.modules():
        if hasattr(module, "set_attn_implementation"):
            module.set_attn_implementation("sdpa")
    assert _attention_names(plain) == {"sdpa"}
    return plain


def _train_step(encoder: torch.nn.Module, seed: int) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """One forward/backward in train mode (dropout on); returns the embeddings and the weights' gradients."""
    encoder.train()
    encoder.zero_grad(set_to_none=True)
    torch.manual_seed(seed)
    left, right = encoder(LEFT, "left"), encoder(RIGHT, "right")
    (left @ right.T).logsumexp(dim=1).sum().backward()
    grads = {name: p.grad.clone() for name, p in encoder.named_parameters() if p.grad is not None}
    return torch.cat([left, right]).detach(), grads


@pytest.fixture(scope="module")
def encoder(tiny_model_dir: Path) -> torch.nn.Module:
    loaded = load_encoder(str(tiny_model_dir), device="cpu", max_seq_length=32)
    assert _attention_names(loaded) == {LEAN_SDPA}
    return loaded


def test_training_gives_plain_sdpa_embeddings_and_gradients_with_dropout_on(encoder):
    """In float64, so that the two formulas' different rounding (scale before or after q kᵀ) stays far below the test."""
    ours = copy.deepcopy(encoder).double()
    plain = _plain_copy(ours)
    # Dropout really acts here: two seeds give different embeddings (else the test could not see a wrong mask).
    assert not torch.allclose(_train_step(plain, 1)[0], _train_step(plain, 2)[0])
    ours_emb, ours_grads = _train_step(ours, 7)
    plain_emb, plain_grads = _train_step(plain, 7)
    torch.testing.assert_close(ours_emb, plain_emb, rtol=0, atol=1e-12)
    assert ours_grads.keys() == plain_grads.keys() and len(ours_grads) > 10
    for name, grad in ours_grads.items():
        torch.testing.assert_close(grad, plain_grads[name], rtol=1e-9, atol=1e-12,
                                   msg=lambda text, name=name: f"{name}: {text}")


def _saved_square_bytes(encoder: torch.nn.Module) -> dict[bool, int]:
    """Bytes autograd keeps in (rows, heads, L, L) tensors over one training forward pass, by "is floating point".

    The padding mask, (rows, 1, L, L) booleans shared by every layer, is kept either way and not counted.
    """
    kept = {True: 0, False: 0}

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        if tensor.dim() == 4 and tensor.shape[1] > 1 and tensor.shape[-1] == tensor.shape[-2] > 1:
            kept[tensor.is_floating_point()] += tensor.numel() * tensor.element_size()
        return tensor

    encoder.train()
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        encoder(LEFT, "left")
    return kept


def test_training_keeps_one_float_and_one_byte_per_attention_entry(encoder):
    plain, ours = _saved_square_bytes(_plain_copy(encoder)), _saved_square_bytes(encoder)
    assert plain[True] >= 2 * ours[True] > 0  # plain SDPA with dropout keeps two floats per entry, ours one
    assert ours[False] == ours[True] / 4  # and the keep mask, a byte per entry


def test_evaluation_equals_plain_sdpa(encoder):
    plain = _plain_copy(encoder)
    ours = encoder.encode(LEFT + RIGHT, "left")
    theirs = plain.encode(LEFT + RIGHT, "left")
    assert ours.shape == theirs.shape
    torch.testing.assert_close(torch.from_numpy(ours), torch.from_numpy(theirs), rtol=0, atol=1e-6)


def test_a_saved_model_loads_with_plain_sdpa_elsewhere(encoder, tmp_path):
    encoder.save(tmp_path / "model")
    reloaded = SentenceTransformer(str(tmp_path / "model"), device="cpu", local_files_only=True)
    assert _attention_names(reloaded) == {"sdpa"}


def test_the_function_has_the_formulas_gradients_under_a_padding_mask():
    """DropoutAttention against autograd through the plain formula, in float64, same dropout draw."""
    torch.manual_seed(0)
    query, key, value = (torch.randn(3, 2, 7, 5, dtype=torch.float64, requires_grad=True) for _ in range(3))
    allowed = torch.ones(3, 1, 7, 7, dtype=torch.bool)
    allowed[0, :, :, 5:] = False  # padding keys of two rows
    allowed[2, :, :, 3:] = False
    upstream = torch.randn(3, 2, 7, 5, dtype=torch.float64)
    scale = 5**-0.5

    def formula() -> torch.Tensor:
        scores = (query @ key.transpose(-2, -1)) * scale + torch.where(allowed, 0.0, float("-inf"))
        return F.dropout(torch.softmax(scores, dim=-1), p=0.3, training=True) @ value

    def outputs_and_gradients(attention) -> list[torch.Tensor]:
        torch.manual_seed(1)
        out = attention()
        grads = torch.autograd.grad(out, (query, key, value), upstream)
        return [out.detach(), *grads]

    ours = outputs_and_gradients(lambda: DropoutAttention.apply(query, key, value, allowed, 0.3, scale))
    for mine, reference in zip(ours, outputs_and_gradients(formula), strict=True):
        torch.testing.assert_close(mine, reference, rtol=0, atol=1e-12)
