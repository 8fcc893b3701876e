"""Encoders: loading pretrained dual encoders, towers, projection heads, device choice."""

from __future__ import annotations

from engine.models.device import select_device
from engine.models.dual_encoder import DualEncoder
from engine.models.loading import DEFAULT_MODEL, load_encoder, resolve_model_path

__all__ = ["DEFAULT_MODEL", "DualEncoder", "load_encoder", "resolve_model_path", "select_device"]
