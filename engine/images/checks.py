"""One picture's checks: a format we read, a pixel count within the limit (from the header, before
decoding), and a file that decodes to the end (corrupt and truncated files are refused).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from engine.data.error_text import keyed_error
from engine.errors import DataError
from engine.images.limits import MAX_PIXELS

# Pillow's format name -> the extension a stored copy gets (one per format, so equal bytes get one name).
FORMAT_EXTENSIONS: dict[str, str] = {
    "JPEG": ".jpg",
    "PNG": ".png",
    "WEBP": ".webp",
    "BMP": ".bmp",
    "GIF": ".gif",
    "TIFF": ".tif",
}


@dataclass(frozen=True)
class ImageInfo:
    """What the checks learned about one picture.

    Attributes:
        format: Pillow's format name, e.g. ``"JPEG"``.
        extension: The extension a stored copy gets, e.g. ``".jpg"``.
        width, height: Size in pixels.
        mode: Pillow's mode, e.g. ``"RGB"`` or ``"L"`` (greyscale).
    """

    format: str
    extension: str
    width: int
    height: int
    mode: str


def check_image(path: str | Path, name: str, *, max_pixels: int = MAX_PIXELS, decode: bool = True) -> ImageInfo:
    """Open a picture safely and check it can be used.

    The pixel count is read from the header and checked before any pixel is decoded, so a
    decompression bomb (a small file declaring a huge image) costs no memory.

    Args:
        path: The file on disk.
        name: The name to show in a message (the path as the user wrote it), never markup.
        max_pixels: Refuse pictures with more pixels than this.
        decode: Decode every pixel (False: header checks only, for files checked when stored).

    Returns:
        The picture's format, stored extension, size and mode.

    Raises:
        DataError: The file is not a picture Pillow reads, is of an unsupported format, has more
            pixels than ``max_pixels``, or is corrupt or truncated. The message names ``name``.
    """
    with warnings.catch_warnings():
        # Pillow's own bomb guard warns (and errs at twice its limit); either way it is our refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as image:
                info = _header(image, name, max_pixels)
                if decode:
                    image.load()
        except DataError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise keyed_error("images.PIXEL_BOMB", name=name, limit=max_pixels) from None
        except UnidentifiedImageError:
            raise keyed_error("images.NOT_AN_IMAGE", name=name) from None
        except (OSError, SyntaxError, ValueError, EOFError):  # what Pillow raises for broken or cut-off data
            raise keyed_error("images.CORRUPT", name=name) from None
    return info


def _header(image: Image.Image, name: str, max_pixels: int) -> ImageInfo:
    extension = FORMAT_EXTENSIONS.get(str(image.format))
    if extension is None:
        raise keyed_error("images.UNSUPPORTED_FORMAT", name=name, format=str(image.format),
                          supported=", ".join(FORMAT_EXTENSIONS))
    width, height = image.size
    if width * height > max_pixels:
        raise keyed_error("images.TOO_MANY_PIXELS", name=name, width=width, height=height, limit=max_pixels)
    if width < 1 or height < 1:
        raise keyed_error("images.CORRUPT", name=name)
    return ImageInfo(format=str(image.format), extension=extension, width=width, height=height, mode=image.mode)
