"""The Gaussian lab: real batch losses land on the closed forms, and the sweeps move the right way.

Short runs (a few hundred steps, one torch thread) on two shared cores, about 1-2 s each.
Measured over seeds 0-4 for the settings used here:

    2-D clip,  batch 256, 300 steps:  |A - 4/9| <= 0.012   tolerance 0.025
    2-D joint, batch 256, 300 steps:  |A - 1/3| <= 0.007   tolerance 0.025
    GP clip latent sweep (batch 128, 200 steps): both conditional-mean errors fall at every step
    from n_e = 1 to 5 in every seed; the smallest v|u drop (n_e 4 -> 5) is 0.06 or more.
    GP clip batch 16 vs 256 whitened error: 0.45-0.57 vs 0.10-0.12; N = 100 vs 5000: 0.82-1.13 vs 0.21-0.30.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.analysis.gaussian.lab import default_latent_dims, example_blocks, reference_optimum, run_lab
from engine.errors import ConfigError


def _single(example: str, loss: str, **kw) -> dict:
    result = run_lab(example, loss=loss, latent_dims=(1,), batch_sizes=(), sample_sizes=(), **kw)
    return result["sweeps"]["latent_dim"][0]


def test_2d_clip_learns_the_conditional_optimum_4_9() -> None:
    row = _single("2d", "clip", base_batch_size=256, steps=300)
    a = row["A_learned"][0][0]
    assert abs(a - 4 / 9) < 0.025, a
    assert abs(a - 1 / 3) > 0.08  # not the joint optimum
    assert row["reference"]["A_star"] == [[pytest.approx(4 / 9, abs=1e-12)]]
    assert row["reference"]["population_loss"] == pytest.approx(-2 / 9, abs=1e-12)
    assert row["reference"]["cond_mean_error_u_given_v"] == pytest.approx(0.0, abs=1e-12)
    assert row["loss_gap"] < 1e-3 and row["cond_mean_error_u_given_v"] < 2e-3


def test_2d_joint_learns_the_shrunk_optimum_1_3_with_a_biased_mean() -> None:
    row = _single("2d", "joint", base_batch_size=256, steps=300)
    a = row["A_learned"][0][0]
    assert abs(a - 1 / 3) < 0.025, a
    assert abs(a - 4 / 9) > 0.08
    # The model mean is C_uu A v = 0.5 v against the true 2/3 v: E|(1/6) v|^2 = 1.5 / 36.
    assert row["reference"]["cond_mean_error_u_given_v"] == pytest.approx(1.5 / 36, abs=1e-12)
    assert row["reference"]["population_loss"] == pytest.approx(-0.189492297107, abs=1e-9)


def test_2d_l2_one_sided_recovers_mean_and_covariance() -> None:
    row = _single("2d", "l2-left-given-right", base_batch_size=256, steps=300)
    assert abs(row["A_learned"][0][0] - 0.8) < 0.04, row["A_learned"]
    assert abs(row["B_learned"][0][0] - 8 / 15) < 0.04, row["B_learned"]
    assert row["cond_mean_error_v_given_u"] is None  # v|u is not fitted by this loss
    assert row["cond_cov_error_u_given_v"] < 0.03  # the bilinear models are stuck at 1.5 - 5/6 = 0.667
    assert row["reference"]["population_loss"] == pytest.approx(-0.293893332451, abs=1e-9)


def test_gp_latent_sweep_errors_fall_up_to_min_dimension() -> None:
    result = run_lab(
        "gp", loss="clip", latent_dims=(1, 2, 3, 4, 5), batch_sizes=(), sample_sizes=(), base_batch_size=128, steps=200
    )
    json.dumps(result)
    rows = result["sweeps"]["latent_dim"]
    for key in ("cond_mean_error_v_given_u", "cond_mean_error_u_given_v"):
        errors = [row[key] for row in rows]
        assert all(later <= earlier for earlier, later in zip(errors, errors[1:])), (key, errors)
        references = [row["reference"][key] for row in rows]
        assert all(later < earlier for earlier, later in zip(references, references[1:])), references
        assert references[-1] == pytest.approx(0.0, abs=1e-12)  # full rank: exact conditional means
    # The learned errors track the rank-r floor: within 20 % where the floor is large (rank 1).
    first = rows[0]
    assert first["cond_mean_error_v_given_u"] == pytest.approx(first["reference"]["cond_mean_error_v_given_u"], rel=0.2)


def test_gp_errors_fall_with_batch_size_and_sample_size() -> None:
    result = run_lab(
        "gp",
        loss="clip",
        latent_dims=(),
        batch_sizes=(16, 256),
        sample_sizes=(100, 5000),
        base_batch_size=64,
        steps=200,
    )
    small_batch, big_batch = result["sweeps"]["batch_size"]
    assert small_batch["whitened_error"] > 2 * big_batch["whitened_error"]
    few, many = result["sweeps"]["sample_size"]
    assert few["sample_size"] == 100 and few["epochs"] == pytest.approx(200 * 64 / 100)
    assert few["whitened_error"] > 2 * many["whitened_error"]
    assert result["settings"]["base_sample_size"] is None and small_batch["epochs"] is None


def test_shared_settings_are_trained_once() -> None:
    result = run_lab(
        "2d", loss="clip", latent_dims=(1,), batch_sizes=(64,), sample_sizes=(), base_batch_size=64, steps=8
    )
    assert result["sweeps"]["latent_dim"][0] is result["sweeps"]["batch_size"][0]


def test_reference_optimum_and_defaults() -> None:
    gp = example_blocks("gp")
    assert default_latent_dims(gp, "clip") == (1, 2, 3, 4, 5)
    assert default_latent_dims(gp, "l2-left-given-right")[-1] == 12
    below = reference_optimum(gp, "l2-left-given-right", 5)
    assert below["exact"] is False and below["A_star"] is None
    beyond = reference_optimum(gp, "clip", 7)  # n_e above min(n_u, n_v) = 5: the full-rank optimum
    np.testing.assert_allclose(beyond["A_star"], reference_optimum(gp, "clip", 5)["A_star"])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"example": "3d"},
        {"loss": "weighted"},
        {"batch_sizes": (1,)},
        {"sample_sizes": (0,)},
        {"latent_dims": (0,)},
        {"steps": 2},
        {"lr": -1.0},
        {"batch_sizes": None},
    ],
)
def test_invalid_settings_raise_config_error(kwargs: dict) -> None:
    example = kwargs.pop("example", "2d")
    with pytest.raises(ConfigError):
        run_lab(example, **kwargs)
