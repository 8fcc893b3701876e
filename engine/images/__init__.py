"""Image ↔ text data: safe ZIP reading, manifests, per-image checks, content-addressed storage, thumbnails.

Torch-free (Pillow and numpy only). An image dataset is a manifest (``manifest.csv`` or
``manifest.jsonl``) mapping each image path to its text, with optional group and label. It comes
as a ZIP upload (:func:`engine.datasets.store_upload` stores it with :func:`store.build_image_entry`)
or, on the command line, as a folder. :func:`engine.data.load_pairs` reads either into a
:class:`~engine.data.PairDataset` whose left side holds absolute paths of checked image files.

Stored layout (inside the dataset store)::

    <store>/datasets/<digest16>/data.csv        image,text[,group][,label]; image = images/<sha256>.<ext>
    <store>/datasets/<digest16>/images/<sha256>.<ext>   each distinct picture once, by content
    <store>/datasets/<digest16>/thumbs/<sha256>.jpg     longest side 160 px, RGB JPEG
    <store>/datasets/<digest16>/meta.json       as for tables, plus "kind": "images" and "images": <count>
"""

from __future__ import annotations

from engine.images.checks import ImageInfo, check_image
from engine.images.thumbnails import make_thumbnail, thumbnail_path

__all__ = ["ImageInfo", "check_image", "make_thumbnail", "thumbnail_path"]
