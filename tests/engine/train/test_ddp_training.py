"""Data-parallel training (DDP over gloo, two CPU processes) equals single-process training on the global batch.

Two spawned processes each train the tiny model for one epoch of 21 pairs in global batches of
8, 8 and 5 (the last split 2 + 3), each embedding its slice, the loss gathering the rest. Their
weights and learned temperature must equal those of one process training on the whole batches,
and be equal on both processes. Dropout is switched off in a copy of the tiny model: the
processes draw their own masks, which a single process cannot reproduce.

The same processes check the refusals: GradCache under torchrun, and processes that disagree on
their settings. A last test runs the real command under ``torchrun --nproc-per-node 2``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
from conftest import REPO, toy_rows, write_csv
from gloo_processes import run_processes

from engine.config import TrainConfig
from engine.data import load_pairs
from engine.errors import ConfigError
from engine.i18n import t
from engine.losses import build_loss
from engine.models import load_encoder
from engine.train import train

WORLD = 2
PAIRS = 21  # global batches of 8, 8 and 5
# Adam's update does not change when every gradient is scaled by one factor (a loss W times too
# large would train the same weights), so the last step's gradients are compared too: unclipped.
CONFIG = TrainConfig(epochs=1, batch_size=8, learning_rate=1e-3, warmup_ratio=0.0, early_stopping=False,
                     max_grad_norm=1e9)
# (loss, tilt, temperature): a learned τ must stay equal on every process. No l2 tilt here: its
# loss does not change when every embedding moves by one vector, so the last LayerNorm's bias has
# a zero gradient up to float32 rounding, which Adam turns into steps of ~lr of either sign.
CASES = (("clip", "cosine", "learn"), ("joint", "dot", "learn"), ("right-given-left", "cosine", 0.1))
TIMEOUT_S = 120.0


def _train_once(model_dir: str, data_path: str, case: tuple[str, str, object],
                config: TrainConfig = CONFIG) -> dict[str, object]:
    name, tilt, temperature = case
    # float64: a gradient that is zero in exact arithmetic (an attention key's bias) is float32
    # rounding noise of either sign, which Adam's g / (|g| + 1e-8) would blow up to ~lr.
    encoder = load_encoder(model_dir, device="cpu", max_seq_length=32).double()
    loss_fn = build_loss(name, tilt=tilt, temperature=temperature)
    result = train(encoder, loss_fn, load_pairs(data_path), config)
    return {"weights": {k: v.detach().clone() for k, v in encoder.state_dict().items()},
            "loss_params": [p.detach().clone() for p in loss_fn.parameters()],
            # what the last step applied (the uneven batch: 2 + 3 rows on two processes)
            "grads": {k: p.grad.clone() for k, p in encoder.named_parameters() if p.grad is not None},
            "loss_grads": [p.grad.clone() for p in loss_fn.parameters()],
            "history": result.history, "steps": result.steps}


def _refusal(model_dir: str, data_path: str, config: TrainConfig) -> str | None:
    try:
        _train_once(model_dir, data_path, CASES[0], config)
    except ConfigError as exc:
        return str(exc)
    return None


def _worker(rank: int, port: int, model_dir: str, data_path: str, out_dir: str) -> None:
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=WORLD)
    try:
        results: dict[object, object] = {case: _train_once(model_dir, data_path, case) for case in CASES}
        results["mini_batch"] = _refusal(model_dir, data_path, TrainConfig(**{**vars(CONFIG), "mini_batch": 2}))
        # Process 1 starts with another learning rate: both must refuse, neither may hang.
        other = TrainConfig(**{**vars(CONFIG), "learning_rate": CONFIG.learning_rate * (1 + rank)})
        results["disagree"] = _refusal(model_dir, data_path, other)
        torch.save(results, Path(out_dir) / f"rank{rank}.pt")
    finally:
        dist.destroy_process_group()



@pytest.fixture(scope="module")
def no_dropout_model(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("no_dropout") / "st"
    shutil.copytree(tiny_model_dir, folder)
    config_path = folder / "config.json"
    config = json.loads(config_path.read_text())
    config.update(hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    config_path.write_text(json.dumps(config))
    return folder


@pytest.fixture(scope="module")
def pairs_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_csv(tmp_path_factory.mktemp("ddp_data") / "pairs.csv", toy_rows(PAIRS))


@pytest.fixture(scope="module")
def per_rank(no_dropout_model: Path, pairs_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    out_dir = tmp_path_factory.mktemp("ddp_out")
    return run_processes(_worker, (str(no_dropout_model), str(pairs_csv), str(out_dir)), out_dir, world=WORLD,
                         timeout_s=TIMEOUT_S)


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(map(str, c)))
def test_two_processes_train_as_one_process_on_the_global_batch(
    per_rank: list[dict], no_dropout_model: Path, pairs_csv: Path, case: tuple[str, str, object]
) -> None:
    single = _train_once(str(no_dropout_model), str(pairs_csv), case)
    initial = load_encoder(str(no_dropout_model), device="cpu", max_seq_length=32).double().state_dict()
    assert single["steps"] == 3
    moved = max(float((single["weights"][k] - initial[k]).abs().max()) for k in initial)
    assert moved > 1e-3, "training must change the weights, or equality proves nothing"
    for rank, results in enumerate(per_rank):
        got = results[case]
        assert got["steps"] == 3
        assert got["history"] == pytest.approx(single["history"], abs=1e-5), f"rank {rank}: the global loss"
        for key, expected in single["weights"].items():
            torch.testing.assert_close(got["weights"][key], expected, rtol=0, atol=1e-5, msg=f"rank {rank}: {key}")
        for got_param, expected in zip(got["loss_params"], single["loss_params"], strict=True):
            torch.testing.assert_close(got_param, expected, rtol=0, atol=1e-6, msg=f"rank {rank}: learned τ")
        assert got["grads"].keys() == single["grads"].keys()  # the pooler's stays None under DDP too
        for key, expected in [*single["grads"].items(), *enumerate(single["loss_grads"])]:
            found = got["grads"][key] if isinstance(key, str) else got["loss_grads"][key]
            # float32 loss: equal to ~1e-5 of the tensor's scale (a W-times gradient would be off by 100 %)
            scale = float(expected.abs().max())
            assert float((found - expected).abs().max()) <= 1e-4 * scale + 1e-12, f"rank {rank}: gradient of {key}"
    if case[2] == "learn":
        assert single["loss_params"][0] != pytest.approx(torch.log(torch.tensor(1 / 0.05 if case[1] == "cosine" else 1.0)))
        torch.testing.assert_close(per_rank[0][case]["loss_params"], per_rank[1][case]["loss_params"], rtol=0, atol=0)


def test_gradcache_is_refused_under_torchrun(per_rank: list[dict]) -> None:
    expected = t("scale_out.MINI_BATCH", processes=WORLD, mini_batch=2)
    assert [results["mini_batch"] for results in per_rank] == [expected] * WORLD


def test_processes_with_other_settings_are_refused(per_rank: list[dict]) -> None:
    expected = t("scale_out.DIFFERENT_INPUTS", ranks="1")
    assert [results["disagree"] for results in per_rank] == [expected] * WORLD


def test_torchrun_train_writes_one_run_from_rank_zero(tiny_model_dir: Path, tmp_path: Path) -> None:
    # 120 pairs: 96 training groups, enough for early stopping's validation slice (scored on both
    # processes, rank 0 deciding) and an epoch checkpoint (written by rank 0 only).
    data = write_csv(tmp_path / "pairs.csv", toy_rows(120))
    store = tmp_path / "store"
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", str(WORLD), "--standalone",
               "-m", "engine", "train", str(data), "--model", str(tiny_model_dir), "--max-seq-length", "32",
               "--batch-size", "8", "--epochs", "2", "--device", "cpu", "--no-analysis", "--json", "--out", str(store)]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)  # rank 0 alone prints: one JSON document
    runs = [p for p in store.iterdir() if p.is_dir()]
    assert [str(p) for p in runs] == [result["run_dir"]]
    status = json.loads((runs[0] / "status.json").read_text())
    assert status["state"] == "done"
    train_summary = result["train"]
    assert train_summary["trained_pairs"] == 76 and train_summary["steps"] == 20  # 2 epochs of ceil(76 / 8) batches
    assert [point["epoch"] for point in train_summary["validation"]["curve"]] == [1, 2]
    assert not (runs[0] / "checkpoint").exists()  # the one saved after epoch 1 is gone with the finished run
