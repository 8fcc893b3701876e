"""Content-addressed dataset storage: formats, dedup, limits, clean failure, safe names, listing."""

from __future__ import annotations

import hashlib
import io
import json
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from engine import datasets as ds
from engine.data import load_pairs
from engine.errors import ConfigError, DataError

REPO = Path(__file__).resolve().parents[2]

ROWS = [
    {"product_id": f"P{i}", "title": f"red mug {i}", "description": f"a ceramic mug, size {i}"} for i in range(12)
]
MIN_ROWS = 10  # Save refuses data with fewer distinct pairs (engine.data.check_trainable)


def frame() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=["product_id", "title", "description"])


def encode(ext: str, df: pd.DataFrame | None = None) -> bytes:
    df = frame() if df is None else df
    buffer = io.BytesIO()
    if ext == ".csv":
        return df.to_csv(index=False).encode("utf-8")
    if ext == ".tsv":
        return df.to_csv(index=False, sep="\t").encode("utf-8")
    if ext == ".jsonl":
        return df.to_json(orient="records", lines=True).encode("utf-8")
    if ext == ".xlsx":
        df.to_excel(buffer, index=False)
    elif ext == ".parquet":
        df.to_parquet(buffer, index=False)
    return buffer.getvalue()


def snapshot(root: Path) -> set[str]:
    """Every path under root, hidden ones included."""
    return {str(p.relative_to(root)) for p in root.rglob("*")} if root.exists() else set()


@pytest.mark.parametrize("ext", [".csv", ".tsv", ".jsonl", ".xlsx", ".parquet"])
def test_round_trip_each_format(tmp_path: Path, ext: str) -> None:
    data = encode(ext)
    entry = ds.store_upload(tmp_path, f"catalogue{ext}", data)
    assert entry.digest == hashlib.sha256(data).hexdigest()
    assert entry.path == tmp_path / "datasets" / entry.digest[:16] / f"data{ext}"
    assert entry.path.read_bytes() == data
    assert entry.size_bytes == len(data)
    assert entry.rows == 12
    assert entry.columns == ["product_id", "title", "description"]
    assert entry.mapping == {"left": "title", "right": "description", "group": "product_id", "label": None}
    assert entry.name == f"catalogue{ext}"
    meta = json.loads((entry.path.parent / "meta.json").read_text())
    assert meta["original_name"] == f"catalogue{ext}" and meta["digest"] == entry.digest
    table = ds.preview(entry, n=5)
    assert table.shape == (5, 3)
    assert table["title"].tolist() == [f"red mug {i}" for i in range(5)]
    assert all(isinstance(v, str) for v in table.to_numpy().ravel())
    assert sorted(p.name for p in entry.path.parent.iterdir()) == ["data" + ext, "meta.json"]


def test_explicit_columns_are_validated_and_stored(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": [f"x{i}" for i in range(MIN_ROWS)], "b": [f"y{i}" for i in range(MIN_ROWS)]})
    entry = ds.store_upload(tmp_path, "ab.csv", encode(".csv", df), columns={"left": "b", "right": "a"})
    assert entry.mapping == {"left": "b", "right": "a", "group": None, "label": None}
    assert entry.rows == MIN_ROWS and entry.columns == ["a", "b"]


def test_a_dataset_that_cannot_train_is_refused_at_save_and_nothing_is_stored(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": ["x1", "x2", "x3"], "b": ["y1", "y2", "y3"]})
    with pytest.raises(DataError, match="3 distinct"):
        ds.store_upload(tmp_path, "ab.csv", encode(".csv", df), columns={"left": "a", "right": "b"})
    assert ds.list_datasets(tmp_path) == []


def test_same_bytes_stored_once_and_names_collected(tmp_path: Path) -> None:
    data = encode(".csv")
    first = ds.store_upload(tmp_path, "one.csv", data)
    created = first.created
    second = ds.store_upload(tmp_path, "two.csv", data)
    assert second.digest == first.digest and second.path == first.path
    assert second.name == "one.csv" and second.created == created
    assert second.names == ["one.csv", "two.csv"]
    assert len(list((tmp_path / "datasets").iterdir())) == 1
    ds.store_upload(tmp_path, "two.csv", data)
    assert ds.get_dataset(tmp_path, first.digest).names == ["one.csv", "two.csv"]


def test_different_bytes_are_two_entries(tmp_path: Path) -> None:
    a = ds.store_upload(tmp_path, "a.csv", encode(".csv"))
    b = ds.store_upload(tmp_path, "a.csv", encode(".csv", frame().iloc[:10]))
    assert a.digest != b.digest and b.rows == 10
    assert {d.digest for d in ds.list_datasets(tmp_path)} == {a.digest, b.digest}


def test_oversize_upload_is_refused_and_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ds, "MAX_UPLOAD_MB", 1)  # keep the test's buffer small
    data = encode(".csv") + b"x" * (1024 * 1024)
    with pytest.raises(DataError) as excinfo:
        ds.store_upload(tmp_path, "big.csv", data)
    message = str(excinfo.value)
    assert "1.0 MB" in message and "limit of 1 MB" in message
    assert "Split the file" in message and "server.maxUploadSize" in message
    assert snapshot(tmp_path) == set()


def test_limit_matches_streamlit_config() -> None:
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert ds.MAX_UPLOAD_MB == config["server"]["maxUploadSize"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("pairs.csv", b"title,body_text\nred mug,a mug\n"),  # no right column
        ("pairs.jsonl", b'{"title": "a", "description": "b"}\n{"title": "c", "description": \n'),  # bad JSON line
        ("pairs.parquet", b"not a parquet file"),
        ("pairs.csv", b""),
    ],
)
def test_malformed_upload_raises_engine_error_and_leaves_nothing(tmp_path: Path, name: str, data: bytes) -> None:
    ds.store_upload(tmp_path, "good.csv", encode(".csv"))
    before = snapshot(tmp_path)
    with pytest.raises(DataError) as excinfo:
        ds.store_upload(tmp_path, name, data)
    assert snapshot(tmp_path) == before
    # The message is exactly what load_pairs says about the same file under the same name.
    reference = tmp_path.parent / f"{tmp_path.name}-ref"
    reference.mkdir()
    (reference / name).write_bytes(data)
    with pytest.raises(DataError) as direct:
        load_pairs(reference / name)
    assert str(excinfo.value) == str(direct.value).replace(str(reference / name), str(tmp_path))


