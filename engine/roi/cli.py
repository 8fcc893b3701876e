"""``tiltpilot roi STORE_OR_COMPARISON_FILE``: the ROI of a comparison and the pilot decision.

Registered by ``engine/cli.py`` (``NAME``, ``add_parser``, ``command``, ``print_result``), which
parses, sets the language, prints ``--json`` or the text, and turns engine errors into exit 2.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from engine.i18n import t
from engine.roi.decision import DecisionRule
from engine.roi.describe import summary_lines
from engine.roi.evaluate import evaluate
from engine.roi.inputs import RoiInputError, RoiInputs
from engine.roi.presets import DEFAULT_PRESET, PRESETS, preset
from engine.roi.store import load_inputs, locate_comparison, save_inputs

NAME = "roi"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``roi`` sub-command to ``subparsers`` (from ``ArgumentParser.add_subparsers``)."""
    p = subparsers.add_parser(NAME, help=t("roi.CLI_HELP"), description=t("roi.CLI_HELP"))
    p.add_argument("path", metavar="STORE_OR_COMPARISON_FILE", help=t("roi.CLI_HELP_PATH"))
    p.add_argument("--inputs", help=t("roi.CLI_HELP_INPUTS"))
    p.add_argument("--preset", choices=PRESETS, help=t("roi.CLI_HELP_PRESET"))
    p.add_argument("--run", dest="run_id", help=t("roi.CLI_HELP_RUN"))
    p.add_argument("--save", action="store_true", help=t("roi.CLI_HELP_SAVE"))
    p.add_argument("--draws", type=int, default=4000, help=t("roi.CLI_HELP_DRAWS"))
    p.add_argument("--seed", type=int, default=0, help=t("roi.CLI_HELP_SEED"))
    p.add_argument("--json", action="store_true", help=t("roi.CLI_HELP_JSON"))
    return p


def read_inputs_file(path: str | Path) -> RoiInputs:
    """Inputs from a JSON file: the ``<stem>.roi.json`` shape (``{"version", "inputs"}``) or bare inputs.

    Raises:
        RoiInputError: Missing or unreadable file, or inputs that do not parse.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RoiInputError(t("roi.ERROR_INPUTS_FILE", path=str(path), error=str(exc)[:200]), field="inputs") from None
    if isinstance(data, dict) and isinstance(data.get("inputs"), dict):
        data = data["inputs"]
    return RoiInputs.from_dict(data)


def _inputs(args: argparse.Namespace, comparison: Path) -> RoiInputs:
    # An explicit file or preset wins over what the dashboard stored for this comparison.
    if args.inputs:
        return read_inputs_file(args.inputs)
    if args.preset:
        return preset(args.preset)
    return load_inputs(comparison) or preset(DEFAULT_PRESET)


def command(args: argparse.Namespace) -> dict[str, Any]:
    """Evaluate the comparison at ``args.path`` (raises :class:`EngineError` on bad input)."""
    comparison = locate_comparison(args.path)
    inputs = _inputs(args, comparison)
    result = evaluate(comparison, inputs, run_id=args.run_id, rule=DecisionRule(), n_draws=args.draws, seed=args.seed)
    if args.save:
        result["inputs_file"] = str(save_inputs(comparison, inputs))
    return result


def print_result(result: dict[str, Any], args: argparse.Namespace | None = None) -> None:
    """The human-readable summary, in the language in force."""
    for line in summary_lines(result):
        print(line)
    if result.get("inputs_file"):
        print(t("roi.CLI_INPUTS_SAVED", path=result["inputs_file"]))
