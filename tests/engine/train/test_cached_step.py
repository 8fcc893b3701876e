"""The cached (GradCache) step gives the uncached loss's gradients, for every loss and tilt."""

from __future__ import annotations

import pytest
import torch
from conftest import toy_rows
from torch import nn

from engine.config import TrainConfig
from engine.data.dataset import PairDataset
from engine.errors import ConfigError, TrainingError
from engine.losses import LOSSES, build_loss
from engine.models import load_encoder
from engine.names import TILT_NAMES
from engine.train import cached_step, train
from engine.train.cached_step import cached_backward

BATCH, MINI_BATCH = 24, 5  # 5 does not divide 24: the last chunk is shorter
WEIGHTS = {"weighted": (1.5, 0.5)}


class ToyTowers(nn.Module):
    """A stand-in for DualEncoder (``encoder(items, side)``): token table, dropout, one head per side.

    An item is a tuple of token ids; its embedding is the mean of its token vectors.
    """

    def __init__(self, dropout: float = 0.1) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.table = nn.Embedding(40, 12, dtype=torch.float64)
        self.drop = nn.Dropout(dropout)
        self.heads = nn.ModuleDict({side: nn.Linear(12, 6, dtype=torch.float64) for side in ("left", "right")})

    def forward(self, items, side):
        tokens = self.table(torch.tensor(items)).mean(dim=1)  # (n, 12)
        return self.heads[side](self.drop(tokens))


def _batch(n: int = BATCH, seed: int = 1):
    g = torch.Generator().manual_seed(seed)
    left = [tuple(row) for row in torch.randint(0, 40, (n, 3), generator=g).tolist()]
    right = [tuple(row) for row in torch.randint(0, 40, (n, 4), generator=g).tolist()]
    return left, right


def _loss(name, tilt, learn=False):
    return build_loss(name, tilt=tilt, weights=WEIGHTS.get(name), temperature="learn" if learn else None).double()


def _grads(*modules):
    return {f"{i}.{name}": p.grad.clone() for i, m in enumerate(modules) for name, p in m.named_parameters()
            if p.requires_grad}


def _uncached(encoder, loss_fn, left, right, labels, chunk=None):
    """The ordinary step; with ``chunk``, embedded chunk by chunk with graph (same dropout draws as cached)."""
    size = chunk or len(left)

    def embed(items, side):
        return torch.cat([encoder(items[i:i + size], side) for i in range(0, len(items), size)])

    loss = loss_fn.compute_loss_from_embeddings([embed(left, "left"), embed(right, "right")], labels)
    loss.backward()
    return loss.detach()


def _assert_same(cached: dict, uncached: dict, atol: float = 1e-10) -> None:
    assert cached.keys() == uncached.keys()
    for name in cached:
        assert torch.allclose(cached[name], uncached[name], rtol=1e-9, atol=atol), name


def _grouped_labels() -> torch.Tensor:
    labels = torch.arange(BATCH)
    labels[7] = labels[3]  # rows 3 and 7 (in different chunks) are one product: a masked false negative
    labels[20] = labels[21]  # and two rows of the short last chunk
    return labels


@pytest.mark.parametrize("learn", [False, True], ids=["fixed-tau", "learned-tau"])
@pytest.mark.parametrize("grouped", [False, True], ids=["no-labels", "groups"])
@pytest.mark.parametrize("tilt", TILT_NAMES)
@pytest.mark.parametrize("name", list(LOSSES))
def test_cached_equals_uncached_gradients(name, tilt, grouped, learn):
    left, right = _batch()
    labels = _grouped_labels() if grouped else None
    runs = []
    for cached in (True, False):
        encoder, loss_fn = ToyTowers().eval(), _loss(name, tilt, learn)  # eval: no dropout, the plain step
        if cached:
            loss = cached_backward(encoder, loss_fn, left, right, labels, mini_batch=MINI_BATCH)
        else:
            loss = _uncached(encoder, loss_fn, left, right, labels)
        runs.append((loss, _grads(encoder, loss_fn)))
    (cached_loss, cached_grads), (plain_loss, plain_grads) = runs
    assert not cached_loss.requires_grad
    assert torch.allclose(cached_loss, plain_loss, rtol=1e-12, atol=0)
    _assert_same(cached_grads, plain_grads)
    assert any(g.abs().sum() > 0 for g in cached_grads.values())  # the comparison is not of zeros
    if learn:
        assert "1.log_scale" in cached_grads