def test_unknown_role_in_columns_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        ds.store_upload(tmp_path, "a.csv", encode(".csv"), columns={"middle": "title"})
    assert snapshot(tmp_path / "datasets") == set()


def test_unsupported_extension_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"'\.exe'.*Supported: \.csv"):
        ds.store_upload(tmp_path, "pairs.exe", encode(".csv"))
    with pytest.raises(DataError, match=r"'\(none\)'"):
        ds.store_upload(tmp_path, "pairs", encode(".csv"))


@pytest.mark.parametrize(
    ("original", "safe"),
    [
        ("../../etc/passwd.csv", "passwd.csv"),
        ("..\\..\\windows\\evil.CSV", "evil.csv"),
        ('my "best"\nfile <script>alert(1)<.csv', "my-best-file-script-alert-1.csv"),
        ("Café Données.tsv", "Cafe-Donnees.tsv"),
        ("....csv", "dataset.csv"),
        (".hidden.csv", "hidden.csv"),
        (".csv", "dataset.csv"),
    ],
)
def test_file_names_are_sanitised_and_original_kept(tmp_path: Path, original: str, safe: str) -> None:
    ext = Path(safe).suffix
    entry = ds.store_upload(tmp_path, original, encode(ext))
    assert entry.name == safe
    assert entry.path.parent.parent == tmp_path / "datasets"
    assert entry.path.name == f"data{ext}"
    assert entry.original_name == original
    meta = json.loads((entry.path.parent / "meta.json").read_text(encoding="utf-8"))
    assert meta["original_name"] == original and meta["names"] == [original]
    assert not (tmp_path.parent / "etc").exists()


def test_list_newest_first_and_skips_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert ds.list_datasets(tmp_path) == []
    clock = iter([100.0, 300.0, 200.0])
    monkeypatch.setattr(ds.time, "time", lambda: next(clock))
    entries = [ds.store_upload(tmp_path, f"d{k}.csv", encode(".csv", frame().iloc[: MIN_ROWS + k])) for k in range(3)]
    (tmp_path / "datasets" / "0123456789abcdef").mkdir()  # crashed write: no meta.json
    (tmp_path / "datasets" / ".upload-stale").mkdir()
    listed = ds.list_datasets(tmp_path)
    assert [d.name for d in listed] == ["d1.csv", "d2.csv", "d0.csv"]
    assert [d.created for d in listed] == [300.0, 200.0, 100.0]
    assert {d.digest for d in listed} == {e.digest for e in entries}


def test_get_by_prefix(tmp_path: Path) -> None:
    entry = ds.store_upload(tmp_path, "a.csv", encode(".csv"))
    assert ds.get_dataset(tmp_path, entry.digest[:6]) == entry
    assert ds.get_dataset(tmp_path, entry.digest.upper()) == entry
    assert ds.get_dataset(tmp_path, entry.digest) == entry
    other = "0" if entry.digest[0] != "0" else "1"
    with pytest.raises(DataError, match=f"No stored dataset has an id starting with '{other}'"):
        ds.get_dataset(tmp_path, other)
    with pytest.raises(DataError, match="not a hexadecimal"):
        ds.get_dataset(tmp_path, "../a")


def test_get_ambiguous_prefix(tmp_path: Path) -> None:
    # Pick two contents whose digests share the first hex digit (17 candidates guarantee one pair).
    by_digit: dict[str, bytes] = {}
    for k in range(MIN_ROWS, MIN_ROWS + 17):
        data = encode(".csv", frame().iloc[:k]) if k <= 12 else encode(".csv", frame()) + b"\n" * (k - 12)
        digit = hashlib.sha256(data).hexdigest()[0]
        if digit in by_digit:
            ds.store_upload(tmp_path, "a.csv", by_digit[digit])
            ds.store_upload(tmp_path, "b.csv", data)
            break
        by_digit[digit] = data
    with pytest.raises(DataError, match=f"The id '{digit}' matches 2 datasets.*Give more characters"):
        ds.get_dataset(tmp_path, digit)


def test_preview_of_path_and_bad_n(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(encode(".csv"))
    assert ds.preview(path, n=3)["description"].tolist() == [f"a ceramic mug, size {i}" for i in range(3)]
    assert len(ds.preview(path)) == 12
    with pytest.raises(ConfigError):
        ds.preview(path, n=0)


def test_register_sample(tmp_path: Path) -> None:
    sample = REPO / "sample_data" / "catalogue_small.csv"
    entry = ds.register_sample(tmp_path, sample)
    assert entry.path.read_bytes() == sample.read_bytes()
    assert entry.rows == len(load_pairs(sample))
    assert ds.register_sample(tmp_path, sample).digest == entry.digest
    assert len(ds.list_datasets(tmp_path)) == 1
    with pytest.raises(DataError, match="Sample file not found"):
        ds.register_sample(tmp_path, tmp_path / "missing.csv")
