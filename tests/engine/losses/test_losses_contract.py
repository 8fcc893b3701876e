"""Contract every registered loss keeps: values, gradients, metadata, validation."""

from __future__ import annotations

import json
import math

import pytest
import torch

from engine.errors import ConfigError
from engine.losses import LOSSES, TILTS, ConditionalLoss, ContrastiveLoss, JointLoss, build_loss
from engine.losses.base import MIN_TEMPERATURE

WEIGHTED = (0.5, 1.5)


def _build(name: str, **kwargs: object) -> ContrastiveLoss:
    return build_loss(name, weights=WEIGHTED if name == "weighted" else None, **kwargs)  # type: ignore[arg-type]


def _pairs(seed: int = 0, n: int = 8, d: int = 6, noise: float = 0.1) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    left = torch.randn(n, d, generator=g)
    return left, left + noise * torch.randn(n, d, generator=g)


@pytest.mark.parametrize("tilt", TILTS)
@pytest.mark.parametrize("name", list(LOSSES))
def test_scalar_finite_value_and_gradients(name: str, tilt: str) -> None:
    left, right = _pairs()
    left.requires_grad_(True)
    right.requires_grad_(True)
    value = _build(name, tilt=tilt).compute_loss_from_embeddings([left, right])
    assert value.ndim == 0 and math.isfinite(value.item())
    value.backward()
    for grad in (left.grad, right.grad):
        assert grad is not None and torch.isfinite(grad).all() and grad.abs().sum() > 0


@pytest.mark.parametrize("name", list(LOSSES))
def test_metadata(name: str) -> None:
    loss = _build(name, tilt="l2", temperature="learn")
    config = json.loads(json.dumps(loss.get_config_dict()))
    assert config["loss"] == name == loss.name
    assert config["tilt"] == "l2"
    assert config["temperature"] == pytest.approx(1.0)
    assert config["learn_temperature"] is True
    expected_weights = {
        "clip": [1, 1],
        "left-given-right": [2, 0],
        "right-given-left": [0, 2],
        "weighted": list(WEIGHTED),
    }
    assert config["weights"] == expected_weights.get(name)
    assert "2505.24134" in loss.citation and "@misc" in loss.citation


@pytest.mark.parametrize("tilt", TILTS)
@pytest.mark.parametrize("name", list(LOSSES))
def test_aligned_pairs_score_lower_than_random_pairs(name: str, tilt: str) -> None:
    left, right = _pairs(noise=0.05)
    shuffled = right[torch.randperm(8, generator=torch.Generator().manual_seed(1))]
    loss = _build(name, tilt=tilt)
    aligned = loss.compute_loss_from_embeddings([left, right])
    random = loss.compute_loss_from_embeddings([left, shuffled])
    assert aligned.item() < random.item()


@pytest.mark.parametrize("name", list(LOSSES))
def test_permuting_the_batch_leaves_the_value_unchanged(name: str) -> None:
    left, right = _pairs(noise=0.5)
    labels = torch.tensor([0, 1, 2, 0, 3, 4, 2, 5])
    perm = torch.randperm(8, generator=torch.Generator().manual_seed(2))
    loss = _build(name, tilt="cosine")
    before = loss.compute_loss_from_embeddings([left, right], labels)
    after = loss.compute_loss_from_embeddings([left[perm], right[perm]], labels[perm])
    torch.testing.assert_close(before, after)


@pytest.mark.parametrize("name", list(LOSSES))
def test_learned_temperature_gets_a_gradient(name: str) -> None:
    left, right = _pairs(noise=0.5)
    loss = _build(name, tilt="cosine", temperature="learn")
    assert loss.temperature == pytest.approx(0.05)
    assert [n for n, _ in loss.named_parameters()] == ["log_scale"]
    loss.compute_loss_from_embeddings([left, right]).backward()
    assert loss.log_scale.grad is not None and loss.log_scale.grad.abs().item() > 0


def test_fixed_temperature_has_no_parameters_and_learn_flag_uses_the_given_start() -> None:
    assert list(build_loss("clip", temperature=0.2).parameters()) == []
    loss = ConditionalLoss(tilt="dot", temperature=0.5, learn_temperature=True)
    assert loss.temperature == pytest.approx(0.5)
    assert loss.log_scale.item() == pytest.approx(math.log(2.0))


