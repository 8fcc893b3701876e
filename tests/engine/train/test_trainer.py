from __future__ import annotations

import pytest
import torch
from conftest import toy_rows

from engine.config import TrainConfig
from engine.data.dataset import PairDataset
from engine.errors import CancelledError, ConfigError, TrainingCancelled, TrainingError
from engine.losses import build_loss
from engine.models import load_encoder
from engine.train import train


def _data(n: int = 40) -> PairDataset:
    rows = toy_rows(n)
    return PairDataset(
        left=tuple(r["title"] for r in rows),
        right=tuple(r["description"] for r in rows),
        group=tuple(r["product_id"] for r in rows),
        row=tuple(range(1, n + 1)),
    )


def _encoder(tiny_model_dir):
    return load_encoder(str(tiny_model_dir), device="cpu", max_seq_length=32)


def _weights(encoder) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in encoder.parameters()])


def test_training_lowers_the_loss_and_reports_every_step(tiny_model_dir):
    encoder = _encoder(tiny_model_dir)
    steps = []
    result = train(encoder, build_loss("clip"), _data(), TrainConfig(epochs=6, batch_size=8, learning_rate=3e-3),
                   callback=steps.append)
    assert [s.step for s in steps] == list(range(1, result.steps + 1))
    assert steps[-1].total_steps == result.steps and steps[-1].eta_s == 0
    first, last = sum(result.history[:5]) / 5, sum(result.history[-5:]) / 5
    assert last < first - 0.1


def test_nan_loss_stops_with_a_clear_error(tiny_model_dir):
    class NanLoss(torch.nn.Module):
        def compute_loss_from_embeddings(self, embeddings, labels=None):
            return embeddings[0].sum() * float("nan")

    encoder = _encoder(tiny_model_dir)
    before = _weights(encoder)
    with pytest.raises(TrainingError, match=r"loss became nan at epoch 1, step 1.*--learning-rate"):
        train(encoder, NanLoss(), _data(), TrainConfig(epochs=1, batch_size=8))
    assert torch.equal(before, _weights(encoder))  # the bad step was never applied


def test_resume_after_a_crash_matches_an_uninterrupted_run(tiny_model_dir, tmp_path):
    data, config = _data(), TrainConfig(epochs=2, batch_size=8, learning_rate=1e-3, seed=3)
    straight = _encoder(tiny_model_dir)
    train(straight, build_loss("joint"), data, config)

    crashed = _encoder(tiny_model_dir)
    calls = {"n": 0}

    def crash_in_epoch_two(info):
        calls["n"] += 1
        if info.epoch == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(crashed, build_loss("joint"), data, config, callback=crash_in_epoch_two, checkpoint_dir=tmp_path)
    resumed = _encoder(tiny_model_dir)
    result = train(resumed, build_loss("joint"), data, config, checkpoint_dir=tmp_path, resume=True)
    assert result.resumed_from_epoch == 1
    torch.testing.assert_close(_weights(resumed), _weights(straight))


def test_cancel_is_reported(tiny_model_dir):
    with pytest.raises(TrainingCancelled, match="cancelled") as caught:
        train(_encoder(tiny_model_dir), build_loss("clip"), _data(), TrainConfig(batch_size=8), should_stop=lambda: True)
    assert isinstance(caught.value, TrainingError) and isinstance(caught.value, CancelledError)


@pytest.mark.parametrize(("error", "state"), [
    (TrainingCancelled("Stopped on request."), "cancelled"),  # a cancel, whatever its words
    (TrainingError("The loss was cancelled out by a bug."), "failed"),  # the word alone is no cancel
])
def test_run_state_follows_the_error_type_not_its_words(tmp_path, tiny_model_dir, monkeypatch, error, state):
    from conftest import write_csv

    from engine import experiment
    from engine.config import AnalysisConfig, DataConfig, ModelConfig, RunConfig
    from engine.runs import RunStore, read_json

    def stop(*args, **kwargs):
        raise error

    monkeypatch.setattr(experiment, "train", stop)
    config = RunConfig(data=DataConfig(path=str(write_csv(tmp_path / "pairs.csv", toy_rows(40)))),
                       model=ModelConfig(name_or_path=str(tiny_model_dir), max_seq_length=32, device="cpu"),
                       train=TrainConfig(epochs=1, batch_size=8), analysis=AnalysisConfig(enabled=False))
    store = RunStore(tmp_path / "store")
    with pytest.raises(TrainingError):
        experiment.run_experiment(config, store)
    [run_id] = [p.name for p in (tmp_path / "store").iterdir() if p.is_dir() and (p / "status.json").is_file()]
    assert read_json(store.paths(run_id).status)["state"] == state


def test_learned_temperature_moves(tiny_model_dir):
    loss = build_loss("clip", temperature="learn")
    before = float(loss.temperature if not callable(loss.temperature) else loss.temperature())
    train(_encoder(tiny_model_dir), loss, _data(), TrainConfig(epochs=2, batch_size=8, learning_rate=1e-3))
    after = float(loss.temperature if not callable(loss.temperature) else loss.temperature())
    assert after != pytest.approx(before)


def test_config_errors_name_the_field():
    with pytest.raises(ConfigError, match=r"train.batch_size: got 1"):
        TrainConfig(batch_size=1)
    with pytest.raises(ConfigError, match=r"train.learning_rate"):
        TrainConfig(learning_rate=-1)
