"""``tiltpilot report STORE_OR_COMPARISON_FILE``: the pilot report as HTML, PDF or PowerPoint.

Registered by ``engine/cli.py`` (``NAME``, ``add_parser``, ``command``, ``print_result``), which
parses, sets the language, prints ``--json`` or the text, and turns engine errors into exit 2.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from engine.i18n import LANGUAGES, get_language, t
from engine.report.build import FORMATS, build_report
from engine.report.content import SECTIONS

NAME = "report"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``report`` sub-command to ``subparsers`` (from ``ArgumentParser.add_subparsers``)."""
    p = subparsers.add_parser(NAME, help=t("report.CLI_HELP"), description=t("report.CLI_HELP"))
    p.add_argument("path", metavar="STORE_OR_COMPARISON_FILE", help=t("report.CLI_HELP_PATH"))
    p.add_argument("--format", dest="fmt", choices=FORMATS, default="pdf", help=t("report.CLI_HELP_FORMAT"))
    p.add_argument("--lang", choices=LANGUAGES, default=None, help=t("report.CLI_HELP_LANG"))
    p.add_argument("--out", help=t("report.CLI_HELP_OUT"))
    p.add_argument("--sections", help=t("report.CLI_HELP_SECTIONS", sections=",".join(SECTIONS)))
    p.add_argument("--inputs", help=t("report.CLI_HELP_INPUTS"))
    p.add_argument("--json", action="store_true", help=t("report.CLI_HELP_JSON"))
    return p


def _progress(message: str, fraction: float) -> None:
    print(t("report.CLI_PROGRESS", percent=round(100 * fraction), message=message), file=sys.stderr, flush=True)


def command(args: argparse.Namespace) -> dict[str, Any]:
    """Build the report described by ``args`` (raises :class:`EngineError` on bad input)."""
    lang = args.lang or get_language()
    out = args.out or f"pilot-report-{lang}.{args.fmt}"
    sections = args.sections.split(",") if args.sections else None
    started = time.perf_counter()
    path = build_report(args.path, args.fmt, lang, out, sections=sections, roi_inputs=args.inputs,
                        progress=None if args.json else _progress)
    return {"path": str(path), "format": args.fmt, "lang": lang, "bytes": path.stat().st_size,
            "seconds": round(time.perf_counter() - started, 2)}


def print_result(result: dict[str, Any], args: argparse.Namespace | None = None) -> None:
    """One line saying where the report went, in the language in force."""
    print(t("report.CLI_WRITTEN", path=result["path"], seconds=f"{result['seconds']:.1f}"))
