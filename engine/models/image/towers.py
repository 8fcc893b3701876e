"""Building each tower of an image–text encoder: from a name, or from a saved folder."""

from __future__ import annotations

from pathlib import Path

from safetensors.torch import load_file
from torch import nn

from engine.models.image.clip_folder import CLIP_KIND, load_clip
from engine.models.image.defaults import PACKAGED_IMAGE_MODEL
from engine.models.image.efficientnet import EfficientNetTower
from engine.models.image.text_tower import SentenceTextTower


def sentence_text_tower(name_or_path: str | None, *, device: str | None, max_seq_length: int | None) -> SentenceTextTower:
    """A sentence-transformers text tower, loaded as every text encoder is (packaged default, prefixes)."""
    from engine.models.loading import load_encoder  # loading imports this package's loader

    encoder = load_encoder(name_or_path, towers="shared", projection_dim=None, device=device,
                           max_seq_length=max_seq_length)
    return SentenceTextTower(encoder, max_seq_length=max_seq_length)


def image_tower_from_saved(folder: Path, config: dict) -> nn.Module:
    """The EfficientNet tower a saved encoder names: packaged weights, or its fine-tuned file."""
    spec = config["image_tower"]
    if spec["kind"] != PACKAGED_IMAGE_MODEL:
        raise ValueError(f"unknown image tower kind {spec['kind']!r}")
    weights = spec["weights"]
    state = None if weights == "packaged" else load_file(str(folder / weights))
    return EfficientNetTower(int(spec["image_size"]), state_dict=state)


def text_tower_from_saved(folder: Path, config: dict, device: str) -> tuple[nn.Module, nn.Module | None]:
    """The text tower a saved encoder names, and the CLIP image tower when both come from one CLIP."""
    spec = config["text_tower"]
    if spec["kind"] == CLIP_KIND:
        image_tower, text_tower = load_clip(folder / spec["folder"])
        return text_tower, image_tower
    return sentence_text_tower(str(folder / spec["folder"]), device=device,
                               max_seq_length=spec.get("max_seq_length")), None
