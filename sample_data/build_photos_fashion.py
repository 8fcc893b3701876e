"""Write ``photos_fashion.zip`` (and ``photos_fashion_ja.zip``): Fashion-MNIST product photos ↔ category sentences.

The photos come from the **training split** of Fashion-MNIST as Debian packages it
(``apt-get install -y dataset-fashion-mnist``; files under ``/usr/share/datasets/fashion-mnist``).
A seeded draw takes the same number of photos from each of the 10 classes. Every photo is kept at
its 28×28 greyscale size, but its intensities are inverted: the IDX files store light garments on a
black background, and inverting gives dark products on white, the way catalogue photos usually look
(and the way a customer's photos and the report's thumbnails will look).

Each class has four caption phrasings written by the tiltpilot team, and the photos of a class take
them in turn, so many photos share one caption. ``group`` is the class, so two photos of one
category are never each other's negatives; ``label`` is the class name. The Japanese archive holds
the same photos in the same order with Japanese captions and class names.

Usage::

    python sample_data/build_photos_fashion.py           # rewrite both archives
    python sample_data/build_photos_fashion.py --check   # exit 1 if a committed archive is stale

The tests read the committed archives; they never need this script or the Debian package.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for build_photos_zip when imported, not run
from build_photos_zip import Pair, write_or_check, zip_bytes

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "photos_fashion.zip"
OUTPUT_JA = HERE / "photos_fashion_ja.zip"
SOURCE = Path("/usr/share/datasets/fashion-mnist")
TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
COPYRIGHT = Path("/usr/share/doc/dataset-fashion-mnist/copyright")
NOTICE = "NOTICE-fashion-mnist.txt"  # the MIT (Expat) licence asks for its notice in every copy
SEED = 20261201
PER_CLASS = 40
IMAGE_MAGIC, LABEL_MAGIC = 2051, 2049  # IDX: unsigned bytes, 3 and 1 dimensions

# (group, English class name as Fashion-MNIST names it, Japanese class name), in label order 0-9.
CLASSES = (
    ("tshirt-top", "T-shirt/top", "Tシャツ・トップス"),
    ("trouser", "Trouser", "パンツ"),
    ("pullover", "Pullover", "プルオーバー"),
    ("dress", "Dress", "ワンピース"),
    ("coat", "Coat", "コート"),
    ("sandal", "Sandal", "サンダル"),
    ("shirt", "Shirt", "シャツ"),
    ("sneaker", "Sneaker", "スニーカー"),
    ("bag", "Bag", "バッグ"),
    ("ankle-boot", "Ankle boot", "アンクルブーツ"),
)
# Four phrasings per class; each names the category, none names another class.
CAPTIONS = {
    "tshirt-top": (
        "A short-sleeved T-shirt.",
        "A casual cotton top with short sleeves.",
        "A plain tee for everyday wear.",
        "A lightweight top, photographed flat.",
    ),
    "trouser": (
        "A pair of trousers.",
        "Full-length trousers with straight legs.",
        "Long trousers, photographed flat.",
        "A pair of everyday long pants.",
    ),
    "pullover": (
        "A long-sleeved pullover.",
        "A warm knitted jumper.",
        "A sweater with long sleeves, pulled on over the head.",
        "A cosy pullover for cooler days.",
    ),
    "dress": (
        "A dress.",
        "A women's one-piece dress.",
        "A dress for summer or the office.",
        "A simple dress, shown on its own.",
    ),
    "coat": (
        "A coat.",
        "A warm outdoor coat with long sleeves.",
        "A coat for cold weather that fastens at the front.",
        "A long-sleeved outer layer for winter.",
    ),
    "sandal": (
        "A sandal.",
        "An open summer sandal with straps.",
        "A strappy open-toe shoe.",
        "A light sandal for warm days.",
    ),
    "shirt": (
        "A shirt with a collar.",
        "A button-up shirt.",
        "A casual collared shirt.",
        "A shirt that buttons down the front.",
    ),
    "sneaker": (
        "A sneaker.",
        "A low-top trainer for sport or every day.",
        "A casual sports shoe.",
        "A lace-up sneaker with a flat rubber sole.",
    ),
    "bag": (
        "A bag.",
        "A handbag with a handle or strap.",
        "A tote or shoulder bag.",
        "A bag for carrying everyday things.",
    ),
    "ankle-boot": (
        "An ankle boot.",
        "A short boot that covers the ankle.",
        "An ankle-high boot with a sturdy sole.",
        "A boot for autumn and winter, cut at the ankle.",
    ),
}
CAPTIONS_JA = {
    "tshirt-top": (
        "半袖のTシャツです。",
        "綿素材の半袖カジュアルトップスです。",
        "普段使いしやすい無地のTシャツです。",
        "軽やかな着心地のトップス（平置き撮影）です。",
    ),
    "trouser": (
        "ロングパンツです。",
        "ストレートシルエットのフルレングスパンツです。",
        "平置きで撮影したロングパンツです。",
        "普段使いのロングパンツです。",
    ),
    "pullover": (
        "長袖のプルオーバーです。",
        "暖かなニットのセーターです。",
        "頭からかぶって着る長袖のセーターです。",
        "肌寒い日に重宝するプルオーバーです。",
    ),
    "dress": (
        "ワンピースです。",
        "レディースのワンピースです。",
        "夏にもオフィスにも着られるワンピースです。",
        "シンプルなデザインのワンピースです。",
    ),
    "coat": (
        "コートです。",
        "長袖の暖かいアウターコートです。",
        "前開きの防寒コートです。",
        "冬に羽織る長袖のアウターです。",
    ),
    "sandal": (
        "サンダルです。",
        "ストラップ付きの夏向けサンダルです。",
        "つま先の開いたストラップシューズです。",
        "暑い日に履きたい軽いサンダルです。",
    ),
    "shirt": (
        "襟付きのシャツです。",
        "前ボタンのシャツです。",
        "カジュアルな襟付きシャツです。",
        "前をボタンで留めるタイプのシャツです。",
    ),
    "sneaker": (
        "スニーカーです。",
        "スポーツにも普段使いにも合うローカットスニーカーです。",
        "カジュアルなスポーツシューズです。",
        "平らなラバーソールの紐付きスニーカーです。",
    ),
    "bag": (
        "バッグです。",
        "持ち手またはストラップ付きのハンドバッグです。",
        "トートバッグまたはショルダーバッグです。",
        "普段の荷物を入れて持ち歩くバッグです。",
    ),
    "ankle-boot": (
        "アンクルブーツです。",
        "足首まで覆うショートブーツです。",
        "しっかりした靴底の足首丈ブーツです。",
        "秋冬向けの足首丈のブーツです。",
    ),
}


def read_idx(path: Path, magic: int) -> np.ndarray:
    """An IDX file (gzip-compressed) as a uint8 array of its declared shape.

    Raises:
        ValueError: The file's magic number or size does not match an IDX file of that kind.
    """
    data = gzip.decompress(path.read_bytes())
    found = int.from_bytes(data[:4], "big")
    if found != magic:
        raise ValueError(f"{path}: magic number {found}, expected {magic}; is this an IDX file?")
    n_dims = magic & 0xFF
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(n_dims))
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * n_dims)
    if body.size != int(np.prod(shape)):
        raise ValueError(f"{path}: {body.size} bytes of data, the header declares shape {shape}.")
    return body.reshape(shape)


def pick_indices(labels: np.ndarray, per_class: int, seed: int) -> np.ndarray:
    """``per_class`` training indices from each class, drawn with ``seed``, then shuffled so classes interleave."""
    rng = np.random.default_rng(seed)
    chosen = [np.sort(rng.choice(np.flatnonzero(labels == c), size=per_class, replace=False)) for c in range(10)]
    return rng.permutation(np.concatenate(chosen))


def build_pairs(source: Path = SOURCE, seed: int = SEED, per_class: int = PER_CLASS) -> tuple[list[Pair], list[Pair]]:
    """The English and Japanese pairs (same photos, same order).

    Within a class, the n-th photo drawn gets phrasing ``n mod 4``, so each phrasing is used about
    equally.
    """
    images = read_idx(source / TRAIN_IMAGES, IMAGE_MAGIC)
    labels = read_idx(source / TRAIN_LABELS, LABEL_MAGIC)
    seen = [0] * len(CLASSES)
    english, japanese = [], []
    for index in pick_indices(labels, per_class, seed):
        label = int(labels[index])
        group, name, name_ja = CLASSES[label]
        turn = seen[label] % len(CAPTIONS[group])
        seen[label] += 1
        photo = Image.fromarray(255 - images[index])  # dark product on white
        english.append(Pair(photo, CAPTIONS[group][turn], group, name))
        japanese.append(Pair(photo, CAPTIONS_JA[group][turn], group, name_ja))
    return english, japanese


def notice() -> bytes:
    """The notice shipped inside each archive: where the photos come from and the licence, verbatim."""
    head = (
        "The images in this archive are a subset of the Fashion-MNIST training set\n"
        "(Zalando Research, https://github.com/zalandoresearch/fashion-mnist), taken from\n"
        "Debian's dataset-fashion-mnist package and inverted (dark on white). The captions\n"
        "were written by the tiltpilot team.\n\n"
        "Copyright and licence of the images, as in /usr/share/doc/dataset-fashion-mnist/copyright:\n\n"
    )
    return (head + COPYRIGHT.read_text(encoding="utf-8")).encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    """Write (or, with ``--check``, verify) both archives; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the committed archives instead of writing")
    args = parser.parse_args(argv)
    english, japanese = build_pairs()
    extra = [(NOTICE, notice())]
    outputs = {OUTPUT: zip_bytes(english, extra), OUTPUT_JA: zip_bytes(japanese, extra)}
    code = write_or_check(outputs, args.check)
    for path, data in outputs.items():
        print(f"{path.name}: {len(english)} pairs, {len(CLASSES)} groups, {len(data):,} bytes")
    return code


if __name__ == "__main__":
    sys.exit(main())
