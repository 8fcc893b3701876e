"""``load_run_summary``: the small files of a run, never its heavy ones (issue 13 (f))."""

from __future__ import annotations

import builtins
import io
from pathlib import Path

import numpy as np

from engine.charts.load import load_run_summary
from engine.runs.atomic import atomic_write_json, atomic_write_npz


def test_run_summary_reads_config_metrics_and_intervals_only(tmp_path, monkeypatch):
    run = tmp_path / "20261201-000000-clip-cosine-0000"
    (run / "analysis").mkdir(parents=True)
    atomic_write_json(run / "config.json", {"loss": {"name": "clip"}})
    atomic_write_json(run / "metrics.json", {"base": {}, "tuned": {}})
    atomic_write_json(run / "analysis" / "uncertainty.json", {"fine_tuning": []})
    atomic_write_json(run / "analysis" / "drilldown.json", {"left_to_right": {}})
    atomic_write_json(run / "test_pairs.json", {"left": ["a"], "right": ["b"]})
    atomic_write_npz(run / "analysis" / "latent_map.npz", pair=np.array([0, 1]))
    opened: list[str] = []
    real_open = builtins.open

    def recording_open(file, *args, **kwargs):
        opened.append(Path(file).relative_to(run).as_posix())
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", recording_open)
    monkeypatch.setattr(io, "open", recording_open)
    summary = load_run_summary(run)
    assert summary == {"run_id": run.name, "config": {"loss": {"name": "clip"}}, "metrics": {"base": {}, "tuned": {}},
                       "uncertainty": {"fine_tuning": []}}
    assert sorted(set(opened)) == ["analysis/uncertainty.json", "config.json", "metrics.json"]


def test_run_summary_of_a_run_without_analysis(tmp_path):
    run = tmp_path / "r"
    run.mkdir()
    atomic_write_json(run / "metrics.json", {"base": {}, "tuned": {}})
    assert load_run_summary(run) == {"run_id": "r", "config": None, "metrics": {"base": {}, "tuned": {}},
                                     "uncertainty": None}
