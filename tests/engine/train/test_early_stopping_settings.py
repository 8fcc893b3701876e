"""Early stopping through the CLI and the job spec: defaults, flags, validation, and the chosen epoch in the output."""

from __future__ import annotations

import pytest
from conftest import toy_rows, write_csv

from engine import cli
from engine.config import TrainConfig
from engine.errors import ConfigError
from engine.jobs.spec import SPEC_DEFAULTS, normalise_spec, run_configs
from engine.runs import RunStore, read_json


def test_cli_defaults_and_flags_reach_the_config():
    parser = cli.build_parser()
    args = parser.parse_args(["compare", "pairs.csv"])
    assert (args.epochs, args.early_stopping, args.patience) == (TrainConfig.epochs, True, TrainConfig.patience) == (
        10, True, 2)
    args = parser.parse_args(["train", "pairs.csv", "--no-early-stopping", "--epochs", "3", "--patience", "4"])
    assert (args.epochs, args.early_stopping, args.patience) == (3, False, 4)


def test_job_spec_defaults_and_checks(toy_csv):
    assert (SPEC_DEFAULTS["epochs"], SPEC_DEFAULTS["early_stopping"], SPEC_DEFAULTS["patience"]) == (10, True, 2)
    config, _, _ = run_configs(normalise_spec({"data": str(toy_csv), "early_stopping": False, "patience": 3}))
    assert (config.train.early_stopping, config.train.patience, config.train.epochs) == (False, 3, 10)
    with pytest.raises(ConfigError, match=r"spec.early_stopping: got 'yes'"):
        normalise_spec({"data": str(toy_csv), "early_stopping": "yes"})
    with pytest.raises(ConfigError, match=r"train.patience: got 0"):
        normalise_spec({"data": str(toy_csv), "patience": 0})


def test_train_prints_and_stores_the_chosen_epoch(tmp_path, tiny_model_dir, capsys):
    data = write_csv(tmp_path / "pairs.csv", toy_rows(100))  # 80 training groups: early stopping runs
    store = tmp_path / "store"
    assert cli.main(["train", str(data), "--model", str(tiny_model_dir), "--epochs", "2", "--patience", "1",
                     "--batch-size", "8", "--learning-rate", "1e-3", "--max-seq-length", "32", "--device", "cpu",
                     "--no-analysis", "--out", str(store)]) == 0
    out = capsys.readouterr().out
    [entry] = RunStore(store).list_runs()
    stored = read_json(store / entry["run_id"] / "metrics.json")["train"]
    assert stored["early_stopping"] is True and stored["validation"]["pairs"] == 20
    assert f"training: Kept epoch {stored['best_epoch']}" in out or "training: Ran all 2 epochs" in out
