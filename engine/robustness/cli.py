"""``tiltpilot robustness DATA --losses ... --noise 0,0.1,0.2,0.4``: Recall@1 of each loss against the share of wrong pairs.

Registered by ``engine/cli.py`` (``NAME``, ``add_parser``, ``command``, ``print_result``), which
parses, sets the language, prints ``--json`` or the text, and turns engine errors into exit 2.
It takes the data and training options of ``train`` and ``compare``.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

from engine.config import TILT_NAMES, LossConfig
from engine.errors import ConfigError
from engine.i18n import format as fmt
from engine.i18n import message, t
from engine.names import DIRECTIONS
from engine.robustness.keyed import keyed
from engine.robustness.settings import DEFAULT_LOSSES, DEFAULT_NOISE, METRIC

NAME = "robustness"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``robustness`` sub-command to ``subparsers`` (from ``ArgumentParser.add_subparsers``)."""
    from engine import (
        cli as main_cli,  # the shared data and run options; imported late (engine.cli imports us)
    )

    p = subparsers.add_parser(NAME, help=t("robustness.CLI_HELP"), description=t("robustness.CLI_DESCRIPTION"))
    main_cli._add_data_args(p)
    p.add_argument("--losses", default=",".join(DEFAULT_LOSSES), help=t("robustness.HELP_LOSSES"))
    p.add_argument("--noise", default=",".join(f"{v:g}" for v in DEFAULT_NOISE), help=t("robustness.HELP_NOISE"))
    p.add_argument("--tilt", default=LossConfig.tilt, choices=TILT_NAMES, help=t("robustness.HELP_TILT"))
    main_cli._add_run_args(p)
    return p


def parse_noise(text: str) -> list[float]:
    """``"0,0.1,0.2"`` -> ``[0.0, 0.1, 0.2]``.

    Raises:
        ConfigError: A part is not a number.
    """
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise keyed(ConfigError, "robustness.ERROR_NOISE_LIST", got=text) from None


def command(args: argparse.Namespace) -> dict[str, Any]:
    """Run the study into ``args.out`` (raises :class:`EngineError` on bad input or a failed run)."""
    from engine import cli as main_cli
    from engine.config import LOSS_NAMES
    from engine.robustness.study import run_robustness
    from engine.runs import RunStore

    losses = main_cli._split_list(args.losses, LOSS_NAMES, "--losses")
    noise = parse_noise(args.noise)
    config = main_cli._run_config(args, losses[0], args.tilt)
    # Each point only needs its ranks; the full evidence is for single runs and comparisons.
    config = replace(config, analysis=replace(config.analysis, enabled=False))
    bar = main_cli._ProgressBar()
    return run_robustness(config, RunStore(args.out), losses=losses, noise_levels=noise, n_boot=args.bootstrap,
                          callback=lambda label, level, info: bar(t("robustness.PROGRESS", loss=label,
                                                                     noise=fmt.percent(level, 0)), info))


def _interval(stat: dict[str, Any]) -> dict[str, str]:
    return {"estimate": fmt.percent(stat["estimate"], 1), "low": fmt.percent(stat["low"], 1),
            "high": fmt.percent(stat["high"], 1)}


def _change_text(change: dict[str, Any] | None) -> str:
    if not change:
        return ""
    return t("robustness.CLI_CHANGE", estimate=fmt.points(change["estimate"], 1), low=fmt.points(change["low"], 1),
             high=fmt.points(change["high"], 1))


def print_result(result: dict[str, Any], args: argparse.Namespace | None = None) -> None:
    """Per direction and loss, Recall@1 with its interval at each noise level, in the language in force."""
    directions = message("cli.DIRECTIONS")
    print(t("robustness.CLI_HEAD", test_pairs=result["test_pairs"], train_pairs=result["train_pairs"],
            confidence=fmt.percent(result["confidence"], 0)))
    for direction in DIRECTIONS:
        print(t("robustness.CLI_DIRECTION", direction=directions.get(direction, direction)))
        base = result["base"][direction][METRIC]
        print(t("robustness.CLI_BASE", **_interval(base)))
        order = {loss: i for i, loss in enumerate(result.get("losses") or ())}
        for point in sorted(result["points"], key=lambda p: (order.get(p["loss"], len(order)), p["noise"])):
            change = (point.get("change") or {}).get(direction)
            print(t("robustness.CLI_POINT", loss=point["label"], noise=fmt.percent(point["noise"], 0),
                    wrong=point["mismatched"], **_interval(point["metrics"][direction][METRIC]),
                    change=_change_text(change)))
    if args is not None and getattr(args, "out", None):
        print(t("robustness.CLI_FOOTER", seconds=round(result.get("wall_time_s", 0.0)), out=args.out))
