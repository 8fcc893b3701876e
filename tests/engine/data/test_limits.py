"""The documented size limit of a data file: one value for the CLI and the dashboard, a clear refusal."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from engine import datasets
from engine.data import limits
from engine.data.error_text import render_error
from engine.errors import DataError
from engine.i18n import override

REPO = Path(__file__).resolve().parents[3]


def test_one_limit_for_cli_dashboard_and_streamlit():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert limits.MAX_FILE_MB == config["server"]["maxUploadSize"] == datasets.MAX_UPLOAD_MB


def test_file_at_the_limit_passes_and_one_byte_more_is_refused(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * (2 * 1024 * 1024))
    limits.check_file_size(path, limit_mb=2)  # exactly 2 MB (MiB, as Streamlit counts)
    path.write_bytes(b"x" * (2 * 1024 * 1024 + 1))
    with pytest.raises(DataError) as excinfo:
        limits.check_file_size(path, limit_mb=2)
    message = str(excinfo.value)
    assert "'big.csv' is 2.0 MB" in message and "limit of 2 MB" in message
    assert "--max-file-mb" in message and "--no-size-limit" in message
    with override("ja"):
        assert "上限" in render_error(excinfo.value) and "big.csv" in render_error(excinfo.value)


def test_no_limit_and_missing_files_pass(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 2048)
    limits.check_file_size(path, limit_mb=None)
    limits.check_file_size(tmp_path / "missing.csv", limit_mb=0.001)  # the loader reports a missing file
    assert limits.file_mb(path) == pytest.approx(2048 / 1024 / 1024)


def test_default_limit_is_the_documented_one(tmp_path):
    path = tmp_path / "small.csv"
    path.write_bytes(b"title,description\na,b\n")
    limits.check_file_size(path)  # default MAX_FILE_MB
