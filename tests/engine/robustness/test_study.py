"""The robustness study end to end on tiny data: the command, noise 0 as a normal run, exact noise, the chart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import toy_rows, write_csv

from engine.cli import main
from engine.runs import RunStore, read_json
from engine.runs.layout import ROBUSTNESS_FILE

TINY = ("--epochs", "1", "--max-seq-length", "32", "--batch-size", "8", "--device", "cpu", "--bootstrap", "200",
        "--seed", "3", "--gallery", "catalogue")


@pytest.fixture(scope="module")
def study(tmp_path_factory, tiny_model_dir) -> tuple[Path, Path, dict]:
    """A finished clip/joint study at noise 0 and 0.25 on 60 toy pairs, run through the command line."""
    folder = tmp_path_factory.mktemp("robustness")
    data = write_csv(folder / "pairs.csv", toy_rows(60))
    store = folder / "store"
    assert main(["robustness", str(data), "--losses", "clip,joint", "--noise", "0,0.25", "--model",
                 str(tiny_model_dir), *TINY, "--out", str(store)]) == 0
    return data, store, read_json(store / ROBUSTNESS_FILE)


def test_the_command_stores_every_point_with_intervals(study):
    _, store, result = study
    assert result["complete"] is True and result["noise"] == [0.0, 0.25] and result["losses"] == ["clip", "joint"]
    assert [(p["noise"], p["loss"]) for p in result["points"]] == [(0.0, "clip"), (0.0, "joint"), (0.25, "clip"),
                                                                  (0.25, "joint")]
    for point in result["points"]:
        assert (store / point["run_id"] / "ranks.npz").is_file()
        for direction in ("left_to_right", "right_to_left"):
            r1 = point["metrics"][direction]["recall@1"]
            assert 0.0 <= r1["low"] <= r1["estimate"] <= r1["high"] <= 1.0
    assert all(p["change"] is None for p in result["points"] if p["noise"] == 0.0)
    assert all(set(p["change"]) == {"left_to_right", "right_to_left"} for p in result["points"] if p["noise"] > 0)


def test_the_mismatched_share_is_exact_and_the_test_split_is_shared(study):
    _, store, result = study
    n_train = result["train_pairs"]
    for point in result["points"]:
        assert point["mismatched"] == round(point["noise"] * n_train) == len(point["mismatched_rows"])
        split = read_json(store / point["run_id"] / "split.json")
        assert split["test_rows"] == result["test_rows"]  # every run scored on the same, untouched test pairs
        assert not set(point["mismatched_rows"]) & set(result["test_rows"])
        assert set(point["mismatched_rows"]) <= set(split["train_rows"])


def test_noise_zero_equals_a_normal_run_with_the_same_seed(study, tiny_model_dir, tmp_path):
    data, store, result = study
    other = tmp_path / "plain"
    assert main(["train", str(data), "--loss", "joint", "--model", str(tiny_model_dir), "--no-analysis", *TINY,
                 "--out", str(other)]) == 0
    [plain] = RunStore(other).list_runs()
    plain_metrics = read_json(other / plain["run_id"] / "metrics.json")
    point = next(p for p in result["points"] if p["noise"] == 0.0 and p["loss"] == "joint")
    noise_zero = read_json(store / point["run_id"] / "metrics.json")
    assert noise_zero["tuned"] == plain_metrics["tuned"]
    assert noise_zero["base"] == plain_metrics["base"]
    assert noise_zero["train"]["final_loss"] == plain_metrics["train"]["final_loss"]
    for direction in ("left_to_right", "right_to_left"):
        assert point["metrics"][direction]["recall@1"]["estimate"] == plain_metrics["tuned"][direction]["recall@1"]


def test_the_catalogue_gallery_is_stored_beside_the_test_gallery(study):
    _, store, result = study
    n_items = result["train_pairs"] + result["test_pairs"]
    for point in result["points"]:
        stored = read_json(store / point["run_id"] / "metrics.json")["catalogue"]
        assert stored["gallery_size"] == n_items
        for direction in ("left_to_right", "right_to_left"):
            assert point["catalogue"][direction]["recall@1"]["estimate"] == stored["tuned"][direction]["recall@1"]
    assert set(result["catalogue_base"]) == {"left_to_right", "right_to_left"}


def test_noisy_runs_really_trained_on_other_pairs(study):
    _, store, result = study
    clean, noisy = (next(p for p in result["points"] if p["loss"] == "clip" and p["noise"] == n) for n in (0.0, 0.25))
    losses = [read_json(store / p["run_id"] / "metrics.json")["train"]["final_loss"] for p in (clean, noisy)]
    assert losses[0] != losses[1]


def test_the_chart_builds_from_the_stored_file(study):
    from engine.charts.robustness import robustness_chart, robustness_takeaway

    _, store, _ = study
    stored = json.loads((store / ROBUSTNESS_FILE).read_text(encoding="utf-8"))
    fig = robustness_chart(stored, "left_to_right")
    lines = [trace for trace in fig.data if trace.mode == "lines+markers"]
    assert [trace.name for trace in lines] == ["clip-cosine", "joint-cosine"]
    clip = next(p for p in stored["points"] if p["loss"] == "clip" and p["noise"] == 0.25)
    assert lines[0].y[1] == clip["metrics"]["left_to_right"]["recall@1"]["estimate"]
    import plotly.io as pio

    assert fig.layout.template == pio.templates["plotly_white"]  # set explicitly, for exports
    assert "25%" in robustness_takeaway(stored, "left_to_right")


def test_the_command_prints_a_table_in_japanese(study, tiny_model_dir, capsys):
    from engine.robustness.cli import print_result

    _, _, result = study
    from engine.i18n import override

    with override("ja"):
        print_result(result)
    out = capsys.readouterr().out
    assert "ベースモデル" in out and "clip-cosine" in out and "ノイズ" in out


def test_bad_noise_levels_exit_with_a_clear_error(tmp_path, tiny_model_dir, capsys):
    data = write_csv(tmp_path / "pairs.csv", toy_rows(40))
    assert main(["robustness", str(data), "--noise", "0,1.5", "--model", str(tiny_model_dir), *TINY,
                 "--out", str(tmp_path / "s")]) == 2
    assert "0 to 1" in capsys.readouterr().err
    assert not (tmp_path / "s" / ROBUSTNESS_FILE).exists()
