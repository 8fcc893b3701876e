"""The ROI result a report shows: from :mod:`engine.roi`, with the inputs it used and where they came from."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import EngineError
from engine.report import strings
from engine.report.source import ReportSource

logger = logging.getLogger(__name__)

DEFAULT_PRESET = "expected"
ORIGINS = ("given", "stored", "preset")


@dataclass
class RoiOutcome:
    """``result`` of :func:`engine.roi.evaluate` (``None`` when unavailable, with ``error`` saying why).

    ``origin`` says which inputs were used: ``"given"`` (passed to the report), ``"stored"``
    (saved with the comparison) or ``"preset"`` (the expected preset).
    """

    result: dict[str, Any] | None
    origin: str | None = None
    error: str | None = None

    @property
    def decision(self) -> dict[str, Any] | None:
        return (self.result or {}).get("decision")


def _given_inputs(roi_inputs: Any) -> Any:
    from engine.roi import RoiInputs
    from engine.roi.cli import read_inputs_file

    if roi_inputs is None or isinstance(roi_inputs, RoiInputs):
        return roi_inputs
    if isinstance(roi_inputs, (str, Path)):
        return read_inputs_file(roi_inputs)
    if isinstance(roi_inputs, dict) and isinstance(roi_inputs.get("inputs"), dict):
        roi_inputs = roi_inputs["inputs"]  # the shape the ROI page saves: {"version", "inputs"}
    return RoiInputs.from_dict(roi_inputs)


def _gallery_size(source: ReportSource) -> int | None:
    for row in source.rows:
        size = ((row.get("base") or {}).get("left_to_right") or {}).get("gallery_size")
        if size:
            return int(size)
    return None


def evaluate_roi(source: ReportSource, roi_inputs: Any = None) -> RoiOutcome:
    """The ROI of the comparison, or why there is none (never raises for missing pieces).

    Args:
        source: The loaded comparison.
        roi_inputs: ``RoiInputs``, their dict, a path to their JSON, or ``None`` for the inputs
            stored with the comparison, else the expected preset.

    Returns:
        A :class:`RoiOutcome`.

    Raises:
        EngineError: ``roi_inputs`` were given but are invalid (the user asked for them).
    """
    if source.comparison_file is None:
        return RoiOutcome(None, error=strings.ROI_NO_COMPARISON)
    try:
        from engine.roi import evaluate, load_inputs, preset
    except ImportError as exc:  # the ROI package is optional for the rest of the report
        logger.warning("engine.roi unavailable: %s", exc)
        return RoiOutcome(None, error=strings.ROI_UNAVAILABLE)
    inputs, origin = _given_inputs(roi_inputs), "given"
    try:
        if inputs is None:
            inputs, origin = load_inputs(source.comparison_file), "stored"
        if inputs is None:
            inputs, origin = preset(DEFAULT_PRESET, _gallery_size(source)), "preset"
        result = evaluate(source.comparison_file, inputs)
    except NotImplementedError:
        return RoiOutcome(None, error=strings.ROI_UNAVAILABLE)
    except EngineError as exc:
        if origin == "given":
            raise
        return RoiOutcome(None, error=strings.ROI_FAILED.format(problem=exc))
    return RoiOutcome(result, origin=origin)
