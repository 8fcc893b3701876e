"""A comparison keeps one model in memory at a time, and freed heap pages go back to the system (issue 13, 1(c)).

Peak RSS itself is measured in bench/bench_compare.py (too slow and too noisy for the suite); here
the causes it depends on are checked directly: which models are still alive, and whether
``release_freed_memory`` really shrinks the process.
"""

from __future__ import annotations

import sys
import weakref
from pathlib import Path

import pytest
from conftest import toy_rows, write_csv


def _rss_mb() -> float:
    import os

    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class _ModelTracker:
    """Weak references to every encoder and optimiser a comparison creates, and what was alive when."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import torch

        import engine.compare
        import engine.experiment

        self.encoders: list[weakref.ref] = []
        self.optimisers: list[weakref.ref] = []
        self.alive_at_load: list[int] = []  # models alive as each new one was loaded
        self.alive_at_analysis: list[int] = []
        load, analyse, adamw_init = engine.experiment.encoder_from_config, engine.experiment._analyse, torch.optim.AdamW.__init__

        def tracked_load(*args, **kwargs):
            self.alive_at_load.append(self.alive(self.encoders))
            encoder = load(*args, **kwargs)
            self.encoders.append(weakref.ref(encoder))
            return encoder

        def tracked_analyse(*args, **kwargs):
            self.alive_at_analysis.append(self.alive(self.encoders))
            return analyse(*args, **kwargs)

        def tracked_adamw(optimiser, *args, **kwargs):
            adamw_init(optimiser, *args, **kwargs)
            self.optimisers.append(weakref.ref(optimiser))

        monkeypatch.setattr(engine.experiment, "encoder_from_config", tracked_load)
        monkeypatch.setattr(engine.compare, "encoder_from_config", tracked_load)
        monkeypatch.setattr(engine.experiment, "_analyse", tracked_analyse)
        monkeypatch.setattr(torch.optim.AdamW, "__init__", tracked_adamw)

    @staticmethod
    def alive(refs: list[weakref.ref]) -> int:
        return sum(ref() is not None for ref in refs)


def test_a_comparison_holds_one_model_at_a_time(monkeypatch, tmp_path, tiny_model_dir):
    from engine.cli import main

    tracker = _ModelTracker(monkeypatch)
    data = write_csv(tmp_path / "pairs.csv", toy_rows(60))
    assert main(["compare", str(data), "--losses", "clip,joint", "--epochs", "1", "--model", str(tiny_model_dir),
                 "--max-seq-length", "16", "--batch-size", "8", "--device", "cpu", "--latent-map", "pca",
                 "--bootstrap", "100", "--out", str(tmp_path / "store")]) == 0
    # The base model (evaluated once for every run) and one model per run were loaded ...
    assert len(tracker.encoders) == 3 and len(tracker.optimisers) == 2
    # ... each only after the one before it was freed (no gc.collect() here: the comparison frees them),
    assert tracker.alive_at_load == [0, 0, 0]
    # no model is held while a run's stored evidence is computed (the analysis reads files only),
    assert tracker.alive_at_analysis == [0, 0]
    # and nothing of a finished run stays behind.
    assert tracker.alive(tracker.encoders) == 0 and tracker.alive(tracker.optimisers) == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's (Linux)")
def test_release_freed_memory_hands_fragmented_heap_back():
    from engine.process_memory import release_freed_memory

    # 64 KiB blocks come from the heap (below the mmap threshold); freeing every other one leaves
    # holes that free() alone never returns, so the process keeps ~100 MiB it does not use.
    blocks = [bytearray(64 * 1024) for _ in range(3200)]
    for block in blocks:
        block[::4096] = b"x" * len(block[::4096])  # touch every page, so it is resident
    del blocks[::2]
    holding = _rss_mb()
    release_freed_memory()
    assert holding - _rss_mb() > 60, "about 100 MiB of freed heap pages should go back to the system"
    assert len(blocks) == 1600  # the live half is untouched


def test_spilled_best_weights_are_held_on_disk_and_restored_bit_for_bit(tmp_path, tiny_model_dir, monkeypatch):
    import torch

    import engine.train.early_stopping as early_stopping
    from engine.models import load_encoder

    encoder = load_encoder(str(tiny_model_dir), device="cpu")
    loss_fn = torch.nn.Linear(1, 1)  # stands in for a loss with state (a learned temperature)
    scores = iter([0.5, 0.4])  # epoch 1 is the best
    monkeypatch.setattr(early_stopping, "validation_scores",
                        lambda *args: {"recall@1": 0.0, "mrr": next(scores)})
    stopper = early_stopping.EarlyStopping(None, tilt="cosine", patience=5, spill_dir=tmp_path / "checkpoint")
    best = {k: v.clone() for k, v in [*encoder.state_dict().items(), *loss_fn.state_dict().items()]}
    stopper.after_epoch(1, encoder, loss_fn)
    spilled = list((tmp_path / "checkpoint").iterdir())
    assert len(spilled) == 1 and stopper._best_encoder is None  # on disk, not in memory
    with torch.no_grad():  # epoch 2 moves every weight and scores worse
        for parameter in [*encoder.parameters(), *loss_fn.parameters()]:
            parameter.add_(0.125)
    stopper.after_epoch(2, encoder, loss_fn)
    saved = stopper.checkpoint_state()
    assert all(torch.equal(saved["best_encoder"][k], best[k]) for k in saved["best_encoder"])
    stopper.restore_best(encoder, loss_fn)
    restored = [*encoder.state_dict().items(), *loss_fn.state_dict().items()]
    assert all(torch.equal(v, best[k]) for k, v in restored)
    assert not spilled[0].exists()
