"""Length-aware encoding: the chunking is the optimal cut, and a chunked batch is the padded batch."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from conftest import COLOURS, ITEMS, MATERIALS

from engine.config import TrainConfig
from engine.data.dataset import PairDataset
from engine.losses import build_loss
from engine.models import load_encoder
from engine.train import length_buckets, train
from engine.train.length_buckets import PairForward, chunk_rows, token_lengths


def _cost(lengths: np.ndarray, chunks: list[np.ndarray], overhead: int) -> float:
    return sum(len(c) * lengths[c].max() + overhead for c in chunks)


def _brute_force_cost(lengths: np.ndarray, overhead: int) -> float:
    """Every way to cut the sorted rows into contiguous chunks."""
    ordered = np.sort(lengths)
    n, best = len(ordered), float("inf")
    for cuts in itertools.product((False, True), repeat=n - 1):
        bounds = [0] + [i + 1 for i, cut in enumerate(cuts) if cut] + [n]
        cost = sum((b - a) * ordered[b - 1] + overhead for a, b in itertools.pairwise(bounds))
        best = min(best, cost)
    return best


@pytest.mark.parametrize("seed", range(12))
def test_chunks_hold_every_row_once_at_the_least_cost(seed):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 130, size=int(rng.integers(1, 11)))
    overhead = int(rng.choice([0, 16, 64, 256, 10_000]))
    chunks = chunk_rows(lengths.tolist(), overhead)
    assert sorted(np.concatenate(chunks).tolist()) == list(range(len(lengths)))
    assert _cost(lengths, chunks, overhead) == pytest.approx(_brute_force_cost(lengths, overhead))


def test_free_passes_give_one_chunk_per_length_and_costly_ones_a_single_chunk():
    lengths = [5, 9, 5, 30, 9, 5]
    assert sorted(sorted(c.tolist()) for c in chunk_rows(lengths, 0)) == [[0, 2, 5], [1, 4], [3]]
    assert len(chunk_rows(lengths, 10_000)) == 1
    assert chunk_rows([], 0) == []


def _varied(n: int) -> PairDataset:
    """Descriptions of 1 to ~20 words, so a batch mixes short and long texts."""
    words = COLOURS + ITEMS + MATERIALS
    left = tuple(f"{COLOURS[i % len(COLOURS)]} {ITEMS[i % len(ITEMS)]} {i}" for i in range(n))
    right = tuple(" ".join(words[(i + j) % len(words)] for j in range(1 + (i * 7) % 20)) + f" {i}" for i in range(n))
    return PairDataset(left=left, right=right, group=tuple(str(i) for i in range(n)), row=tuple(range(1, n + 1)))


def _without_dropout(encoder):
    for module in encoder.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
    return encoder


def test_a_chunked_batch_embeds_and_back_propagates_as_the_padded_batch(tiny_model_dir):
    encoder = _without_dropout(load_encoder(str(tiny_model_dir), device="cpu", max_seq_length=32))
    data = _varied(12)
    lengths = {side: token_lengths(encoder, getattr(data, side), side) for side in ("left", "right")}
    assert len(set(lengths["right"].values())) > 5
    chunked, plain = PairForward(encoder, lengths, overhead_tokens=0), PairForward(encoder)
    assert len(chunk_rows([lengths["right"][t] for t in data.right], 0)) > 3  # the batch is really split
    loss_fn = build_loss("clip")
    grads = []
    for forward in (chunked, plain):
        encoder.zero_grad()
        left, right = forward(data.left, data.right)
        loss_fn.compute_loss_from_embeddings([left, right], None).backward()
        grads.append(torch.cat([p.grad.flatten() for p in encoder.parameters() if p.grad is not None]))
        if forward is chunked:
            embedded = (left.detach(), right.detach())
    torch.testing.assert_close(embedded[0], left.detach(), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(embedded[1], right.detach(), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(grads[0], grads[1], atol=1e-5, rtol=1e-4)


def test_token_counts_are_the_unpadded_lengths(tiny_model_dir):
    encoder = load_encoder(str(tiny_model_dir), device="cpu", max_seq_length=32)
    counts = token_lengths(encoder, ["red shirt", "red shirt", "blue wool coat made of cotton"], "left")
    assert counts == {"red shirt": 4, "blue wool coat made of cotton": 8}  # [CLS] + words + [SEP]


def test_training_with_length_buckets_gives_the_plain_trainers_weights(tiny_model_dir, monkeypatch):
    monkeypatch.setitem(length_buckets.CHUNK_OVERHEAD_TOKENS, "cpu", 0)  # split even these short batches
    calls = []
    original = PairForward._side
    monkeypatch.setattr(PairForward, "_side", lambda self, items, side: calls.append(len(self.lengths)) or
                        original(self, items, side))
    weights = []
    for buckets in (True, False):
        # float64: Adam's first steps move each weight by about ±lr whatever its gradient's size,
        # so float32 rounding in a near-zero gradient would show as a full-size difference.
        encoder = _without_dropout(load_encoder(str(tiny_model_dir), device="cpu", max_seq_length=32)).double()
        config = TrainConfig(epochs=2, batch_size=8, learning_rate=3e-3, early_stopping=False,
                             checkpoint_every_epoch=False, length_buckets=buckets)
        train(encoder, build_loss("clip", temperature="learn"), _varied(32), config)
        weights.append(torch.cat([p.detach().flatten() for p in encoder.parameters()]))
    assert 2 in calls and 0 in calls  # both paths ran
    torch.testing.assert_close(weights[0], weights[1], atol=1e-5, rtol=1e-4)
