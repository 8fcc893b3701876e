"""The text each side's items get in front (E5: ``"query: "`` left, ``"passage: "`` right), from a model's prompts.

Torch-free, so the audit's token counter (:mod:`engine.data.token_lengths`) reads the same prefixes
the encoder (:class:`engine.models.DualEncoder`) applies.
"""

from __future__ import annotations

from collections.abc import Mapping

# The sentence-transformers prompt names that hold each side's prefix in a saved model.
PROMPT_NAMES = {"left": ("query",), "right": ("passage", "document")}


def side_prefixes(prompts: Mapping[str, str] | None) -> dict[str, str]:
    """Each side's prefix from a model's saved prompts: left from ``query``, right from ``passage`` or ``document``."""
    prompts = prompts or {}
    return {side: next((str(prompts[n]) for n in names if prompts.get(n)), "") for side, names in PROMPT_NAMES.items()}


def prompts_of(prefixes: Mapping[str, str]) -> dict[str, str]:
    """The prompts to save for these side prefixes (the inverse of :func:`side_prefixes`)."""
    return {"query": prefixes.get("left", ""), "passage": prefixes.get("right", "")}
