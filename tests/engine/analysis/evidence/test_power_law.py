"""Saturating power-law fit: parameter recovery, exact inverse, intervals, unreachable targets."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.analysis.evidence.power_law import fit_saturating_power_law, pairs_needed, saturating_power_law
from engine.errors import ConfigError, DataError

N = np.array([50.0, 100.0, 200.0, 400.0, 800.0, 1600.0])
TRUE = {"a": 0.82, "b": 3.0, "c": 0.6}


def _curve(n: np.ndarray = N) -> np.ndarray:
    return saturating_power_law(n, TRUE["a"], TRUE["b"], TRUE["c"])


def test_model_formula_by_hand() -> None:
    # 0.8 - 2 * 100^(-0.5) = 0.8 - 0.2
    assert saturating_power_law(np.array([100.0]), 0.8, 2.0, 0.5)[0] == pytest.approx(0.6)


def test_noiseless_fit_recovers_parameters_exactly() -> None:
    fit = fit_saturating_power_law(N, _curve())
    for name, value in TRUE.items():
        assert fit["params"][name]["estimate"] == pytest.approx(value, rel=1e-6)
    assert fit["residual_rms"] < 1e-8
    assert fit["warnings"] == []


@pytest.mark.parametrize("target", [0.4, 0.7, 0.8])
def test_pairs_needed_inverse_is_exact_on_noiseless_data(target: float) -> None:
    fit = fit_saturating_power_law(N, _curve(), target=target)
    expected = (TRUE["b"] / (TRUE["a"] - target)) ** (1 / TRUE["c"])
    needed = fit["pairs_needed"]
    assert needed["reachable"] is True
    assert needed["estimate"] == pytest.approx(expected, rel=1e-5)
    # and plugging the answer back into the curve gives the target
    assert _curve(np.array([needed["estimate"]]))[0] == pytest.approx(target, abs=1e-7)
    # the separate function gives the same answer from the stored fit
    assert pairs_needed(fit, target)["estimate"] == pytest.approx(needed["estimate"])


def test_noiseless_predictions_match_the_true_curve() -> None:
    fit = fit_saturating_power_law(N, _curve())
    factors = [p["factor"] for p in fit["predictions"]]
    assert factors == [2.0, 4.0]
    for p in fit["predictions"]:
        assert p["n"] == p["factor"] * N.max()
        assert p["estimate"] == pytest.approx(_curve(np.array([p["n"]]))[0], abs=1e-7)


def test_noisy_fit_recovers_parameters_within_intervals() -> None:
    rng = np.random.default_rng(0)
    se = np.full(N.size, 0.004)
    covered = {name: 0 for name in TRUE}
    errors = []
    for _ in range(20):
        noisy = _curve() + se * rng.standard_normal(N.size)
        fit = fit_saturating_power_law(N, noisy, point_se=se, n_boot=120, seed=1)
        assert fit["uncertainty"]["method"] == "point_se"
        for name, value in TRUE.items():
            p = fit["params"][name]
            covered[name] += p["low"] <= value <= p["high"]
        errors.append(abs(fit["params"]["a"]["estimate"] - TRUE["a"]))
    # small noise: the asymptote is recovered to about a point
    assert np.median(errors) < 0.01
    # nominal 95% intervals: at least 16 of 20 cover the truth for each parameter
    assert all(count >= 16 for count in covered.values()), covered


def test_replicate_bootstrap_intervals_contain_the_estimate() -> None:
    rng = np.random.default_rng(3)
    replicates = _curve() + 0.01 * rng.standard_normal((300, N.size))
    fit = fit_saturating_power_law(N, _curve(), replicates=replicates)
    assert fit["uncertainty"]["method"] == "replicates"
    assert fit["uncertainty"]["n_boot"] + fit["uncertainty"]["n_failed"] == 300
    for name in "abc":
        p = fit["params"][name]
        assert p["low"] < p["estimate"] < p["high"]
    low, high = fit["predictions"][0]["low"], fit["predictions"][0]["high"]
    assert low < fit["predictions"][0]["estimate"] < high
    assert len(fit["bootstrap_params"]["a"]) == fit["uncertainty"]["n_boot"]


def test_unreachable_target_is_reported_in_words() -> None:
    fit = fit_saturating_power_law(N, _curve(), target=0.9)
    needed = fit["pairs_needed"]
    assert needed["reachable"] is False
    assert needed["estimate"] is None
    assert "Not reachable" in needed["message"] and "0.820" in needed["message"]


def test_target_equal_to_asymptote_is_unreachable() -> None:
    fit = fit_saturating_power_law(N, _curve())
    needed = pairs_needed(fit, fit["params"]["a"]["estimate"])
    assert needed["reachable"] is False and needed["estimate"] is None


def test_three_points_interpolate_without_interval() -> None:
    fit = fit_saturating_power_law(N[:3], _curve(N[:3]))
    assert fit["uncertainty"]["method"] == "none"
    assert fit["params"]["a"]["low"] is None
    assert fit["params"]["a"]["estimate"] == pytest.approx(TRUE["a"], rel=1e-5)


def test_result_is_json_serialisable_without_nan() -> None:
    rng = np.random.default_rng(5)
    fit = fit_saturating_power_law(N, _curve() + 0.01 * rng.standard_normal(N.size), target=0.81, n_boot=100)
    restored = json.loads(json.dumps(fit, allow_nan=False))  # raises on NaN/inf or numpy scalars
    assert restored["pairs_needed"]["target"] == 0.81
    assert restored["params"]["a"]["estimate"] == fit["params"]["a"]["estimate"]
    assert len(restored["predictions"]) == len(fit["predictions"])


def test_asymptote_respects_upper_bound() -> None:
    # a straight rise in log n has no ceiling in sight; the bound holds and a warning says so
    y = 0.2 + 0.15 * np.log2(N / 50.0)
    fit = fit_saturating_power_law(N, y, max_asymptote=1.0, n_boot=100)
    assert fit["params"]["a"]["estimate"] <= 1.0 + 1e-12
    assert any("upper bound" in w for w in fit["warnings"])


def test_falling_metric_gives_flat_fit_and_warning() -> None:
    y = np.linspace(0.6, 0.5, N.size)
    fit = fit_saturating_power_law(N, y, n_boot=100)
    assert fit["params"]["b"]["estimate"] >= 0.0
    assert any("does not rise" in w for w in fit["warnings"])


@pytest.mark.parametrize(
    ("n", "metric", "kwargs", "error"),
    [
        ([1, 2], [0.1, 0.2], {}, DataError),
        ([10, 10, 20], [0.1, 0.2, 0.3], {}, DataError),
        ([10, 20, 40], [0.1, 0.2], {}, DataError),
        ([0, 20, 40], [0.1, 0.2, 0.3], {}, DataError),
        ([10, 20, 40], [0.1, np.nan, 0.3], {}, DataError),
        ([10, 20, 40], [0.1, 0.2, 0.3], {"weights": [1, -1, 1]}, DataError),
        ([10, 20, 40], [0.1, 0.2, 0.3], {"replicates": np.zeros((5, 2))}, DataError),
        ([10, 20, 40], [0.1, 0.2, 0.3], {"confidence": 1.5}, ConfigError),
        ([10, 20, 40], [0.1, 0.2, 0.3], {"n_boot": 1}, ConfigError),
    ],
)
def test_bad_input_is_rejected(n, metric, kwargs, error) -> None:
    with pytest.raises(error):
        fit_saturating_power_law(n, metric, **kwargs)


def test_bad_target_is_rejected() -> None:
    fit = fit_saturating_power_law(N, _curve())
    with pytest.raises(ConfigError, match="target"):
        pairs_needed(fit, float("nan"))


def test_pairs_needed_messages_say_reached_or_how_many() -> None:
    fit = fit_saturating_power_law(N, _curve())
    reached = pairs_needed(fit, 0.4)  # needs ~26 pairs, fewer than the 1,600 measured
    assert reached["message"].startswith("Already reached")
    ahead = pairs_needed(fit, 0.81)  # (3 / 0.01)^(1 / 0.6) ~ 13,400 pairs, beyond 4x the data
    assert ahead["message"].startswith("About 13,")
    assert "order of magnitude" in ahead["message"]


def test_open_upper_end_when_some_refits_never_reach() -> None:
    se = np.full(N.size, 0.02)
    fit = fit_saturating_power_law(N, _curve(), point_se=se, n_boot=300, seed=0)
    needed = pairs_needed(fit, 0.8)
    assert needed["reachable"] is True
    assert 0.0 < needed["share_reachable"] < 0.975
    assert needed["high"] is None and needed["low"] is not None
    assert "open" in needed["message"]
