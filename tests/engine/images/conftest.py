"""Image-upload tests: the builders beside them (image_builders.py, bombs.py) join sys.path."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
# Plain helper modules beside the tests (no package: --import-mode=importlib). Appended, not put
# first: this folder's conftest.py must never shadow tests/conftest.py for `from conftest import ...`.
if str(HERE) not in sys.path:
    sys.path.append(str(HERE))


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "store"
