"""Checkpoints carry no code: a crafted ``state.pt`` is refused unread, ours load with ``weights_only=True``."""

from __future__ import annotations

import builtins
import random
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import toy_rows

from engine.config import TrainConfig
from engine.errors import TrainingError
from engine.i18n import override
from engine.losses import build_loss
from engine.models import load_encoder
from engine.train import train
from engine.train.checkpoint import CHECKPOINT_FILE, REQUIRED_KEYS, load_checkpoint, save_checkpoint

ENGINE = Path(__file__).resolve().parents[3] / "engine"


class _Payload:
    """Unpickling this opens (so creates) the marker file: stands for any command an attacker would run."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (builtins.open, (str(self.marker), "w"))


def _crafted_checkpoint(directory: Path, marker: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    state = {key: 0 for key in REQUIRED_KEYS}
    state["encoder"] = _Payload(marker)
    torch.save(state, directory / CHECKPOINT_FILE)
    return directory


def test_crafted_checkpoint_is_refused_and_its_code_never_runs(tmp_path):
    marker = tmp_path / "marker"
    folder = _crafted_checkpoint(tmp_path / "checkpoint", marker)
    with pytest.raises(TrainingError) as caught:
        load_checkpoint(folder)
    message = str(caught.value)
    assert str(folder / CHECKPOINT_FILE) in message and "could run code" in message and "Delete the folder" in message
    assert not marker.exists()
    # The file is really live: the unsafe loader the engine used before runs its code.
    torch.load(folder / CHECKPOINT_FILE, weights_only=False)
    assert marker.exists()


def test_crafted_checkpoint_is_refused_in_japanese(tmp_path):
    folder = _crafted_checkpoint(tmp_path / "checkpoint", tmp_path / "marker")
    with override("ja"), pytest.raises(TrainingError, match="読み込みませんでした"):
        load_checkpoint(folder)
    assert not (tmp_path / "marker").exists()


def test_resume_from_a_crafted_checkpoint_stops_before_training(tiny_model_dir, tmp_path):
    marker = tmp_path / "marker"
    folder = _crafted_checkpoint(tmp_path / "checkpoint", marker)
    rows = toy_rows(16)
    from engine.data.dataset import PairDataset

    data = PairDataset(left=tuple(r["title"] for r in rows), right=tuple(r["description"] for r in rows),
                       group=tuple(r["product_id"] for r in rows), row=tuple(range(1, 17)))
    encoder = load_encoder(str(tiny_model_dir), device="cpu", max_seq_length=32)
    before = torch.cat([p.detach().flatten() for p in encoder.parameters()])
    with pytest.raises(TrainingError, match="could run code"):
        train(encoder, build_loss("clip"), data, TrainConfig(epochs=2, batch_size=8), checkpoint_dir=folder,
              resume=True)
    assert not marker.exists()
    assert torch.equal(before, torch.cat([p.detach().flatten() for p in encoder.parameters()]))


def _optimiser_state() -> dict:
    model = torch.nn.Linear(3, 2)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 / (step + 1))
    model(torch.ones(4, 3)).sum().backward()
    optimizer.step()
    scheduler.step()
    return {"encoder": model.state_dict(), "loss": {}, "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(), "epoch": 1, "step": 1}


def test_saved_checkpoint_loads_with_weights_only_and_restores_every_generator(tmp_path):
    state = _optimiser_state()
    random.seed(1), np.random.seed(2), torch.manual_seed(3)
    np.random.normal()  # leaves a cached Gaussian in numpy's state: it must survive too
    save_checkpoint(tmp_path, **state)
    expected = (random.random(), np.random.normal(), np.random.rand(3).tolist(), torch.rand(3).tolist())

    raw = torch.load(tmp_path / CHECKPOINT_FILE, weights_only=True)  # raises if anything but plain data was saved
    assert raw["optimizer"]["state"][0]["exp_avg"].shape == (2, 3)
    random.seed(99), np.random.seed(99), torch.manual_seed(99)
    loaded = load_checkpoint(tmp_path)
    assert (random.random(), np.random.normal(), np.random.rand(3).tolist(), torch.rand(3).tolist()) == expected
    assert loaded["scheduler"] == state["scheduler"] and loaded["epoch"] == 1
    torch.testing.assert_close(loaded["optimizer"]["state"][0]["exp_avg"], state["optimizer"]["state"][0]["exp_avg"])
    assert [p.name for p in tmp_path.iterdir()] == [CHECKPOINT_FILE]  # no temporary file left behind


def test_truncated_checkpoint_gives_a_clear_error(tmp_path):
    save_checkpoint(tmp_path, **_optimiser_state())
    path = tmp_path / CHECKPOINT_FILE
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(TrainingError, match=r"cannot be read .*Delete the folder"):
        load_checkpoint(tmp_path)


def test_checkpoint_without_the_training_state_is_refused(tmp_path):
    torch.save({"encoder": {}, "epoch": 1}, tmp_path / CHECKPOINT_FILE)
    with pytest.raises(TrainingError, match="lacks loss, optimizer, scheduler, step"):
        load_checkpoint(tmp_path)


def test_missing_checkpoint_means_start_from_scratch(tmp_path):
    assert load_checkpoint(tmp_path) is None


def test_every_torch_load_in_the_engine_is_weights_only():
    calls = []
    for path in ENGINE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        calls += [(path.name, m.group(0)) for m in re.finditer(r"torch\.load\([^)]*\)", text)]
        assert "weights_only=False" not in text, path
        assert "pickle.load" not in text, path
    assert calls, "the checkpoint loader should be found"
    assert all("weights_only=True" in call for _, call in calls), calls
