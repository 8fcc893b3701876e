"""``tiltpilot roi``: JSON and human-readable output, stored inputs, errors."""

from __future__ import annotations

import json

from engine.cli import main
from engine.roi import load_inputs, preset


def test_json_output(fake_store, capsys):
    assert main(["roi", str(fake_store), "--json", "--draws", "300"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["decision"]["outcome"] in ("go", "extend", "stop")
    assert result["inputs"] == preset("expected").to_dict()


def test_human_output_in_japanese_and_saved_inputs(fake_store, capsys, monkeypatch):
    monkeypatch.setenv("TILTPILOT_LANG", "ja")
    assert main(["roi", str(fake_store / "comparison.json"), "--preset", "optimistic", "--save", "--draws", "200"]) == 0
    out = capsys.readouterr().out
    assert "判断：" in out and "title → description" in out and "保存しました" in out
    assert load_inputs(fake_store / "comparison.json") == preset("optimistic")


def test_inputs_file_and_errors(fake_store, tmp_path, capsys, hand_inputs):
    path = tmp_path / "roi.json"
    path.write_text(json.dumps(hand_inputs(k=2).to_dict()))
    assert main(["roi", str(fake_store), "--inputs", str(path), "--json", "--draws", "200"]) == 0
    assert json.loads(capsys.readouterr().out)["k"] == 2
    path.write_text(json.dumps(hand_inputs(k=99).to_dict()))
    assert main(["roi", str(fake_store), "--inputs", str(path)]) == 2
    err = capsys.readouterr().err
    assert "k (" in err and "from 1 to 20" in err
    assert main(["roi", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err
