"""Fixtures for the data tests: small hand-made tables written to tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

ROWS = [
    {"product_id": f"P{i:02d}", "category": cat, "title": title, "description": desc}
    for i, (cat, title, desc) in enumerate(
        [
            ("kitchen", "Cast iron skillet 26 cm", "A heavy pan that holds heat for searing steaks."),
            ("kitchen", "Electric kettle 1.7 L", "Cordless jug that boils seven cups and switches itself off."),
            ("kitchen", "Chef knife 20 cm", "Forged blade with a full tang, sharp out of the box."),
            ("garden", "Hose reel 30 m", "Wall-mounted reel that winds the hose back without kinks."),
            ("garden", "Pruning shears", "Bypass secateurs for clean cuts on live stems up to 2 cm."),
            ("garden", "Watering can 10 L", "Galvanised can with a long spout and a brass rose."),
            ("toys", "Wooden train set", "Forty pieces of beech track with a bridge and two engines."),
            ("toys", "Puzzle 1000 pieces", "A harbour at dusk, printed on thick blue-backed card."),
            ("toys", "Kite, delta shape", "Ripstop sail that flies in light wind; line included."),
            ("office", "Fountain pen, fine nib", "Steel nib that writes a thin, wet line; takes cartridges."),
            ("office", "Stapler, full strip", "Staples up to 25 sheets and opens flat for pinning."),
            ("office", "Desk lamp, LED", "Warm light with three brightness steps and a USB port."),
        ],
        start=1,
    )
]
HEADER = ["product_id", "category", "title", "description"]


def csv_text(rows: list[dict[str, str]] = ROWS, header: list[str] = HEADER, sep: str = ",") -> str:
    """Rows as delimited text, quoting every cell (so commas inside texts are safe)."""
    lines = [sep.join(header)]
    for row in rows:
        lines.append(sep.join('"' + row[h].replace('"', '""') + '"' for h in header))
    return "\n".join(lines) + "\n"


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """write(name, text_or_bytes, encoding="utf-8") -> path under tmp_path."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode(encoding))
        return path

    return _write


@pytest.fixture
def rows() -> list[dict[str, str]]:
    """Twelve distinct products in four categories (columns product_id, category, title, description)."""
    return [dict(r) for r in ROWS]


@pytest.fixture
def to_csv() -> Callable[..., str]:
    """to_csv(rows=ROWS, header=HEADER, sep=",") -> delimited text with every cell quoted."""
    return csv_text
