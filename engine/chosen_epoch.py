"""How a run's number of epochs was chosen: the early-stopping limits, the stop reasons and their sentence.

Kept apart from :mod:`engine.train.early_stopping` (which needs torch) so that the dashboard pages
and the CLI can say what a stored run did without loading the training code.
"""

from __future__ import annotations

import math
from typing import Any

from engine.i18n import t

# At least this many groups are held out: below it one pair moves the score by several points.
MIN_VALIDATION_GROUPS = 20
# Early stopping is skipped when the minimum slice would take more than this share of the training
# groups: the model would lose too much of its little training data.
MAX_VALIDATION_SHARE = 0.25
# The fewest training groups with which early stopping runs (80).
MIN_TRAIN_GROUPS = math.ceil(MIN_VALIDATION_GROUPS / MAX_VALIDATION_SHARE)

# Why training ended (metrics.json ``train.stopped_because``).
STOP_PATIENCE = "patience"  # no better validation score for ``patience`` epochs
STOP_CAP = "max_epochs"  # ran to the cap
SKIP_OFF = "off"  # early stopping switched off: a fixed number of epochs
SKIP_ONE_EPOCH = "one_epoch"  # a cap of one epoch leaves nothing to choose
SKIP_TOO_SMALL = "too_small"  # too few training groups to hold some out
STOP_REASONS = (STOP_PATIENCE, STOP_CAP, SKIP_OFF, SKIP_ONE_EPOCH, SKIP_TOO_SMALL)


def best_score(train: dict[str, Any]) -> float | None:
    """The kept epoch's validation score, or None without a validation curve."""
    validation = train.get("validation") or {}
    metric = validation.get("metric", "mrr")
    for point in validation.get("curve") or []:
        if point.get("epoch") == train.get("best_epoch"):
            return point.get(metric)
    return None


def chosen_epoch_text(train: dict[str, Any] | None) -> str | None:
    """One sentence, in the language in force, on how many epochs a run trained and why.

    Args:
        train: The ``train`` block of a run's ``metrics.json``.

    Returns:
        The sentence; None for a run stored before early stopping existed (no ``stopped_because``).
    """
    if not train or train.get("stopped_because") not in STOP_REASONS:
        return None
    reason, run = train["stopped_because"], train.get("epochs_run", train.get("epochs"))
    if reason == SKIP_OFF:
        return t("early_stopping.FIXED_OFF", run=run)
    if reason == SKIP_ONE_EPOCH:
        return t("early_stopping.FIXED_ONE_EPOCH")
    if reason == SKIP_TOO_SMALL:
        return t("early_stopping.FIXED_TOO_SMALL", run=run, groups=train.get("train_groups", "?"),
                 needed=MIN_TRAIN_GROUPS)
    fields = {"best": train["best_epoch"], "cap": train["max_epochs"], "run": run,
              "score": best_score(train) or 0.0, "pairs": (train.get("validation") or {}).get("pairs", "?")}
    if reason == STOP_PATIENCE:
        return t("early_stopping.CHOSEN_PATIENCE", patience=train.get("patience"), **fields)
    key = "early_stopping.CHOSEN_CAP_IMPROVING" if train["best_epoch"] == run else "early_stopping.CHOSEN_CAP"
    return t(key, **fields)
