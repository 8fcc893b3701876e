"""Classification and generation from the learned conditionals (paper §4, §6.2), for runs with labels.

Needs the encoder (label names must go through the right tower), so it runs inside the training job:
once on the pretrained encoder before training and once on the tuned encoder after.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from engine.analysis.conditionals import diversity, linear_head, sample_conditional, zero_shot_classify
from engine.data import PairDataset
from engine.models import DualEncoder

logger = logging.getLogger(__name__)

N_GENERATION_QUERIES = 20  # queries whose conditional we sample; enough for a stable diversity average
N_SAMPLES = 16  # draws per query, as in the paper's MNIST figure


def label_evidence(
    encoder: DualEncoder,
    train: PairDataset,
    test: PairDataset,
    test_left: np.ndarray,
    test_right: np.ndarray,
    *,
    tilt: str,
    temperature: float,
    seed: int = 0,
) -> dict[str, Any] | None:
    """Zero-shot and linear-head classification of left items into labels, and conditional sampling.

    Returns None when the data has no label column.

    - Zero-shot (Algorithm 2): each test left item gets the label whose *name*, embedded by the right
      tower, scores highest under the run's tilt.
    - Linear head (eqs. 32-35): a softmax head on frozen, normalised left embeddings, trained on the
      train split's left items and scored on the test split.
    - Generation: for the first test queries, 16 draws from the learned conditional over the test
      bank of right items, softmax(S/τ); few distinct draws mean a collapsed (over-confident) conditional.
    """
    if train.label is None or test.label is None:
        return None
    labels = sorted(set(train.label) | set(test.label))
    label_emb = encoder.encode(labels, "right")
    zero_shot = zero_shot_classify(test_left, label_emb, labels, tilt=tilt, true_labels=list(test.label))
    zero_shot.pop("predictions", None)
    zero_shot.pop("scores_top", None)
    train_left = encoder.encode(train.left, "left")
    head = linear_head(train_left, list(train.label), test_left, list(test.label), seed=seed)
    head.pop("predictions", None)
    queries = test_left[:N_GENERATION_QUERIES]
    draws = sample_conditional(queries, test_right, tilt=tilt, temperature=temperature, n_samples=N_SAMPLES, seed=seed)
    spread = diversity(draws, test_right)
    spread.pop("per_row", None)
    return {
        "labels": labels,
        "zero_shot": zero_shot,
        "linear_head": head,
        "generation": {"n_queries": int(len(queries)), "n_samples": N_SAMPLES, "temperature": temperature, **spread},
    }
