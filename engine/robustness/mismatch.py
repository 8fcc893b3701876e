"""Noisy training pairs: a seeded, exact share of the training split's right items put on the wrong left item.

Real catalogues hold some wrong pairs (a description filed under the wrong title). To measure how
a loss copes, :func:`mismatch_pairs` takes ``round(fraction × n)`` training rows and permutes
their right items among themselves so that every one of them lands on a row of another group
(and with a different text): a derangement across groups. So exactly that many pairs are wrong,
the set of right texts is unchanged (the same items, only mispaired), and the left items,
groups and rows stay where they were. The test split is never an input, so it cannot change.

The rows are chosen as the first ``k`` of one seeded permutation of the split, so with one seed
the wrong rows of a lower noise level are a subset of those of a higher one: a noise curve is
not confounded by *which* pairs were spoiled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.data import PairDataset
from engine.errors import ConfigError, DataError
from engine.robustness.keyed import keyed

# Random permutations tried before the constructive fallback. With one row per group a random
# permutation is a derangement with probability about 1/e, so failing 200 times is ~1e-40.
_RANDOM_TRIES = 200


@dataclass(frozen=True)
class Mismatch:
    """The noisy training data and which of its pairs were spoiled.

    Attributes:
        data: The training split with ``positions`` mispaired (everything else as given).
        positions: Positions (0-based, in the split) whose right item was replaced, ascending.
        sources: For each of ``positions``, the position whose right item it now holds.
    """

    data: PairDataset
    positions: tuple[int, ...]
    sources: tuple[int, ...]

    @property
    def rows(self) -> list[int]:
        """The 1-based source-file rows of the spoiled pairs."""
        return [self.data.row[i] for i in self.positions]


def mismatched_count(fraction: float, n_pairs: int) -> int:
    """How many of ``n_pairs`` are spoiled at noise ``fraction``: ``round(fraction × n_pairs)`` (halves to even)."""
    return round(fraction * n_pairs)


def mismatch_pairs(train: PairDataset, fraction: float, *, seed: int) -> Mismatch:
    """``train`` with ``round(fraction × len(train))`` pairs mispaired across groups.

    Args:
        train: The training split (never the test split).
        fraction: Share of pairs to spoil, in [0, 1]. 0 returns ``train`` itself, unchanged.
        seed: Seed of the row choice and of the permutation.

    Returns:
        The noisy data and the spoiled positions.

    Raises:
        ConfigError: ``fraction`` outside [0, 1].
        DataError: The share gives exactly one pair (one pair cannot swap with itself), or one group
            holds more than half of the chosen rows (its items cannot all move to other groups).
    """
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0.0 <= fraction <= 1.0:
        raise keyed(ConfigError, "robustness.ERROR_NOISE_RANGE", noise=repr(fraction))
    n = len(train)
    k = mismatched_count(fraction, n)
    if k == 0:
        return Mismatch(data=train, positions=(), sources=())
    if k == 1:
        raise keyed(DataError, "robustness.ERROR_ONE_PAIR", noise=f"{fraction:g}", pairs=n,
                    smallest=f"{1.5 / n:.3g}")
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.permutation(n)[:k])  # the first k of one permutation: nested across fractions
    perm = _derangement([train.group[i] for i in chosen], [train.right[i] for i in chosen], rng)
    sources = chosen[perm]
    right = list(train.right)
    for target, source in zip(chosen, sources, strict=True):
        right[target] = train.right[source]
    noisy = PairDataset(left=train.left, right=tuple(right), group=train.group, row=train.row, label=train.label,
                        extras=train.extras, columns=train.columns, source=train.source)
    return Mismatch(data=noisy, positions=tuple(int(i) for i in chosen), sources=tuple(int(s) for s in sources))


def _valid(perm: np.ndarray, groups: list[str], rights: list[str]) -> bool:
    """Every position gets an item of another group and with another text."""
    return all(groups[j] != groups[i] and rights[j] != rights[i] for i, j in enumerate(perm))


def _derangement(groups: list[str], rights: list[str], rng: np.random.Generator) -> np.ndarray:
    """A permutation ``p`` of ``range(k)`` with ``groups[p[i]] != groups[i]`` (and texts differing) for all i.

    Uniform among the valid ones when a random try succeeds; otherwise the constructive shift
    (rows ordered by group, largest group first, each takes the item ``m`` places on, where ``m``
    is the largest group's size), valid whenever no group holds more than half of the rows.
    """
    k = len(groups)
    for _ in range(_RANDOM_TRIES):
        perm = rng.permutation(k)
        if _valid(perm, groups, rights):
            return perm
    sizes: dict[str, int] = {}
    for g in groups:
        sizes[g] = sizes.get(g, 0) + 1
    largest = max(sizes.values())
    tiebreak = {g: r for g, r in zip(sizes, rng.permutation(len(sizes)), strict=True)}
    order = sorted(rng.permutation(k), key=lambda i: (-sizes[groups[i]], tiebreak[groups[i]]))
    perm = np.empty(k, dtype=np.int64)
    for position, i in enumerate(order):
        perm[i] = order[(position + largest) % k]
    if 2 * largest > k or not _valid(perm, groups, rights):
        raise keyed(DataError, "robustness.ERROR_ONE_GROUP", chosen=k, largest=largest)
    return perm
