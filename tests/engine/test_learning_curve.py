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
from engine.runs import LEARNING_CURVE_FILE, RunStore, read_json


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
def test_bad_fractions_are_rejected(fractions) -> None:
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
        # a large step makes the training seed (batch order) matter on tiny data
        train=TrainConfig(epochs=1, batch_size=8, learning_rate=5e-3, checkpoint_every_epoch=False),
    )
    store = RunStore(tmp_path / "runs")
    seen: set[float] = set()
    # three points and two seeds keep the test short; the defaults (four points, three seeds) only add runs
    result = run_learning_curve(config, store, fractions=(0.25, 0.5, 1.0), target_recall=0.5, n_boot=200, seeds=2,
                                callback=lambda fraction, info: seen.add(fraction))
    assert seen == {0.25, 0.5, 1.0}

    stored = read_json(store.root / LEARNING_CURVE_FILE)
    assert stored == json.loads(json.dumps(result))  # what is returned is what is on disk
    assert (result["seeds"], result["train_seeds"], result["interval_covers"]) == (2, [0, 1], "test_and_training")

    points = result["points"]
    assert [p["fraction"] for p in points] == [0.25, 0.5, 1.0]
    sizes = [p["train_pairs"] for p in points]
    assert sizes == sorted(sizes) and len(set(sizes)) == 3
    assert sizes[-1] == result["train_pairs_total"]
    for small, large in zip(points, points[1:]):
        assert set(small["train_rows"]) < set(large["train_rows"])
    test_rows = set(result["test_rows"])
    assert len(test_rows) == result["test_pairs"] > 0
    widened = 0
    for point in points:
        assert [s["seed"] for s in point["seeds"]] == [0, 1]
        assert point["run_ids"] == [s["run_id"] for s in point["seeds"]] and point["run_id"] == point["run_ids"][0]
        per_seed = []
        for record in point["seeds"]:
            run = store.paths(record["run_id"])
            split = read_json(run.split)
            # every run: the point's nested train subset, exactly the shared test rows, its own training seed
            assert split["test_rows"] == result["test_rows"]
            assert split["train_rows"] == point["train_rows"]
            assert not test_rows & set(point["train_rows"])
            assert read_json(run.config)["train"]["seed"] == record["seed"]
            with np.load(run.ranks) as ranks:
                assert ranks["tuned_left_to_right"].shape == (result["test_pairs"],)
                per_seed.append(float(np.mean(ranks["tuned_left_to_right"] <= 1)))
            assert record["metrics"]["left_to_right"]["recall@1"]["estimate"] == pytest.approx(per_seed[-1])
            assert read_json(run.metrics)["pairs"]["train"] == point["train_pairs"]
        interval = point["metrics"]["left_to_right"]["recall@1"]
        assert interval["seed_values"] == pytest.approx(per_seed)
        assert interval["estimate"] == pytest.approx(np.mean(per_seed))
        assert interval["low"] <= interval["estimate"] <= interval["high"]
        assert interval["test_low"] <= interval["estimate"] <= interval["test_high"]
        # seeds that trained different models widen the interval beyond the test-only one
        for direction in ("left_to_right", "right_to_left"):
            stat = point["metrics"][direction]["recall@1"]
            if len(set(stat["seed_values"])) > 1:
                assert stat["high"] - stat["low"] > stat["test_high"] - stat["test_low"]
                widened += 1
    assert widened >= 3, "the seeds trained identical models, so the widening was never tested"

    for direction in ("left_to_right", "right_to_left"):
        fit = result["fit"][direction]
        assert fit["n"] == [float(s) for s in sizes]
        assert fit["metric"] == pytest.approx([p["metrics"][direction]["recall@1"]["estimate"] for p in points])
        assert fit["uncertainty"]["method"] == "replicates"
        assert [p["factor"] for p in result["predictions"][direction]] == [2.0, 4.0]
        assert result["pairs_needed"][direction]["target"] == 0.5
        assert "base" in result and "recall@1" in result["base"][direction]


