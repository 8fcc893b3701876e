"""The image–text dual encoder: photos on the left (the paper's u), texts on the right (v).

Towers: the packaged EfficientNet-Lite0 (:mod:`.efficientnet`) with a sentence-transformers text
tower (:mod:`.text_tower`), or both towers of a local CLIP folder (:mod:`.clip_folder`). Pixels
are prepared with Pillow and numpy (:mod:`.preprocess`). The encoder, its training modes and its
saved format are in :mod:`.image_text_encoder`; frozen towers' features are cached per content
(:mod:`.feature_cache`). Attributes load on first use, so :mod:`.defaults` stays torch-free.
"""

from __future__ import annotations

import importlib

_HOMES = {
    "ImageTextEncoder": "engine.models.image.image_text_encoder",
    "ImageTransform": "engine.models.image.preprocess",
    "EfficientNetTower": "engine.models.image.efficientnet",
    "FeatureCache": "engine.models.image.feature_cache",
    "SHARED_CACHE": "engine.models.image.feature_cache",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module 'engine.models.image' has no attribute '{name}'")
    return getattr(importlib.import_module(_HOMES[name]), name)
