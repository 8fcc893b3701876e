"""The typed records describe what runs really write, and their accessors read old and new files alike."""

from __future__ import annotations

import json
from pathlib import Path

from engine.runs import COMPARISON_FILE, RunPaths
from engine.runs.records import (
    CatalogueBlock,
    Comparison,
    ComparisonRow,
    PairCounts,
    RunMetrics,
    TrainSummary,
    Uncertainty,
    fine_tuning_effect,
    pair_counts,
    stored_interval,
)


def _keys(record: type) -> set[str]:
    return set(record.__required_keys__ | record.__optional_keys__)


def test_every_key_a_comparison_writes_is_declared(toy_comparison_store: Path):
    comparison = json.loads((toy_comparison_store / COMPARISON_FILE).read_text())
    assert set(comparison) <= _keys(Comparison)
    for row in comparison["runs"]:
        assert set(row) <= _keys(ComparisonRow)
        run = RunPaths(toy_comparison_store / row["run_id"])
        metrics = json.loads(run.metrics.read_text())
        assert set(metrics) <= _keys(RunMetrics)
        assert set(metrics["train"]) <= _keys(TrainSummary)
        assert set(metrics["pairs"]) == _keys(PairCounts)
        uncertainty = json.loads(run.analysis_file("uncertainty").read_text())
        assert set(uncertainty) <= _keys(Uncertainty)


def test_catalogue_block_keys_match_what_experiment_writes():
    from engine.experiment import GalleryEvaluation, catalogue_block

    block = catalogue_block(GalleryEvaluation({"m": 1}, {}, 10), GalleryEvaluation({"m": 2}, {}, 12))
    assert set(block) == _keys(CatalogueBlock) and block["gallery_size"] == 12


def test_stored_interval_reads_the_nested_interval_and_none_where_missing():
    uncertainty = {"intervals": {"tuned": {"left_to_right": {"mrr": {"estimate": 0.5, "low": 0.4, "high": 0.6}}}}}
    assert stored_interval(uncertainty, "tuned", "left_to_right", "mrr") == {"estimate": 0.5, "low": 0.4, "high": 0.6}
    assert stored_interval(uncertainty, "base", "left_to_right", "mrr") is None
    assert stored_interval(uncertainty, "tuned", "left_to_right", "recall@1") is None
    assert stored_interval({"intervals": None}, "tuned", "left_to_right", "mrr") is None  # an older or damaged file
    assert stored_interval(None, "tuned", "left_to_right", "mrr") is None


def test_fine_tuning_effect_picks_metric_and_direction():
    rows = [{"metric": "recall@1", "direction": "right_to_left", "estimate": 0.1},
            {"metric": "recall@1", "direction": "left_to_right", "estimate": 0.2},
            {"metric": "mrr", "direction": "left_to_right", "estimate": 0.3}]
    assert fine_tuning_effect({"fine_tuning": rows}, "recall@1", "left_to_right")["estimate"] == 0.2
    assert fine_tuning_effect({"fine_tuning": rows}, "recall@5", "left_to_right") is None
    assert fine_tuning_effect({}, "recall@1", "left_to_right") is None
    assert fine_tuning_effect(None, "recall@1", "left_to_right") is None


def test_pair_counts_are_train_then_test_and_zero_when_missing():
    assert pair_counts({"train": 80, "test": 20}) == (80, 20)
    assert pair_counts({"test": 20}) == (0, 20)
    assert pair_counts(None) == (0, 0)
