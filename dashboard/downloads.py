"""Our own CSV downloads: user text is written so that a spreadsheet shows it, never runs it.

Streamlit's built-in dataframe toolbar exports cells verbatim, so a cell such as
``=HYPERLINK(...)`` or ``+cmd|' /C calc'!A0`` would run as a formula in Excel. That toolbar export
is switched off for the whole app (``client.disableDataExport`` in ``.streamlit/config.toml``);
pages offer these buttons instead.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import icons
from engine.report.safe import neutralise_formula

# Excel opens a UTF-8 CSV as UTF-8 only with a byte-order mark; without it Japanese text is garbled.
CSV_ENCODING = "utf-8-sig"


def _safe_cell(value: Any) -> Any:
    # Numbers stay numbers; only text can be read as a formula.
    return neutralise_formula(value) if isinstance(value, str) else value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names cannot start a formula."""
    safe = frame.map(_safe_cell)
    safe.columns = [neutralise_formula(c) for c in frame.columns]
    return safe


def safe_csv(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV bytes (UTF-8 with BOM, CRLF lines, no index), every text cell neutralised."""
    # CRLF (RFC 4180) also makes the writer quote a cell holding a bare CR, which would otherwise
    # split its row in two when a spreadsheet reads the file.
    return safe_frame(frame).to_csv(index=False, lineterminator="\r\n").encode(CSV_ENCODING)


def csv_download(frame: pd.DataFrame, *, label: str, file_name: str, key: str, help: str | None = None) -> None:
    """A download button for ``frame`` as a formula-safe CSV (see :func:`safe_csv`)."""
    st.download_button(label, data=safe_csv(frame), file_name=file_name, mime="text/csv", key=key, help=help,
                       icon=icons.DOWNLOAD)
