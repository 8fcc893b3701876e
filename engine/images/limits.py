"""Limits on image uploads: one home for every number that bounds what an image ZIP may cost.

An upload is at most :data:`engine.data.limits.MAX_FILE_MB` of compressed bytes; what it may
inflate to, how many members it may hold and how large one picture may be are bounded here, so
a ZIP bomb or a decompression bomb is refused before it costs memory, disk or minutes.
"""

from __future__ import annotations

_MB = 1024 * 1024

MAX_PIXELS = 40_000_000  # 40 megapixels: larger than any phone or catalogue photo; a 50k x 50k header is refused
MAX_MEMBERS = 20_000  # entries in one archive (folders and ignored macOS entries not counted)
MAX_MEMBER_MB = 200  # one inflated member (a 40-megapixel TIFF or BMP is up to 160 MB)
MAX_TOTAL_MB = 1_000  # every member together, inflated (20 x the upload limit, on a 64 GB pilot disk)
MAX_RATIO = 200  # inflated / compressed size of one member; photos barely compress, bombs by 1000x
RATIO_FLOOR_MB = 1  # the ratio is only checked on members inflating past this (a small CSV may compress well)
COPY_CHUNK = _MB  # extraction streams members in chunks of this many bytes: memory stays bounded
THUMBNAIL_PX = 160  # longest side of a thumbnail, in pixels
THUMBNAIL_QUALITY = 85  # JPEG quality of thumbnails

MB = _MB
