"""Every user-facing word of the charts: titles, axis labels, takeaway templates and the glossary.

The dashboard and the reports draw the same figures, so wording lives here once; a copy editor
changes this file only. Templates use ``str.format`` fields named after what they receive.
"""

from __future__ import annotations

DIRECTION_LABELS: dict[str, str] = {
    "left_to_right": "left → right",
    "right_to_left": "right → left",
}

METRIC_LABELS: dict[str, str] = {
    "recall@1": "Recall@1",
    "recall@5": "Recall@5",
    "recall@10": "Recall@10",
    "mrr": "MRR",
    "median_rank": "median rank",
}

# Metrics whose value is a share of queries and reads best as a percentage.
PERCENT_METRICS: frozenset[str] = frozenset({"recall@1", "recall@5", "recall@10", "mrr"})
LOWER_IS_BETTER: frozenset[str] = frozenset({"median_rank"})

STAGE_LABELS: dict[str, str] = {"base": "base model", "tuned": "fine-tuned"}

# --- retrieval -----------------------------------------------------------------------------------
RETRIEVAL_TITLE = "{metric} ({direction}): base vs fine-tuned, with 95% intervals"
RETRIEVAL_X = "run"
RETRIEVAL_CHANCE = "chance level"
RETRIEVAL_HOVER = "%{customdata[0]}<br>%{customdata[1]}: %{y:.3f}<extra></extra>"
RETRIEVAL_TAKEAWAY = "Best after fine-tuning: {run}, {metric} ({direction}) {base} → {tuned} ({change})."
RETRIEVAL_SIGNIFICANT = " The change is larger than chance variation (95% interval excludes zero)."
RETRIEVAL_NOT_SIGNIFICANT = " The change could be noise: its 95% interval includes zero."

# --- training loss -------------------------------------------------------------------------------
LOSS_TITLE = "Training loss per optimiser step"
LOSS_X = "optimiser step"
LOSS_Y = "training loss (lower is better)"
LOSS_HOVER = "%{customdata[0]}<br>step %{x}: loss %{y:.4f}<extra></extra>"
LOSS_TAKEAWAY = "The training loss went down in {fell} of {total} runs (first quarter of steps vs last quarter)."
LOSS_TAKEAWAY_EMPTY = "No training steps are recorded yet."

# --- similarity ----------------------------------------------------------------------------------
SIMILARITY_TITLE = "Similarity scores: true pairs vs wrong candidates"
SIMILARITY_X = "similarity score"
SIMILARITY_Y = "share of scores"
SIMILARITY_SERIES: dict[str, str] = {
    "positive": "true pairs",
    "in_batch": "in-batch wrong items",
    "hardest": "closest wrong item",
}
SIMILARITY_THRESHOLD = "threshold {threshold:.3f}"
SIMILARITY_HOVER = "%{customdata[0]}<br>score %{x:.3f}<br>%{customdata[1]} scores (%{y:.1%})<extra></extra>"
SIMILARITY_TAKEAWAY = (
    "The fine-tuned model tells a true pair from the closest wrong item with AUC {tuned_auc:.2f} "
    "(base {base_auc:.2f}); above the suggested threshold {threshold:.2f} it finds {recall:.0%} of "
    "true pairs, and {precision:.0%} of what it accepts is right."
)

# --- calibration ---------------------------------------------------------------------------------
CALIBRATION_TITLE = "Confidence vs accuracy ({direction})"
CALIBRATION_X = "model confidence in its top answer"
CALIBRATION_Y = "share of top answers that are right"
CALIBRATION_DIAGONAL = "perfectly calibrated"
CALIBRATION_CURVE = "{which} τ = {temperature:.3g} (ECE {ece:.3f})"
CALIBRATION_WHICH: dict[str, str] = {"training": "training", "fitted": "fitted"}
CALIBRATION_HOVER = (
    "confidence %{x:.2f}<br>right %{y:.0%}<br>%{customdata[0]} queries<extra>%{customdata[1]}</extra>"
)
CALIBRATION_TAKEAWAY = (
    "At the training temperature the model is {state}: it is right {accuracy:.0%} of the time and "
    "claims {confidence:.0%} (ECE {ece:.3f}; 0 is perfect). A refitted temperature {fitted:.3g} gives ECE {fitted_ece:.3f}."
)
CALIBRATION_STATES: dict[str, str] = {
    "under": "under-confident",
    "over": "over-confident",
    "even": "well calibrated",
}

# --- latent map ----------------------------------------------------------------------------------
LATENT_TITLE = "Map of both sides ({stage}, {method})"
LATENT_X = "map axis 1"
LATENT_Y = "map axis 2"
LATENT_LINKS = "pair links"
LATENT_HOVER = "%{customdata[1]}<br>pair %{customdata[0]}<extra>%{customdata[2]}</extra>"
LATENT_TRUNCATION = "…"

