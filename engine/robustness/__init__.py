"""Robustness to noisy pairs: how each loss holds up when a share of the training pairs is wrong.

:func:`engine.robustness.mismatch.mismatch_pairs` spoils an exact, seeded share of a training
split; :func:`engine.robustness.study.run_robustness` trains every loss at every noise level and
stores Recall@1 with intervals in ``<store>/robustness.json``; ``tiltpilot robustness``
(:mod:`engine.robustness.cli`) runs it. The package itself imports nothing heavy (the command
line loads it at start-up); import the submodules.
"""
