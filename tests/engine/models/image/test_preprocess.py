from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from engine.errors import DataError
from engine.models.image.preprocess import IMAGENET_MEAN, IMAGENET_STD, ImageTransform


def _expected(rgb: tuple[int, int, int]) -> np.ndarray:
    return np.array([(v / 255 - m) / s for v, m, s in zip(rgb, IMAGENET_MEAN, IMAGENET_STD)], dtype=np.float32)


@pytest.mark.parametrize("mode", ["RGB", "L", "RGBA", "P", "LA", "CMYK"])
@pytest.mark.parametrize("size", [(48, 40), (7, 300), (640, 17)])
def test_every_mode_and_size_becomes_three_square_channels(tmp_path, image_maker, mode, size):
    path = image_maker(tmp_path / f"x.{'png' if mode != 'CMYK' else 'jpg'}", "red", 3, size=size, mode=mode)
    batch = ImageTransform(size=32).batch([path, path])
    assert tuple(batch.shape) == (2, 3, 32, 32)
    assert batch.dtype.is_floating_point and np.isfinite(batch.numpy()).all()


def test_a_flat_colour_is_scaled_and_normalised_per_channel_as_computed_by_hand(tmp_path):
    path = tmp_path / "flat.png"
    Image.new("RGB", (50, 30), (255, 0, 128)).save(path)
    pixels = ImageTransform(size=24).batch([str(path)])[0].numpy()
    # R: (1 - 0.485) / 0.229 = 2.2489; G: (0 - 0.456) / 0.224 = -2.0357; B: (128/255 - 0.406) / 0.225 = 0.4265
    assert pixels[:, 11, 7] == pytest.approx([2.2489, -2.0357, 0.4265], abs=1e-4)
    assert np.allclose(pixels, _expected((255, 0, 128))[:, None, None], atol=1e-5)


def test_greyscale_repeats_its_value_in_every_channel(tmp_path):
    path = tmp_path / "grey.png"
    Image.new("L", (20, 20), 100).save(path)
    pixels = ImageTransform(size=16).batch([str(path)])[0].numpy()
    assert np.allclose(pixels, _expected((100, 100, 100))[:, None, None], atol=1e-5)


def test_transparency_is_laid_on_white(tmp_path):
    path = tmp_path / "clear.png"
    Image.new("RGBA", (20, 20), (0, 0, 0, 0)).save(path)
    pixels = ImageTransform(size=16).batch([str(path)])[0].numpy()
    assert np.allclose(pixels, _expected((255, 255, 255))[:, None, None], atol=1e-5)


def test_the_shorter_side_is_resized_and_the_centre_cropped(tmp_path):
    # 200x100: red left half, blue right half. The shorter side goes to 32/0.875 ≈ 37, the width to
    # 73; the central 32 columns hold 16 red then 16 blue (one blended column at the seam).
    image = Image.new("RGB", (200, 100), (255, 0, 0))
    image.paste((0, 0, 255), (100, 0, 200, 100))
    image.save(tmp_path / "halves.png")
    pixels = ImageTransform(size=32).batch([str(tmp_path / "halves.png")])[0].numpy()
    red, blue = _expected((255, 0, 0)), _expected((0, 0, 255))
    assert np.allclose(pixels[:, :, :15], red[:, None, None], atol=1e-4)
    assert np.allclose(pixels[:, :, 17:], blue[:, None, None], atol=1e-4)


def test_a_broken_file_is_refused_naming_it(tmp_path):
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"\xff\xd8\xff not really a jpeg")
    with pytest.raises(DataError, match="broken.jpg"):
        ImageTransform(size=32).batch([str(path)])


def test_an_impossible_transform_is_refused():
    with pytest.raises(ValueError, match="crop_fraction"):
        ImageTransform(size=32, crop_fraction=1.5)
