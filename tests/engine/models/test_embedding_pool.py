"""Evaluation embedding with a pool of processes (engine/models/embedding_pool.py).

Each pool start spawns two workers that import torch (seconds), so the pooled encodes run once per
tower layout in module-scoped fixtures (two pool starts in all) and the tests read their results.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from conftest import COLOURS, ITEMS, MATERIALS, SIZES, toy_rows, write_csv

from engine.cli import main
from engine.config import MAX_EMBED_PROCESSES, EvalConfig, RunConfig
from engine.errors import ConfigError
from engine.i18n import override
from engine.models import DualEncoder, load_encoder
from engine.models import embedding_pool as embedding_pool_module
from engine.models.embedding_pool import POOL_MIN_TEXTS, EmbeddingPool, embedding_pool, pool_devices
from engine.models.st_compat import SentenceTransformer
from engine.names import SIDES
from engine.runs import read_json

MIN_TEXTS = 50  # the tests' threshold: lists of at least this many go to the pool
PREFIXES = {"left": "query: ", "right": "passage: "}  # E5-style


def _texts(n: int, seed: int = 0) -> list[str]:
    """Texts of 1 to 20 words, so the workers' length-sorted batches differ from one process's."""
    rng = random.Random(seed)
    words = COLOURS + ITEMS + MATERIALS + SIZES
    return [" ".join(rng.choice(words) for _ in range(rng.randint(1, 20))) for _ in range(n)]


TEXTS = _texts(3 * MIN_TEXTS)


@contextlib.contextmanager
def _inference_calls_here():
    """The sizes of the lists this process embeds itself (the spawned workers import the class unpatched)."""
    calls = []
    original = SentenceTransformer._inference

    def counting(self, inputs, **kwargs):
        calls.append(len(inputs))
        return original(self, inputs, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SentenceTransformer, "_inference", counting)
        yield calls


def _pooled_run(encoder: DualEncoder, *, fail: bool = False) -> SimpleNamespace:
    """Both sides embedded in one process and then with a 2-process CPU pool; with ``fail``, the block raises."""
    single = {side: encoder.encode(TEXTS, side) for side in SIDES}
    pooled, pids, error = {}, [], None
    with _inference_calls_here() as calls:
        try:
            with embedding_pool(encoder, 2, min_texts=MIN_TEXTS) as pool:
                pooled = {side: encoder.encode(TEXTS, side) for side in SIDES}
                pids = [process.pid for process in pool._pool["processes"]]
                if fail:
                    raise RuntimeError("evaluation failed")
        except RuntimeError as exc:
            error = exc
    return SimpleNamespace(single=single, pooled=pooled, pool=pool, pids=pids, here=list(calls), error=error)


@pytest.fixture(scope="module")
def shared_run(tiny_model_dir):
    encoder = load_encoder(str(tiny_model_dir), device="cpu", max_seq_length=32)
    encoder.prefixes = dict(PREFIXES)
    return encoder, _pooled_run(encoder)


@pytest.fixture(scope="module")
def separate_run(tiny_model_dir):
    encoder = load_encoder(str(tiny_model_dir), device="cpu", towers="separate", projection_dim=8, max_seq_length=32)
    encoder.prefixes = dict(PREFIXES)
    # The towers start as copies: move the right one, so the route taken shows in the embeddings.
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for param in encoder.model[0].sub_modules["document"].parameters():
            param.add_(0.05 * torch.randn(param.shape, generator=generator))
    return encoder, _pooled_run(encoder, fail=True)


def _gone(pid: int) -> bool:
    """The process has ended (a zombie waiting for init to reap it counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


# A command that forks a stand-in worker (set up as a pool worker is) and waits to be killed.
_KILLED_PARENT = """
import os, sys, time
from engine.parent_watch import exit_with_parent
parent = os.getpid()
child = os.fork()
if child == 0:
    exit_with_parent(parent)
    time.sleep(120)
    os._exit(0)
print(child, flush=True)
time.sleep(120)
"""


def test_workers_end_when_the_command_is_killed_outright(tmp_path):
    command = subprocess.Popen([sys.executable, "-c", _KILLED_PARENT], stdout=subprocess.PIPE, text=True,
                               cwd=Path(__file__).parents[3])
    try:
        worker = int(command.stdout.readline())
        time.sleep(0.5)  # the worker has set itself up
        assert not _gone(worker)
        command.kill()  # SIGKILL: no finally block, no atexit handler runs
        command.wait()
        deadline = time.monotonic() + 5
        while not _gone(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _gone(worker)
    finally:
        command.kill()


@pytest.mark.parametrize("run", ["shared_run", "separate_run"])
def test_pool_gives_the_single_process_embeddings(run, request):
    encoder, result = request.getfixturevalue(run)
    assert result.pool.starts == 1 and len(result.pids) == 2 and os.getpid() not in result.pids
    assert result.here == []  # no forward pass ran in this process: the workers embedded everything
    for side in SIDES:
        assert result.pooled[side].dtype == np.float32 and result.pooled[side].shape == result.single[side].shape
        np.testing.assert_allclose(result.pooled[side], result.single[side], rtol=0, atol=1e-5)


def test_the_prefix_and_the_route_matter_in_these_cases(shared_run, separate_run):
    """Guards the comparisons above: a pool that dropped the prefix or the task would not match."""
    shared, _ = shared_run
    separate, result = separate_run
    plain = DualEncoder(shared.model, towers="shared")
    assert not np.allclose(plain.encode(TEXTS[:5], "left"), shared.encode(TEXTS[:5], "left"), atol=1e-3)
    assert not np.allclose(result.single["left"], result.single["right"], atol=1e-3)
    assert separate.prefixes == PREFIXES


def test_pool_is_stopped_after_an_exception(separate_run):
    encoder, result = separate_run
    assert isinstance(result.error, RuntimeError)
    assert result.pool._pool is None and encoder.pool is None
    assert all(_gone(pid) for pid in result.pids)


def test_pool_is_stopped_after_a_normal_end(shared_run):
    encoder, result = shared_run
    assert result.pool._pool is None and encoder.pool is None
    assert all(_gone(pid) for pid in result.pids)


def test_short_lists_start_no_pool_and_embed_here(tiny_model_dir):
    encoder = load_encoder(str(tiny_model_dir), device="cpu", max_seq_length=32)
    with _inference_calls_here() as calls, embedding_pool(encoder, 2, min_texts=MIN_TEXTS) as pool:
        out = encoder.encode(TEXTS[:MIN_TEXTS - 1], "left")
        assert pool.starts == 0 and pool._pool is None
    assert calls == [MIN_TEXTS - 1] and out.shape == (MIN_TEXTS - 1, 32)
    assert encoder.pool is None


def test_pool_takes_lists_from_the_threshold_on(monkeypatch):
    started = []
    monkeypatch.setattr(embedding_pool_module, "_start", lambda model, devices: started.append(devices) or {})
    pool = EmbeddingPool(None, ["cpu", "cpu"])
    assert not pool.takes(POOL_MIN_TEXTS - 1) and started == []
    assert pool.takes(POOL_MIN_TEXTS) and pool.takes(POOL_MIN_TEXTS) and started == [["cpu", "cpu"]]
    assert not EmbeddingPool(None, []).takes(10 * POOL_MIN_TEXTS)


def test_a_pool_that_cannot_start_leaves_the_work_here(tiny_model_dir, monkeypatch):
    def no_room(model, devices):
        raise RuntimeError("unable to write to file </torch_1_2_3>: No space left on device (28)")

    monkeypatch.setattr(embedding_pool_module, "_start", no_room)
    encoder = load_encoder(str(tiny_model_dir), device="cpu", max_seq_length=32)
    single = encoder.encode(TEXTS, "left")
    with _inference_calls_here() as calls, embedding_pool(encoder, 2, min_texts=MIN_TEXTS) as pool:
        np.testing.assert_array_equal(encoder.encode(TEXTS, "left"), single)
        assert pool.starts == 0 and pool.devices == [] and calls == [len(TEXTS)]


def test_photo_encoders_and_single_process_settings_get_no_pool(tiny_model_dir):
    encoder = load_encoder(str(tiny_model_dir), device="cpu", max_seq_length=32)
    for setting in (None, 1):  # on a CPU a pool only runs when asked for
        with embedding_pool(encoder, setting) as pool:
            assert pool is None and encoder.pool is None
    photo_encoder = SimpleNamespace(device=torch.device("cpu"), pool=None)  # not a DualEncoder
    with embedding_pool(photo_encoder, 4) as pool:
        assert pool is None


def test_devices_per_setting(monkeypatch):
    cpu, cuda, mps = torch.device("cpu"), torch.device("cuda", 0), torch.device("mps")
    assert pool_devices(None, cpu) == [] and pool_devices(1, cpu) == []
    assert pool_devices(3, cpu) == ["cpu"] * 3
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 4)
    assert pool_devices(None, cuda) == ["cuda:0", "cuda:1", "cuda:2", "cuda:3"]  # one per visible GPU
    assert pool_devices(1, cuda) == []
    assert pool_devices(6, cuda) == ["cuda:0", "cuda:1", "cuda:2", "cuda:3", "cuda:0", "cuda:1"]
    assert pool_devices(4, mps) == []
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert pool_devices(None, cuda) == []  # one GPU: the calling process is as fast


@pytest.mark.parametrize("bad", [0, -2, MAX_EMBED_PROCESSES + 1, True, 2.5, "4"])
def test_setting_is_validated(bad):
    with pytest.raises(ConfigError, match=r"evaluation\.embed_processes"):
        EvalConfig(embed_processes=bad)
    with override("ja"), pytest.raises(ConfigError, match="整数を指定してください"):
        EvalConfig(embed_processes=bad)


def test_setting_round_trips_and_old_runs_load():
    assert EvalConfig().embed_processes is None
    config = RunConfig.from_dict({"data": {"path": "x.csv"}, "evaluation": {"gallery": "test", "embed_processes": 4}})
    assert config.evaluation.embed_processes == 4
    assert RunConfig.from_dict({"data": {"path": "x.csv"}, "evaluation": {"gallery": "test"}}).evaluation.embed_processes is None


@pytest.mark.parametrize("command", ["train", "evaluate", "compare"])
def test_flag_is_refused_before_anything_loads(command, capsys, tmp_path, tiny_model_dir):
    data = write_csv(tmp_path / "pairs.csv", toy_rows())
    store = [] if command == "evaluate" else ["--out", str(tmp_path / "store")]  # evaluate writes no store
    assert main([command, str(data), "--model", str(tiny_model_dir), "--embed-processes", "0", *store]) == 2
    assert "--embed-processes" in capsys.readouterr().err
    assert not (tmp_path / "store").exists()


def test_flag_reaches_both_evaluations_of_a_run(capsys, tmp_path, tiny_model_dir, monkeypatch):
    import engine.experiment

    seen = []

    @contextlib.contextmanager
    def recording(encoder, processes, **kwargs):
        seen.append((type(encoder).__name__, processes))
        yield None

    monkeypatch.setattr(engine.experiment, "embedding_pool", recording)
    data = write_csv(tmp_path / "pairs.csv", toy_rows())
    argv = ["train", str(data), "--model", str(tiny_model_dir), "--max-seq-length", "32", "--epochs", "1",
            "--no-early-stopping", "--batch-size", "16", "--device", "cpu", "--no-analysis", "--embed-processes", "3",
            "--out", str(tmp_path / "store"), "--json"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert seen == [("DualEncoder", 3), ("DualEncoder", 3)]  # the base and the tuned evaluation
    assert read_json(Path(result["run_dir"]) / "config.json")["evaluation"]["embed_processes"] == 3
