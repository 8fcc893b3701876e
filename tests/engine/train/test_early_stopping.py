"""Early stopping: the validation slice comes from the training split only, the test split is never
read before the final evaluation, the kept epoch is the best validation epoch, training stops after
``patience`` epochs without improvement, resuming chooses as an uninterrupted run, and without early
stopping training is as before."""

from __future__ import annotations

import pytest
import torch
from conftest import toy_rows, write_csv

from engine import experiment
from engine.chosen_epoch import (
    MIN_TRAIN_GROUPS,
    MIN_VALIDATION_GROUPS,
    chosen_epoch_text,
)
from engine.config import (
    AnalysisConfig,
    DataConfig,
    ModelConfig,
    RunConfig,
    TrainConfig,
)
from engine.data.dataset import PairDataset
from engine.errors import ConfigError
from engine.i18n import override
from engine.losses import build_loss
from engine.models import DualEncoder, load_encoder
from engine.runs import RunStore, read_json
from engine.train import current_temperature, early_stopping, train
from engine.train.early_stopping import (
    EarlyStopping,
    plan_validation,
    validation_groups,
)

ROWS = 100  # 80 training groups (the fewest with early stopping): 20 are held out, 60 are trained on
STEPS_PER_EPOCH = 8  # 60 pairs at batch 8 (the last batch of 4 is kept)


def _data(n: int, start: int = 0) -> PairDataset:
    rows = toy_rows(n)[start:]
    return PairDataset(left=tuple(r["title"] for r in rows), right=tuple(r["description"] for r in rows),
                       group=tuple(r["product_id"] for r in rows), row=tuple(range(start + 1, n + 1)))


def _encoder(tiny_model_dir):
    return load_encoder(str(tiny_model_dir), device="cpu", max_seq_length=32)


def _weights(encoder) -> torch.Tensor:
    return torch.cat([p.detach().flatten().clone() for p in encoder.parameters()])


def _config(tmp_path, tiny_model_dir, rows=None, **train) -> RunConfig:
    tmp_path.mkdir(parents=True, exist_ok=True)
    data = write_csv(tmp_path / "pairs.csv", rows or toy_rows(ROWS))
    settings = {"epochs": 3, "batch_size": 8, "learning_rate": 1e-3, "seed": 1, "patience": 1, **train}
    return RunConfig(data=DataConfig(path=str(data)),
                     model=ModelConfig(name_or_path=str(tiny_model_dir), max_seq_length=32, device="cpu"),
                     train=TrainConfig(**settings), analysis=AnalysisConfig(enabled=False))


def _scripted(monkeypatch, mrrs):
    """Make the validation score follow ``mrrs``, one per epoch, whatever the model does."""
    remaining = list(mrrs)
    monkeypatch.setattr(early_stopping, "validation_scores",
                        lambda *a, **k: {"recall@1": 0.0, "mrr": remaining.pop(0)})


class Spy:
    """Records every text the encoder reads while the trainer runs (training steps and validation)."""

    def __init__(self, monkeypatch):
        self.active, self.trained, self.encoded = False, set(), set()
        real_forward, real_encode, real_train = DualEncoder.forward, DualEncoder.encode, experiment.train

        def forward(encoder, items, side):
            if self.active:
                self.trained.update(items)
            return real_forward(encoder, items, side)

        def encode(encoder, items, side, **kwargs):
            if self.active:
                self.encoded.update(items)
            return real_encode(encoder, items, side, **kwargs)

        def spied_train(*args, **kwargs):
            self.active = True
            try:
                return real_train(*args, **kwargs)
            finally:
                self.active = False

        monkeypatch.setattr(DualEncoder, "forward", forward)
        monkeypatch.setattr(DualEncoder, "encode", encode)
        monkeypatch.setattr(experiment, "train", spied_train)


def _texts(rows, wanted):
    return {r[side] for r in rows if int(r["product_id"][1:]) + 1 in wanted for side in ("title", "description")}


@pytest.fixture(scope="module")
def spied_run(tmp_path_factory, tiny_model_dir):
    """One early-stopped run of ROWS toy pairs, with every text the trainer read."""
    folder = tmp_path_factory.mktemp("spied")
    with pytest.MonkeyPatch.context() as patch:
        spy = Spy(patch)
        run = experiment.run_experiment(_config(folder, tiny_model_dir), RunStore(folder / "store"))
    return run, spy


def test_early_stopping_never_reads_the_test_split(spied_run):
    run, spy = spied_run
    rows, split = toy_rows(ROWS), read_json(run.split)
    train_rows, test_rows, validation_rows = (set(split[k]) for k in ("train_rows", "test_rows", "validation_rows"))
    assert len(validation_rows) == MIN_VALIDATION_GROUPS and validation_rows < train_rows
    assert not validation_rows & test_rows
    fit_rows = train_rows - validation_rows
    # During training and validation the encoder read training texts only: no test text at all.
    assert not (spy.trained | spy.encoded) & _texts(rows, test_rows)
    assert spy.trained == _texts(rows, fit_rows)  # trained on the rows outside the slice, all of them
    assert spy.encoded == _texts(rows, validation_rows)  # scored on the slice, never trained on it
    assert read_json(run.metrics)["train"]["trained_pairs"] == len(fit_rows)


