"""Every hostile file through ``tiltpilot audit``: a clear message or an accepted file, never a traceback.

In-process through ``engine.cli.main`` (the command's own error handling, as a user meets it), from
an empty working folder that must stay empty; two cases also go through the installed entry point
in a subprocess, where a traceback would reach the terminal.
"""

from __future__ import annotations

import os
import subprocess
import sys
import traceback
from pathlib import Path

import pytest
from build_corpus import CASES, HUGE_LINE_FIELDS
from checks import files_under, matches
from expected import EXPECTED, NOTICE_CONVERTED, NOTICE_DROPPED

# Outcomes that differ from the careful user's today (case -> why); the owners' fixes remove them.
KNOWN_CLI: dict[str, str] = {}


def _params() -> list:
    return [pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_CLI[name]))
            if name in KNOWN_CLI else name for name in CASES]


def run_audit(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``tiltpilot audit PATH`` in-process: exit code, stdout, stderr; an escaping exception fails."""
    from engine.cli import main

    try:
        rc = main(["audit", str(path)])
    except SystemExit as exc:  # argparse's own refusals
        rc = exc.code if isinstance(exc.code, int) else 2
    except Exception:  # the point of the test: nothing may escape as a traceback
        pytest.fail(f"audit raised instead of answering:\n{traceback.format_exc()}")
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def check_cli_outcome(name: str, rc: int, out: str, err: str) -> None:
    expected = EXPECTED[name].cli
    both = out + err
    assert "Traceback" not in both
    assert "\x1b" not in both, "cell text with terminal escape codes was echoed raw"
    if expected.kind == "accept":
        assert rc == 0, f"expected acceptance, got exit {rc}: {err.strip()}"
        assert not expected.words or matches(both, expected.words), (
            f"accepted without the notice ({' / '.join(expected.words)}):\n{both}")
    elif expected.kind == "refuse":
        assert rc == 2, f"expected a refusal, got exit {rc}:\n{out}"
        assert matches(err, expected.words), f"refusal does not say {' / '.join(expected.words)}: {err.strip()}"
        assert err.strip().startswith("error:") and len(err.strip().splitlines()) == 1
    elif expected.kind == "flag":
        flagged = [line for line in both.splitlines() if matches(line, expected.words)]
        assert rc in (0, 2) and flagged, f"no message says {' / '.join(expected.words)}:\n{both}"
        assert rc == 2 or any(not line.lstrip().startswith("[info]") for line in flagged), (
            f"only an [info] line says it, not a warning or an error:\n{both}")
    else:  # either
        assert rc == 0 or (rc == 2 and matches(err, expected.words)), f"exit {rc}: {err.strip()}"


@pytest.mark.parametrize("name", _params())
def test_audit_answers_every_hostile_file(name, corpus, capsys, tmp_path, monkeypatch):
    case = corpus[name]
    monkeypatch.chdir(tmp_path)  # the audit writes nothing: this folder must stay empty
    corpus_before = files_under(case.path.parent)
    rc, out, err = run_audit(case.path, capsys)
    check_cli_outcome(name, rc, out, err)
    assert files_under(tmp_path) == set()
    assert files_under(case.path.parent) == corpus_before


@pytest.mark.parametrize("name", ["good_csv", "parquet_good"])
def test_notice_words_are_absent_from_a_clean_file(name, corpus, capsys, tmp_path, monkeypatch):
    """The notice checks above can fail: a clean file's output has none of their words."""
    monkeypatch.chdir(tmp_path)
    rc, out, err = run_audit(corpus[name].path, capsys)
    assert rc == 0 and not matches(out + err, NOTICE_DROPPED + NOTICE_CONVERTED)


def test_expectations_cover_the_corpus_and_the_issue_categories():
    assert set(EXPECTED) == set(CASES) and len(CASES) >= 39
    categories = {e.category for e in EXPECTED.values()}
    assert {"empty", "binary", "encoding", "structure", "injection", "script", "size", "file name", "extension",
            "jsonl", "parquet", "excel", "cannot train", "silent change"} <= categories
    kinds = {e.cli.kind for e in EXPECTED.values()} | {e.dashboard.kind for e in EXPECTED.values()}
    assert kinds <= {"accept", "refuse", "flag", "either"}
    assert HUGE_LINE_FIELDS > 100_000


@pytest.mark.parametrize("name", ["binary_garbage", "zip_bomb_xlsx"])
def test_installed_command_prints_one_error_line(name, corpus, tmp_path):
    """Through the real entry point: exit 2, one ``error:`` line on stderr, no traceback."""
    exe = Path(sys.executable).with_name("tiltpilot")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "engine"]
    result = subprocess.run([*command, "audit", str(corpus[name].path)], capture_output=True, text=True, check=False,
                            timeout=120, cwd=tmp_path, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    check_cli_outcome(name, result.returncode, result.stdout, result.stderr)
    assert files_under(tmp_path) == set()
