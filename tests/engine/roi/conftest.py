"""A fake run store written by hand: comparison.json, run folders with ranks.npz, metrics.json, ...

Faster than training a tiny model, and every number is known, so the ROI figures can be
checked by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from engine.roi import Estimate, RoiInputs

# 20 test queries. Base finds 10 at rank 1; tuned finds 16 (a superset of base's hits).
BASE_RANKS = np.array([1] * 10 + [2] * 4 + [3] * 3 + [7] * 3)
TUNED_RANKS = np.array([1] * 16 + [2] * 2 + [4] * 2)
WEAK_RANKS = np.array([1] * 12 + [2] * 5 + [5] * 3)
GALLERY = 20


def write_run(root: Path, run_id: str, base: np.ndarray, tuned: np.ndarray, *, columns=("title", "description")) -> None:
    run = root / run_id
    run.mkdir(parents=True)
    np.savez(run / "ranks.npz", base_left_to_right=base, tuned_left_to_right=tuned,
             base_right_to_left=base, tuned_right_to_left=tuned)
    metrics = {stage: {d: {"recall@1": float(np.mean(r <= 1)), "gallery_size": GALLERY, "n_queries": int(r.size)}
                       for d in ("left_to_right", "right_to_left")}
               for stage, r in (("base", base), ("tuned", tuned))}
    (run / "metrics.json").write_text(json.dumps(metrics))
    (run / "split.json").write_text(json.dumps({"test_rows": list(range(1, base.size + 1))}))
    (run / "config.json").write_text(json.dumps({"data": {"columns_resolved": {"left": columns[0], "right": columns[1]}}}))


@pytest.fixture
def fake_store(tmp_path: Path) -> Path:
    """A store with two runs (``weak`` and ``strong``) and ``comparison.json``; no learning curve."""
    root = tmp_path / "store"
    write_run(root, "run-weak", BASE_RANKS, WEAK_RANKS)
    write_run(root, "run-strong", BASE_RANKS, TUNED_RANKS)
    comparison = {"runs": [{"run_id": "run-weak", "loss": "joint", "tilt": "cosine"},
                           {"run_id": "run-strong", "loss": "clip", "tilt": "cosine"}],
                  "test_pairs": 20, "train_pairs": 80}
    (root / "comparison.json").write_text(json.dumps(comparison))
    return root


def make_hand_inputs(**changes) -> RoiInputs:
    """Round numbers for hand checks: value per unit of Recall@k = 1000 × 6 / 60 × 5000 = ¥500,000 a month."""
    values = {
        "tasks_per_month": Estimate.point(1000), "minutes_per_task": Estimate.point(10), "minutes_saved": Estimate.point(6),
        "hourly_cost": Estimate.point(5000), "pilot_cost": Estimate.point(1_000_000),
        "integration_cost": Estimate.point(2_000_000), "extra_pairs": Estimate.point(1000), "cost_per_pair": Estimate.point(200),
        "running_cost_per_month": Estimate.point(50_000), "annual_discount_rate": Estimate.point(0.0), "horizon_months": 12,
        "k": 1, "direction": "left_to_right", "currency": "JPY", "target_recall": 0.7,
    }
    values.update(changes)
    return RoiInputs(**values)


@pytest.fixture
def hand_inputs():
    """:func:`make_hand_inputs` (a factory: ``hand_inputs(pilot_cost=Estimate.point(0))``)."""
    return make_hand_inputs


@pytest.fixture(name="write_run")
def write_run_fixture():
    """:func:`write_run` (writes one run folder by hand)."""
    return write_run
