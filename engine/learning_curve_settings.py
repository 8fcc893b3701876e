"""Learning-curve settings that the job spec, the CLI and the dashboard share, without importing torch.

Training seeds per point: three is the fewest that measure a spread between training runs (with two,
the Student-t quantile of the seed mean is 12.7 and the interval is mostly that quantile). The cost is
``len(fractions) x seeds`` training runs: the default 4 fractions (1/8, 1/4, 1/2, all) x 3 seeds train
on 3 x 1.875 = 5.6 times the training split, about 1.4 times a 4-loss comparison.
"""

from __future__ import annotations

DEFAULT_SEEDS = 3  # training runs per learning-curve point
# Doubling steps give evenly spaced points on the log axis the power law is fitted on.
DEFAULT_FRACTIONS: tuple[float, ...] = (0.125, 0.25, 0.5, 1.0)
CURVE_BOOTSTRAP = 500  # replicates for the point intervals and the fit
MAX_SEEDS = 10  # beyond this the cost grows and the interval barely narrows
