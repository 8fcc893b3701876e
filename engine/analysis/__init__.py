"""Analysis tools: the paper's Gaussian closed forms (``gaussian_*`` modules).

The Gaussian modules are plain NumPy (float64) and import no torch, so read-only dashboard pages
can use them.
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
