"""Thumbnails of stored pictures for the data preview, the result pages and the report.

A stored picture ``.../images/<sha256>.<ext>`` has its thumbnail at ``.../thumbs/<sha256>.jpg``:
an RGB JPEG whose longest side is :data:`~engine.images.limits.THUMBNAIL_PX` pixels, turned
upright as the camera's EXIF orientation says, transparency laid on white.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PIL import Image, ImageOps

from engine.images.limits import THUMBNAIL_PX, THUMBNAIL_QUALITY

IMAGES_DIR = "images"
THUMBS_DIR = "thumbs"
THUMB_EXTENSION = ".jpg"


def thumbnail_path(image_path: str | Path) -> Path | None:
    """The thumbnail of a stored picture, or None when there is none (e.g. a picture in a user's folder).

    Args:
        image_path: A stored picture, ``.../images/<sha256>.<ext>``.

    Returns:
        ``.../thumbs/<sha256>.jpg`` when that file exists, else None.
    """
    path = Path(image_path)
    if path.parent.name != IMAGES_DIR:
        return None
    thumb = path.parent.parent / THUMBS_DIR / (path.stem + THUMB_EXTENSION)
    return thumb if thumb.is_file() else None


def make_thumbnail(src: str | Path, dst: str | Path, *, size: int = THUMBNAIL_PX) -> Path:
    """Write a JPEG thumbnail of ``src`` to ``dst`` (atomically), longest side ``size`` pixels.

    The caller has checked ``src`` (:func:`engine.images.check_image`): its pixel count is within the limit.

    Args:
        src: A picture Pillow reads.
        dst: The thumbnail file to write; its folder is created.
        size: Longest side in pixels; smaller pictures are not enlarged.

    Returns:
        ``dst``.
    """
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(src) as image:
        image.draft("RGB", (size, size))  # JPEG: decode at a reduced scale, far less memory and time
        image = ImageOps.exif_transpose(image)
        image.thumbnail((size, size))
        rgb = _on_white(image)
    handle, tmp = tempfile.mkstemp(prefix=".thumb-", suffix=THUMB_EXTENSION, dir=dst.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            rgb.save(out, format="JPEG", quality=THUMBNAIL_QUALITY)
        os.replace(tmp, dst)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return dst


def _on_white(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return image.convert("RGB")