# ---------------------------------------------------------------------------------------------
# combining training noise and test noise (engine.analysis.evidence.training_noise)


def test_training_noise_interval_is_the_t_interval_of_the_seed_mean_without_test_noise() -> None:
    """All-ones counts remove the test noise: the interval is mean ± t(S-1) s / sqrt(S), by hand."""
    from scipy import stats

    from engine.analysis.evidence.training_noise import seeds_and_test

    q = 10
    # Recall@1 per seed: 0.2, 0.4, 0.6 (mean 0.4, sd 0.2)
    seeds = [np.array([1] * hits + [5] * (q - hits)) for hits in (2, 4, 6)]
    counts = np.ones((20000, q), dtype=np.int64)
    summary, reps = seeds_and_test(seeds, "recall@1", counts, np.random.default_rng(0), 0.95)
    half = stats.t.ppf(0.975, 2) * 0.2 / np.sqrt(3)  # 4.30 * 0.1155 = 0.497
    assert summary["estimate"] == pytest.approx(0.4) and summary["seed_sd"] == pytest.approx(0.2)
    assert (summary["test_low"], summary["test_high"]) == (pytest.approx(0.4), pytest.approx(0.4))
    # 0.4 - 0.497 is below any possible Recall@1, so the low end is held at 0.
    assert summary["low"] == 0.0 and summary["high"] == pytest.approx(0.4 + half, abs=0.02)
    assert reps.shape == (20000,)


def test_training_noise_interval_stays_inside_the_metric_range() -> None:
    """Two seeds far apart (t(1) quantile 12.7): the interval is held to [0, 1], where Recall@1 lives."""
    from engine.analysis.evidence.training_noise import seeds_and_test

    q = 10
    seeds = [np.array([1] * hits + [5] * (q - hits)) for hits in (1, 9)]  # Recall@1 0.1 and 0.9
    summary, reps = seeds_and_test(seeds, "recall@1", np.ones((5000, q), dtype=np.int64), np.random.default_rng(0), 0.95)
    assert 0.0 <= summary["low"] < 0.1 and 0.9 < summary["high"] <= 1.0
    assert reps.min() >= 0.0 and reps.max() <= 1.0


def test_training_noise_adds_to_test_noise_and_vanishes_without_spread() -> None:
    from engine.analysis.evidence.bootstrap import resample_counts
    from engine.analysis.evidence.training_noise import seeds_and_test

    rng = np.random.default_rng(1)
    ranks = rng.integers(1, 4, size=200)
    counts = resample_counts(200, 2000, seed=0)
    same, _ = seeds_and_test([ranks, ranks.copy(), ranks.copy()], "recall@1", counts, np.random.default_rng(0), 0.95)
    assert (same["low"], same["high"]) == (same["test_low"], same["test_high"])  # identical seeds: no extra width
    varied = [ranks, np.where(rng.random(200) < 0.1, 1, ranks), np.where(rng.random(200) < 0.2, 3, ranks)]
    both, _ = seeds_and_test(varied, "recall@1", counts, np.random.default_rng(0), 0.95)
    assert both["covers"] == "test_and_training" and both["seed_sd"] > 0
    assert both["high"] - both["low"] > both["test_high"] - both["test_low"]
    one, _ = seeds_and_test([ranks], "mrr", counts, np.random.default_rng(0), 0.95)
    assert one["covers"] == "test_only" and (one["low"], one["high"]) == (one["test_low"], one["test_high"])


@pytest.mark.parametrize("seeds", [0, 11, 2.5, True])
def test_bad_seed_counts_are_rejected(tmp_path: Path, seeds) -> None:
    config = RunConfig(data=DataConfig(path=str(tmp_path / "missing.csv")))
    with pytest.raises(ConfigError, match="seeds"):
        run_learning_curve(config, RunStore(tmp_path / "runs"), seeds=seeds)
