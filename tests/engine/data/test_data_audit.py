"""Audit findings on hand-made data with known problems, near-duplicate search vs brute force, speed."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import numpy as np
import pytest

from engine.data import AuditReport, ColumnMap, PairDataset, audit, load_pairs, near_duplicate_pairs, split_pairs
from engine.data import near_duplicates as nd
from engine.errors import ConfigError

LONG = " ".join(f"w{i}" for i in range(210))
# row: (sku, category, title, description); comments give the problem each row plants.
TABLE = [
    ("A", "kitchen", "Red ceramic mug 350 ml", "A glazed mug that holds a large coffee."),  # 1: pair duplicated by 2
    ("B", "kitchen", "Red ceramic mug 350 ml", "A glazed mug that holds a large coffee."),  # 2
    ("C", "outdoor", "Blue steel water bottle 750 ml", "Double-walled bottle keeps drinks cold for a day."),  # 3
    ("C", "outdoor", "Blue steel water bottle 750 ml", "Vacuum-insulated flask for hiking."),  # 4: same group: fine
    ("D", "furniture", "Oak bedside table with drawer", "Solid oak table, one soft-close drawer, 45 cm tall."),  # 5
    (
        "E",
        "furniture",
        "Oak bedside table with drawers",
        "Solid oak nightstand with two drawers and brass handles.",
    ),  # 6: near 5
    ("F", "electronics", "Wireless mouse", "Compact mouse with a silent click and USB receiver."),  # 7
    ("G", "electronics", "Wireless keyboard", "Compact mouse with a silent click and USB receiver!"),  # 8: near 7
    ("H", "outdoor", "Garden hose 30 m", "Flexible hose."),  # 9
    ("I", "outdoor", "Garden hose 30 m", "Kink-free hose with brass fittings."),  # 10: one left, two rights
    ("J", "furniture", "Desk lamp", LONG),  # 11: very long
    ("K", "fitness", "Yoga mat", "Non-slip mat, 6 mm thick."),  # 12
    ("", "outdoor", "Tennis balls, 3 pack", "Pressurised balls for hard courts."),  # 13: empty group
    ("L", "kitchen", "Kettle", "Non-slip mat, 6 mm thick."),  # 14: one right, two lefts
]


@pytest.fixture
def planted(tmp_path: Path) -> PairDataset:
    lines = ["sku,category,title,description"]
    lines += [",".join('"' + c.replace('"', '""') + '"' for c in row) for row in TABLE]
    path = tmp_path / "planted.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_pairs(path)


def _jaccard(a: str, b: str) -> float:
    def grams(t: str) -> set[str]:
        t = " ".join(t.lower().split())
        return {t[i : i + 3] for i in range(len(t) - 2)}

    sa, sb = grams(a), grams(b)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


def test_planted_near_duplicates_are_above_threshold_and_others_below():
    # Independent check of the fixture itself, so the exact counts below mean what they claim.
    assert _jaccard(TABLE[4][2], TABLE[5][2]) >= 0.9 and _jaccard(TABLE[6][3], TABLE[7][3]) >= 0.9
    lefts = sorted({r[2] for r in TABLE})
    near_left = [(a, b) for a, b in itertools.combinations(lefts, 2) if _jaccard(a, b) >= 0.9]
    assert near_left == [(TABLE[4][2], TABLE[5][2])]


def test_report_basics(planted):
    report = audit(planted)
    assert report.rows == 14 and report.groups == 13
    assert report.columns == {"left": "title", "right": "description", "group": "sku", "label": "category"}
    assert report.modalities == {"left": "text", "right": "text"}
    assert report.empty_cells == {"left": 0, "right": 0, "group": 1, "label": 0}
    assert report.labels == {"outdoor": 5, "furniture": 3, "kitchen": 3, "electronics": 2, "fitness": 1}
    assert report.fingerprint == planted.fingerprint()


def test_exact_duplicates(planted):
    report = audit(planted)
    assert report.duplicates["left"] == {"values": 3, "rows": 6, "rows_across_groups": 4}
    assert report.duplicates["right"] == {"values": 2, "rows": 4, "rows_across_groups": 4}
    assert report.duplicates["pair"] == {"values": 1, "rows": 2, "rows_across_groups": 2}
    left, right, pair = (report.finding(c) for c in ("duplicate_left", "duplicate_right", "duplicate_pairs"))
    assert (left.count, left.rows) == (4, [1, 2, 9, 10])  # rows 3 and 4 share a group: not a problem
    assert (right.count, right.rows) == (4, [1, 2, 12, 14])
    assert (pair.count, pair.rows, pair.severity) == (2, [1, 2], "warning")
    assert "false negatives" in left.advice and "group column" in left.advice


def test_near_duplicates(planted):
    report = audit(planted)
    left, right = report.finding("near_duplicate_left"), report.finding("near_duplicate_right")
    assert (left.count, left.rows) == (2, [5, 6])
    assert (right.count, right.rows) == (2, [7, 8])
    assert report.near_duplicates["left"]["pairs"] == 1
    assert report.near_duplicates["left"]["examples"][0][:2] == [5, 6]
    assert report.near_duplicates["left"]["examples"][0][2] == pytest.approx(
        _jaccard(TABLE[4][2], TABLE[5][2]), abs=1e-4
    )
    assert "false negatives" in left.advice and "group" in left.advice
    # a stricter threshold than the pair's similarity drops it
    assert audit(planted, near_duplicate_threshold=0.99).finding("near_duplicate_left") is None


def test_near_duplicate_counts_with_repeated_texts_match_enumeration():
    left = ["N/A", "N/A", "n/a", "N/A", "n/a", "Oak desk", "oak  desk", "Lamp"]
    right = [f"description {i}" for i in range(len(left))]
    group = ["g1", "g2", "g1", "g3", "g4", "g5", "g5", "g6"]
    data = PairDataset(left=left, right=right, group=group, row=list(range(1, 9)))
    brute = [
        (i + 1, j + 1)
        for i, j in itertools.combinations(range(8), 2)
        if left[i] != left[j] and group[i] != group[j] and _jaccard(left[i], left[j]) >= 0.9
    ]
    assert brute == [(1, 5), (2, 3), (2, 5), (3, 4), (4, 5)]  # rows 1 and 3 share g1, the "oak desk" rows g5
    stats = audit(data).near_duplicates["left"]
    assert stats["pairs"] == len(brute)
    assert stats["rows"] == len({r for p in brute for r in p})
    assert [tuple(e[:2]) for e in stats["examples"]] == brute


def test_one_to_many(planted):
    report = audit(planted)
    left, right = report.finding("one_to_many_left"), report.finding("one_to_many_right")
    assert (left.count, left.rows) == (2, [9, 10])  # rows 3/4 also differ but share group C
    assert (right.count, right.rows) == (2, [12, 14])
    assert report.one_to_many == {"left": {"values": 1, "rows": 2}, "right": {"values": 1, "rows": 2}}


def test_lengths_and_cells(planted):
    report = audit(planted)
    short_left, short_right, long_right = (report.finding(c) for c in ("short_left", "short_right", "long_right"))
    assert (short_left.count, short_left.rows) == (5, [7, 8, 11, 12, 14])
    assert (short_right.count, short_right.rows) == (1, [9])
    assert (long_right.count, long_right.rows) == (1, [11])
    assert "max_seq_length" in long_right.advice
    words = [len(r[3].split()) for r in TABLE]
    stats = report.lengths["right"]["words"]
    assert stats["max"] == 210 and stats["min"] == 2
    assert stats["median"] == pytest.approx(np.median(words)) and stats["mean"] == pytest.approx(
        np.mean(words), abs=0.01
    )
    assert stats["p95"] == pytest.approx(np.percentile(words, 95), abs=0.01)
    assert report.lengths["left"]["chars"]["max"] == max(len(r[2]) for r in TABLE)
    assert (report.finding("empty_group").count, report.finding("empty_group").rows) == (1, [13])
    assert (report.finding("rare_labels").count, report.finding("rare_labels").rows) == (1, [12])
    assert report.finding("no_group_column") is None and report.finding("long_left") is None


def test_leakage(planted):
    position = {r: i for i, r in enumerate(planted.row)}
    train = planted.subset([position[r] for r in (1, 3, 5, 7, 9, 11, 12, 13)])
    test = planted.subset([position[r] for r in (2, 4, 6, 8, 10, 14)])
    report = audit(planted, train=train, test=test)
    assert report.leakage["groups"] == {"shared": 1, "test_rows": 1}
    assert report.leakage["left"] == {"exact_rows": 3, "near_rows": 1}
    assert report.leakage["right"] == {"exact_rows": 2, "near_rows": 1}
    groups = report.finding("leak_groups")
    assert (groups.severity, groups.count, groups.rows) == ("error", 1, [4])
    assert report.finding("leak_left").rows == [2, 4, 10]
    assert report.finding("near_leak_left").rows == [6]
    assert report.finding("leak_right").rows == [2, 14]
    assert report.finding("near_leak_right").rows == [8]
    assert report.findings[0].code == "leak_groups"  # errors first


def test_split_pairs_has_no_group_leak(planted):
    train, test = split_pairs(planted, seed=1)
    report = audit(planted, train=train, test=test)
    assert report.leakage["groups"]["shared"] == 0 and report.finding("leak_groups") is None


def test_no_group_column_and_clean_data():
    data = PairDataset(
        left=["red mug", "oak desk", "wool scarf"],
        right=["a cup for tea", "a sturdy desk", "a warm scarf"],
        group=["r1", "r2", "r3"],
        row=[1, 2, 3],
        columns=ColumnMap(left="t", right="d"),
    )
    report = audit(data)
    assert [f.code for f in report.findings] == ["no_group_column", "short_left"]
    assert report.empty_cells["group"] == 0 and report.labels is None and report.leakage is None


def test_single_group_is_an_error():
    data = PairDataset(
        left=["a b c", "d e f"],
        right=["g h i", "j k l"],
        group=["x", "x"],
        row=[1, 2],
        columns=ColumnMap(left="t", right="d", group="g"),
    )
    assert audit(data).finding("single_group").severity == "error"


def test_to_dict_is_json_with_stable_keys(planted):
    report = audit(planted, train=planted.subset(range(7)), test=planted.subset(range(7, 14)))
    out = json.loads(json.dumps(report.to_dict()))
    assert list(out) == [
        "rows",
        "groups",
        "columns",
        "modalities",
        "source",
        "fingerprint",
        "near_duplicate_threshold",
        "empty_cells",
        "duplicates",
        "near_duplicates",
        "one_to_many",
        "lengths",
        "labels",
        "leakage",
        "counts",
        "findings",
        "languages",
        "recommend_multilingual",
    ]
    assert set(out["findings"][0]) == {"code", "severity", "message", "advice", "rows", "count", "key", "fields"}
    assert out["counts"] == report.counts() and sum(out["counts"].values()) == len(report.findings)
    assert isinstance(report, AuditReport) and report.summary().startswith(report.headline())


def test_audit_argument_errors(planted):
    with pytest.raises(ConfigError, match="both train= and test="):
        audit(planted, train=planted)
    with pytest.raises(ConfigError, match="near_duplicate_threshold"):
        audit(planted, near_duplicate_threshold=0)


# --- near-duplicate search ---------------------------------------------------------------------


def _corpus(seed: int, n: int = 300) -> list[str]:
    rng = np.random.default_rng(seed)
    words = ["red", "blue", "oak", "steel", "mug", "lamp", "desk", "soft", "warm", "cold", "big", "x"]
    texts = []
    for _ in range(n):
        text = " ".join(rng.choice(words, size=int(rng.integers(1, 12))))
        texts.append(text)
        if rng.random() < 0.3:  # plant an edited copy
            texts.append(text + str(rng.choice(["s", "!", " a", "e"])))
    return list(dict.fromkeys(texts))


def _brute(texts: list[str], threshold: float) -> list[tuple[int, int]]:
    return [
        (i, j)
        for i, j in itertools.combinations(range(len(texts)), 2)
        if _jaccard(texts[i], texts[j]) >= threshold - 1e-9
    ]


@pytest.mark.parametrize("method", ["prefix", "minhash"])
@pytest.mark.parametrize("threshold", [0.6, 0.8, 0.9, 1.0])
def test_near_duplicate_pairs_match_brute_force(method, threshold):
    texts = _corpus(seed=int(threshold * 10))
    got = near_duplicate_pairs(texts, threshold, method=method)
    assert [(i, j) for i, j, _ in got] == _brute(texts, threshold)
    assert all(s == pytest.approx(_jaccard(texts[i], texts[j])) for i, j, s in got)


def test_auto_switches_to_minhash_over_budget(monkeypatch, caplog):
    texts = _corpus(seed=4)
    exact = near_duplicate_pairs(texts, 0.8, method="prefix")
    monkeypatch.setattr(nd, "PREFIX_BUDGET", 0)
    with caplog.at_level("INFO", logger="engine.data.near_duplicates"):
        assert near_duplicate_pairs(texts, 0.8) == exact
    assert "using MinHash" in caplog.text


def test_case_and_spacing_variants_are_identical_and_short_texts_never_match():
    got = near_duplicate_pairs(["Red  Mug", "red mug", "ab", "AB"], 0.9)
    assert got == [(0, 1, 1.0)]


# --- speed -----------------------------------------------------------------------------------


def test_audit_5k_rows_is_fast():
    rng = np.random.default_rng(0)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    vocab = np.array(["".join(rng.choice(letters, size=int(rng.integers(3, 9)))) for _ in range(2000)])
    n = 5000
    left = [" ".join(rng.choice(vocab, size=int(rng.integers(3, 10)))) for _ in range(n)]
    right = [" ".join(rng.choice(vocab, size=int(rng.integers(10, 80)))) for _ in range(n)]
    for i in range(0, 100, 2):  # 50 planted near-duplicate descriptions in other groups
        right[i + 1] = right[i] + "s"
    data = PairDataset(
        left=left,
        right=right,
        group=[f"g{i}" for i in range(n)],
        row=list(range(1, n + 1)),
        columns=ColumnMap(left="t", right="d", group="g"),
    )
    train, test = split_pairs(data, seed=0)
    start = time.perf_counter()
    report = audit(data, train=train, test=test)
    elapsed = time.perf_counter() - start
    assert report.near_duplicates["right"]["pairs"] == 50
    assert elapsed < 6.0, f"audit of 5k rows took {elapsed:.1f} s"


CATALOGUE = Path(__file__).resolve().parents[3] / "sample_data" / "catalogue.csv"


def test_sample_catalogue_auto_detection_and_audit():
    data = load_pairs(CATALOGUE)
    assert data.columns == ColumnMap(left="title", right="description", group="product_id", label="category")
    start = time.perf_counter()
    report = audit(data)
    assert time.perf_counter() - start < 3.0
    assert report.rows == len(data) and report.finding("leak_groups") is None
