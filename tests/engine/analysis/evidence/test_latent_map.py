"""Latent map, fast path: PCA maps, Procrustes alignment, fallbacks, pair distances, storage.

UMAP itself is exercised only in tests/slow/test_umap_map.py (its numba JIT costs ~11 s per process).
"""

from __future__ import annotations

import json
import logging
import sys

import numpy as np
import pytest

from engine.analysis.evidence.latent_map import latent_map, load_latent_map, procrustes_align, save_latent_map
from engine.errors import ConfigError, DataError


def anisotropic_pairs(n: int = 40, d: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Left/right embeddings with clearly separated principal variances (so PCA axes are well defined)."""
    rng = np.random.default_rng(seed)
    scales = np.array([6.0, 3.0] + [0.5] * (d - 2))
    left = rng.standard_normal((n, d)) * scales + 10.0  # offset keeps cosine-normalised points spread too
    right = left + 0.3 * rng.standard_normal((n, d))
    return left.astype(np.float32), right.astype(np.float32)


def random_orthogonal(d: int, seed: int) -> np.ndarray:
    q, r = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    return q * np.sign(np.diag(r))


def test_pca_map_is_deterministic():
    left, right = anisotropic_pairs()
    rng = np.random.default_rng(1)
    t_left, t_right = left + rng.standard_normal(left.shape), right + rng.standard_normal(right.shape)
    first = latent_map(left, right, t_left, t_right, method="pca", seed=3)
    second = latent_map(left.copy(), right.copy(), t_left.copy(), t_right.copy(), method="pca", seed=3)
    for name in ("base", "tuned", "modality", "pair", "links"):
        assert np.array_equal(first["arrays"][name], second["arrays"][name]), name
    assert first["meta"]["pair_distance"] == second["meta"]["pair_distance"]


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_rotated_and_scaled_tuned_embeddings_align_onto_the_base_map(metric):
    left, right = anisotropic_pairs()
    q = random_orthogonal(left.shape[1], seed=5)
    # A rotation of the whole space plus a scale changes no cosine retrieval result, so the map must not move.
    t_left, t_right = 2.5 * (left.astype(np.float64) @ q), 2.5 * (right.astype(np.float64) @ q)
    result = latent_map(left, right, t_left, t_right, method="pca", metric=metric)
    base, tuned = result["arrays"]["base"], result["arrays"]["tuned"]
    assert np.abs(base).max() > 0.1  # the map is not degenerate
    np.testing.assert_allclose(tuned, base, atol=1e-6 * np.abs(base).max())
    assert result["meta"]["alignment"]["disparity"] < 1e-10
    # with this seed the tuned PCA comes out mirrored, so the test fails without the alignment step
    assert not np.allclose(result["meta"]["alignment"]["rotation"], np.eye(2))
    change = result["meta"]["pair_distance"]["map"]["change_pct"]
    assert abs(change) < 1e-6


def test_procrustes_recovers_a_known_similarity_transform():
    rng = np.random.default_rng(0)
    target = rng.standard_normal((25, 2)) * [3.0, 1.0]
    angle = np.deg2rad(35.0)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    mirror = np.diag([1.0, -1.0])
    moving = 0.4 * (target @ rot @ mirror) + np.array([7.0, -2.0])
    aligned, info = procrustes_align(moving, target)
    np.testing.assert_allclose(aligned, target, atol=1e-10)
    assert info["scale"] == pytest.approx(2.5)
    assert info["reflection"] is True
    np.testing.assert_allclose(np.array(info["rotation"]), (rot @ mirror).T, atol=1e-10)
    assert info["disparity"] == pytest.approx(0.0, abs=1e-20)


def test_pca_matches_a_brute_force_projection_with_fixed_signs():
    left, right = anisotropic_pairs(n=20)
    result = latent_map(left, right, left, right, method="pca", metric="euclidean")
    x = np.vstack([left, right]).astype(np.float64)
    centred = x - x.mean(axis=0)
    eigenvalues, eigenvectors = np.linalg.eigh(centred.T @ centred)
    axes = eigenvectors[:, ::-1][:, :2].T
    axes *= np.sign(axes[np.arange(2), np.abs(axes).argmax(axis=1)])[:, None]
    np.testing.assert_allclose(result["arrays"]["base"], centred @ axes.T, rtol=1e-9, atol=1e-9)
    share = eigenvalues[::-1] / eigenvalues.sum()
    np.testing.assert_allclose(result["meta"]["explained_variance"]["base"], share[:2], rtol=1e-9)


def test_arrays_have_the_documented_layout():
    left, right = anisotropic_pairs(n=12)
    result = latent_map(left, right, left, right, method="pca")
    arrays, meta = result["arrays"], result["meta"]
    assert arrays["base"].shape == arrays["tuned"].shape == (24, 2)
    assert arrays["modality"].tolist() == [0] * 12 + [1] * 12
    assert meta["modality_labels"] == ["left", "right"]
    assert arrays["pair"].tolist() == list(range(12)) * 2
    assert arrays["links"].tolist() == [[i, 12 + i] for i in range(12)]
    assert (meta["n_pairs"], meta["n_points"], meta["n_pairs_total"], meta["subsampled"]) == (12, 24, 12, False)
    json.dumps(meta, allow_nan=False)


def test_max_points_draws_a_seeded_subset_of_whole_pairs():
    left, right = anisotropic_pairs(n=30)
    result = latent_map(left, right, left, right, method="pca", max_points=21, seed=4)
    pair = result["arrays"]["pair"]
    keep = pair[:10]
    assert result["meta"]["n_pairs"] == 10 and result["meta"]["subsampled"] is True
    assert np.array_equal(pair[10:], keep) and np.all(np.diff(keep) > 0)
    again = latent_map(left, right, left, right, method="pca", max_points=21, seed=4)
    assert np.array_equal(again["arrays"]["pair"], pair)
    direct = latent_map(left[keep], right[keep], left[keep], right[keep], method="pca")
    np.testing.assert_array_equal(result["arrays"]["base"], direct["arrays"]["base"])


def test_pairs_on_top_of_each_other_read_as_100_percent_closer():
    left, right = anisotropic_pairs()
    rng = np.random.default_rng(2)
    tuned = left + rng.standard_normal(left.shape).astype(np.float32)
    result = latent_map(left, right, tuned, tuned.copy(), method="pca")
    distance = result["meta"]["pair_distance"]
    assert distance["map"]["base"] > 0.0
    assert distance["map"]["tuned"] == pytest.approx(0.0, abs=1e-12)
    assert distance["map"]["change_pct"] == pytest.approx(-100.0)
    assert distance["embedding"]["change_pct"] == pytest.approx(-100.0)
    assert "closer by 100%" in result["meta"]["takeaway"]
    np.testing.assert_allclose(result["arrays"]["tuned"][:40], result["arrays"]["tuned"][40:], atol=1e-12)


def test_collapsed_tuned_embeddings_are_not_reported_as_closer_pairs():
    left, right = anisotropic_pairs(n=10)
    same = np.ones_like(left)
    meta = latent_map(left, right, same, same, method="umap")["meta"]
    assert meta["collapsed"] == {"base": False, "tuned": True}
    assert meta["method"] == "pca" and "collapsed" in meta["fallback_reason"]
    assert meta["pair_distance"]["map"]["change_pct"] is None
    assert meta["pair_distance"]["embedding"] == {
        "base": pytest.approx(meta["pair_distance"]["embedding"]["base"]), "tuned": None, "change_pct": None
    }
    assert "collapsed" in meta["takeaway"] and "closer" not in meta["takeaway"]
    tuned = latent_map(left, right, same, same, method="pca")["arrays"]["tuned"]
    assert np.ptp(tuned, axis=0).max() == 0.0  # one point, not amplified round-off


def test_map_pair_distance_equals_a_direct_computation():
    left, right = anisotropic_pairs(n=15)
    rng = np.random.default_rng(7)
    t_left, t_right = left + rng.standard_normal(left.shape), right + 2.0 * rng.standard_normal(right.shape)
    result = latent_map(left, right, t_left, t_right, method="pca")
    base, tuned = result["arrays"]["base"], result["arrays"]["tuned"]
    expected_base = np.mean(np.linalg.norm(base[:15] - base[15:], axis=1))
    expected_tuned = np.mean(np.linalg.norm(tuned[:15] - tuned[15:], axis=1))
    pair_map = result["meta"]["pair_distance"]["map"]
    assert pair_map["base"] == pytest.approx(expected_base)
    assert pair_map["tuned"] == pytest.approx(expected_tuned)
    assert pair_map["change_pct"] == pytest.approx(100 * (expected_tuned - expected_base) / expected_base)
    # the aligned tuned map has the base map's spread about its centroid
    spread = lambda xy: np.linalg.norm(xy - xy.mean(axis=0))  # noqa: E731
    assert spread(tuned) == pytest.approx(spread(base))


def test_pca_requested_has_no_fallback_reason():
    left, right = anisotropic_pairs(n=10)
    meta = latent_map(left, right, left, right, method="pca")["meta"]
    assert (meta["method"], meta["method_requested"], meta["fallback_reason"]) == ("pca", "pca", None)


def test_too_few_points_fall_back_to_pca_with_a_warning(caplog):
    left, right = anisotropic_pairs(n=6)
    with caplog.at_level(logging.WARNING, logger="engine.analysis.evidence.latent_map"):
        meta = latent_map(left, right, left, right, method="umap", n_neighbors=15)["meta"]
    assert meta["method"] == "pca" and meta["method_requested"] == "umap"
    assert "12 points are too few" in meta["fallback_reason"]
    assert any("too few" in record.getMessage() for record in caplog.records)


def test_auto_falls_back_quietly(caplog):
    left, right = anisotropic_pairs(n=6)
    with caplog.at_level(logging.WARNING, logger="engine.analysis.evidence.latent_map"):
        meta = latent_map(left, right, left, right, method="auto")["meta"]
    assert meta["method"] == "pca" and "too few" in meta["fallback_reason"]
    assert not caplog.records


def test_missing_umap_falls_back_to_pca(monkeypatch):
    monkeypatch.setitem(sys.modules, "umap", None)  # makes `import umap` raise ImportError (find_spec: None)
    left, right = anisotropic_pairs(n=20)
    meta = latent_map(left, right, left, right, method="umap", n_neighbors=5)["meta"]
    assert meta["method"] == "pca"
    assert "not installed" in meta["fallback_reason"]


def test_save_and_load_round_trip(tmp_path):
    left, right = anisotropic_pairs(n=10)
    result = latent_map(left, right, right, left, method="pca")
    assert load_latent_map(tmp_path) is None
    npz_path, json_path = save_latent_map(result, tmp_path)
    assert npz_path == tmp_path / "analysis" / "latent_map.npz"
    assert json_path == tmp_path / "analysis" / "latent_map.json"
    loaded = load_latent_map(tmp_path)
    assert loaded["meta"] == json.loads(json.dumps(result["meta"]))
    for name, array in result["arrays"].items():
        assert np.array_equal(loaded["arrays"][name], array) and loaded["arrays"][name].dtype == array.dtype
    npz_path.unlink()
    with pytest.raises(DataError, match="recompute the latent map"):
        load_latent_map(tmp_path)


def test_inputs_are_validated():
    left, right = anisotropic_pairs(n=10)
    with pytest.raises(DataError, match="same number of rows"):
        latent_map(left, right[:9], left, right, method="pca")
    with pytest.raises(DataError, match="same width"):
        latent_map(left, right[:, :5], left, right, method="pca")
    bad = left.copy()
    bad[3, 1] = np.nan
    with pytest.raises(DataError, match="NaN"):
        latent_map(left, right, bad, right, method="pca")
    with pytest.raises(ConfigError, match="method"):
        latent_map(left, right, left, right, method="tsne")
    with pytest.raises(ConfigError, match="metric"):
        latent_map(left, right, left, right, metric="manhattan")
    with pytest.raises(ConfigError, match="max_points"):
        latent_map(left, right, left, right, method="pca", max_points=3)
    with pytest.raises(DataError, match="save_latent_map"):
        save_latent_map({"meta": {}}, "unused")
