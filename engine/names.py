"""The project's vocabulary: loss, tilt, direction, stage and side names, defined once.

Torch-free, so the CLI's argument parser, the job spec, the dashboard's widgets and every engine
module import the same tuples. Adding a tilt or a loss starts here.
"""

from __future__ import annotations

# Training objectives (engine/losses/registry.py maps each to its class).
LOSS_NAMES: tuple[str, ...] = ("clip", "left-given-right", "right-given-left", "weighted", "joint")
# The paper's tilts: cosine (normalised), dot (inner product), l2 (negative squared distance).
TILT_NAMES: tuple[str, ...] = ("cosine", "dot", "l2")
# The two retrieval directions: left items query right items, and the reverse.
DIRECTIONS: tuple[str, ...] = ("left_to_right", "right_to_left")
# Which side queries and which side is searched, per direction.
DIRECTION_SIDES: dict[str, tuple[str, str]] = {"left_to_right": ("left", "right"), "right_to_left": ("right", "left")}
# The pretrained model before fine-tuning, and the fine-tuned one.
STAGES: tuple[str, ...] = ("base", "tuned")
# The two kinds of item (the paper's u and v).
SIDES: tuple[str, ...] = ("left", "right")
# One network for both sides (siamese), or a tower per side.
TOWERS: tuple[str, ...] = ("shared", "separate")
