"""Photos of one category are never each other's negatives (group masking), on the shipped Fashion sample.

The sample groups its photos by category (``group`` column). Two guards exist and both are shown:
the batcher never puts two photos of one category in a batch (checked on every batch of a real
epoch, with a stand-in encoder and a spy loss), and the loss masks same-group pairs when they do
meet (checked against a brute-force loss whose softmax keeps the true partner and the other
categories' items only, with ``-log(#kept)`` as the constant).
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import nn

from engine.config import TrainConfig
from engine.data import load_pairs
from engine.datasets import PHOTO_SAMPLES, store_upload
from engine.losses import build_loss
from engine.train import train


class _LookupEncoder(nn.Module):
    """A stand-in dual encoder: one learnable vector per distinct item; remembers the last photos it saw."""

    def __init__(self, items: list[str], dim: int = 8) -> None:
        super().__init__()
        self.index = {item: i for i, item in enumerate(dict.fromkeys(items))}
        self.table = nn.Embedding(len(self.index), dim)
        self.last_photos: list[str] = []

    @property
    def device(self) -> torch.device:
        return self.table.weight.device

    def forward(self, items: list[str], side: str) -> torch.Tensor:
        if side == "left":
            self.last_photos = list(items)
        return self.table(torch.tensor([self.index[item] for item in items]))


class _SpyLoss(nn.Module):
    def __init__(self, encoder: _LookupEncoder) -> None:
        super().__init__()
        self.inner = build_loss("clip", tilt="cosine")
        self.photos_of = lambda: encoder.last_photos  # not a submodule: the trainer must not optimise it twice
        self.batches: list[tuple[list[str], torch.Tensor, torch.Tensor, torch.Tensor]] = []

    def compute_loss_from_embeddings(self, embeddings: list[torch.Tensor], labels: torch.Tensor) -> torch.Tensor:
        left, right = (e.detach().clone() for e in embeddings)
        self.batches.append((self.photos_of(), left, right, labels.clone()))
        return self.inner.compute_loss_from_embeddings(embeddings, labels)


def _brute_force_clip(left: torch.Tensor, right: torch.Tensor, groups: list[str], tau: float = 0.05) -> float:
    u = torch.nn.functional.normalize(left.double(), dim=1)
    v = torch.nn.functional.normalize(right.double(), dim=1)
    n, total = len(groups), 0.0
    for i in range(n):
        kept = [j for j in range(n) if j == i or groups[j] != groups[i]]
        for query, gallery in ((u, v), (v, u)):
            logits = [float(query[i] @ gallery[j]) / tau for j in kept]
            top = max(logits)
            lse = top + math.log(sum(math.exp(x - top) for x in logits))
            total += -float(query[i] @ gallery[i]) / tau + lse - math.log(len(kept))
    return total / (2 * n)


def test_same_category_photos_are_never_each_others_negatives(tmp_path: Path) -> None:
    stored = store_upload(tmp_path, "photos_fashion.zip", PHOTO_SAMPLES["fashion"].read_bytes())
    data = load_pairs(stored.path)
    assert data.modality == {"left": "image", "right": "text"} and len(set(data.group)) == 10
    category = dict(zip(data.left, data.group, strict=True))
    encoder = _LookupEncoder([*data.left, *data.right])
    spy = _SpyLoss(encoder)
    train(encoder, spy, data, TrainConfig(epochs=1, batch_size=32, early_stopping=False))
    assert len(spy.batches) >= 10
    for photos, left, right, labels in spy.batches:
        # The batcher keeps one photo per category in a batch, so no same-category negative exists ...
        groups = [category[p] for p in photos]
        assert len(set(groups)) == len(groups)
        # ... and the group ids the loss gets would mask any that did.
        expected = torch.tensor([[a == b for b in groups] for a in groups])
        assert torch.equal(labels[:, None] == labels[None, :], expected)
        assert abs(float(spy.inner.compute_loss_from_embeddings([left, right], labels))
                   - _brute_force_clip(left, right, groups)) < 1e-4


def test_a_batch_with_two_photos_of_one_category_masks_them(tmp_path: Path) -> None:
    stored = store_upload(tmp_path, "photos_fashion.zip", PHOTO_SAMPLES["fashion"].read_bytes())
    data = load_pairs(stored.path)
    by_category: dict[str, list[int]] = {}
    for row, group in enumerate(data.group):
        by_category.setdefault(group, []).append(row)
    rows = [i for members in list(by_category.values())[:3] for i in members[:2]]  # 3 categories x 2 photos
    groups = [data.group[i] for i in rows]
    encoder = _LookupEncoder([*data.left, *data.right])
    with torch.no_grad():
        left = encoder([data.left[i] for i in rows], "left")
        right = encoder([data.right[i] for i in rows], "right")
    labels = torch.tensor([sorted(set(groups)).index(g) for g in groups])
    loss = build_loss("clip", tilt="cosine")
    masked = float(loss.compute_loss_from_embeddings([left, right], labels))
    assert abs(masked - _brute_force_clip(left, right, groups)) < 1e-6
    unmasked = float(loss.compute_loss_from_embeddings([left, right], torch.arange(len(rows))))
    assert abs(unmasked - masked) > 1e-3  # the mask changed the loss: same-category items were left out
