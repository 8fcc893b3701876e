"""Latent map with real UMAP: deterministic with a seed (numba JIT ~11 s, paid once for the module)."""

from __future__ import annotations

import numpy as np
import pytest

from engine.analysis.evidence.latent_map import latent_map

pytestmark = pytest.mark.slow

N_PAIRS = 75


def clustered_pairs(seed: int = 0) -> dict[str, np.ndarray]:
    """Five clusters; base pairs are unrelated points of a cluster, tuned pairs nearly coincide."""
    rng = np.random.default_rng(seed)
    centres = 4.0 * rng.standard_normal((5, 16))
    cluster = np.arange(N_PAIRS) % 5
    base_left = centres[cluster] + rng.standard_normal((N_PAIRS, 16))
    base_right = centres[cluster] + rng.standard_normal((N_PAIRS, 16))
    tuned_left = centres[cluster] + rng.standard_normal((N_PAIRS, 16))
    tuned_right = tuned_left + 0.05 * rng.standard_normal((N_PAIRS, 16))
    arrays = {"base_left": base_left, "base_right": base_right, "tuned_left": tuned_left, "tuned_right": tuned_right}
    return {name: a.astype(np.float32) for name, a in arrays.items()}


@pytest.fixture(scope="module")
def two_fits() -> tuple[dict, dict]:
    data = clustered_pairs()
    first = latent_map(**data, method="umap", seed=7)
    second = latent_map(**{name: a.copy() for name, a in data.items()}, method="umap", seed=7)
    return first, second


def test_umap_map_is_deterministic_with_a_seed(two_fits):
    first, second = two_fits
    assert first["meta"]["method"] == "umap" and first["meta"]["fallback_reason"] is None
    for name in ("base", "tuned", "pair", "modality", "links"):
        assert np.array_equal(first["arrays"][name], second["arrays"][name]), name


def test_umap_map_shapes_and_metadata(two_fits):
    arrays, meta = two_fits[0]["arrays"], two_fits[0]["meta"]
    assert arrays["base"].shape == arrays["tuned"].shape == (2 * N_PAIRS, 2)
    assert np.isfinite(arrays["base"]).all() and np.isfinite(arrays["tuned"]).all()
    assert arrays["links"].shape == (N_PAIRS, 2)
    assert meta["params"]["n_neighbors_used"] == 15 and meta["explained_variance"] is None
    assert "umap-learn" in meta["versions"]


def test_umap_map_shows_tuned_pairs_closer(two_fits):
    # tuned pairs are 0.05 apart against clusters of radius ~4, base pairs are two random cluster members
    distance = two_fits[0]["meta"]["pair_distance"]
    assert distance["map"]["change_pct"] < -50.0
    assert distance["embedding"]["change_pct"] < -50.0
    assert "closer" in two_fits[0]["meta"]["takeaway"]
