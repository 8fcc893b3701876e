"""The job runner's process settings: math threads (all cores but one), and UMAP's compiled code cached on disk."""

from __future__ import annotations

import os

import pytest

from engine.jobs import worker


@pytest.mark.parametrize(("cores", "threads"), [(1, 1), (2, 1), (4, 3), (16, 15)])
def test_a_job_computes_on_every_core_but_one_and_at_least_one(cores, threads):
    assert worker.job_threads(cores) == threads


def test_the_runner_threads_sleep_at_barriers_unless_told_otherwise(monkeypatch):
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    env = worker.runner_env()
    assert env["OMP_WAIT_POLICY"] == "PASSIVE" and env["OMP_NUM_THREADS"] == "3"  # a setting given wins


def test_umap_functions_get_numbas_disk_cache_under_the_tiltpilot_cache(monkeypatch, tmp_path):
    pytest.importorskip("umap")
    from numba.core.caching import FunctionCache

    from engine.analysis.evidence import latent_map

    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("TILTPILOT_CACHE", str(tmp_path))
    umap = latent_map.import_umap()
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / latent_map.NUMBA_CACHE_FOLDER)
    for compiled in (umap.layouts._nb_optimize_layout_euclidean_single_epoch, umap.utils.fast_knn_indices):
        assert isinstance(compiled._cache, FunctionCache)  # both declared without cache=True
