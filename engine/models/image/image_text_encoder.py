"""A dual encoder for photos (left, the paper's u) and texts (right, v), and its saved format.

It offers the interface the trainer and the evaluation use on
:class:`~engine.models.dual_encoder.DualEncoder` (``device``, ``forward(items, side)``,
``encode(items, side, batch_size=)``, ``save(path, tilt=)``, ``prefixes``, and the
``nn.Module`` methods), so :func:`engine.train.train` and ``evaluate_encoder`` run on it as they
are. Left items are absolute paths of image files; right items are texts. Each side is a tower
followed by a linear projection head into one shared space; embeddings leave **unnormalised**
(the tilt decides).

Training modes (:data:`engine.names.IMAGE_TRAINING_MODES`):

- ``heads``: both towers frozen, only the two heads train.
- ``lit``: the image tower locked (LiT), the text tower and the heads train.
- ``full``: everything trains (BatchNorm statistics stay frozen: small batches make them noisy).

A frozen tower is always in eval mode, and its features come from the process-wide
:data:`~engine.models.image.feature_cache.SHARED_CACHE`, so each image (and, in ``heads`` mode,
each text) is encoded once per process however many epochs and runs use it.

Saved format (a folder)::

    image_text_encoder.json   {"format": "tiltpilot-image-text", "version": 1,
                               "image_tower": {"kind": "efficientnet-lite0" | "clip", "image_size": S,
                                               "weights": "packaged" | "image_tower.safetensors" | "clip"},
                               "text_tower": {"kind": "sentence-transformers" | "clip", "folder": "text" | "clip",
                                              "max_seq_length": N},
                               "training": mode, "projection_dim": D, "image_dim": Di, "text_dim": Dt,
                               "tilt": tilt, "normalize": true for the cosine tilt, "source": ...}
    heads.safetensors         image_head.weight/.bias (D×Di), text_head.weight/.bias (D×Dt)
    text/                     the text tower as a sentence-transformers folder (packaged-text runs)
    image_tower.safetensors   EfficientNet weights, only when the image tower was fine-tuned ("full")
    clip/                     a CLIP run: the whole CLIPModel, its tokenizer and preprocessor_config.json

``normalize`` says how to compare embeddings (unit vectors for cosine); :meth:`ImageTextEncoder.load`
returns the same unnormalised embeddings the saved model produced.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import nn

from engine.errors import ConfigError, ModelLoadError
from engine.i18n import t
from engine.models.image.defaults import DEFAULT_IMAGE_TRAINING, DEFAULT_PROJECTION_DIM, HEAD_LR_SCALE
from engine.models.image.feature_cache import SHARED_CACHE, FeatureCache, content_hash, mark_changed, tower_key
from engine.models.image.projection import ProjectionHead
from engine.names import IMAGE_TRAINING_MODES, SIDES, TILT_NAMES, TILTS

CONFIG_FILE = "image_text_encoder.json"
HEADS_FILE = "heads.safetensors"
IMAGE_TOWER_FILE = "image_tower.safetensors"
TEXT_FOLDER = "text"
CLIP_FOLDER = "clip"
FORMAT = "tiltpilot-image-text"
FORMAT_VERSION = 1
# Images decoded and run through a tower at once when filling the cache (bounds peak memory).
TOWER_BATCH = 32


def _check_mode(training: str) -> None:
    if training not in IMAGE_TRAINING_MODES:
        raise ConfigError(t("image_models.BAD_MODE", got=training, allowed=", ".join(IMAGE_TRAINING_MODES)))


class ImageTextEncoder(nn.Module):
    """Encodes images (left) and texts (right) into one space through two projection heads.

    Args:
        image_tower: Module with ``dim``, ``cache_key``, ``pixels(paths)`` and ``forward(pixels)``.
        text_tower: Module with ``dim``, ``cache_key``, ``prefix``, ``forward(texts)`` and ``save(folder)``.
        training: ``"heads"``, ``"lit"`` or ``"full"`` (what trains; see the module docstring).
        projection_dim: Width of the shared space; None is :data:`DEFAULT_PROJECTION_DIM`, or the
            towers' own width when they are already aligned (a CLIP model).
        aligned: The towers already share a space (CLIP): when their widths equal the projection
            width the heads start as the identity, so the untrained model is the pretrained CLIP.
        source: Where the pretrained weights came from (recorded in run configs).
        cache: Where frozen towers' features are kept (None: the process-wide cache).
        head_seed: Seeds the heads' random start, so every run of a comparison starts from the
            same untrained projection that the shared base evaluation measured.
        head_lr_scale: How many times faster than the towers the heads learn
            (:class:`~engine.models.image.projection.ProjectionHead`).
    """

    towers = "separate"
    modality = {"left": "image", "right": "text"}

    def __init__(self, image_tower: nn.Module, text_tower: nn.Module, *, training: str = DEFAULT_IMAGE_TRAINING,
                 projection_dim: int | None = None, aligned: bool = False, source: str = "",
                 cache: FeatureCache | None = None, head_seed: int = 0,
                 head_lr_scale: float = HEAD_LR_SCALE) -> None:
        super().__init__()
        _check_mode(training)
        self.image_tower = image_tower
        self.text_tower = text_tower
        self.training_mode = training
        self.aligned = aligned
        self.source = source
        self.cache = cache if cache is not None else SHARED_CACHE
        same_width = image_tower.dim == text_tower.dim
        if projection_dim is None:
            projection_dim = image_tower.dim if aligned and same_width else DEFAULT_PROJECTION_DIM
        if projection_dim < 1:
            raise ConfigError(t("image_models.BAD_PROJECTION", got=projection_dim))
        self.projection_dim = int(projection_dim)
        identity = aligned and same_width and self.projection_dim == image_tower.dim
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(head_seed)
            self.image_head = ProjectionHead(image_tower.dim, self.projection_dim, lr_scale=head_lr_scale,
                                             identity=identity)
            self.text_head = ProjectionHead(text_tower.dim, self.projection_dim, lr_scale=head_lr_scale,
                                            identity=identity)
        for tower, trainable in ((image_tower, self.image_trainable), (text_tower, self.text_trainable)):
            for parameter in tower.parameters():
                parameter.requires_grad_(trainable)
            if trainable:  # its features will change: a later frozen use must not read the pretrained ones
                mark_changed(tower)
        self.train(False)

    @property
    def image_trainable(self) -> bool:
        return self.training_mode == "full"

    @property
    def text_trainable(self) -> bool:
        return self.training_mode in ("lit", "full")

    @property
    def prefixes(self) -> dict[str, str]:
        return {"left": "", "right": self.text_tower.prefix}

    @property
    def device(self) -> torch.device:
        return self.image_head.weight.device

    def train(self, mode: bool = True) -> ImageTextEncoder:
        """Heads follow ``mode``; a frozen tower stays in eval mode (no dropout, fixed statistics)."""
        super().train(mode)
        self.image_tower.train(mode and self.image_trainable)
        self.text_tower.train(mode and self.text_trainable)
        if mode and self.image_trainable:
            for module in self.image_tower.modules():
                if isinstance(module, nn.modules.batchnorm._BatchNorm):
                    module.eval()  # batches of a few dozen photos would make the statistics noisy
        return self

    # --- features -------------------------------------------------------------------------

    def _check_side(self, side: str) -> None:
        if side not in SIDES:
            raise ConfigError(f"side must be 'left' or 'right', got '{side}'.")

    def _tower_features(self, items: Sequence[str], side: str) -> torch.Tensor:
        tower = self.image_tower if side == "left" else self.text_tower
        return tower(tower.pixels(items).to(self.device)) if side == "left" else tower(items)

    def _cached_features(self, items: Sequence[str], side: str) -> torch.Tensor:
        """Features of a frozen tower: from the cache, running the tower only on what is missing."""
        tower = self.image_tower if side == "left" else self.text_tower
        key = tower_key(tower)
        contents = [content_hash(item) for item in items] if side == "left" else list(items)
        first_item = {content: items[i] for i, content in reversed(list(enumerate(contents)))}
        found = {c: v for c in first_item if (v := self.cache.get(key, c)) is not None}
        todo = [c for c in first_item if c not in found]  # one tower pass per distinct content
        with torch.no_grad():
            for start in range(0, len(todo), TOWER_BATCH):
                chunk = todo[start:start + TOWER_BATCH]
                features = self._tower_features([first_item[c] for c in chunk], side).float().cpu()
                for content, vector in zip(chunk, features, strict=True):
                    self.cache.put(key, content, vector)
                    found[content] = vector
        return torch.stack([found[c] for c in contents]).to(self.device)

    def features(self, items: Sequence[str], side: str) -> torch.Tensor:
        """Tower output (before the head) for a batch: (B, tower dim)."""
        self._check_side(side)
        frozen = not (self.image_trainable if side == "left" else self.text_trainable)
        if frozen:
            return self._cached_features(items, side)
        return self._tower_features(items, side)

    def forward(self, items: Sequence[str], side: str) -> torch.Tensor:
        """(B, projection_dim) unnormalised embeddings of one side's items."""
        head = self.image_head if side == "left" else self.text_head
        return head(self.features(items, side))

    @torch.no_grad()
    def encode(self, items: Sequence[str], side: str, *, batch_size: int = 64) -> np.ndarray:
        """Embed items for evaluation; returns a float32 (N, projection_dim) array, unnormalised."""
        self._check_side(side)
        was_training = self.training
        self.train(False)
        try:
            chunks = [self.forward(list(items[i:i + batch_size]), side).float().cpu()
                      for i in range(0, len(items), batch_size)]
        finally:
            self.train(was_training)
        if not chunks:
            return np.zeros((0, self.projection_dim), dtype=np.float32)
        return torch.cat(chunks).numpy().astype(np.float32, copy=False)

    # --- saving ---------------------------------------------------------------------------

    def config_dict(self, tilt: str) -> dict:
        """What ``image_text_encoder.json`` holds (see the module docstring)."""
        clip = self.image_tower.kind == CLIP_FOLDER
        image_weights = CLIP_FOLDER if clip else (IMAGE_TOWER_FILE if self.image_trainable else "packaged")
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "image_tower": {"kind": self.image_tower.kind, "image_size": int(self.image_tower.image_size),
                            "weights": image_weights},
            "text_tower": {"kind": self.text_tower.kind, "folder": CLIP_FOLDER if clip else TEXT_FOLDER,
                           "max_seq_length": self.text_tower.max_seq_length},
            "training": self.training_mode,
            "projection_dim": self.projection_dim,
            "image_dim": int(self.image_tower.dim),
            "text_dim": int(self.text_tower.dim),
            "aligned": self.aligned,
            "tilt": tilt,
            "normalize": TILTS[tilt].unit_length,
            "source": self.source,
        }

    def save(self, path: str | Path, *, tilt: str = "cosine") -> None:
        """Save as a folder in the format of the module docstring.

        Args:
            path: Folder to write (created if missing).
            tilt: The tilt the model was trained with; recorded with whether to normalise.
        """
        if tilt not in TILT_NAMES:
            raise ConfigError(f"tilt: got '{tilt}', expected one of {', '.join(TILT_NAMES)}.")
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        config = self.config_dict(tilt)
        heads = {f"image_head.{k}": v for k, v in self.image_head.effective_state().items()}
        heads.update({f"text_head.{k}": v for k, v in self.text_head.effective_state().items()})
        save_file({k: v.detach().cpu().contiguous() for k, v in heads.items()}, str(folder / HEADS_FILE))
        if config["image_tower"]["weights"] == IMAGE_TOWER_FILE:
            state = {k: v.detach().cpu().contiguous() for k, v in self.image_tower.state_dict().items()}
            save_file(state, str(folder / IMAGE_TOWER_FILE))
        self.text_tower.save(folder / config["text_tower"]["folder"])
        if config["image_tower"]["kind"] == CLIP_FOLDER:
            _write_clip_processor(folder / CLIP_FOLDER, self.image_tower.transform)
        (folder / CONFIG_FILE).write_text(json.dumps(config, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path, *, device: str | None = None, training: str | None = None) -> ImageTextEncoder:
        """Load a folder written by :meth:`save`.

        Args:
            path: The saved folder (or a run directory holding it as ``model/``).
            device: ``None``/``"auto"``, ``"cuda"``, ``"mps"`` or ``"cpu"``.
            training: Train on in another mode; None keeps the saved one.

        Raises:
            ModelLoadError: The folder is not in this format or its files are broken.
        """
        from engine.models.device import select_device
        from engine.models.image.towers import image_tower_from_saved, text_tower_from_saved

        folder = saved_folder(path)
        if folder is None:
            raise ModelLoadError(t("image_models.NOT_SAVED_FORMAT", path=str(path)))
        config = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
        if config.get("format") != FORMAT or int(config.get("version", 0)) > FORMAT_VERSION:
            raise ModelLoadError(t("image_models.NOT_SAVED_FORMAT", path=str(path)))
        torch_device = select_device(device)
        text_tower, clip_image = text_tower_from_saved(folder, config, str(torch_device))
        image_tower = clip_image or image_tower_from_saved(folder, config)
        encoder = cls(image_tower, text_tower, training=training or config["training"],
                      projection_dim=int(config["projection_dim"]), aligned=bool(config.get("aligned")),
                      source=config.get("source", ""))
        heads = load_file(str(folder / HEADS_FILE))
        for name, head in (("image_head", encoder.image_head), ("text_head", encoder.text_head)):
            head.load_effective_state({k.split(".", 1)[1]: v for k, v in heads.items() if k.startswith(name + ".")})
        return encoder.to(torch_device)


def saved_folder(path: str | Path) -> Path | None:
    """The saved image–text encoder at ``path`` (or in its ``model/``), or None when there is none."""
    folder = Path(path).expanduser()
    for candidate in (folder, folder / "model"):
        if (candidate / CONFIG_FILE).is_file():
            return candidate
    return None


def _write_clip_processor(folder: Path, transform) -> None:
    """A CLIPImageProcessor config, so the saved CLIP folder keeps its own normalisation."""
    raw = {
        "image_processor_type": "CLIPImageProcessor",
        "do_resize": True, "size": {"shortest_edge": transform.size},
        "do_center_crop": True, "crop_size": {"height": transform.size, "width": transform.size},
        "do_rescale": True, "rescale_factor": 1 / 255, "do_normalize": True, "do_convert_rgb": True,
        "image_mean": list(transform.mean), "image_std": list(transform.std), "resample": 3,
    }
    (folder / "preprocessor_config.json").write_text(json.dumps(raw, indent=2), encoding="utf-8")
