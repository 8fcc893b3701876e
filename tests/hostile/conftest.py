"""The hostile corpus (tests/data/hostile), built once per session into a temporary folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

CORPUS_DIR = Path(__file__).resolve().parents[1] / "data" / "hostile"
if str(CORPUS_DIR) not in sys.path:  # build_corpus.py and expected.py are plain modules beside the data
    sys.path.insert(0, str(CORPUS_DIR))

from build_corpus import CorpusFile, build_corpus  # noqa: E402 (the corpus folder joins sys.path first)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CorpusFile]:
    return build_corpus(tmp_path_factory.mktemp("hostile_corpus"))

