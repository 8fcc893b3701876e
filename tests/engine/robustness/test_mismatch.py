"""Noisy training pairs: the mismatched share is exact, every spoiled pair is wrong, the test split is untouched."""

from __future__ import annotations

from collections import Counter

import pytest
from conftest import toy_rows, write_csv

from engine.data import PairDataset, load_pairs, split_pairs
from engine.errors import ConfigError, DataError
from engine.robustness.mismatch import mismatch_pairs, mismatched_count


def _pairs(n: int, groups: list[str] | None = None) -> PairDataset:
    return PairDataset(left=[f"l{i}" for i in range(n)], right=[f"r{i}" for i in range(n)],
                       group=groups or [f"g{i}" for i in range(n)], row=list(range(1, n + 1)))


def _wrong(original: PairDataset, noisy: PairDataset) -> list[int]:
    """Positions whose right item now belongs to another group (counted from the texts, not from the result)."""
    owner = {text: group for text, group in zip(original.right, original.group, strict=True)}
    return [i for i, (text, group) in enumerate(zip(noisy.right, noisy.group, strict=True)) if owner[text] != group]


@pytest.mark.parametrize("fraction", [0.0, 0.05, 0.1, 0.2, 0.25, 0.4, 0.5, 1.0])
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_exactly_round_fraction_times_n_pairs_are_wrong(fraction, seed):
    train = _pairs(63)
    result = mismatch_pairs(train, fraction, seed=seed)
    wrong = _wrong(train, result.data)
    assert len(wrong) == round(fraction * 63) == mismatched_count(fraction, 63)
    assert wrong == list(result.positions)
    # Only the right items moved, and only among themselves: the same multiset of texts.
    assert Counter(result.data.right) == Counter(train.right)
    assert (result.data.left, result.data.group, result.data.row) == (train.left, train.group, train.row)
    assert all(result.data.right[i] == train.right[j] for i, j in zip(result.positions, result.sources, strict=True))


def test_hand_counted_cases():
    assert mismatched_count(0.1, 310) == 31
    assert mismatched_count(0.4, 310) == 124
    assert mismatched_count(0.1, 25) == 2  # 2.5 rounds to even
    assert mismatched_count(0.0, 310) == 0


def test_noise_zero_returns_the_training_split_itself():
    train = _pairs(20)
    result = mismatch_pairs(train, 0.0, seed=3)
    assert result.data is train and result.positions == ()


def test_levels_are_nested_with_one_seed():
    train = _pairs(100)
    spoiled = [set(mismatch_pairs(train, f, seed=5).positions) for f in (0.1, 0.2, 0.4)]
    assert spoiled[0] < spoiled[1] < spoiled[2]


def test_mismatch_crosses_groups_when_groups_hold_several_rows():
    groups = [f"g{i // 3}" for i in range(60)]  # 20 groups of 3 rows: a same-group swap would not be wrong
    train = _pairs(60, groups)
    for seed in range(5):
        result = mismatch_pairs(train, 0.5, seed=seed)
        assert len(_wrong(train, result.data)) == 30


def test_the_constructive_fallback_handles_a_large_group(monkeypatch):
    from engine.robustness import mismatch

    monkeypatch.setattr(mismatch, "_RANDOM_TRIES", 0)  # force the shift construction
    groups = ["big"] * 10 + [f"g{i}" for i in range(10)]
    train = _pairs(20, groups)
    result = mismatch_pairs(train, 1.0, seed=0)
    assert len(_wrong(train, result.data)) == 20


def test_refusals_say_why():
    with pytest.raises(DataError, match="single pair"):
        mismatch_pairs(_pairs(10), 0.1, seed=0)  # one pair cannot be swapped on its own
    with pytest.raises(DataError, match="one group"):
        mismatch_pairs(_pairs(10, ["a"] * 9 + ["b"]), 1.0, seed=0)
    with pytest.raises(ConfigError, match="0 to 1"):
        mismatch_pairs(_pairs(10), 1.5, seed=0)


def test_the_test_split_is_never_touched(tmp_path):
    data = load_pairs(write_csv(tmp_path / "pairs.csv", toy_rows(80)))
    train, test = split_pairs(data, test_size=0.2, seed=0)
    before = (test.left, test.right, test.group, test.row)
    noisy = mismatch_pairs(train, 0.4, seed=0).data
    assert (test.left, test.right, test.group, test.row) == before
    test_rights = set(test.right)
    assert not test_rights & set(noisy.right)  # no test item leaks into the noisy training pairs
    assert set(noisy.row) == set(train.row) and not set(noisy.row) & set(test.row)


def test_the_chart_draws_each_band_from_the_stored_interval():
    from engine.charts.robustness import robustness_chart, robustness_takeaway

    def stat(estimate, low, high):
        return {"recall@1": {"estimate": estimate, "low": low, "high": high}}

    points = [{"loss": "clip", "label": "clip-cosine", "noise": n, "metrics": {"left_to_right": stat(*v)}}
              for n, v in ((0.0, (0.8, 0.7, 0.9)), (0.2, (0.6, 0.5, 0.65)))]
    study = {"noise": [0.0, 0.2], "points": points[::-1], "base": {"left_to_right": stat(0.4, 0.3, 0.5)}}
    fig = robustness_chart(study, "left_to_right")
    band, line, base = fig.data
    assert list(band.x) == [0.0, 0.2, 0.2, 0.0] and list(band.y) == [0.9, 0.65, 0.5, 0.7]  # highs out, lows back
    assert list(line.x) == [0.0, 0.2] and list(line.y) == [0.8, 0.6]  # sorted by noise whatever the stored order
    import plotly.io as pio

    assert list(base.y) == [0.4, 0.4] and fig.layout.template == pio.templates["plotly_white"]
    # clip loses 20 points at 20% noise: hand-computed takeaway fields
    assert "−20" in robustness_takeaway(study, "left_to_right") and "20%" in robustness_takeaway(study, "left_to_right")