def test_groups_change_the_gradients():
    # Guards the test above: the grouped case must differ from the ungrouped one to test the mask.
    left, right = _batch()
    grads = []
    for labels in (None, _grouped_labels()):
        encoder = ToyTowers().eval()
        cached_backward(encoder, _loss("joint", "cosine"), left, right, labels, mini_batch=MINI_BATCH)
        grads.append(_grads(encoder))
    assert not torch.allclose(grads[0]["0.table.weight"], grads[1]["0.table.weight"])


@pytest.mark.parametrize("name", list(LOSSES))
def test_dropout_is_replayed_in_the_second_pass(name):
    left, right = _batch()
    tilt = TILT_NAMES[list(LOSSES).index(name) % len(TILT_NAMES)]
    runs = []
    for cached in (True, False):
        encoder, loss_fn = ToyTowers(dropout=0.3).train(), _loss(name, tilt, learn=True)
        torch.manual_seed(11)
        if cached:
            loss = cached_backward(encoder, loss_fn, left, right, None, mini_batch=MINI_BATCH)
        else:
            loss = _uncached(encoder, loss_fn, left, right, None, chunk=MINI_BATCH)
        runs.append((loss, _grads(encoder, loss_fn), torch.rand(3)))  # what the next draw would be
    (cached_loss, cached_grads, cached_next), (plain_loss, plain_grads, plain_next) = runs
    assert torch.allclose(cached_loss, plain_loss, rtol=1e-12, atol=0)
    _assert_same(cached_grads, plain_grads)
    assert torch.equal(cached_next, plain_next)  # the step leaves the generator where the plain step does


def test_without_the_replay_the_gradients_differ(monkeypatch):
    # Proves dropout is live in the test above: skipping the restore of the random state breaks equality.
    left, right = _batch()
    monkeypatch.setattr(cached_step, "_restore", lambda *args: None)
    grads = []
    for cached in (True, False):
        encoder, loss_fn = ToyTowers(dropout=0.3).train(), _loss("clip", "cosine")
        torch.manual_seed(11)
        if cached:
            cached_backward(encoder, loss_fn, left, right, None, mini_batch=MINI_BATCH)
        else:
            _uncached(encoder, loss_fn, left, right, None, chunk=MINI_BATCH)
        grads.append(_grads(encoder))
    assert not torch.allclose(grads[0]["0.table.weight"], grads[1]["0.table.weight"], atol=1e-6)


def test_a_batch_within_one_chunk_takes_the_plain_step():
    left, right = _batch(4)
    runs = []
    for cached in (True, False):
        encoder, loss_fn = ToyTowers(dropout=0.3).train(), _loss("clip", "dot")
        torch.manual_seed(5)
        if cached:
            cached_backward(encoder, loss_fn, left, right, None, mini_batch=4)
        else:
            _uncached(encoder, loss_fn, left, right, None)
        runs.append(_grads(encoder, loss_fn))
    _assert_same(*runs, atol=0)


def test_a_non_finite_loss_skips_the_second_pass():
    class NanLoss(nn.Module):
        def compute_loss_from_embeddings(self, embeddings, labels=None):
            return embeddings[0].sum() * float("nan")

    encoder = ToyTowers()
    loss = cached_backward(encoder, NanLoss(), *_batch(), None, mini_batch=MINI_BATCH)
    assert torch.isnan(loss)
    assert all(p.grad is None for p in encoder.parameters())


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_bad_mini_batch_is_refused(bad):
    with pytest.raises(ConfigError, match="train.mini_batch"):
        cached_backward(ToyTowers(), _loss("clip", "cosine"), *_batch(), None, mini_batch=bad)