# --- low-rank fit --------------------------------------------------------------------------------
SPECTRUM_TITLE = "Canonical correlations between the two sides"
SPECTRUM_X = "canonical direction"
SPECTRUM_Y = "correlation"
SPECTRUM_TAKEAWAY = (
    "The strongest shared direction correlates {tuned_top:.2f} after fine-tuning (base {base_top:.2f}); "
    "the two sides share {tuned_bits:.1f} bits of information (base {base_bits:.1f})."
)
CAPTURED_TITLE = "How many directions carry the shared information"
CAPTURED_X = "number of directions"
CAPTURED_Y = "share of the dependence captured"
CAPTURED_LINE = "90% of the dependence"
CAPTURED_MARKER = "{stage}: 90% at {rank}"
CAPTURED_TAKEAWAY = (
    "The fine-tuned embeddings need {tuned_rank} of {dim} directions to carry 90% of what links the two "
    "sides (base: {base_rank})."
)

# --- learning curve ------------------------------------------------------------------------------
LEARNING_TITLE = "Recall@1 ({direction}) against training pairs"
LEARNING_X = "training pairs"
LEARNING_Y = "Recall@1"
LEARNING_POINTS = "measured (95% interval)"
LEARNING_FIT = "fitted curve a − b·n^(−c)"
LEARNING_PREDICTIONS = "predicted at 2× and 4×"
LEARNING_BASE = "base model"
LEARNING_TAKEAWAY = (
    "With {pairs} training pairs Recall@1 is {measured:.0%}; the fitted curve predicts {p2:.0%} "
    "(95% interval {p2_low:.0%}–{p2_high:.0%}) at {n2} pairs and {p4:.0%} at {n4}."
)
LEARNING_TAKEAWAY_NO_FIT = "With {pairs} training pairs Recall@1 is {measured:.0%}; no curve could be fitted."

# --- rank movement -------------------------------------------------------------------------------
RANK_TITLE = "Rank of the true item per query ({direction}): base vs fine-tuned"
RANK_X = "rank with the base model"
RANK_Y = "rank after fine-tuning"
RANK_SERIES: dict[str, str] = {"improved": "ranked higher", "unchanged": "unchanged", "worse": "ranked lower"}
RANK_DIAGONAL = "no change"
RANK_HOVER = "base rank %{x}<br>tuned rank %{y}<br>%{customdata[0]} queries<extra></extra>"
RANK_TAKEAWAY = (
    "Fine-tuning ranks the true item higher for {improved} of {total} queries and lower for {worse}; "
    "{unchanged} are unchanged."
)

GLOSSARY: dict[str, str] = {
    "Recall@1": "Share of searches whose first result is the true partner item.",
    "Recall@5": "Share of searches with the true partner item among the first five results.",
    "Recall@10": "Share of searches with the true partner item among the first ten results.",
    "MRR": "Mean reciprocal rank: 1 when the true item is always first, 0.5 when always second, and so on.",
    "median rank": "Half of the searches find the true item at this position or better.",
    "95% interval": "The range that holds the true value in 95 of 100 repeats of this test (bootstrap).",
    "chance level": "What random ranking would score; a useful model is far above it.",
    "AUC": "Probability that a true pair scores higher than a wrong one; 0.5 is guessing, 1 is perfect.",
    "threshold": "Score above which a pair is accepted as a match; chosen to balance precision and recall.",
    "precision": "Share of accepted matches that are right.",
    "recall": "Share of true pairs that are accepted.",
    "ECE": "Expected calibration error: average gap between the confidence the model claims and how often it is right.",
    "temperature (τ)": "Sharpness of the model's scores; a smaller τ makes it more confident.",
    "canonical correlation": "How strongly one direction of the left embeddings moves with one direction of the right.",
    "captured dependence": "Share of the link between the two sides explained by the strongest directions.",
    "mutual information": "How much knowing one side tells about the other, in bits, under a Gaussian fit.",
    "latent map": "A 2-D picture of the embeddings: nearby points are items the model finds similar.",
    "learning curve": "How retrieval improves with more training pairs, extrapolated with a fitted curve.",
}

OPTIMUM_TITLE = "How close the scores are to the paper's Gaussian optimum (base features, linear read-out)"
OPTIMUM_Y = "value"
OPTIMUM_BARS = {
    "conditional": "distance to the CLIP-loss optimum (0 = optimal)",
    "joint": "distance to the joint-loss optimum (0 = optimal)",
    "gain": "share of the best possible gain reached",
}
OPTIMUM_TAKEAWAY = (
    "After fine-tuning the scores reach {tuned_gain:.0%} of the best gain a linear model of the base features "
    "could reach (base {base_gain:.0%}); distance to the CLIP-loss optimum {tuned_dist:.2f} (base {base_dist:.2f})."
)
