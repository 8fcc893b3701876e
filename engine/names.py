"""The project's vocabulary: loss, tilt, direction, stage and side names, defined once.

Torch-free, so the CLI's argument parser, the job spec, the dashboard's widgets and every engine
module import the same tuples. Adding a tilt or a loss starts here.
"""

from __future__ import annotations

from dataclasses import dataclass

# Training objectives (engine/losses/registry.py maps each to its class).
LOSS_NAMES: tuple[str, ...] = ("clip", "left-given-right", "right-given-left", "weighted", "joint")
# What a comparison trains unless told otherwise: the standard symmetric loss against the joint one.
COMPARED_LOSSES: tuple[str, ...] = ("clip", "joint")


@dataclass(frozen=True)
class Tilt:
    """What the engine needs to know about a tilt besides its score (engine/losses/tilts.py).

    Attributes:
        default_temperature: tau when none is given. Cosine scores live in [-1, 1], so a small tau
            (sentence-transformers' 0.05, scale 20) makes the softmax peaked; with unnormalised
            embeddings tau only rescales what the encoder can rescale itself, so the paper sets 1.
        unit_length: The tilt compares unit vectors, so a saved model ends in a Normalize module.
        st_similarity: sentence-transformers' ``similarity_fn_name`` for a saved model.
        formula: The score in the report's methods appendix (notation, the same in every language).
    """

    default_temperature: float
    unit_length: bool
    st_similarity: str
    formula: str


# The paper's tilts: cosine (normalised), dot (inner product), l2 (negative squared distance).
# A new tilt is an entry here plus its scoring function in engine/losses/tilts.py.
TILTS: dict[str, Tilt] = {
    "cosine": Tilt(0.05, True, "cosine", "s(u, v) = ⟨g(u)/|g(u)|, h(v)/|h(v)|⟩ / τ"),
    "dot": Tilt(1.0, False, "dot", "s(u, v) = ⟨g(u), h(v)⟩ / τ"),
    "l2": Tilt(1.0, False, "euclidean", "s(u, v) = −|g(u) − h(v)|² / (2τ)"),
}
TILT_NAMES: tuple[str, ...] = tuple(TILTS)
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
# What trains when photos meet texts (engine/models/image): the projection heads only; the text
# tower and the heads with the image tower locked (LiT); or everything.
IMAGE_TRAINING_MODES: tuple[str, ...] = ("heads", "lit", "full")
