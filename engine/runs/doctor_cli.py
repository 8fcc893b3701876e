"""``tiltpilot doctor STORE``: check a run store and repair it, then say what was done.

Registered by ``engine/cli.py`` (``NAME``, ``add_parser``, ``command``, ``print_result``), which
parses, sets the language, prints ``--json`` or the text, and turns engine errors into exit 2.
"""

from __future__ import annotations

import argparse
from typing import Any

from engine.i18n import t
from engine.runs.doctor import DEFAULT_TEMP_AGE_S, check_store, report_lines

NAME = "doctor"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``doctor`` sub-command to ``subparsers`` (from ``ArgumentParser.add_subparsers``)."""
    p = subparsers.add_parser(NAME, help=t("store.DOCTOR_CLI_HELP"), description=t("store.DOCTOR_CLI_HELP"))
    p.add_argument("store", metavar="STORE", help=t("store.DOCTOR_HELP_STORE"))
    p.add_argument("--dry-run", action="store_true", help=t("store.DOCTOR_HELP_DRY_RUN"))
    p.add_argument("--temp-age", type=float, default=DEFAULT_TEMP_AGE_S, metavar="SECONDS",
                   help=t("store.DOCTOR_HELP_TEMP_AGE", default=f"{DEFAULT_TEMP_AGE_S:g}"))
    p.add_argument("--json", action="store_true", help=t("store.DOCTOR_HELP_JSON"))
    return p


def command(args: argparse.Namespace) -> dict[str, Any]:
    """Check (and unless ``--dry-run`` repair) ``args.store`` (raises :class:`EngineError` on bad input)."""
    return check_store(args.store, repair=not args.dry_run, temp_age_s=args.temp_age)


def print_result(result: dict[str, Any], args: argparse.Namespace | None = None) -> None:
    """The human-readable report, in the language in force."""
    for line in report_lines(result):
        print(line)


def exit_code(result: dict[str, Any]) -> int:
    """0 when the store is now in order; 1 when unreadable runs remain or a dry run found repairs."""
    return 1 if result["unreadable"] or (result["dry_run"] and result["repairs"]) else 0