def test_learned_temperature_is_clamped_but_can_come_back() -> None:
    loss = build_loss("clip", temperature="learn")
    with torch.no_grad():
        loss.log_scale.fill_(math.log(1e6))  # an optimiser step overshooting to tau = 1e-6
    assert loss.temperature == pytest.approx(MIN_TEMPERATURE)
    left, right = _pairs()
    loss.compute_loss_from_embeddings([left, right]).backward()
    assert loss.log_scale.grad is not None and loss.log_scale.grad.item() != 0.0


def test_weights_validation() -> None:
    for bad in [(-1.0, 1.0), (0.0, 0.0), (1.0, math.inf), (1.0,)]:
        with pytest.raises(ConfigError, match="loss.weights"):
            ConditionalLoss(weights=bad)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="needs weights"):
        build_loss("weighted")
    with pytest.raises(ConfigError, match=r"fixed at \(1.0, 1.0\).*'weighted'"):
        build_loss("clip", weights=(2.0, 0.0))
    with pytest.raises(ConfigError, match="no weights"):
        build_loss("joint", weights=(1.0, 1.0))
    assert build_loss("clip", weights=(1, 1)).weights == (1.0, 1.0)
    assert build_loss("left-given-right", weights=(2.0, 0.0)).name == "left-given-right"
    assert ConditionalLoss(weights=(0.0, 2.0)).name == "right-given-left"
    assert isinstance(build_loss("joint"), JointLoss)


def test_unknown_names_list_the_options() -> None:
    with pytest.raises(ConfigError) as err:
        build_loss("infonce")
    assert all(name in str(err.value) for name in LOSSES) and "infonce" in str(err.value)
    with pytest.raises(ConfigError) as err:
        build_loss("clip", tilt="angular")
    assert all(tilt in str(err.value) for tilt in TILTS)


@pytest.mark.parametrize("temperature", [0.0, -1.0, math.nan, "hot", True])
def test_bad_temperatures_are_rejected(temperature: object) -> None:
    with pytest.raises(ConfigError, match="loss.temperature"):
        build_loss("clip", temperature=temperature)  # type: ignore[arg-type]


def test_learned_temperature_must_start_inside_its_range() -> None:
    with pytest.raises(ConfigError, match="learned"):
        ConditionalLoss(temperature=0.001, learn_temperature=True)


def test_bad_inputs_are_rejected() -> None:
    loss = build_loss("clip")
    left, right = _pairs()
    with pytest.raises(ConfigError, match="exactly 2"):
        loss.compute_loss_from_embeddings([left, right, right])
    with pytest.raises(ConfigError, match="same shape"):
        loss.compute_loss_from_embeddings([left, right[:4]])
    with pytest.raises(ConfigError, match="labels"):
        loss.compute_loss_from_embeddings([left, right], torch.zeros(3))
    with pytest.raises(ConfigError, match="without a model"):
        loss([{"input_ids": torch.zeros(1)}], None)


@pytest.mark.parametrize("name", list(LOSSES))
def test_distinct_labels_change_nothing_and_shared_labels_do(name: str) -> None:
    left, right = _pairs(n=5, noise=0.5)
    loss = _build(name, tilt="dot", temperature=1.0)
    plain = loss.compute_loss_from_embeddings([left, right])
    distinct = loss.compute_loss_from_embeddings([left, right], torch.tensor([7, 3, 9, 1, 4]))
    shared = loss.compute_loss_from_embeddings([left, right], torch.tensor([7, 3, 7, 1, 4]))
    torch.testing.assert_close(plain, distinct)
    assert abs(shared.item() - plain.item()) > 1e-6


@pytest.mark.parametrize("name", list(LOSSES))
def test_half_precision_inputs_are_scored_in_float32(name: str) -> None:
    left, right = _pairs(noise=0.5)
    left16, right16 = left.bfloat16().requires_grad_(True), right.bfloat16().requires_grad_(True)
    loss = _build(name, tilt="cosine")
    expected = loss.compute_loss_from_embeddings([left16.float(), right16.float()])
    with torch.autocast("cpu", dtype=torch.bfloat16):
        value = loss.compute_loss_from_embeddings([left16, right16])
    assert value.dtype == torch.float32
    torch.testing.assert_close(value, expected, rtol=0, atol=0)
    value.backward()
    assert left16.grad is not None and left16.grad.dtype == torch.bfloat16
