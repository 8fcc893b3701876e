"""Fixtures of the image–text encoder tests: small images, a tiny image tower, a tiny random CLIP."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import COLOURS, ITEMS
from PIL import Image
from torch import nn

RGB = {"red": (220, 30, 30), "blue": (30, 30, 220), "green": (30, 200, 30), "black": (10, 10, 10),
       "white": (245, 245, 245), "grey": (128, 128, 128), "yellow": (240, 230, 20), "pink": (250, 150, 200)}


def make_image(path: Path, colour: str, shape: int, *, size: tuple[int, int] = (48, 40), mode: str = "RGB") -> str:
    """A flat colour with a dark shape whose position depends on ``shape`` (so images differ)."""
    array = np.zeros((size[1], size[0], 3), dtype=np.uint8)
    array[:] = RGB[colour]
    step = max(1, size[0] // 12)
    x = (shape * step) % max(1, size[0] - 8)
    array[4:size[1] - 4, x:x + 8] = (shape * 23) % 255
    Image.fromarray(array).convert(mode).save(path)
    return str(path)


def photo_pairs(folder: Path, n: int = 24) -> tuple[list[str], list[str], list[str]]:
    """``n`` (image path, caption, group) triples: each caption names the image's colour and item."""
    folder.mkdir(parents=True, exist_ok=True)
    paths, captions, groups = [], [], []
    for i in range(n):
        colour, item = COLOURS[i % len(COLOURS)], ITEMS[(i // len(COLOURS)) % len(ITEMS)]
        paths.append(make_image(folder / f"img{i:03d}.png", colour, i))
        captions.append(f"a {colour} {item}")
        groups.append(f"g{i}")
    return paths, captions, groups


class TinyImageTower(nn.Module):
    """A two-layer conv net with the image-tower protocol; counts the images it has run on."""

    kind = "tiny-test"

    def __init__(self, dim: int = 16, image_size: int = 32) -> None:
        super().__init__()
        from engine.models.image.preprocess import ImageTransform

        torch.manual_seed(0)
        self.conv = nn.Conv2d(3, 8, 3, stride=2)
        self.bn = nn.BatchNorm2d(8)
        self.out = nn.Linear(8, dim)
        self.dim = dim
        self.image_size = image_size
        self.transform = ImageTransform(size=image_size)
        self.images_seen = 0

    @property
    def cache_key(self) -> str:
        return f"tiny/{id(self)}"

    def pixels(self, paths):
        return self.transform.batch(paths)

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        self.images_seen += pixels.shape[0]
        return self.out(torch.relu(self.bn(self.conv(pixels))).mean(dim=(2, 3)))


@pytest.fixture
def photos(tmp_path: Path) -> tuple[list[str], list[str], list[str]]:
    return photo_pairs(tmp_path / "photos")


def build_tiny_clip(folder: Path) -> Path:
    """A random 2-layer CLIP (16-wide towers, 16x16 images) with a word-level tokenizer, saved offline."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import CLIPConfig, CLIPModel, PreTrainedTokenizerFast

    words = sorted(set(COLOURS + ITEMS + ["a"]))
    vocab = ["<pad>", "<unk>", "<bos>", "<eos>"] + words
    backend = Tokenizer(models.WordLevel(vocab={w: i for i, w in enumerate(vocab)}, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    backend.post_processor = processors.TemplateProcessing(single="<bos> $A <eos>",
                                                           special_tokens=[("<bos>", 2), ("<eos>", 3)])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="<unk>", pad_token="<pad>",
                                        bos_token="<bos>", eos_token="<eos>")
    torch.manual_seed(0)
    config = CLIPConfig(
        text_config={"vocab_size": len(vocab), "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 2,
                     "num_attention_heads": 2, "max_position_embeddings": 16, "eos_token_id": 3,
                     "bos_token_id": 2, "pad_token_id": 0},
        vision_config={"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
                       "image_size": 16, "patch_size": 8},
        projection_dim=12,
    )
    CLIPModel(config).save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    return folder


@pytest.fixture(scope="session")
def tiny_clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_clip(tmp_path_factory.mktemp("tiny_clip"))


@pytest.fixture
def image_maker():
    """``make_image(path, colour, shape, size=, mode=)`` for tests that need particular files."""
    return make_image


@pytest.fixture
def tiny_tower():
    """A fresh :class:`TinyImageTower` (counts how many images it has run on)."""
    return TinyImageTower()
