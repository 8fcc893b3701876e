from __future__ import annotations

import pytest

from engine.train import no_duplicate_batches


def _rows():
    # rows 0..11; rows 0/1 share a description, rows 2/3 share a title, rows 4/5 share a group
    left = [f"t{i}" for i in range(12)]
    right = [f"d{i}" for i in range(12)]
    group = [f"g{i}" for i in range(12)]
    right[1] = right[0]
    left[3] = left[2]
    group[5] = group[4]
    return left, right, group


@pytest.mark.parametrize("seed", range(5))
def test_batches_hold_no_duplicate_text_or_group(seed):
    left, right, group = _rows()
    batches = no_duplicate_batches(left, right, group, batch_size=4, seed=seed)
    for batch in batches:
        assert len({left[i] for i in batch}) == len(batch)
        assert len({right[i] for i in batch}) == len(batch)
        assert len({group[i] for i in batch}) == len(batch)
        assert 2 <= len(batch) <= 4
    seen = sorted(i for b in batches for i in b)
    assert len(seen) == len(set(seen))  # no row twice per epoch
    assert len(seen) >= 10  # clashing rows are deferred, not dropped, except a lone leftover


def test_batches_are_deterministic_per_seed_and_differ_across_seeds():
    left, right, group = _rows()
    a = no_duplicate_batches(left, right, group, 4, seed=1)
    assert a == no_duplicate_batches(left, right, group, 4, seed=1)
    assert a != no_duplicate_batches(left, right, group, 4, seed=2)


def test_rows_that_cannot_be_batched_are_dropped_not_looped_forever():
    left = ["same"] * 5
    right = [f"d{i}" for i in range(5)]
    group = [f"g{i}" for i in range(5)]
    assert no_duplicate_batches(left, right, group, 4, seed=0) == []
