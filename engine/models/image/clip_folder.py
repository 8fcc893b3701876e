"""A CLIP-style model the user copied to this machine, as an image tower and a text tower.

Only a local folder saved by ``transformers`` (``config.json`` with ``model_type`` ``clip``, the
weights, and a tokenizer) is accepted; a hub name is refused, so nothing is ever downloaded, and
``trust_remote_code`` stays off, so no code from the folder runs. Pixels are prepared by
:mod:`engine.models.image.preprocess` with the folder's own mean, standard deviation and crop size.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

from engine.errors import ConfigError, ModelLoadError
from engine.i18n import t
from engine.models.image.preprocess import ImageTransform

CLIP_KIND = "clip"
# OpenAI CLIP's published normalisation, used when the folder has no preprocessor_config.json.
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
MAX_TEXT_TOKENS = 77


def clip_folder(name_or_path: str) -> Path:
    """The folder holding the transformers CLIP model that ``name_or_path`` names.

    Accepts a folder saved by ``CLIPModel.save_pretrained`` and a sentence-transformers multimodal
    folder, whose ``modules.json`` names the CLIP module's folder (the root in sentence-transformers
    6, ``0_CLIPModel/`` in older saves). Only the CLIP weights, tokenizer and normalisation are
    read; the sentence-transformers modules around them are not (the tilt decides normalising).

    Raises:
        ConfigError: It is not an existing folder (a hub name is never looked up), or the folder
            holds something other than a CLIP model.
    """
    folder = Path(name_or_path).expanduser()
    if not folder.is_dir():
        raise ConfigError(t("image_models.NOT_A_FOLDER", name=name_or_path))
    found = _model_type(folder)
    if found == CLIP_KIND:
        return folder
    for module in _st_module_folders(folder):
        if _model_type(module) == CLIP_KIND:
            return module
    raise ConfigError(t("image_models.NOT_CLIP", path=str(folder), found=str(found)))


def _model_type(folder: Path) -> str | None:
    config_file = folder / "config.json"
    if not config_file.is_file():
        return None
    try:
        return json.loads(config_file.read_text(encoding="utf-8")).get("model_type")
    except (OSError, ValueError, AttributeError) as exc:
        raise ModelLoadError(t("image_models.FOLDER_UNREADABLE", path=str(folder), error=str(exc))) from exc


def _st_module_folders(folder: Path) -> list[Path]:
    """The module folders a sentence-transformers ``modules.json`` lists (inside ``folder`` only)."""
    modules_file = folder / "modules.json"
    if not modules_file.is_file():
        return []
    try:
        entries = json.loads(modules_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelLoadError(t("image_models.FOLDER_UNREADABLE", path=str(folder), error=str(exc))) from exc
    root = folder.resolve()
    paths = [(folder / str(e.get("path", ""))).resolve() for e in entries if isinstance(e, dict)]
    return [p for p in paths if p.is_dir() and (p == root or root in p.parents)]


def load_clip(folder: Path) -> tuple[ClipImageTower, ClipTextTower]:
    """Load a CLIP folder offline as its two towers (sharing one ``CLIPModel``).

    Raises:
        ModelLoadError: transformers could not load the weights or the tokenizer.
    """
    from transformers import AutoTokenizer, CLIPModel

    try:
        model = CLIPModel.from_pretrained(str(folder), local_files_only=True)
        tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True, trust_remote_code=False)
    except Exception as exc:  # transformers raises OSError, ValueError or its own types here
        raise ModelLoadError(t("image_models.FOLDER_UNREADABLE", path=str(folder), error=str(exc))) from exc
    model.eval()
    return ClipImageTower(model, _transform(folder, model), folder), ClipTextTower(model, tokenizer, folder)


def _transform(folder: Path, model: nn.Module) -> ImageTransform:
    size = int(model.config.vision_config.image_size)  # position embeddings fix the input size
    mean, std = CLIP_MEAN, CLIP_STD
    processor_file = folder / "preprocessor_config.json"
    if processor_file.is_file():
        raw = json.loads(processor_file.read_text(encoding="utf-8"))
        mean = tuple(raw.get("image_mean", mean))
        std = tuple(raw.get("image_std", std))
    return ImageTransform(size=size, mean=mean, std=std, crop_fraction=1.0, resample="bicubic")


def _weights_stamp(folder: Path) -> str:
    files = sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin"))
    return ";".join(f"{f.name}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files)


class _HoldsClip(nn.Module):
    """Keeps the whole CLIPModel reachable for saving without registering it twice."""

    def __init__(self, model: nn.Module, folder: Path) -> None:
        super().__init__()
        self._whole = [model]  # a list, so nn.Module does not register it as a child
        self.folder = folder
        self._stamp = _weights_stamp(folder)

    @property
    def clip(self) -> nn.Module:
        return self._whole[0]

    @property
    def cache_key(self) -> str:
        return f"{CLIP_KIND}/{self.folder.resolve()}/{self._stamp}/{type(self).__name__}"


class ClipImageTower(_HoldsClip):
    """CLIP's vision transformer and visual projection: images in, (B, D) features out."""

    kind = CLIP_KIND

    def __init__(self, model: nn.Module, transform: ImageTransform, folder: Path) -> None:
        super().__init__(model, folder)
        self.vision_model = model.vision_model
        self.visual_projection = model.visual_projection
        self.transform = transform
        self.dim = int(model.config.projection_dim)
        self.image_size = transform.size

    def pixels(self, paths: Sequence[str]) -> torch.Tensor:
        return self.transform.batch(paths)

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        return self.visual_projection(self.vision_model(pixel_values=pixels).pooler_output)


class ClipTextTower(_HoldsClip):
    """CLIP's text transformer and text projection: texts in, (B, D) features out."""

    kind = CLIP_KIND
    prefix = ""

    def __init__(self, model: nn.Module, tokenizer, folder: Path) -> None:
        super().__init__(model, folder)
        self.text_model = model.text_model
        self.text_projection = model.text_projection
        self.tokenizer = tokenizer
        self.dim = int(model.config.projection_dim)
        self.max_seq_length = min(MAX_TEXT_TOKENS, int(model.config.text_config.max_position_embeddings))

    def forward(self, texts: Sequence[str]) -> torch.Tensor:
        device = self.text_projection.weight.device
        tokens = self.tokenizer(list(texts), padding=True, truncation=True, max_length=self.max_seq_length,
                                return_tensors="pt")
        out = self.text_model(input_ids=tokens["input_ids"].to(device),
                              attention_mask=tokens["attention_mask"].to(device))
        return self.text_projection(out.pooler_output)

    def save(self, folder: Path) -> None:
        """The whole CLIP model and its tokenizer (both towers' current weights), as transformers saves them."""
        self.clip.save_pretrained(str(folder))
        self.tokenizer.save_pretrained(str(folder))