def test_a_poisoned_test_split_changes_nothing_before_the_final_evaluation(spied_run, tmp_path, tiny_model_dir):
    clean_rows, (clean, _spy) = toy_rows(ROWS), spied_run
    test_rows = set(read_json(clean.split)["test_rows"])
    # The test descriptions are swapped round: if anything read them before the end, the curve would move.
    poisoned_rows = [dict(r) for r in clean_rows]
    test_idx = [i for i in range(ROWS) if i + 1 in test_rows]
    for i, j in zip(test_idx, test_idx[1:] + test_idx[:1]):
        poisoned_rows[i]["description"] = clean_rows[j]["description"]
    poisoned = experiment.run_experiment(_config(tmp_path, tiny_model_dir, poisoned_rows), RunStore(tmp_path / "s"))

    before, after = read_json(clean.metrics), read_json(poisoned.metrics)
    assert read_json(poisoned.split)["validation_rows"] == read_json(clean.split)["validation_rows"]
    assert after["train"]["validation"]["curve"] == before["train"]["validation"]["curve"]
    assert after["train"]["best_epoch"] == before["train"]["best_epoch"]
    assert after["tuned"] != before["tuned"]  # the poison does reach the final test evaluation


def test_the_slice_is_whole_training_groups_and_small_data_skips_with_a_reason():
    train_part = _data(200)
    plan = plan_validation(train_part, TrainConfig(seed=4))
    assert plan.skipped is None
    assert len(set(plan.validation.group)) == validation_groups(200, 0.15) == 30
    assert not set(plan.validation.group) & set(plan.fit.group)
    assert sorted(plan.fit.row + plan.validation.row) == list(train_part.row)
    assert plan_validation(train_part, TrainConfig(seed=4)).validation.row == plan.validation.row  # seeded

    assert plan_validation(_data(MIN_TRAIN_GROUPS - 1), TrainConfig()).skipped == "too_small"
    assert plan_validation(_data(MIN_TRAIN_GROUPS), TrainConfig()).skipped is None
    assert plan_validation(train_part, TrainConfig(epochs=1)).skipped == "one_epoch"
    off = plan_validation(train_part, TrainConfig(early_stopping=False))
    assert off.skipped == "off" and off.fit is train_part and off.validation is None


