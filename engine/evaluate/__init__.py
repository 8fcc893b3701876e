"""Retrieval evaluation: chunked scoring with the model's tilt, metrics with chance levels, and galleries."""

from __future__ import annotations

from engine.evaluate.gallery import GALLERIES, evaluate_against_gallery
from engine.evaluate.metrics import (
    chance_mrr,
    chance_recall_at_k,
    mean_reciprocal_rank,
    metrics_from_ranks,
    recall_at_k,
)
from engine.evaluate.retrieval import evaluate_retrieval
from engine.evaluate.scoring import first_relevant_ranks, per_query_topk, score_matrix

__all__ = [
    "GALLERIES",
    "chance_mrr",
    "chance_recall_at_k",
    "evaluate_against_gallery",
    "evaluate_retrieval",
    "first_relevant_ranks",
    "mean_reciprocal_rank",
    "metrics_from_ranks",
    "per_query_topk",
    "recall_at_k",
    "score_matrix",
]
