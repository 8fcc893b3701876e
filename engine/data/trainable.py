"""Whether a dataset can be trained on at all, checked before it is saved or a job is queued.

A file of one row, or of 100 copies of one pair, loads and audits fine but every job on it fails
later, and the trainer's advice for that ("lower --batch-size") does not help. The check refuses
such data up front and says what does help: more distinct pairs.
"""

from __future__ import annotations

from engine.data.dataset import PairDataset
from engine.data.error_text import keyed_error
from engine.data.load_notes import counted
from engine.data.validation import MIN_GROUPS_FOR_SPLIT, MIN_PAIRS_FOR_SPLIT

_SHOWN_TEXT_CHARS = 60  # a repeated text quoted in the message is cut to this length


def check_trainable(data: PairDataset, *, min_pairs: int = MIN_PAIRS_FOR_SPLIT) -> None:
    """Refuse data that cannot be split and trained on.

    Needs at least ``min_pairs`` distinct (left, right) pairs, two distinct texts on each side
    (two rows with the same text are never in one batch, so one text leaves every batch a single
    row), and two groups (the split keeps a group on one side).

    Args:
        data: The loaded pairs.
        min_pairs: The fewest distinct pairs accepted (the split's minimum by default).

    Raises:
        DataError: Says how many distinct pairs (or texts, or groups) there are, the minimum, and
            what to do; the message says that a smaller batch size does not help.
    """
    source = data.source or "data"
    distinct = len(set(zip(data.left, data.right, strict=True)))
    if distinct == 1:
        raise keyed_error("data_errors.ONE_DISTINCT_PAIR", source=source, rows=counted("ROW", len(data)),
                          minimum=min_pairs)
    if distinct < min_pairs:
        raise keyed_error("data_errors.TOO_FEW_DISTINCT_PAIRS", source=source, rows=len(data), distinct=distinct,
                          minimum=min_pairs)
    for role, texts in (("left", data.left), ("right", data.right)):
        if len(set(texts)) == 1:
            text = texts[0] if len(texts[0]) <= _SHOWN_TEXT_CHARS else texts[0][:_SHOWN_TEXT_CHARS] + "…"
            raise keyed_error("data_errors.ONE_DISTINCT_TEXT", source=source, role=role, text=text)
    groups = len(set(data.group))
    if groups < MIN_GROUPS_FOR_SPLIT:
        raise keyed_error("data_errors.TOO_LITTLE_DATA_ONE_GROUP", pairs=len(data), groups=groups,
                          min_pairs=min_pairs, min_groups=MIN_GROUPS_FOR_SPLIT)
