"""The evidence a pilot stands on: what a run, a comparison or a learning curve shows, and how sure it is.

| module | what |
|---|---|
| ``run_analysis`` | computes every part below for a finished run, in the job process, into ``<run>/analysis/`` |
| ``bootstrap``, ``verdict``, ``multiplicity`` | bootstrap intervals; the paired sign-flip test and its verdicts; Holm's correction |
| ``similarity``, ``score_chunks`` | score distributions of true pairs and negatives, a match threshold; chunked scoring |
| ``calibration``, ``reliability`` | calibration of softmax(S/τ) and a fitted temperature; reliability curves and ECE |
| ``latent_map``, ``drilldown`` | a 2-D map of both sides, base against tuned; per-query base-vs-tuned top-k |
| ``low_rank``, ``shared_dependence``, ``dependence_examples`` | shared dependence and learned vs optimal; synthetic truth for its tests |
| ``power_law``, ``training_noise`` | the learning curve's saturating power law; intervals that cover seed noise |

Torch-free (safe for read-only pages): every module except ``similarity``, ``score_chunks``,
``calibration`` and ``drilldown``, which score through :mod:`engine.evaluate`; ``run_analysis``
imports those only when it runs them.
"""
