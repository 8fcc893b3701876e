"""Encoders: loading pretrained dual encoders, towers, projection heads, device choice.

Attributes load on first use, so torch-free parts (:mod:`engine.models.packaged`) can be imported
by pages without importing torch.
"""

from __future__ import annotations

import importlib

_HOMES = {
    "DEFAULT_MODEL": "engine.models.loading",
    "load_encoder": "engine.models.loading",
    "resolve_model_path": "engine.models.loading",
    "DualEncoder": "engine.models.dual_encoder",
    "select_device": "engine.models.device",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module 'engine.models' has no attribute '{name}'")
    return getattr(importlib.import_module(_HOMES[name]), name)
