"""Defaults of a robustness study (one home: the command, the job spec and the page read them here).

Kept free of heavy imports, so ``tiltpilot --help`` and the job spec stay fast.
"""

from __future__ import annotations

DEFAULT_NOISE = (0.0, 0.1, 0.2, 0.4)  # shares of training pairs mismatched; 0 is the clean reference
DEFAULT_LOSSES = ("clip", "joint", "left-given-right", "right-given-left")
METRIC = "recall@1"  # the metric charted and whose change from the clean run is stored
DEFAULT_BOOTSTRAP = 1000  # replicates per interval
