"""One picture's checks: formats and modes accepted; corrupt, truncated and pixel-bomb files refused by name."""

from __future__ import annotations

import io
import resource
import time

import pytest
from bombs import png_declaring
from image_builders import picture
from PIL import Image

from engine.errors import DataError
from engine.images import check_image
from engine.images.limits import MAX_PIXELS


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


@pytest.mark.parametrize(("fmt", "mode", "extension"), [
    ("JPEG", "RGB", ".jpg"), ("JPEG", "L", ".jpg"), ("PNG", "RGB", ".png"), ("PNG", "L", ".png"),
    ("PNG", "RGBA", ".png"), ("WEBP", "RGB", ".webp"), ("WEBP", "L", ".webp"),
])
def test_colour_greyscale_and_webp_are_accepted(tmp_path, fmt, mode, extension):
    path = tmp_path / f"pic{extension}"
    path.write_bytes(picture(1, fmt=fmt, mode=mode))
    info = check_image(path, path.name)
    assert (info.format, info.extension, info.width, info.height) == (fmt, extension, 24, 16)


def test_a_file_that_is_not_a_picture_is_refused_by_name(tmp_path):
    path = tmp_path / "notes.png"
    path.write_bytes(b"this is a text file, not a picture\n" * 10)
    with pytest.raises(DataError, match="'notes.png' is not a picture"):
        check_image(path, "notes.png")


def test_a_truncated_jpeg_is_refused_by_name(tmp_path):
    whole = picture(2, fmt="JPEG", size=(96, 64))
    path = tmp_path / "cut.jpg"
    path.write_bytes(whole[: len(whole) * 2 // 3])
    check_image(path, "cut.jpg", decode=False)  # the header is intact: only decoding finds the damage
    with pytest.raises(DataError, match="'photos/cut.jpg' is damaged or cut off"):
        check_image(path, "photos/cut.jpg")


def test_a_corrupt_png_is_refused_by_name(tmp_path):
    data = bytearray(picture(3, size=(64, 64)))
    middle = len(data) // 2
    data[middle : middle + 40] = bytes(40)  # damage the compressed pixels (and the chunk's checksum no longer fits)
    path = tmp_path / "broken.png"
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match="'broken.png' is damaged"):
        check_image(path, "broken.png")


def test_an_unsupported_format_is_refused(tmp_path):
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="PPM")
    path = tmp_path / "odd.png"
    path.write_bytes(out.getvalue())
    with pytest.raises(DataError, match="'odd.png' is a PPM picture, which is not supported"):
        check_image(path, "odd.png")


@pytest.mark.parametrize(("width", "height", "words"), [
    (50_000, 50_000, "declares far more pixels"),  # Pillow's own bomb guard, turned into our message
    (7_000, 7_000, "is 7,000 × 7,000 pixels, over the limit of 40,000,000"),  # under Pillow's guard, over ours
])
def test_a_decompression_bomb_png_is_refused_before_decoding(tmp_path, width, height, words):
    path = tmp_path / "bomb.png"
    path.write_bytes(png_declaring(width, height))
    assert len(path.read_bytes()) < 1_000 and width * height > MAX_PIXELS
    before, start = _peak_mb(), time.perf_counter()
    with pytest.raises(DataError, match=words) as caught:
        check_image(path, "bomb.png")
    assert "'bomb.png'" in str(caught.value)
    assert time.perf_counter() - start < 1.0
    assert _peak_mb() - before < 30  # decoding 7000 x 7000 in 8-bit would take 49 MB, 50000^2 2.5 GB


def test_the_pixel_limit_is_read_from_the_header_alone(tmp_path):
    """The same kind of file, declaring few enough pixels, passes the header check: the limit is what refuses."""
    path = tmp_path / "fine.png"
    path.write_bytes(png_declaring(1_000, 1_000))
    assert check_image(path, "fine.png", decode=False).width == 1_000
