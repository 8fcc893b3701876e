"""End-to-end runs through the CLI with a tiny model: everything a run produces is persisted."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import toy_rows, write_csv

from engine.cli import main
from engine.runs import RunStore, read_json

DIRECTIONS = ("left_to_right", "right_to_left")
METRIC_KEYS = ("recall@1", "recall@5", "recall@10", "mrr", "median_rank")


def _run_json(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def _common(tiny_model_dir, out):
    return ["--model", str(tiny_model_dir), "--max-seq-length", "32", "--batch-size", "8", "--learning-rate", "1e-3",
            "--device", "cpu", "--latent-map", "pca", "--bootstrap", "200", "--out", str(out)]


def test_train_persists_the_whole_run(capsys, toy_csv, tiny_model_dir, tmp_path):
    result = _run_json(capsys, ["train", str(toy_csv), "--loss", "clip", "--tilt", "cosine", "--epochs", "2", "--json",
                                *_common(tiny_model_dir, tmp_path / "store")])
    for which in ("base", "tuned"):
        for direction in DIRECTIONS:
            assert set(METRIC_KEYS) <= set(result[which][direction])
    run = RunStore(tmp_path / "store").paths(result["run_dir"].rsplit("/", 1)[-1])
    config = read_json(run.config)
    assert config["loss"] == {"name": "clip", "tilt": "cosine", "temperature": 0.05, "weights": None}
    assert config["data"]["columns_resolved"]["left"] == "title"
    assert read_json(run.status)["state"] == "done"
    log = RunStore.read_log(run)
    assert len(log) == result["train"]["steps"] and {"loss", "step", "eta_s"} <= set(log[0])
    split = read_json(run.split)
    assert len(split["test_rows"]) == 16 and not set(split["test_rows"]) & set(split["train_rows"])
    with np.load(run.embeddings) as emb:
        assert emb["base_left"].shape == emb["tuned_right"].shape == (16, 32)
        assert not np.allclose(emb["base_left"], emb["tuned_left"])
    with np.load(run.ranks) as ranks:
        assert set(ranks.files) == {f"{w}_{d}" for w in ("base", "tuned") for d in DIRECTIONS}
        assert ranks["tuned_left_to_right"].shape == (16,)
    assert read_json(run.metrics)["tuned"] == result["tuned"]
    assert read_json(run.audit)["rows"] == 80
    assert not run.checkpoint.exists()
    index = read_json(run.analysis / "index.json")
    assert set(index["parts"]) == {"uncertainty", "similarity", "calibration", "low_rank", "latent_map", "drilldown"}
    assert {name: part["error"] for name, part in index["parts"].items()} == dict.fromkeys(index["parts"])
    uncertainty = read_json(run.analysis / "uncertainty.json")
    r1 = uncertainty["intervals"]["tuned"]["left_to_right"]["recall@1"]
    assert r1["low"] <= result["tuned"]["left_to_right"]["recall@1"] == r1["estimate"] <= r1["high"]
    assert all(effect["verdict"] for effect in uncertainty["fine_tuning"])
    classification = read_json(run.analysis / "classification.json")
    assert 0 <= classification["tuned"]["zero_shot"]["accuracy"] <= 1
    assert classification["tuned"]["labels"] == sorted({r["category"] for r in toy_rows()})
    assert read_json(run.test_pairs)["rows"] == split["test_rows"]
    from sentence_transformers import SentenceTransformer

    assert SentenceTransformer(str(run.model), device="cpu").encode(["red mug"]).shape == (1, 32)


def test_evaluate_a_run_directory_reproduces_its_metrics(capsys, toy_csv, tiny_model_dir, tmp_path):
    trained = _run_json(capsys, ["train", str(toy_csv), "--loss", "joint", "--tilt", "l2", "--json",
                                 *_common(tiny_model_dir, tmp_path / "s")])
    evaluated = _run_json(capsys, ["evaluate", str(toy_csv), "--model", trained["run_dir"], "--device", "cpu", "--json"])
    assert evaluated["tilt"] == "l2"
    for direction in DIRECTIONS:
        assert evaluated["tuned"][direction]["mrr"] == pytest.approx(trained["tuned"][direction]["mrr"], abs=1e-6)
        assert evaluated["base"][direction]["mrr"] == pytest.approx(trained["base"][direction]["mrr"], abs=1e-6)


def test_compare_uses_one_split_and_one_base(capsys, toy_csv, tiny_model_dir, tmp_path):
    out = tmp_path / "cmp"
    result = _run_json(capsys, ["compare", str(toy_csv), "--losses", "clip,right-given-left", "--tilts", "cosine,dot",
                                "--json", *_common(tiny_model_dir, out)])
    assert [(r["loss"], r["tilt"]) for r in result["runs"]] == [
        ("clip", "cosine"), ("clip", "dot"), ("right-given-left", "cosine"), ("right-given-left", "dot")]
    bases = [r["base"] for r in result["runs"]]
    assert all(b == bases[0] for b in bases)
    splits = {json.dumps(read_json(out / r["run_id"] / "split.json")) for r in result["runs"]}
    assert len(splits) == 1
    assert read_json(out / "comparison.json")["runs"] == result["runs"]
    pairwise = result["pairwise"]
    assert {(row["run_a"], row["run_b"]) for row in pairwise} >= {("clip/cosine", "clip/dot")}
    assert all(row["verdict"] and 0 < row["p_value"] <= 1 for row in pairwise)
    assert len(RunStore(out).list_runs()) == 4


def test_compare_prints_a_table(capsys, toy_csv, tiny_model_dir, tmp_path):
    assert main(["compare", str(toy_csv), "--losses", "left-given-right", *_common(tiny_model_dir, tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "left-given-right" in out and "left_to_right" in out and "right_to_left" in out and "→" in out


def test_weighted_loss_needs_weights(capsys, toy_csv, tmp_path):
    assert main(["train", str(toy_csv), "--loss", "weighted", "--out", str(tmp_path)]) == 2
    assert "--weights a,b" in capsys.readouterr().err


def test_audit_json(capsys, toy_csv):
    report = _run_json(capsys, ["audit", str(toy_csv), "--json"])
    assert report["rows"] == 80


def test_bad_file_exits_2_with_message_and_writes_nothing(capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("title,description\n,only description\n", encoding="utf-8")
    store = tmp_path / "store"
    assert main(["train", str(bad), "--out", str(store)]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "row 1" in err
    assert not store.exists()


def test_failed_run_records_its_error(capsys, toy_csv, tiny_model_dir, tmp_path, monkeypatch):
    import torch

    import engine.experiment

    class NanLoss(torch.nn.Module):
        temperature = 0.05

        def compute_loss_from_embeddings(self, embeddings, labels=None):
            return embeddings[0].sum() * float("nan")

    monkeypatch.setattr(engine.experiment, "build_loss", lambda *a, **k: NanLoss())
    code = main(["train", str(toy_csv), "--loss", "clip", *_common(tiny_model_dir, tmp_path)])
    assert code == 2
    assert "loss became nan" in capsys.readouterr().err
    runs = RunStore(tmp_path).list_runs()
    assert runs[0]["state"] == "failed" and "loss became nan" in runs[0]["error"]
    run = RunStore(tmp_path).paths(runs[0]["run_id"])
    assert not run.metrics.exists() and not run.model.exists()  # nothing half-written


def test_learning_curve_command(capsys, tmp_path, tiny_model_dir):
    path = write_csv(tmp_path / "pairs.csv", toy_rows(160))
    result = _run_json(capsys, ["learning-curve", str(path), "--fractions", "0.25,0.5,1", "--target", "0.99", "--seeds", "1", "--json",
                                *_common(tiny_model_dir, tmp_path / "lc")])
    assert [p["train_pairs"] for p in result["points"]] == sorted(p["train_pairs"] for p in result["points"])
    assert result["points"][-1]["train_pairs"] == result["train_pairs_total"]
    assert set(result["pairs_needed"]) == {"left_to_right", "right_to_left"}
    assert read_json(tmp_path / "lc" / "learning_curve.json")["points"] == result["points"]
    # points skip the per-run evidence: only the curve's own intervals are computed
    run_id = result["points"][0]["run_id"]
    assert not (tmp_path / "lc" / run_id / "analysis").exists()


def test_gaussian_lab_command(capsys):
    result = _run_json(capsys, ["gaussian-lab", "--steps", "150", "--json"])
    assert result["canonical_correlations"] == pytest.approx([2 / 3])
