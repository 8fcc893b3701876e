"""Write ``photos_products.zip`` (and ``photos_products_ja.zip``): drawn product pictures ↔ specific captions.

Every picture is drawn here with Pillow from simple shapes: one product (mug, T-shirt, bottle, gift
box or table lamp) in one colour, plain or with white stripes or white dots, small or large, on the
left, in the centre or on the right of a light background. A seeded draw picks distinct attribute
combinations, so every caption describes exactly one picture ("a small red mug with white dots, on
the left"): instance-level retrieval, each pair its own group, ``label`` the product kind. A little
seeded jitter (position, background tone, tilt of the stripes) keeps the pictures from being
pixel-identical templates.

The Japanese archive holds the same pictures in the same order, with captions composed from the same
attributes the way a Japanese catalogue writes them (「白い水玉模様の小さな赤いマグカップ（左寄り）」).

Usage::

    python sample_data/build_photos_products.py           # rewrite both archives
    python sample_data/build_photos_products.py --check   # exit 1 if a committed archive is stale
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for build_photos_zip when imported, not run
from build_photos_zip import Pair, write_or_check, zip_bytes

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "photos_products.zip"
OUTPUT_JA = HERE / "photos_products_ja.zip"
SEED = 20261201
N_PRODUCTS = 240
SIZE = 96  # final picture size in pixels
SCALE = 4  # drawn at 4× and downsampled, for smooth edges without an anti-aliasing renderer
CANVAS = SIZE * SCALE
WHITE = (255, 255, 255)
TRIM = (60, 60, 60)  # caps, stems and bases: parts that keep a neutral colour

# name -> (RGB, English word, Japanese adjective). Dark or saturated colours only, so white
# stripes and dots stay visible.
COLOURS = {
    "red": ((200, 30, 40), "red", "赤い"),
    "blue": ((30, 70, 190), "blue", "青い"),
    "green": ((30, 140, 60), "green", "緑の"),
    "purple": ((120, 50, 160), "purple", "紫の"),
    "orange": ((235, 120, 20), "orange", "オレンジ色の"),
    "black": ((25, 25, 25), "black", "黒い"),
    "brown": ((120, 70, 30), "brown", "茶色の"),
    "teal": ((0, 128, 128), "teal", "青緑色の"),
}
# name -> (English phrase after the noun, Japanese phrase before the size); plain goes before the noun.
PATTERNS = {
    "plain": ("", "無地の"),
    "stripes": ("with white stripes", "白いストライプ柄の"),
    "dots": ("with white dots", "白い水玉模様の"),
}
SIZES = {"small": (0.40, "small", "小さな"), "large": (0.62, "large", "大きな")}
POSITIONS = {
    "left": (0.31, "on the left", "左寄り"),
    "centre": (0.50, "in the centre", "中央"),
    "right": (0.69, "on the right", "右寄り"),
}
KINDS = {
    "mug": ("mug", "マグカップ"),
    "shirt": ("T-shirt", "Tシャツ"),
    "bottle": ("bottle", "ボトル"),
    "box": ("gift box", "ギフトボックス"),
    "lamp": ("table lamp", "テーブルランプ"),
}


@dataclass(frozen=True)
class Product:
    """The attributes of one drawn product (keys of the tables above)."""

    kind: str
    colour: str
    pattern: str
    size: str
    position: str

    def caption(self) -> str:
        """English caption, e.g. ``a small red mug with white dots, on the left``."""
        noun = KINDS[self.kind][0]
        colour = COLOURS[self.colour][1]
        size, where = SIZES[self.size][1], POSITIONS[self.position][1]
        if self.pattern == "plain":
            return f"a {size} plain {colour} {noun}, {where}"
        return f"a {size} {colour} {noun} {PATTERNS[self.pattern][0]}, {where}"

    def caption_ja(self) -> str:
        """Japanese caption, e.g. 「白い水玉模様の小さな赤いマグカップ（左寄り）」."""
        return (
            f"{PATTERNS[self.pattern][1]}{SIZES[self.size][2]}{COLOURS[self.colour][2]}"
            f"{KINDS[self.kind][1]}（{POSITIONS[self.position][2]}）"
        )


def choose_products(n: int, rng: random.Random) -> list[Product]:
    """``n`` distinct attribute combinations, each kind equally often (the order is shuffled)."""
    per_kind = n // len(KINDS)
    products = []
    for kind in KINDS:
        combos = list(itertools.product(COLOURS, PATTERNS, SIZES, POSITIONS))
        products += [Product(kind, *combo) for combo in rng.sample(combos, per_kind)]
    rng.shuffle(products)
    return products


# Shape outlines in a unit box: x and y from 0 to 1, (0, 0) top left. Each function draws the
# patterned body into ``mask`` (255 = body) and the neutral parts onto the ``trim`` layer.
Box = tuple[float, float, float, float]  # left, top, width, height in canvas pixels


def _at(box: Box, x: float, y: float) -> tuple[float, float]:
    left, top, width, height = box
    return left + x * width, top + y * height


def _rect(box: Box, x0: float, y0: float, x1: float, y1: float) -> list[tuple[float, float]]:
    return [_at(box, x0, y0), _at(box, x1, y1)]


def _mug(mask: ImageDraw.ImageDraw, trim: ImageDraw.ImageDraw, box: Box) -> None:
    width = box[2]
    mask.rounded_rectangle(_rect(box, 0.10, 0.15, 0.72, 0.95), radius=width * 0.08, fill=255)
    mask.ellipse(_rect(box, 0.58, 0.30, 0.95, 0.75), outline=255, width=int(width * 0.09))


def _shirt(mask: ImageDraw.ImageDraw, trim: ImageDraw.ImageDraw, box: Box) -> None:
    outline = [
        (0.35, 0.08),
        (0.43, 0.16),
        (0.57, 0.16),
        (0.65, 0.08),
        (0.98, 0.25),
        (0.88, 0.45),
        (0.76, 0.38),
        (0.76, 0.95),
        (0.24, 0.95),
        (0.24, 0.38),
        (0.12, 0.45),
        (0.02, 0.25),
    ]
    mask.polygon([_at(box, x, y) for x, y in outline], fill=255)


def _bottle(mask: ImageDraw.ImageDraw, trim: ImageDraw.ImageDraw, box: Box) -> None:
    width = box[2]
    mask.rounded_rectangle(_rect(box, 0.28, 0.35, 0.72, 0.97), radius=width * 0.10, fill=255)
    mask.polygon([_at(box, x, y) for x, y in [(0.40, 0.16), (0.60, 0.16), (0.72, 0.38), (0.28, 0.38)]], fill=255)
    trim.rectangle(_rect(box, 0.39, 0.04, 0.61, 0.17), fill=TRIM)


def _gift_box(mask: ImageDraw.ImageDraw, trim: ImageDraw.ImageDraw, box: Box) -> None:
    mask.rectangle(_rect(box, 0.10, 0.40, 0.90, 0.96), fill=255)
    mask.rectangle(_rect(box, 0.05, 0.26, 0.95, 0.40), fill=255)  # lid
    trim.rectangle(_rect(box, 0.45, 0.26, 0.55, 0.96), fill=TRIM)  # ribbon
    trim.ellipse(_rect(box, 0.30, 0.10, 0.50, 0.27), outline=TRIM, width=int(box[2] * 0.05))
    trim.ellipse(_rect(box, 0.50, 0.10, 0.70, 0.27), outline=TRIM, width=int(box[2] * 0.05))


def _lamp(mask: ImageDraw.ImageDraw, trim: ImageDraw.ImageDraw, box: Box) -> None:
    shade = [(0.30, 0.05), (0.70, 0.05), (0.92, 0.48), (0.08, 0.48)]
    mask.polygon([_at(box, x, y) for x, y in shade], fill=255)
    trim.rectangle(_rect(box, 0.46, 0.48, 0.54, 0.88), fill=TRIM)
    trim.ellipse(_rect(box, 0.22, 0.84, 0.78, 0.98), fill=TRIM)


DRAW: dict[str, Callable[[ImageDraw.ImageDraw, ImageDraw.ImageDraw, Box], None]] = {
    "mug": _mug,
    "shirt": _shirt,
    "bottle": _bottle,
    "box": _gift_box,
    "lamp": _lamp,
}


def _pattern_layer(colour: tuple[int, int, int], pattern: str, rng: random.Random) -> Image.Image:
    """The body colour over the whole canvas, with the pattern drawn across it in white."""
    layer = Image.new("RGB", (CANVAS, CANVAS), colour)
    draw = ImageDraw.Draw(layer)
    step = rng.randint(9, 12) * SCALE
    if pattern == "stripes":
        slope = rng.choice((0, 0, 1))  # mostly horizontal, sometimes diagonal
        for y in range(-CANVAS, 2 * CANVAS, step):
            draw.line([(0, y), (CANVAS, y + slope * CANVAS)], fill=WHITE, width=step // 3)
    elif pattern == "dots":
        radius = step // 5
        for row, y in enumerate(range(0, CANVAS + step, step)):
            for x in range((row % 2) * step // 2, CANVAS + step, step):
                draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=WHITE)
    return layer


def draw_product(product: Product, rng: random.Random) -> Image.Image:
    """The picture of one product, ``SIZE`` × ``SIZE`` RGB."""
    tone = rng.randint(236, 250)
    picture = Image.new("RGB", (CANVAS, CANVAS), (tone, tone, tone - rng.randint(0, 6)))
    side = SIZES[product.size][0] * CANVAS
    centre_x = (POSITIONS[product.position][0] + rng.uniform(-0.02, 0.02)) * CANVAS
    centre_y = (0.52 + rng.uniform(-0.03, 0.03)) * CANVAS
    box = (centre_x - side / 2, centre_y - side / 2, side, side)
    shadow = ImageDraw.Draw(picture)  # a soft floor shadow, so the product stands on something
    shadow.ellipse([_at(box, 0.05, 0.92), _at(box, 0.95, 1.04)], fill=(tone - 40,) * 3)
    mask = Image.new("L", (CANVAS, CANVAS), 0)
    trim = Image.new("RGBA", (CANVAS, CANVAS), (0, 0, 0, 0))  # laid over the body (the ribbon crosses the box)
    DRAW[product.kind](ImageDraw.Draw(mask), ImageDraw.Draw(trim), box)
    picture.paste(_pattern_layer(COLOURS[product.colour][0], product.pattern, rng), mask=mask)
    picture.paste(trim, mask=trim)
    return picture.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def build_pairs(n: int = N_PRODUCTS, seed: int = SEED) -> tuple[list[Pair], list[Pair]]:
    """The English and Japanese pairs (same pictures, same order); group ``p0001``..., label the kind."""
    rng = random.Random(seed)
    english, japanese = [], []
    for index, product in enumerate(choose_products(n, rng)):
        picture = draw_product(product, rng)
        group = f"p{index + 1:04d}"
        english.append(Pair(picture, product.caption(), group, KINDS[product.kind][0]))
        japanese.append(Pair(picture, product.caption_ja(), group, KINDS[product.kind][1]))
    return english, japanese


def main(argv: list[str] | None = None) -> int:
    """Write (or, with ``--check``, verify) both archives; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the committed archives instead of writing")
    args = parser.parse_args(argv)
    english, japanese = build_pairs()
    outputs = {OUTPUT: zip_bytes(english), OUTPUT_JA: zip_bytes(japanese)}
    code = write_or_check(outputs, args.check)
    for path, data in outputs.items():
        print(f"{path.name}: {len(english)} pairs, {len({p.text for p in english})} captions, {len(data):,} bytes")
    return code


if __name__ == "__main__":
    sys.exit(main())
