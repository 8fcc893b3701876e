"""Attention that keeps 5 bytes per (rows, heads, L, L) entry for the backward pass in CPU training, not 8.

A BERT-style encoder applies dropout to its attention probabilities while it trains (MiniLM: 10%).
PyTorch's fused CPU attention kernel has no dropout, so ``scaled_dot_product_attention`` then falls
back to its plain formula, and autograd keeps per layer two (rows, heads, L, L) float tensors: the
softmax output and the dropped probabilities. On the sample catalogue the (rows, heads, L, L)
tensors were a third of a training step's saved activations (210 of 608 MiB, batch of 32 pairs).

:class:`DropoutAttention` computes the same formula with the same dropout draw and keeps the
probabilities and the dropout's keep mask (one byte per entry); its backward pass needs nothing
else and takes the time of SDPA's (``bench/README.md``, part (c)). Measured alternatives that keep
less: recomputing the probabilities in the backward pass (one byte per entry) made that pass
1.6-2x slower, and recomputing the whole core (``torch.utils.checkpoint``) made training steps
~20% slower, because on a CPU the dropout's random numbers, drawn again, cost about as much as
the rest of the core.

The results are plain SDPA's (``tests/engine/models/test_attention.py``: same embeddings and
gradients, seed for seed). Without dropout (evaluation, ``torch.no_grad``), on a GPU (whose fused
kernels handle dropout), or for anything but a plain padding mask, the call goes to SDPA itself.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from transformers import AttentionInterface, PreTrainedModel
from transformers.integrations.sdpa_attention import sdpa_attention_forward
from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

LEAN_SDPA = "tiltpilot_lean_sdpa"  # the name transformers dispatches on


class DropoutAttention(torch.autograd.Function):
    """``dropout(softmax(q kᵀ · scale + mask)) v``, keeping the probabilities and the dropout's keep mask only."""

    @staticmethod
    def forward(ctx: Any, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                allowed: torch.Tensor | None, dropout: float, scale: float) -> torch.Tensor:
        scores = (query * scale) @ key.transpose(-2, -1)  # the scale on (L, D), not on (L, L)
        if allowed is not None:
            scores.masked_fill_(~allowed, float("-inf"))
        probs = torch.softmax(scores, dim=-1)
        # native_dropout draws exactly what SDPA's plain formula draws (the same Bernoulli draw of
        # the same shape at the same point in the random stream) and hands back its keep mask.
        dropped, keep = torch.native_dropout(probs, dropout, True)
        output = dropped @ value
        ctx.save_for_backward(query, key, value, probs, keep, output)
        ctx.dropout, ctx.scale = dropout, scale
        return output

    @staticmethod
    def backward(ctx: Any, grad_out: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        query, key, value, probs, keep, output = ctx.saved_tensors
        # With d = keep / (1 - p) the dropout, out = (probs d) v. The 1 / (1 - p) is applied to the
        # (L, D) products, not to the (L, L) matrices.
        rescale = 1.0 / (1.0 - ctx.dropout)
        kept = keep.to(probs.dtype)  # once: a float times a bool tensor is ~3x slower than two floats
        grad_value = ((probs * kept).transpose(-2, -1) @ grad_out).mul_(rescale)
        grad_kept = (grad_out @ value.transpose(-2, -1)).mul_(kept)
        # The softmax's row term sum_j grad_kept_ij probs_ij equals grad_out_i . out_i (1 - p), an (L, D)
        # product instead of another (L, L) one (as FlashAttention's backward computes it).
        row = (grad_out * output).sum(dim=-1, keepdim=True).mul_(1.0 - ctx.dropout)
        grad_scores = grad_kept.sub_(row).mul_(probs)
        grad_query = (grad_scores @ key).mul_(ctx.scale * rescale)
        grad_key = (grad_scores.transpose(-2, -1) @ query).mul_(ctx.scale * rescale)
        return grad_query, grad_key, grad_value, None, None, None


def lean_sdpa_attention(module: nn.Module, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                        attention_mask: torch.Tensor | None, dropout: float = 0.0, scaling: float | None = None,
                        **kwargs: Any) -> tuple[torch.Tensor, None]:
    """transformers' SDPA attention, through :class:`DropoutAttention` where SDPA would keep L×L floats."""
    plain_mask = attention_mask is None or attention_mask.dtype == torch.bool
    special = kwargs.get("position_bias") is not None or getattr(module, "is_causal", False)
    if dropout == 0.0 or query.device.type != "cpu" or not torch.is_grad_enabled() or not plain_mask or special:
        return sdpa_attention_forward(module, query, key, value, attention_mask, dropout=dropout, scaling=scaling,
                                      **kwargs)
    scale = query.shape[-1] ** -0.5 if scaling is None else scaling
    output = DropoutAttention.apply(query, key, value, attention_mask, dropout, scale)
    return output.transpose(1, 2).contiguous(), None


AttentionInterface.register(LEAN_SDPA, lean_sdpa_attention)
# The padding mask comes in SDPA's form too: an implementation without a mask function gets no mask at all.
AttentionMaskInterface.register(LEAN_SDPA, sdpa_mask)


def use_lean_attention(model: nn.Module) -> int:
    """Switch every transformers network inside ``model`` from SDPA to :func:`lean_sdpa_attention`.

    Networks on another attention implementation (eager, flash) are left as they are. The choice
    is not saved with the model: a saved folder loads with plain SDPA anywhere.

    Returns:
        How many networks were switched.
    """
    switched = 0
    for module in model.modules():
        if isinstance(module, PreTrainedModel) and module.config._attn_implementation == "sdpa":
            module.set_attn_implementation(LEAN_SDPA)
            switched += 1
    return switched
