"""The paper's Gaussian analysis (digest §5-6): closed forms, the fit of real embeddings, and the lab.

| module | what |
|---|---|
| ``blocks`` | covariance blocks ``(C_uu, C_uv, C_vv)``, their checks, symmetric matrix powers |
| ``optima`` | closed-form optimal encoders and losses (Theorems 5.1, 5.3, 5.6; rank-r L2 numerically) |
| ``losses`` | population values of the losses at given linear encoders |
| ``conditionals`` | model and true conditionals ``u | v``, and the conditional-mean error |
| ``examples`` | the paper's 2-D and Gaussian-process examples; a sampler of Gaussian pairs |
| ``fit`` | ``CrossModalGaussianFit``: one joint Gaussian fitted to paired embeddings (CCA, mutual information) |
| ``lab`` | ``run_lab`` (``tiltpilot gaussian-lab``): learned linear encoders against the closed forms |
| ``linear_encoders`` | the lab's training loop with the real batch losses (the only module here importing torch) |

The closed forms are re-exported by :mod:`engine.analysis`.
"""
