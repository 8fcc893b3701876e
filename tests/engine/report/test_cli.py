"""``tiltpilot report``: writes the file, speaks the report's language, exits 2 on bad input."""

from __future__ import annotations

import json

from engine.cli import main


def test_report_command_writes_the_file(report_store, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", str(report_store), "--format", "html", "--lang", "ja", "--out", str(out),
                 "--sections", "summary,phrases"]) == 0
    captured = capsys.readouterr()
    assert out.is_file() and "報告書を" in captured.out and "完了しました" in captured.err


def test_report_command_json_and_errors(report_store, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", str(report_store), "--format", "html", "--lang", "en", "--out", str(out),
                 "--sections", "summary", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["path"] == str(out) and result["lang"] == "en" and result["bytes"] > 0
    assert main(["report", str(tmp_path / "missing"), "--format", "html", "--lang", "en", "--out", str(out)]) == 2
    assert "neither a comparison file" in capsys.readouterr().err
    assert main(["report", str(report_store), "--format", "html", "--sections", "bogus", "--out", str(out)]) == 2
