from __future__ import annotations

import pytest

from engine.config import LOSS_NAMES, TILT_NAMES, DataConfig, LossConfig, RunConfig
from engine.errors import ConfigError
from engine.losses import LOSSES, TILTS


def test_config_names_match_the_loss_registry():
    assert set(LOSS_NAMES) == set(LOSSES)
    assert tuple(TILT_NAMES) == tuple(TILTS)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "triplet"}, "loss.name: got 'triplet'"),
        ({"tilt": "hyperbolic"}, "loss.tilt: got 'hyperbolic'"),
        ({"temperature": -1.0}, "loss.temperature: got -1.0"),
        ({"temperature": "auto"}, "expected a positive number or 'learn'"),
        ({"name": "weighted"}, "needs --weights"),
        ({"name": "clip", "weights": (2.0, 0.0)}, "only applies to --loss weighted"),
        ({"name": "weighted", "weights": (0.0, 0.0)}, "not both zero"),
    ],
)
def test_loss_config_errors_name_field_and_fix(kwargs, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        LossConfig(**kwargs)


def test_data_config_test_size():
    with pytest.raises(ConfigError, match="data.test_size: got 1.5"):
        DataConfig(path="x.csv", test_size=1.5)


def test_run_config_round_trips_through_a_dict():
    config = RunConfig(data=DataConfig(path="x.csv"), loss=LossConfig(name="weighted", weights=(1.5, 0.5)))
    assert RunConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ConfigError, match="config:"):
        RunConfig.from_dict({"data": {"path": "x.csv", "bogus": 1}})
