"""Gathering across processes: two CPU processes (gloo) reproduce the single-process loss.

Each process holds a slice of one fixed batch (B=8, D=4, float64). With
``gather_across_devices=True`` every process must report the single-process loss of the whole
batch, and the gradient on its own rows, divided by the world size (DDP averages over
processes), must equal the single-process gradient of those rows. An uneven split (5 + 3 rows,
the last batch of an epoch) is checked too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.distributed as dist
from gloo_processes import run_processes

from engine.losses import LOSSES, build_loss
from engine.losses.distributed import all_gather_with_grad

WORLD = 2
SPLITS = {"even": (4, 4), "uneven": (5, 3)}
TILTS_CHECKED = {"cosine": 0.1, "dot": 1.0, "l2": 1.0}
LABELS = torch.tensor([0, 1, 2, 0, 3, 1, 4, 5])  # same-group pairs fall across the process boundary
TIMEOUT_S = 60.0


def _batch() -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    left = torch.randn(8, 4, generator=g, dtype=torch.float64)
    return left, left + 0.7 * torch.randn(8, 4, generator=g, dtype=torch.float64)


def _cases() -> list[tuple[str, str, bool]]:
    return [(name, tilt, use_labels) for name in LOSSES for tilt in TILTS_CHECKED for use_labels in (False, True)]


def _loss_and_grads(
    name: str, tilt: str, left: torch.Tensor, right: torch.Tensor, labels: torch.Tensor | None, gather: bool
) -> tuple[float, torch.Tensor, torch.Tensor]:
    left = left.clone().requires_grad_(True)
    right = right.clone().requires_grad_(True)
    loss = build_loss(
        name,
        tilt=tilt,
        temperature=TILTS_CHECKED[tilt],
        weights=(0.5, 1.5) if name == "weighted" else None,
        gather_across_devices=gather,
    )
    value = loss.compute_loss_from_embeddings([left, right], labels)
    value.backward()
    assert left.grad is not None and right.grad is not None
    return value.item(), left.grad, right.grad


def _worker(rank: int, port: int, out_dir: str) -> None:
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=WORLD)
    try:
        left, right = _batch()
        results: dict[object, object] = {}
        for split_name, sizes in SPLITS.items():
            start = sum(sizes[:rank])
            rows = slice(start, start + sizes[rank])
            for name, tilt, use_labels in _cases():
                labels = LABELS[rows] if use_labels else None
                results[(split_name, name, tilt, use_labels)] = _loss_and_grads(
                    name, tilt, left[rows], right[rows], labels, gather=True
                )
            # The gather itself: each process weights the global tensor differently; the owner of a
            # slice must receive the sum of all processes' weights for it.
            x = torch.arange(sizes[rank] * 2, dtype=torch.float64).reshape(-1, 2).requires_grad_(True)
            gathered = all_gather_with_grad(x)
            weight = (rank + 1) * torch.arange(gathered.numel(), dtype=torch.float64).reshape(gathered.shape)
            (gathered * weight).sum().backward()
            results[(split_name, "gather")] = (gathered.detach(), x.grad)
        torch.save(results, Path(out_dir) / f"rank{rank}.pt")
    finally:
        dist.destroy_process_group()



@pytest.fixture(scope="module")
def per_rank(tmp_path_factory: pytest.TempPathFactory) -> list[dict[object, object]]:
    out_dir = tmp_path_factory.mktemp("dist")
    return run_processes(_worker, (str(out_dir),), out_dir, world=WORLD, timeout_s=TIMEOUT_S)


@pytest.mark.parametrize("split_name", list(SPLITS))
def test_gathered_loss_equals_single_process_loss(per_rank: list[dict[object, object]], split_name: str) -> None:
    left, right = _batch()
    sizes = SPLITS[split_name]
    for name, tilt, use_labels in _cases():
        labels = LABELS if use_labels else None
        value, grad_left, grad_right = _loss_and_grads(name, tilt, left, right, labels, gather=False)
        for rank in range(WORLD):
            start = sum(sizes[:rank])
            rows = slice(start, start + sizes[rank])
            got_value, got_left, got_right = per_rank[rank][(split_name, name, tilt, use_labels)]  # type: ignore[misc]
            where = f"{split_name} {name} {tilt} labels={use_labels} rank={rank}"
            assert got_value == pytest.approx(value, rel=1e-12, abs=1e-12), where
            torch.testing.assert_close(got_left / WORLD, grad_left[rows], rtol=1e-10, atol=1e-12, msg=where)
            torch.testing.assert_close(got_right / WORLD, grad_right[rows], rtol=1e-10, atol=1e-12, msg=where)


@pytest.mark.parametrize("split_name", list(SPLITS))
def test_all_gather_with_grad_concatenates_and_sums_gradients(
    per_rank: list[dict[object, object]], split_name: str
) -> None:
    sizes = SPLITS[split_name]
    expected = torch.cat([torch.arange(n * 2, dtype=torch.float64).reshape(-1, 2) for n in sizes])
    total_weight = sum(r + 1 for r in range(WORLD)) * torch.arange(expected.numel(), dtype=torch.float64)
    total_weight = total_weight.reshape(expected.shape)
    for rank in range(WORLD):
        gathered, grad = per_rank[rank][(split_name, "gather")]  # type: ignore[misc]
        torch.testing.assert_close(gathered, expected)
        start = sum(sizes[:rank])
        torch.testing.assert_close(grad, total_weight[start : start + sizes[rank]])


def test_gather_is_a_no_op_without_a_process_group() -> None:
    x = torch.ones(3, 2, requires_grad=True)
    assert all_gather_with_grad(x) is x
    left, right = _batch()
    plain = build_loss("joint", tilt="l2").compute_loss_from_embeddings([left, right])
    gathered = build_loss("joint", tilt="l2", gather_across_devices=True).compute_loss_from_embeddings([left, right])
    torch.testing.assert_close(plain, gathered)
