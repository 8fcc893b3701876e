"""Learning curve orchestration: nested subsets, one shared test split, stored result."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import toy_rows, write_csv

from engine.config import DataConfig, ModelConfig, RunConfig, TrainConfig
from engine.data import PairDataset
from engine.errors import ConfigError, DataError
from engine.learning_curve import nested_train_subsets, run_learning_curve
from engine.runs import LEARNING_CURVE_FILE
from engine.runs import RunStore, read_json


def _dataset(groups: list[str]) -> PairDataset:
    n = len(groups)
    return PairDataset(left=[f"l{i}" for i in range(n)], right=[f"r{i}" for i in range(n)], group=groups,
                       row=list(range(1, n + 1)))


def test_subsets_are_nested_whole_groups_and_seeded() -> None:
    groups = [f"g{i // 2}" for i in range(40)]  # 20 groups of 2 rows
    data = _dataset(groups)
    subsets = nested_train_subsets(data, (0.25, 0.5, 1.0, 0.125), seed=3)
    sizes = [len(s) for s in subsets]
    # ascending fractions; ceil(f * 20) groups of 2 rows (at least 2 groups)
    assert sizes == [2 * 3, 2 * 5, 2 * 10, 2 * 20]
    for small, large in zip(subsets, subsets[1:]):
        assert set(small) < set(large)
    for subset in subsets:
        chosen = {groups[i] for i in subset}
        assert subset == [i for i, g in enumerate(groups) if g in chosen]  # whole groups, original order
    assert nested_train_subsets(data, (0.125, 0.25, 0.5, 1.0), seed=3) == subsets
    assert nested_train_subsets(data, (0.125, 0.25, 0.5, 1.0), seed=4) != subsets


def test_subset_choice_does_not_depend_on_row_order_within_groups() -> None:
    data = _dataset([f"g{i % 10}" for i in range(30)])
    first = nested_train_subsets(data, (0.3, 0.6, 1.0), seed=0)
    chosen = [{data.group[i] for i in s} for s in first]
    assert [len(c) for c in chosen] == [3, 6, 10]


@pytest.mark.parametrize("fractions", [(0.5, 1.0), (0.0, 0.5, 1.0), (0.25, 0.5, 1.5), (0.5, 0.5, 1.0), ("a", 1, 1)])
def test_bad_fractions_are_rejected(fractions) -> None:  # noqa: ANN001
    with pytest.raises(ConfigError, match="fractions"):
        nested_train_subsets(_dataset([f"g{i}" for i in range(20)]), fractions, seed=0)


def test_too_few_groups_for_the_fractions() -> None:
    with pytest.raises(DataError, match="groups"):
        nested_train_subsets(_dataset([f"g{i}" for i in range(4)]), (0.1, 0.2, 1.0), seed=0)


@pytest.fixture
def toy160_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "pairs160.csv", toy_rows(160))


def test_learning_curve_end_to_end(tmp_path: Path, toy160_csv: Path, tiny_model_dir: Path) -> None:
    config = RunConfig(
        data=DataConfig(path=str(toy160_csv)),
        model=ModelConfig(name_or_path=str(tiny_model_dir), max_seq_length=32),
        train=TrainConfig(epochs=1, batch_size=8, checkpoint_every_epoch=False),
    )
    store = RunStore(tmp_path / "runs")
    seen: set[float] = set()
    # three points keep the test short; the default four only add one more identical run
    result = run_learning_curve(config, store, fractions=(0.25, 0.5, 1.0), target_recall=0.5, n_boot=100,
                                callback=lambda fraction, info: seen.add(fraction))
    assert seen == {0.25, 0.5, 1.0}

    stored = read_json(store.root / LEARNING_CURVE_FILE)
    assert stored == json.loads(json.dumps(result))  # what is returned is what is on disk

    points = result["points"]
    assert [p["fraction"] for p in points] == [0.25, 0.5, 1.0]
    sizes = [p["train_pairs"] for p in points]
    assert sizes == sorted(sizes) and len(set(sizes)) == 3
    assert sizes[-1] == result["train_pairs_total"]
    for small, large in zip(points, points[1:]):
        assert set(small["train_rows"]) < set(large["train_rows"])
    test_rows = set(result["test_rows"])
    assert len(test_rows) == result["test_pairs"] > 0
    for point in points:
        run = store.paths(point["run_id"])
        split = read_json(run.split)
        # every point: its own nested train subset, and exactly the shared test rows
        assert split["test_rows"] == result["test_rows"]
        assert split["train_rows"] == point["train_rows"]
        assert not test_rows & set(point["train_rows"])
        with np.load(run.ranks) as ranks:
            assert ranks["tuned_left_to_right"].shape == (result["test_pairs"],)
            r1 = float(np.mean(ranks["tuned_left_to_right"] <= 1))
        interval = point["metrics"]["left_to_right"]["recall@1"]
        assert interval["estimate"] == pytest.approx(r1)
        assert interval["low"] <= interval["estimate"] <= interval["high"]
        assert read_json(run.metrics)["pairs"]["train"] == point["train_pairs"]

    for direction in ("left_to_right", "right_to_left"):
        fit = result["fit"][direction]
        assert fit["n"] == [float(s) for s in sizes]
        assert fit["metric"] == pytest.approx([p["metrics"][direction]["recall@1"]["estimate"] for p in points])
        assert fit["uncertainty"]["method"] == "replicates"
        assert [p["factor"] for p in result["predictions"][direction]] == [2.0, 4.0]
        assert result["pairs_needed"][direction]["target"] == 0.5
        assert "base" in result and "recall@1" in result["base"][direction]


def test_point_intervals_local_fallback_agrees_with_shared_bootstrap(monkeypatch: pytest.MonkeyPatch) -> None:
    from engine import learning_curve

    rng = np.random.default_rng(0)
    ranks = rng.integers(1, 6, size=400)
    counts = learning_curve._resample_counts(ranks.size, 2000, seed=0)
    shared, method = learning_curve._point_intervals(ranks, counts, 2000, 0, 0.95)
    monkeypatch.setattr(learning_curve, "_bootstrap_function", lambda: None)
    local, local_method = learning_curve._point_intervals(ranks, counts, 2000, 0, 0.95)
    assert method != local_method and local_method.startswith("local")
    for name in ("recall@1", "recall@5", "mrr"):
        assert local[name]["estimate"] == pytest.approx(shared[name]["estimate"])
        # two independent bootstraps of the same data: interval ends agree to about a point
        assert local[name]["low"] == pytest.approx(shared[name]["low"], abs=0.01)
        assert local[name]["high"] == pytest.approx(shared[name]["high"], abs=0.01)
    # a binomial rate: half-width about 1.96 * sqrt(p (1 - p) / Q)
    p = float(np.mean(ranks <= 1))
    half = 1.96 * np.sqrt(p * (1 - p) / ranks.size)
    assert local["recall@1"]["high"] - local["recall@1"]["low"] == pytest.approx(2 * half, rel=0.15)
