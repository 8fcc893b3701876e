"""Which shown items are stored pictures: only absolute paths of stored pictures with a thumbnail."""

from __future__ import annotations

from pathlib import Path

import pytest
from photo_zip import photo_zip

from engine.charts.thumbnails import example_items, has_picture_items, has_pictures, hover_texts, item_thumbnail
from engine.data import load_pairs
from engine.datasets import store_upload
from engine.i18n import override, t


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> tuple[list[str], list[str]]:
    """Ten stored pictures (absolute paths) and their captions (ten: the fewest a dataset may hold)."""
    captions = [f"caption {i}" for i in range(10)]
    entry = store_upload(tmp_path_factory.mktemp("thumbs"), "p.zip", photo_zip(10, captions))
    pairs = load_pairs(entry.path)
    return list(pairs.left), list(pairs.right)


def test_a_stored_picture_has_its_thumbnail(stored):
    paths, _ = stored
    thumb = item_thumbnail(paths[0])
    assert thumb is not None and thumb.parent.name == "thumbs" and thumb.stem == Path(paths[0]).stem
    assert thumb.read_bytes()[:2] == b"\xff\xd8"


@pytest.mark.parametrize("text", ["a red shirt", "", None, 3, "images/x.png", "x\x00y", "/" + "a" * 5000,
                                  "/etc/passwd"])
def test_anything_else_is_text(text):
    assert item_thumbnail(text) is None


def test_a_relative_path_is_never_resolved_against_the_working_folder(stored, monkeypatch):
    paths, _ = stored
    picture = Path(paths[0])
    monkeypatch.chdir(picture.parent.parent)  # "images/<sha>.png" would exist relative to here
    assert item_thumbnail(f"images/{picture.name}") is None


def test_an_example_resolves_pictures_and_captions_them_with_their_pair(stored):
    paths, captions = stored
    texts = {"left": captions, "right": paths}  # text -> picture: the gallery holds the pictures
    drill = {"query_side": "left", "gallery_side": "right"}
    record = {"query": 1, "true_index": 1, "base_rank": 3, "tuned_rank": 1, "query_text": captions[1],
              "true_text": paths[1], "tuned_topk": [1, 4], "tuned_topk_texts": [paths[1], paths[4]],
              "tuned_topk_relevant": [True, False], "base_topk": [2], "base_topk_texts": [paths[2]]}
    example = example_items(record, drill, texts)
    assert example.query.thumbnail is None and example.query.caption == "caption 1"
    assert example.truth.thumbnail is not None and example.truth.caption == "caption 1"
    assert [(i.caption, i.relevant) for i in example.tuned_top] == [("caption 1", True), ("caption 4", False)]
    assert [i.caption for i in example.base_top] == ["caption 2"]
    assert (example.base_rank, example.tuned_rank) == (3, 1)
    assert has_pictures({**drill, "wins": [record]}) and not has_pictures({**drill, "wins": [
        {**record, "true_text": "x", "query_text": "y", "tuned_topk_texts": ["z"]}]})


def test_hover_texts_name_pictures_by_their_paired_text(stored):
    paths, captions = stored
    texts = {"left": paths[:2], "right": captions[:2]}
    assert has_picture_items(texts) and not has_picture_items({"left": captions, "right": captions})
    with override("ja"):
        shown = hover_texts(texts)
        assert shown == {"left": [t("photos_ui.PHOTO_HOVER", text="caption 0"), t("photos_ui.PHOTO_HOVER",
                                                                                   text="caption 1")],
                         "right": captions[:2]}
