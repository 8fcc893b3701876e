"""Plotly figures built from stored run data, shared by the dashboard and the reports.

Builders are pure: they take already-loaded dicts/arrays (see :mod:`engine.charts.load`), never
read files, never import streamlit or torch, and return the same figure for the same input.
User text reaches plotly escaped (:func:`engine.charts.text.safe_text`), because plotly renders
a subset of HTML in hover, legend and tick text. All wording is in :mod:`engine.charts.strings`.
"""

from __future__ import annotations

from engine.charts.calibration import calibration_takeaway, reliability_diagram
from engine.charts.latent import latent_map_scatter
from engine.charts.learning import learning_curve_chart, learning_interval_note, learning_takeaway
from engine.charts.low_rank import (
    canonical_spectrum,
    captured_dependence,
    captured_takeaway,
    learned_vs_optimal_chart,
    learned_vs_optimal_takeaway,
    spectrum_takeaway,
)
from engine.charts.ranks import rank_movement, rank_takeaway
from engine.charts.retrieval import retrieval_bars, retrieval_takeaway
from engine.charts.similarity import similarity_histograms, similarity_takeaway
from engine.charts.text import safe_text
from engine.charts.training import loss_curves, loss_takeaway

__all__ = [
    "calibration_takeaway",
    "canonical_spectrum",
    "learned_vs_optimal_chart",
    "learned_vs_optimal_takeaway",
    "captured_dependence",
    "captured_takeaway",
    "latent_map_scatter",
    "learning_curve_chart",
    "learning_interval_note",
    "learning_takeaway",
    "loss_curves",
    "loss_takeaway",
    "rank_movement",
    "rank_takeaway",
    "reliability_diagram",
    "retrieval_bars",
    "retrieval_takeaway",
    "safe_text",
    "similarity_histograms",
    "similarity_takeaway",
    "spectrum_takeaway",
]
