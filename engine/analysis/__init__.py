"""Analysis tools: the evidence a pilot stands on.

Modules (import them by path; this package only re-exports the Gaussian closed forms, so importing
it never pulls in torch):

| module | what |
|---|---|
| ``gaussian_*`` | the paper's closed forms (§5): optima, population losses, conditionals, examples |
| ``cross_modal_gaussian``, ``low_rank`` | Gaussian/CCA fit of paired embeddings; learned vs optimal |
| ``shared_dependence``, ``dependence_examples`` | small-sample-valid shared directions and MI; synthetic truth for its tests |
| ``gaussian_lab``, ``gaussian_lab_training`` | learned vs closed-form optima on synthetic Gaussian pairs (paper §5.4, §6.1) |
| ``bootstrap``, ``verdict`` | bootstrap intervals, the paired sign-flip test and its inverted interval, verdicts |
| ``multiplicity``, ``training_noise`` | Holm's correction over a comparison; seed variance in learning-curve intervals |
| ``score_chunks``, ``wording`` | chunked scoring helpers; number and sentence helpers of the verdicts |
| ``similarity``, ``calibration``, ``reliability`` | score distributions and threshold; calibration of softmax(S/τ) |
| ``latent_map``, ``drilldown`` | 2-D map of both modalities; per-query base-vs-tuned top-k |
| ``power_law`` | saturating power-law fit for learning curves |
| ``conditionals``, ``label_evidence`` | zero-shot / linear-head classification and conditional sampling |
| ``run_analysis`` | computes all of the above for a finished run, in the job process, into ``<run>/analysis/`` |

Torch-free (safe for read-only pages): ``gaussian_*`` (not ``gaussian_lab_training``),
``cross_modal_gaussian``, ``low_rank``, ``shared_dependence``, ``bootstrap``, ``verdict``,
``multiplicity``, ``training_noise``, ``wording``, ``reliability``, ``latent_map`` (umap is imported
only when a map is drawn), ``power_law``, ``conditionals``, ``run_analysis``, ``gaussian_lab``.
"""

from __future__ import annotations

from engine.analysis.gaussian_blocks import EIGEN_FLOOR, CovarianceBlocks, validate_blocks
from engine.analysis.gaussian_conditionals import (
    conditional_mean_error,
    model_conditional_u_given_v_bilinear,
    model_conditional_u_given_v_l2,
    model_marginal_cov_u,
    true_conditional_u_given_v,
)
from engine.analysis.gaussian_examples import gp_example, paper_2d_example, sample_gaussian_pairs
from engine.analysis.gaussian_losses import (
    conditional_loss_bilinear,
    joint_loss_bilinear,
    l2_one_sided_loss,
    whitened_spectral_norm,
)
from engine.analysis.gaussian_optima import (
    bilinear_conditional_optimum,
    canonical_correlations,
    h_shrink,
    joint_optimum,
    l2_one_sided_optimum,
    mutual_information,
    optimal_conditional_loss,
    optimal_encoders_bilinear,
    optimal_joint_loss,
    optimal_l2_one_sided_loss,
    whitened_cross_covariance,
)

__all__ = [
    "EIGEN_FLOOR",
    "CovarianceBlocks",
    "bilinear_conditional_optimum",
    "canonical_correlations",
    "conditional_loss_bilinear",
    "conditional_mean_error",
    "gp_example",
    "h_shrink",
    "joint_loss_bilinear",
    "joint_optimum",
    "l2_one_sided_loss",
    "l2_one_sided_optimum",
    "model_conditional_u_given_v_bilinear",
    "model_conditional_u_given_v_l2",
    "model_marginal_cov_u",
    "mutual_information",
    "optimal_conditional_loss",
    "optimal_encoders_bilinear",
    "optimal_joint_loss",
    "optimal_l2_one_sided_loss",
    "paper_2d_example",
    "sample_gaussian_pairs",
    "true_conditional_u_given_v",
    "validate_blocks",
    "whitened_cross_covariance",
    "whitened_spectral_norm",
]