@pytest.mark.parametrize(
    ("mrrs", "patience", "best", "run", "reason"),
    [
        ([0.30, 0.50, 0.40, 0.45, 0.90, 0.90], 2, 2, 4, "patience"),  # 2 epochs without beating 0.50
        ([0.30, 0.50, 0.40, 0.45, 0.90, 0.90], 3, 5, 6, "max_epochs"),  # patience 3 reaches the better epoch 5
        ([0.50, 0.50, 0.50, 0.60, 0.70, 0.80], 2, 1, 3, "patience"),  # a tie is no improvement
        ([0.10, 0.20, 0.30, 0.40, 0.50, 0.60], 1, 6, 6, "max_epochs"),
    ],
)
def test_the_kept_epoch_is_the_best_on_validation_and_patience_stops(tiny_model_dir, monkeypatch, mrrs, patience,
                                                                     best, run, reason):
    _scripted(monkeypatch, mrrs)
    data, validation = _data(24), _data(44, start=24)
    encoder = _encoder(tiny_model_dir)
    snapshots = {}

    def at_epoch_end(info):
        if info.step % (info.total_steps // 6) == 0:  # the callback runs after each optimiser step
            snapshots[info.epoch] = _weights(encoder)

    result = train(encoder, build_loss("clip"), data, TrainConfig(epochs=6, batch_size=8, learning_rate=1e-3,
                                                                  patience=patience),
                   callback=at_epoch_end, validation=validation)
    assert (result.best_epoch, result.epochs_completed, result.stopped_because) == (best, run, reason)
    assert [c["epoch"] for c in result.validation_curve] == list(range(1, run + 1))
    assert [c["mrr"] for c in result.validation_curve] == mrrs[:run]
    assert set(snapshots) == set(range(1, run + 1))  # no epoch after the stop was trained
    torch.testing.assert_close(_weights(encoder), snapshots[best])  # the best epoch's weights are kept
    if best != run:
        assert not torch.equal(snapshots[best], snapshots[run])


def test_real_validation_scores_pick_the_stored_best_epoch(spied_run):
    run, _spy = spied_run
    stored = read_json(run.metrics)["train"]
    curve = stored["validation"]["curve"]
    assert stored["best_epoch"] == max(curve, key=lambda c: (c["mrr"], -c["epoch"]))["epoch"]
    assert stored["epochs_run"] == len(curve) <= 3 and stored["max_epochs"] == 3
    if stored["stopped_because"] == "patience":
        assert curve[-1]["mrr"] <= curve[stored["best_epoch"] - 1]["mrr"]
        assert stored["epochs_run"] == stored["best_epoch"] + 1
    assert stored["steps"] == stored["epochs_run"] * STEPS_PER_EPOCH
    assert stored["validation"]["pairs"] == MIN_VALIDATION_GROUPS and stored["trained_pairs"] == 60


def test_resume_chooses_as_an_uninterrupted_run(tiny_model_dir, tmp_path, monkeypatch):
    mrrs = [0.50, 0.40, 0.45, 0.30]  # best epoch 1; stops after epoch 3 with patience 2
    data, validation = _data(24), _data(44, start=24)
    config = TrainConfig(epochs=4, batch_size=8, learning_rate=1e-3, seed=3)
    _scripted(monkeypatch, mrrs)
    straight = _encoder(tiny_model_dir)
    straight_loss = build_loss("joint", temperature="learn")
    expected = train(straight, straight_loss, data, config, validation=validation)

    def crash_in_epoch_three(info):
        if info.epoch == 3:
            raise KeyboardInterrupt

    _scripted(monkeypatch, mrrs)
    with pytest.raises(KeyboardInterrupt):
        train(_encoder(tiny_model_dir), build_loss("joint", temperature="learn"), data, config,
              callback=crash_in_epoch_three, checkpoint_dir=tmp_path, validation=validation)
    _scripted(monkeypatch, mrrs[2:])  # epochs 1 and 2 were scored before the crash
    resumed = _encoder(tiny_model_dir)
    loss = build_loss("joint", temperature="learn")
    result = train(resumed, loss, data, config, checkpoint_dir=tmp_path, resume=True, validation=validation)
    assert result.resumed_from_epoch == 2
    assert (result.best_epoch, result.epochs_completed, result.validation_curve) == (
        expected.best_epoch, expected.epochs_completed, expected.validation_curve)
    torch.testing.assert_close(_weights(resumed), _weights(straight))  # epoch 1's weights, from the checkpoint
    assert current_temperature(loss) == pytest.approx(current_temperature(straight_loss))  # and its learned τ


def test_without_early_stopping_training_is_as_before(tmp_path, tiny_model_dir, monkeypatch):
    spy = Spy(monkeypatch)
    run = experiment.run_experiment(_config(tmp_path, tiny_model_dir, epochs=2, early_stopping=False),
                                    RunStore(tmp_path / "store"))
    split, stored = read_json(run.split), read_json(run.metrics)["train"]
    assert split["validation_rows"] == [] and not spy.encoded
    assert spy.trained == _texts(toy_rows(ROWS), set(split["train_rows"]))  # the whole training split
    assert (stored["epochs"], stored["epochs_run"], stored["best_epoch"]) == (2, 2, 2)
    assert stored["stopped_because"] == "off" and stored["validation"] is None

    # The same weights as the trainer called the old way, on the whole training split.
    config = _config(tmp_path, tiny_model_dir, epochs=2, early_stopping=False)
    split_data = experiment.prepare_data(config)
    encoder = _encoder(tiny_model_dir)
    train(encoder, build_loss("clip", temperature=0.05), split_data.train, config.train)
    torch.testing.assert_close(_weights(_encoder(run.model)), _weights(encoder), atol=1e-6, rtol=1e-5)


def test_the_chosen_epoch_is_said_in_both_languages():
    stored = {"stopped_because": "patience", "best_epoch": 3, "epochs_run": 5, "max_epochs": 10, "patience": 2,
              "validation": {"pairs": 47, "metric": "mrr", "curve": [{"epoch": 3, "mrr": 0.8123}]}}
    assert chosen_epoch_text(stored) == ("Kept epoch 3 of at most 10. The validation score (MRR 0.812 on 47 pairs held "
                                         "out of the training split) did not improve in the 2 epochs after it, so "
                                         "training stopped after epoch 5.")
    with override("ja"):
        assert "第 3 エポック" in chosen_epoch_text(stored)
    assert "still improving" in chosen_epoch_text({**stored, "stopped_because": "max_epochs", "best_epoch": 5})
    assert "80" in chosen_epoch_text({"stopped_because": "too_small", "epochs_run": 10, "train_groups": 53})
    assert chosen_epoch_text({"steps": 10, "epochs": 1}) is None  # a run stored before early stopping


def test_settings_are_checked():
    with pytest.raises(ConfigError, match="train.patience"):
        TrainConfig(patience=0)
    with pytest.raises(ConfigError, match="train.validation_fraction"):
        TrainConfig(validation_fraction=0.6)
    assert EarlyStopping(_data(30), tilt="cosine", patience=2).epochs_without_improvement == 0