@pytest.mark.parametrize("bad", [0, 33, 2.0, True])
def test_train_config_checks_mini_batch(bad):
    with pytest.raises(ConfigError, match=r"train.mini_batch.*batch size \(32\)"):
        TrainConfig(batch_size=32, mini_batch=bad)
    assert TrainConfig(batch_size=32, mini_batch=32).mini_batch == 32
    assert TrainConfig().mini_batch is None  # off by default


def _data(n: int = 40) -> PairDataset:
    rows = toy_rows(n)
    return PairDataset(left=tuple(r["title"] for r in rows), right=tuple(r["description"] for r in rows),
                       group=tuple(r["product_id"] for r in rows), row=tuple(range(1, n + 1)))


def _undropped_encoder(tiny_model_dir):
    # Dropout masks are drawn per chunk in a cached step and per batch in a plain one, so the two
    # steps agree exactly only without dropout (the replay itself is tested above).
    encoder = load_encoder(str(tiny_model_dir), device="cpu", max_seq_length=32)
    for module in encoder.modules():
        if isinstance(module, nn.Dropout):
            module.p = 0.0
    return encoder


def _flat(encoder) -> torch.Tensor:
    # An attention key bias adds the same amount to every score of a query, which the softmax
    # ignores: its true gradient is zero, so its gradient is rounding noise that AdamW scales up
    # to a full step in a random direction. It is left out of the comparison.
    return torch.cat([p.detach().flatten() for name, p in encoder.named_parameters() if "key.bias" not in name])


@pytest.mark.parametrize("name", ["clip", "joint"])
def test_trainer_with_mini_batch_matches_the_plain_trainer(tiny_model_dir, name):
    weights = []
    for mini_batch in (3, None):
        encoder, loss_fn = _undropped_encoder(tiny_model_dir), build_loss(name, temperature="learn")
        config = TrainConfig(epochs=1, batch_size=16, learning_rate=1e-3, seed=2, early_stopping=False,
                             mini_batch=mini_batch)
        result = train(encoder, loss_fn, _data(32), config)
        assert result.steps == 2
        weights.append((_flat(encoder), loss_fn.temperature, result.history))
    (cached, cached_tau, cached_losses), (plain, plain_tau, plain_losses) = weights
    assert (plain - _flat(_undropped_encoder(tiny_model_dir))).abs().max() > 1e-3  # the steps moved the weights
    assert torch.allclose(cached, plain, rtol=0, atol=1e-6)
    assert cached_tau == pytest.approx(plain_tau, rel=1e-5)
    assert cached_losses == pytest.approx(plain_losses, rel=1e-5)


def test_trainer_stops_on_a_nan_loss_with_mini_batch(tiny_model_dir):
    class NanLoss(nn.Module):
        def compute_loss_from_embeddings(self, embeddings, labels=None):
            return embeddings[0].sum() * float("nan")

    encoder = _undropped_encoder(tiny_model_dir)
    before = torch.cat([p.detach().flatten().clone() for p in encoder.parameters()])
    with pytest.raises(TrainingError, match=r"loss became nan at epoch 1, step 1"):
        train(encoder, NanLoss(), _data(), TrainConfig(epochs=1, batch_size=8, mini_batch=3, early_stopping=False))
    assert torch.equal(before, torch.cat([p.detach().flatten() for p in encoder.parameters()]))


def test_cli_flag_and_job_spec_key_reach_the_config(toy_csv):
    from engine import cli
    from engine.jobs.spec import SPEC_DEFAULTS, normalise_spec, run_configs

    parser = cli.build_parser()
    assert parser.parse_args(["compare", "pairs.csv"]).mini_batch is None
    args = parser.parse_args(["train", str(toy_csv), "--model", "a-model", "--batch-size", "256", "--mini-batch", "32"])
    assert cli._run_config(args, "clip", "cosine").train.mini_batch == 32
    assert SPEC_DEFAULTS["mini_batch"] is None
    config, _, _ = run_configs(normalise_spec({"data": str(toy_csv), "batch_size": 64, "mini_batch": 16}))
    assert (config.train.batch_size, config.train.mini_batch) == (64, 16)
    with pytest.raises(ConfigError, match=r"train.mini_batch: got 128"):
        normalise_spec({"data": str(toy_csv), "batch_size": 64, "mini_batch": 128})
