"""Analysis tools: the evidence a pilot stands on, in three parts and two shared modules.

| part | what |
|---|---|
| ``gaussian/`` | the paper's Gaussian analysis: closed forms (``blocks``, ``optima``, ``losses``, ``conditionals``, ``examples``), ``fit`` (``CrossModalGaussianFit``), the lab (``lab``, ``linear_encoders``) |
| ``evidence/`` | what a run, a comparison or a learning curve shows: ``run_analysis`` (the per-run runner into ``<run>/analysis/``), bootstrap and verdicts, similarity, calibration, latent map, drill-down, low rank, power law |
| ``labels.py`` | classification and generation from the learned conditionals (zero-shot, linear head, sampling) |
| ``checks.py`` | the input checks every analysis shares (numbers, arrays, pairs, directions) and ``unit_rows`` |
| ``wording.py`` | how results store their sentences: English text plus a catalogue key and fields |

Import modules by path (e.g. ``engine.analysis.evidence.bootstrap``); this package only re-exports
the Gaussian closed forms, so importing it never pulls in torch. Torch-free modules (safe for
read-only pages): all but ``gaussian.linear_encoders`` and ``evidence.similarity``,
``evidence.score_chunks``, ``evidence.calibration`` and ``evidence.drilldown``; ``labels`` imports
torch only inside ``tilt_scores``, and ``evidence.latent_map`` imports umap only when a map is drawn.
"""

from __future__ import annotations

from engine.analysis.gaussian.blocks import EIGEN_FLOOR, CovarianceBlocks, validate_blocks
from engine.analysis.gaussian.conditionals import (
    conditional_mean_error,
    model_conditional_u_given_v_bilinear,
    model_conditional_u_given_v_l2,
    model_marginal_cov_u,
    true_conditional_u_given_v,
)
from engine.analysis.gaussian.examples import gp_example, paper_2d_example, sample_gaussian_pairs
from engine.analysis.gaussian.losses import (
    conditional_loss_bilinear,
    joint_loss_bilinear,
    l2_one_sided_loss,
    whitened_spectral_norm,
)
from engine.analysis.gaussian.optima import (
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
