"""Recall@k from stored ranks and its paired bootstrap."""

from __future__ import annotations

import numpy as np
import pytest

from engine.errors import DataError
from engine.roi.recall import paired_bootstrap, recall_at_k, recall_evidence

BASE = np.array([1, 2, 1, 3, 1, 5, 1, 1, 2, 1])
TUNED = np.array([1, 1, 1, 1, 1, 5, 1, 1, 2, 1])  # every base hit is also a tuned hit


def test_point_values_by_hand():
    assert recall_at_k(BASE, 1) == pytest.approx(0.6)
    assert recall_at_k(TUNED, 1) == pytest.approx(0.8)
    assert recall_at_k(BASE, 2) == pytest.approx(0.8)
    assert recall_at_k(TUNED, 5) == pytest.approx(1.0)


def test_bootstrap_is_paired():
    # Tuned hits ⊇ base hits, so on any resample of the *same* queries tuned ≥ base. An unpaired
    # bootstrap would often give tuned < base.
    base, tuned = paired_bootstrap(BASE, TUNED, 1, n_draws=2000, seed=0)
    assert np.all(tuned - base >= 0)
    assert base.mean() == pytest.approx(0.6, abs=0.01) and tuned.mean() == pytest.approx(0.8, abs=0.01)


def test_evidence_interval_and_significance():
    evidence, _, _ = recall_evidence(BASE, TUNED, 1, n_draws=2000, seed=0)
    delta = evidence["delta"]
    assert delta["estimate"] == pytest.approx(0.2)
    assert 0.0 <= delta["low"] <= 0.2 <= delta["high"]
    same, _, _ = recall_evidence(BASE, BASE, 1, n_draws=500, seed=0)
    assert same["delta"] == {"estimate": 0.0, "low": 0.0, "high": 0.0, "significant": False}
    clear, _, _ = recall_evidence(np.full(200, 3), np.ones(200, dtype=int), 1, n_draws=500)
    assert clear["delta"]["significant"] is True and clear["delta"]["low"] == 1.0


def test_bad_ranks_are_refused():
    with pytest.raises(DataError, match="same test queries"):
        paired_bootstrap(BASE, TUNED[:5], 1, n_draws=10)
    with pytest.raises(DataError, match="1-based ranks"):
        recall_at_k(np.array([0, 1]), 1)
