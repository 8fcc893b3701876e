"""A tiny photo archive for tests: distinct PNGs and a manifest.csv pairing each with a caption."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from PIL import Image

COLOURS = [(220, 30, 30), (30, 30, 220), (30, 200, 30), (240, 230, 20), (250, 150, 200), (10, 10, 10)]
WORDS = ["red", "blue", "green", "yellow", "pink", "black"]


def png_bytes(i: int, size: tuple[int, int] = (40, 32)) -> bytes:
    """A flat colour with a dark bar whose place depends on ``i``, so every picture differs."""
    image = Image.new("RGB", size, COLOURS[i % len(COLOURS)])
    x = (i * 3) % (size[0] - 6)
    image.paste((i * 37 % 200, 0, 0), (x, 4, x + 6, size[1] - 4))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def caption(i: int) -> str:
    return f"a {WORDS[i % len(WORDS)]} item number {i}"


def photo_zip(n: int = 12, captions: list[str] | None = None) -> bytes:
    """A ZIP with ``images/p<i>.png`` and ``manifest.csv`` (image,text,group)."""
    texts = captions or [caption(i) for i in range(n)]
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["image", "text", "group"])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(n):
            archive.writestr(f"images/p{i:03d}.png", png_bytes(i))
            writer.writerow([f"images/p{i:03d}.png", texts[i], f"g{i}"])
        archive.writestr("manifest.csv", table.getvalue())
    return out.getvalue()


def write_photo_zip(path: Path, n: int = 12, captions: list[str] | None = None) -> Path:
    path.write_bytes(photo_zip(n, captions))
    return path


def as_image_runs(store: Path, captions: list[str], *, picture_side: str = "right") -> list[str]:
    """Turn the runs of a stored comparison into runs on image pairs, as the engine stores them.

    A real ZIP of ``len(captions)`` pictures is stored through ``store_upload``; each run's test
    split gets its absolute picture paths on ``picture_side`` and the captions on the other side,
    and its drill-down texts are rewritten from the stored indices.

    Returns:
        The stored pictures' absolute paths.
    """
    import json

    from engine.data import load_pairs
    from engine.datasets import store_upload

    entry = store_upload(store, "photos.zip", photo_zip(len(captions), captions))
    paths = list(dict.fromkeys(load_pairs(entry.path).left))
    other = "left" if picture_side == "right" else "right"
    for row in json.loads((store / "comparison.json").read_text())["runs"]:
        run = store / row["run_id"]
        pairs = json.loads((run / "test_pairs.json").read_text())
        n = len(pairs["left"])
        pairs[picture_side] = [paths[i % len(paths)] for i in range(n)]
        pairs[other] = [captions[i % len(captions)] for i in range(n)]
        (run / "test_pairs.json").write_text(json.dumps(pairs))
        drill_file = run / "analysis" / "drilldown.json"
        drill = json.loads(drill_file.read_text())
        for part in drill.values():
            query, gallery = pairs[part["query_side"]], pairs[part["gallery_side"]]
            for record in [*part.get("wins", []), *part.get("losses", [])]:
                record["query_text"] = query[record["query"]]
                record["true_text"] = gallery[record["true_index"]]
                for model in ("base", "tuned"):
                    record[f"{model}_topk_texts"] = [gallery[j] for j in record.get(f"{model}_topk", [])]
        drill_file.write_text(json.dumps(drill))
    return paths
