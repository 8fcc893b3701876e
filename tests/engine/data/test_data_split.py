"""Group-aware split: determinism, no group on both sides, sizes, stratification."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from engine.data import PairDataset, split_pairs


def _grouped(n_groups: int = 40, seed: int = 0, labels: list[str] | None = None) -> PairDataset:
    """Groups of 1-4 rows each, rows of a group interleaved with other groups."""
    rng = np.random.default_rng(seed)
    group, label = [], []
    for g in range(n_groups):
        size = int(rng.integers(1, 5))
        group += [f"G{g}"] * size
        label += [labels[g] if labels else ""] * size
    order = rng.permutation(len(group))
    group = [group[i] for i in order]
    label = [label[i] for i in order]
    n = len(group)
    return PairDataset(
        left=[f"left {i}" for i in range(n)],
        right=[f"right {i}" for i in range(n)],
        group=group,
        row=list(range(1, n + 1)),
        label=label if labels else None,
    )


def test_same_seed_same_split_and_seeds_differ():
    data = _grouped()
    a_train, a_test = split_pairs(data, seed=3)
    b_train, b_test = split_pairs(data, seed=3)
    assert a_train == b_train and a_test == b_test
    tests = {split_pairs(data, seed=s)[1].row for s in range(6)}
    assert len(tests) > 1


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("test_size", [0.1, 0.2, 0.5])
def test_groups_never_straddle_and_rows_partition(seed, test_size):
    data = _grouped(seed=seed)
    train, test = split_pairs(data, test_size=test_size, seed=seed)
    assert not set(train.group) & set(test.group)
    assert sorted(train.row + test.row) == list(data.row)
    # every row of a test group is in test
    for g in set(test.group):
        assert test.group.count(g) == data.group.count(g)
    assert len(set(test.group)) == round(test_size * 40)
    # both sides keep the original row order
    assert list(train.row) == sorted(train.row) and list(test.row) == sorted(test.row)
    # each row's texts travel with it
    position = {r: i for i, r in enumerate(data.row)}
    assert all(test.left[k] == data.left[position[r]] for k, r in enumerate(test.row))


def test_split_does_not_depend_on_row_order():
    data = _grouped()
    order = np.random.default_rng(1).permutation(len(data))
    shuffled = data.subset([int(i) for i in order])
    assert set(split_pairs(data, seed=5)[1].group) == set(split_pairs(shuffled, seed=5)[1].group)


@pytest.mark.parametrize("test_size,expected", [(0.01, 1), (0.99, 9), (0.25, 2), (0.35, 4)])
def test_at_least_one_group_each_side(test_size, expected):
    data = PairDataset(
        left=[f"l{i}" for i in range(10)],
        right=[f"r{i}" for i in range(10)],
        group=[f"g{i}" for i in range(10)],
        row=list(range(1, 11)),
    )
    train, test = split_pairs(data, test_size=test_size)
    assert len(test) == expected and len(train) == 10 - expected  # round(2.5) == 2, round(3.5) == 4


def test_stratified_by_label():
    labels = ["a"] * 10 + ["b"] * 20 + ["c"] * 30
    data = _grouped(n_groups=60, labels=labels)
    for seed in range(5):
        _, test = split_pairs(data, test_size=0.2, seed=seed)
        per_label = Counter(label for label, g in sorted(set(zip(test.label, test.group, strict=True))))
        assert per_label == {"a": 2, "b": 4, "c": 6}


def test_stratified_remainders_sum_to_total():
    labels = ["a"] * 3 + ["b"] * 3 + ["c"] * 3
    data = PairDataset(
        left=[f"l{i}" for i in range(9)] + ["x"],
        right=[f"r{i}" for i in range(9)] + ["y"],
        group=[f"g{i}" for i in range(9)] + ["g0"],
        row=list(range(1, 11)),
        label=[*labels, "a"],
    )
    _, test = split_pairs(data, test_size=0.5)
    per_label = Counter(label for label, _ in set(zip(test.label, test.group, strict=True)))
    assert sum(per_label.values()) == 4  # round(0.5 * 9) = 4 groups
    assert set(per_label.values()) <= {1, 2}


def test_no_group_column_splits_rows():
    data = PairDataset(
        left=[f"l{i}" for i in range(20)],
        right=[f"r{i}" for i in range(20)],
        group=[f"r{i}" for i in range(1, 21)],
        row=list(range(1, 21)),
    )
    train, test = split_pairs(data, test_size=0.2, seed=0)
    assert len(test) == 4 and len(train) == 16
