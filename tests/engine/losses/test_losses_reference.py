"""Every loss x tilt against a brute-force reference computed pair by pair from the digest §3.5 formulas."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from reference_scores import pair_score

from engine.errors import ConfigError
from engine.losses import (
    LOSSES,
    TILTS,
    build_loss,
    conditional_loss,
    joint_loss,
    left_given_right,
    right_given_left,
    similarity_matrix,
)

WEIGHTS = {"clip": (1.0, 1.0), "left-given-right": (2.0, 0.0), "right-given-left": (0.0, 2.0), "weighted": (0.5, 1.5)}
TAUS = {"cosine": 0.1, "dot": 1.0, "l2": 0.7}


def _reference(
    name: str, left: torch.Tensor, right: torch.Tensor, tilt: str, tau: float, groups: list[int] | None
) -> float:
    """The batch estimators written out with explicit sums over pairs (no tensors, no logsumexp)."""
    n = left.shape[0]
    s = [[pair_score(left[i].tolist(), right[j].tolist(), tilt, tau) for j in range(n)] for i in range(n)]

    def kept(i: int, j: int) -> bool:  # pair (left i, right j) stays in the normalisers
        return i == j or groups is None or groups[i] != groups[j]

    def right_given_left_ref() -> float:  # for each left i, normalise over right items j
        total = 0.0
        for i in range(n):
            cands = [j for j in range(n) if kept(i, j)]
            total += -s[i][i] + math.log(sum(math.exp(s[i][j]) for j in cands)) - math.log(len(cands))
        return total / n

    def left_given_right_ref() -> float:  # for each right i, normalise over left items j
        total = 0.0
        for i in range(n):
            cands = [j for j in range(n) if kept(j, i)]
            total += -s[i][i] + math.log(sum(math.exp(s[j][i]) for j in cands)) - math.log(len(cands))
        return total / n

    if name == "joint":
        pairs = [(i, j) for i in range(n) for j in range(n) if i != j and kept(i, j)]
        partition = sum(math.exp(s[i][j]) for i, j in pairs)
        return -sum(s[i][i] for i in range(n)) / n + math.log(partition) - math.log(len(pairs))
    lam_u, lam_v = WEIGHTS[name]
    return lam_u / 2 * left_given_right_ref() + lam_v / 2 * right_given_left_ref()


def _batch(seed: int = 0, n: int = 6, d: int = 4) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    left = torch.randn(n, d, generator=g, dtype=torch.float64)
    right = left + 0.8 * torch.randn(n, d, generator=g, dtype=torch.float64)
    return left, right


@pytest.mark.parametrize("tilt", TILTS)
@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("groups", [None, [0, 1, 0, 2, 3, 1]], ids=["no-mask", "group-mask"])
def test_loss_matches_pairwise_reference(name: str, tilt: str, groups: list[int] | None) -> None:
    left, right = _batch()
    tau = TAUS[tilt]
    loss = build_loss(name, tilt=tilt, temperature=tau, weights=WEIGHTS.get(name) if name == "weighted" else None)
    labels = None if groups is None else torch.tensor(groups)
    value = loss.compute_loss_from_embeddings([left, right], labels)
    assert value.dtype == torch.float64
    assert value.item() == pytest.approx(_reference(name, left, right, tilt, tau, groups), rel=1e-10, abs=1e-10)


@pytest.mark.parametrize("tilt", TILTS)
def test_functional_estimators_match_reference_with_explicit_mask(tilt: str) -> None:
    left, right = _batch(seed=1)
    groups = [0, 0, 1, 2, 2, 2]
    tau = TAUS[tilt]
    scores = similarity_matrix(left, right, tilt, tau)
    g = torch.tensor(groups)
    mask = (g[:, None] == g[None, :]) & ~torch.eye(6, dtype=torch.bool)
    cases = {
        "right-given-left": right_given_left(scores, mask),
        "left-given-right": left_given_right(scores, mask),
        "weighted": conditional_loss(scores, (0.5, 1.5), mask),
        "clip": conditional_loss(scores, (1.0, 1.0), mask),
        "joint": joint_loss(scores, mask),
    }
    for name, value in cases.items():
        assert value.item() == pytest.approx(_reference(name, left, right, tilt, tau, groups), rel=1e-10), name


def test_mask_on_the_diagonal_is_ignored() -> None:
    left, right = _batch(seed=2)
    scores = similarity_matrix(left, right, "dot", 1.0)
    full = torch.eye(6, dtype=torch.bool)
    torch.testing.assert_close(right_given_left(scores, full), right_given_left(scores))
    torch.testing.assert_close(joint_loss(scores, full), joint_loss(scores))


def test_uninformative_scores_give_zero_with_and_without_mask() -> None:
    # Equal scores everywhere = the model equals the product of marginals: every KL term is 0,
    # which pins down the -log N / -log |P| constants, also under masking.
    scores = torch.full((5, 5), 0.3, dtype=torch.float64)
    mask = torch.zeros(5, 5, dtype=torch.bool)
    mask[0, 1] = mask[1, 0] = mask[2, 4] = True
    for m in (None, mask):
        for value in (right_given_left(scores, m), left_given_right(scores, m), joint_loss(scores, m)):
            assert value.item() == pytest.approx(0.0, abs=1e-12)


def test_theorem_2_8_symmetric_cross_entropy_is_clip_plus_log_n() -> None:
    left, right = _batch(seed=3, n=7)
    left.requires_grad_(True)
    right.requires_grad_(True)
    n = left.shape[0]
    scores = similarity_matrix(left, right, "cosine", 0.05)
    targets = torch.arange(n)
    ce = 0.5 * (F.cross_entropy(scores, targets) + F.cross_entropy(scores.T, targets))
    ours = conditional_loss(scores, (1.0, 1.0))
    assert ce.item() == pytest.approx(ours.item() + math.log(n), rel=1e-12)
    g_ce = torch.autograd.grad(ce, (left, right), retain_graph=True)
    g_ours = torch.autograd.grad(ours, (left, right))
    for a, b in zip(g_ce, g_ours):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-14)


def test_one_sided_losses_are_transposes_of_each_other() -> None:
    left, right = _batch(seed=4)
    scores = similarity_matrix(left, right, "l2", 1.0)
    torch.testing.assert_close(left_given_right(scores), right_given_left(scores.T))
    torch.testing.assert_close(conditional_loss(scores, (2.0, 0.0)), left_given_right(scores))


def test_joint_loss_needs_an_unmasked_pair() -> None:
    with pytest.raises(ConfigError, match="no unmasked off-diagonal pair"):
        joint_loss(torch.zeros(1, 1))
    with pytest.raises(ConfigError, match="no unmasked off-diagonal pair"):
        joint_loss(torch.zeros(3, 3), ~torch.eye(3, dtype=torch.bool))


def test_bad_score_and_mask_shapes_are_rejected() -> None:
    with pytest.raises(ConfigError, match="square"):
        right_given_left(torch.zeros(2, 3))
    with pytest.raises(ConfigError, match="torch.bool"):
        right_given_left(torch.zeros(3, 3), torch.zeros(3, 3))
