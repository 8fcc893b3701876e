"""``tiltpilot train DATA --resume RUN``: the resolved config reads back, no step is logged twice,
``--no-analysis`` holds, and the weights equal those of an uninterrupted run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
from conftest import toy_rows, write_csv

from engine import cli
from engine.config import RunConfig
from engine.errors import ConfigError
from engine.models import load_encoder
from engine.runs import RunStore, read_json

EPOCHS = 3
STEPS_PER_EPOCH = 8  # 80 toy pairs, 64 in training, batch 8


def _args(data: Path, tiny_model_dir: Path, out: Path, *extra: str) -> list[str]:
    return ["train", str(data), "--model", str(tiny_model_dir), "--epochs", str(EPOCHS), "--batch-size", "8",
            "--learning-rate", "1e-3", "--seed", "3", "--max-seq-length", "32", "--device", "cpu",
            "--out", str(out), "--bootstrap", "200", "--latent-map", "pca", *extra]


def _only_run(store: Path) -> Path:
    [entry] = RunStore(store).list_runs()
    return store / entry["run_id"]


def _weights(model_dir: Path) -> torch.Tensor:
    encoder = load_encoder(str(model_dir), device="cpu", max_seq_length=32)
    return torch.cat([p.detach().flatten() for p in encoder.parameters()])


class Interrupt(RuntimeError):
    """Stands for a crash (out of memory, a power cut) in the middle of training."""


@pytest.fixture(scope="module")
def crashed_store(tmp_path_factory, tiny_model_dir):
    """A store whose one run crashed at step 4 of epoch 2, after its epoch-1 checkpoint (analysis was on)."""
    folder = tmp_path_factory.mktemp("resume")
    data = write_csv(folder / "pairs.csv", toy_rows())
    store = folder / "crashed"
    real_call = cli._ProgressBar.__call__

    def crash(self, label, info):
        real_call(self, label, info)
        if info.step == STEPS_PER_EPOCH + 4:
            raise Interrupt("simulated crash")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli._ProgressBar, "__call__", crash)
        with pytest.raises(Interrupt):
            cli.main(_args(data, tiny_model_dir, store))
    return data, store


@pytest.fixture
def interrupted(crashed_store, tmp_path):
    """A fresh copy of the crashed run (each test resumes its own)."""
    data, store = crashed_store
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    run = _only_run(copy)
    assert read_json(run / "status.json")["state"] == "failed"
    assert (run / "checkpoint" / "state.pt").is_file()
    assert max(r["step"] for r in RunStore.read_log(RunStore(copy).paths(run.name))) == STEPS_PER_EPOCH + 4
    return data, run


def test_resume_continues_without_repeating_steps_and_matches_an_uninterrupted_run(interrupted, tmp_path,
                                                                                 tiny_model_dir):
    data, run = interrupted
    assert cli.main(_args(data, tiny_model_dir, tmp_path / "ignored", "--resume", str(run), "--no-analysis")) == 0

    steps = [r["step"] for r in RunStore.read_log(RunStore(run.parent).paths(run.name))]
    assert steps == list(range(1, EPOCHS * STEPS_PER_EPOCH + 1))  # each step once, in order
    status = read_json(run / "status.json")
    assert status["state"] == "done" and status["error"] is None
    assert read_json(run / "metrics.json")["train"]["steps"] == EPOCHS * STEPS_PER_EPOCH
    # --no-analysis holds on resume: no stored evidence, and the config says so
    assert read_json(run / "config.json")["analysis"]["enabled"] is False
    assert not (run / "analysis").exists()
    assert not (run / "checkpoint").exists()  # only a failed run keeps its checkpoint
    assert RunStore(run.parent).list_runs()[0]["state"] == "done"

    straight = tmp_path / "straight"
    assert cli.main(_args(data, tiny_model_dir, straight, "--no-analysis")) == 0
    torch.testing.assert_close(_weights(run / "model"), _weights(_only_run(straight) / "model"))


def test_resume_refuses_other_data_and_a_finished_run(interrupted, tmp_path, tiny_model_dir, capsys):
    data, run = interrupted
    other = write_csv(tmp_path / "other.csv", toy_rows(seed=1))
    assert cli.main(_args(other, tiny_model_dir, tmp_path / "x", "--resume", str(run), "--no-analysis")) == 2
    assert "fingerprint" in capsys.readouterr().err
    assert read_json(run / "status.json")["state"] == "failed"  # untouched: it can still be resumed

    assert cli.main(_args(data, tiny_model_dir, tmp_path / "x", "--resume", str(run), "--no-analysis")) == 0
    assert cli.main(_args(data, tiny_model_dir, tmp_path / "x", "--resume", str(run), "--no-analysis")) == 2
    assert "already finished" in capsys.readouterr().err


def test_resolved_config_reads_back_and_unknown_keys_still_fail(interrupted):
    _data, run = interrupted
    raw = read_json(run / "config.json")
    assert {"fingerprint", "columns_resolved", "rows"} <= set(raw["data"])
    config = RunConfig.from_dict(raw)
    assert config.train.epochs == EPOCHS and config.train.seed == 3 and config.loss.name == "clip"
    with pytest.raises(ConfigError, match="nonsense"):
        RunConfig.from_dict({**raw, "data": {**raw["data"], "nonsense": 1}})
