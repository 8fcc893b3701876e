"""Image files to the float tensors an image tower reads, with Pillow and numpy only.

torchvision is never imported: its wheels pin a torch build and installing it next to the CPU
torch breaks ``import sentence_transformers``. The steps are the usual ImageNet evaluation
transform: RGB, resize the shorter side, centre crop, scale to [0, 1], subtract the channel mean
and divide by the channel standard deviation, channels first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, ImageOps

from engine.errors import DataError
from engine.i18n import t

IMAGENET_MEAN: tuple[float, float, float] = (0.485, 0.456, 0.406)
IMAGENET_STD: tuple[float, float, float] = (0.229, 0.224, 0.225)
# ImageNet models are evaluated on a 224 crop of a 256 resize (224/256 = 0.875); CLIP resizes
# straight to its crop size (1.0).
IMAGENET_CROP_FRACTION = 0.875

_RESAMPLING = {"bilinear": Image.Resampling.BILINEAR, "bicubic": Image.Resampling.BICUBIC}


@dataclass(frozen=True)
class ImageTransform:
    """How one tower wants its pixels.

    Attributes:
        size: Side of the square crop fed to the tower (pixels).
        mean: Per-channel mean subtracted after scaling to [0, 1] (RGB order).
        std: Per-channel standard deviation divided by.
        crop_fraction: The shorter side is resized to ``size / crop_fraction`` before the centre crop.
        resample: ``"bilinear"`` or ``"bicubic"``.
    """

    size: int = 224
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD
    crop_fraction: float = IMAGENET_CROP_FRACTION
    resample: str = "bilinear"

    def __post_init__(self) -> None:
        if self.size < 16:
            raise ValueError(f"image size must be at least 16 pixels, got {self.size}")
        if not 0.0 < self.crop_fraction <= 1.0:
            raise ValueError(f"crop_fraction must be in (0, 1], got {self.crop_fraction}")
        if self.resample not in _RESAMPLING:
            raise ValueError(f"resample must be one of {', '.join(_RESAMPLING)}, got {self.resample!r}")

    def array(self, image: Image.Image) -> np.ndarray:
        """One decoded image as a normalised float32 array of shape (3, size, size)."""
        rgb = _to_rgb(image)
        shorter = max(self.size, round(self.size / self.crop_fraction))
        width, height = rgb.size
        scale = shorter / min(width, height)
        resized = rgb.resize((max(shorter, round(width * scale)), max(shorter, round(height * scale))),
                             _RESAMPLING[self.resample])
        left = (resized.width - self.size) // 2
        top = (resized.height - self.size) // 2
        cropped = resized.crop((left, top, left + self.size, top + self.size))
        pixels = np.asarray(cropped, dtype=np.float32) / 255.0
        pixels = (pixels - np.asarray(self.mean, dtype=np.float32)) / np.asarray(self.std, dtype=np.float32)
        return np.ascontiguousarray(pixels.transpose(2, 0, 1))

    def batch(self, paths: Sequence[str]) -> torch.Tensor:
        """Image files as one (N, 3, size, size) float32 tensor (NCHW).

        Raises:
            DataError: A file cannot be opened or decoded (it names the file).
        """
        return torch.from_numpy(np.stack([self.array(open_image(path)) for path in paths]))


def _to_rgb(image: Image.Image) -> Image.Image:
    """RGB, with transparency laid on white (product shots on a clear background stay light)."""
    image = ImageOps.exif_transpose(image)  # a phone photo stored sideways is shown upright
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def open_image(path: str) -> Image.Image:
    """Decode one image file fully (so a broken file fails here, naming the file).

    Raises:
        DataError: The file is missing, unreadable or not an image Pillow can decode.
    """
    try:
        with Image.open(path) as image:
            image.load()
            return image.copy()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise DataError(t("image_models.UNREADABLE", path=path, error=str(exc))) from exc
