"""``tiltpilot report STORE_OR_COMPARISON_FILE``: the pilot report as HTML, PDF or PowerPoint.

Wiring (in ``engine/cli.py``): ``add_parser(sub)`` registers the sub-command; either call
``run(args)`` (builds, prints, returns the exit code), or put ``command`` among the commands and
``print_result`` among the printers (``--json`` prints ``command``'s dict as is).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from engine.errors import EngineError
from engine.i18n import LANGUAGES, get_language, override, t
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


def run(args: argparse.Namespace) -> int:
    """Build and print; 0 on success, 2 with the message on stderr for a user-fixable problem."""
    with override(args.lang or get_language()):
        try:
            result = command(args)
        except EngineError as exc:
            print(t("report.CLI_ERROR", error=exc), file=sys.stderr)
            return 2
        if args.json:
            print(json.dumps(result, indent=2, ensure_ascii=False))
        else:
            print_result(result, args)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (``python -m engine.report.cli``) until the main CLI wires the sub-command in."""
    parser = argparse.ArgumentParser(prog="tiltpilot")
    add_parser(parser.add_subparsers(dest="command", required=True))
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
