"""Chart builders on small fixtures shaped like real stored run data (shrunk from a compare run)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import plotly.graph_objects as go
import pytest

import engine.charts as charts
from engine.charts import strings
from engine.errors import DataError


def _metrics(r1: float, mrr: float) -> dict:
    return {"recall@1": r1, "recall@5": 0.9, "mrr": mrr, "median_rank": 1.0,
            "chance": {"recall@1": 0.25, "recall@5": 1.0}, "chance_mrr": 0.52}


def _rows() -> list[dict]:
    both = lambda r1, mrr: {"left_to_right": _metrics(r1, mrr), "right_to_left": _metrics(r1, mrr)}  # noqa: E731
    return [
        {"run_id": "r-clip", "loss": "clip", "tilt": "cosine", "base": both(0.5, 0.6), "tuned": both(0.75, 0.8)},
        {"run_id": "r-joint", "loss": "joint", "tilt": "cosine", "base": both(0.5, 0.6), "tuned": both(0.625, 0.7)},
    ]


def _uncertainty(low: float, high: float, significant: bool) -> dict:
    return {"intervals": {"base": {"left_to_right": {"recall@1": {"estimate": 0.5, "low": 0.375, "high": 0.75}}},
                          "tuned": {"left_to_right": {"recall@1": {"estimate": 0.75, "low": low, "high": high}}}},
            "fine_tuning": [{"direction": "left_to_right", "metric": "recall@1", "significant": significant}]}


def _same(build, *args, **kwargs) -> dict:
    first, second = build(*args, **kwargs), build(*args, **kwargs)
    assert isinstance(first, go.Figure)
    a, b = first.to_plotly_json(), second.to_plotly_json()
    assert json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)
    return a


def test_retrieval_bars_values_intervals_and_chance():
    unc = {"r-clip": _uncertainty(0.625, 1.0, True)}
    fig = _same(charts.retrieval_bars, _rows(), metric="recall@1", direction="left_to_right", uncertainty=unc)
    base, tuned, chance = fig["data"]
    assert [t["name"] for t in fig["data"]] == ["base model", "fine-tuned", "chance level"]
    assert list(base["x"]) == ["clip", "joint"]
    assert list(base["y"]) == [0.5, 0.5] and list(tuned["y"]) == [0.75, 0.625]
    # tuned clip interval 0.625–1.0 around 0.75; joint has no stored interval -> zero-length bar
    assert list(tuned["error_y"]["array"]) == [0.25, 0.0]
    assert list(tuned["error_y"]["arrayminus"]) == [0.125, 0.0]
    assert list(base["error_y"]["array"]) == [0.25, 0.0]
    assert list(base["error_y"]["arrayminus"]) == [0.125, 0.0]
    assert list(chance["y"]) == [0.25, 0.25]
    mrr = charts.retrieval_bars(_rows(), metric="mrr").to_plotly_json()
    assert list(mrr["data"][2]["y"]) == [0.52, 0.52]
    assert len(charts.retrieval_bars(_rows(), metric="median_rank").data) == 2  # no chance level for ranks


def test_retrieval_takeaway_exact():
    unc = {"r-clip": _uncertainty(0.5, 1.0, False)}
    assert charts.retrieval_takeaway(_rows(), uncertainty=unc) == (
        "Best after fine-tuning: clip, Recall@1 (left → right) 50% → 75% (+25.0 points). "
        "The change could be noise: its 95% interval includes zero."
    )
    assert charts.retrieval_takeaway(_rows()).endswith("(+25.0 points).")


def test_retrieval_rejects_unknown_metric_and_empty_rows():
    with pytest.raises(DataError, match="recall@1"):
        charts.retrieval_bars(_rows(), metric="accuracy")
    with pytest.raises(DataError, match="No finished runs"):
        charts.retrieval_bars([])


def test_loss_curves_and_takeaway():
    logs = {"clip": [{"step": i, "loss": v} for i, v in enumerate([3.0, 2.0, 1.5, 1.0], start=1)],
            "joint": [{"step": i, "loss": v} for i, v in enumerate([1.0, 1.2, 1.4, 1.5], start=1)]}
    fig = _same(charts.loss_curves, logs)
    assert [t["name"] for t in fig["data"]] == ["clip", "joint"]
    assert list(fig["data"][0]["x"]) == [1, 2, 3, 4]
    assert list(fig["data"][0]["y"]) == [3.0, 2.0, 1.5, 1.0]
    assert charts.loss_takeaway(logs) == (
        "The training loss went down in 1 of 2 runs (first quarter of steps vs last quarter)."
    )
    # a step counter that restarts each epoch is numbered across epochs
    restart = {"x": [{"step": 1, "loss": 1.0}, {"step": 2, "loss": 1.0}, {"step": 1, "loss": 1.0}]}
    assert list(charts.loss_curves(restart).data[0].x) == [1, 2, 3]


def _similarity_stage(threshold: float, auc: float, recall: float, precision: float) -> dict:
    return {"bin_edges": [0.0, 0.25, 0.5, 0.75, 1.0],
            "counts": {"positive": [0, 0, 1, 3], "in_batch": [6, 2, 0, 0], "hardest": [0, 2, 2, 0]},
            "auc": {"in_batch": 0.99, "hardest": auc},
            "threshold": {"threshold": threshold, "precision": precision, "recall": recall}}


def _similarity() -> dict:
    return {"base": _similarity_stage(0.5, 0.7, 0.5, 0.5), "tuned": _similarity_stage(0.625, 0.8, 0.75, 0.875)}


def test_similarity_histograms_shares_and_thresholds():
    fig = _same(charts.similarity_histograms, _similarity())
    assert len(fig["data"]) == 6
    assert [t["name"] for t in fig["data"][:3]] == ["true pairs", "in-batch wrong items", "closest wrong item"]
    positive = fig["data"][0]
    assert list(positive["x"]) == [0.125, 0.375, 0.625, 0.875]
    assert list(positive["y"]) == [0.0, 0.0, 0.25, 0.75]
    assert [c[1] for c in positive["customdata"]] == [0, 0, 1, 3]
    assert list(fig["data"][1]["y"]) == [0.75, 0.25, 0.0, 0.0]
    assert fig["data"][3]["xaxis"] == "x2"  # tuned in the second panel
    assert sorted(s["x0"] for s in fig["layout"]["shapes"]) == [0.5, 0.625]
    assert charts.similarity_takeaway(_similarity()) == (
        "The fine-tuned model tells a true pair from the closest wrong item with AUC 0.80 (base 0.70); "
        "above the suggested threshold 0.62 it finds 75% of true pairs, and 88% of what it accepts is right."
    )


def _curve(temperature: float, ece: float, accuracy: float, confidence: float) -> dict:
    return {"temperature": temperature, "ece": ece, "accuracy": accuracy, "mean_confidence": confidence,
            "bins": {"count": [0, 2, 3], "mean_confidence": [None, 0.4, 0.8], "accuracy": [None, 0.5, 1.0]}}


def _calibration_stage() -> dict:
    return {"directions": {"left_to_right": {"training": _curve(0.05, 0.125, 0.9, 0.7),
                                             "fitted": _curve(0.04, 0.0625, 0.9, 0.85)}}}


def test_reliability_diagram_and_takeaway():
    fig = _same(charts.reliability_diagram, _calibration_stage(), "left_to_right")
    names = [t["name"] for t in fig["data"]]
    assert names == ["perfectly calibrated", "training τ = 0.05 (ECE 0.125)", "fitted τ = 0.04 (ECE 0.062)"]
    assert list(fig["data"][0]["x"]) == [0.0, 1.0] and list(fig["data"][0]["y"]) == [0.0, 1.0]
    assert list(fig["data"][1]["x"]) == [0.4, 0.8]  # the empty bin is dropped
    assert list(fig["data"][1]["y"]) == [0.5, 1.0]
    assert [c[0] for c in fig["data"][1]["customdata"]] == [2, 3]
    assert charts.calibration_takeaway(_calibration_stage(), "left_to_right") == (
        "At the training temperature the model is under-confident: it is right 90% of the time and claims 70% "
        "(ECE 0.125; 0 is perfect). A refitted temperature 0.04 gives ECE 0.062."
    )
    with pytest.raises(DataError, match="right_to_left"):
        charts.reliability_diagram(_calibration_stage(), "right_to_left")


def _latent() -> tuple[dict, dict, dict]:
    arrays = {"base": np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
              "tuned": np.array([[0.0, 0.5], [1.0, 0.5], [0.25, 0.5], [0.75, 0.5]]),
              "modality": np.array([0, 0, 1, 1], dtype=np.int8), "pair": np.array([2, 0, 2, 0]),
              "links": np.array([[0, 2], [1, 3]])}
    meta = {"method": "pca", "modality_labels": ["title", "description"]}
    texts = {"left": ["Mug", "unused", "<script>alert(1)</script> & co"],
             "right": ["A mug.", "unused", "Plain <b>bold</b>"]}
    return arrays, meta, texts


def test_latent_map_points_pairs_and_links():
    arrays, meta, texts = _latent()
    fig = _same(charts.latent_map_scatter, arrays, meta, texts, "tuned", show_links=True)
    links, left, right = fig["data"]
    assert [left["name"], right["name"]] == ["title", "description"]
    assert list(left["x"]) == [0.0, 1.0] and list(right["y"]) == [0.5, 0.5]
    assert [c[0] for c in left["customdata"]] == [2, 0]
    assert list(links["x"]) == [0.0, 0.25, None, 1.0, 0.75, None]
    base = charts.latent_map_scatter(arrays, meta, texts, "base").to_plotly_json()
    assert len(base["data"]) == 2 and list(base["data"][1]["y"]) == [1.0, 1.0]
    with pytest.raises(DataError, match="2 left texts"):
        charts.latent_map_scatter(arrays, meta, {"left": ["a", "b"], "right": ["a", "b", "c"]})


def test_user_text_is_escaped_everywhere():
    arrays, meta, texts = _latent()
    meta = {**meta, "modality_labels": ["<i>t</i>", "d"]}
    fig = charts.latent_map_scatter(arrays, meta, texts)
    dumped = json.dumps(fig.to_plotly_json(), default=str)
    assert "<script>" not in dumped and "<b>bold" not in dumped and "<i>t" not in dumped
    left = fig.to_plotly_json()["data"][0]
    assert left["customdata"][0][1] == "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"
    assert left["name"] == "&lt;i&gt;t&lt;/i&gt;"
    rows = _rows()
    rows[0]["loss"] = "<script>x</script>"
    bars = charts.retrieval_bars(rows).to_plotly_json()
    assert list(bars["data"][0]["x"])[0] == "&lt;script&gt;x&lt;/script&gt;"
    assert "<script>" not in json.dumps(bars, default=str)
    assert charts.loss_curves({"<b>run</b>": [{"step": 1, "loss": 1.0}]}).data[0].name == "&lt;b&gt;run&lt;/b&gt;"
    assert charts.safe_text("x" * 10, max_chars=4) == "xxx…"


def _low_rank() -> dict:
    return {"base": {"canonical_correlations": [0.9, 0.5, 0.1], "captured_dependence": [0.5, 0.8, 1.0],
                     "rank_for_90": 3, "mutual_information_bits": 2.5},
            "tuned": {"canonical_correlations": [0.95, 0.6, 0.05], "captured_dependence": [0.7, 0.95, 1.0],
                      "rank_for_90": 2, "mutual_information_bits": 3.25}}


def test_low_rank_charts_and_takeaways():
    fig = _same(charts.canonical_spectrum, _low_rank())
    assert [t["name"] for t in fig["data"]] == ["base model", "fine-tuned"]
    assert list(fig["data"][1]["x"]) == [1, 2, 3] and list(fig["data"][1]["y"]) == [0.95, 0.6, 0.05]
    assert list(charts.canonical_spectrum(_low_rank(), max_components=2).data[0].y) == [0.9, 0.5]
    cap = _same(charts.captured_dependence, _low_rank())
    names = [t["name"] for t in cap["data"]]
    assert names == ["base model", "base model: 90% at 3", "fine-tuned", "fine-tuned: 90% at 2", "90% of the dependence"]
    assert list(cap["data"][3]["x"]) == [2] and list(cap["data"][3]["y"]) == [0.95]
    assert list(cap["data"][4]["y"]) == [0.9, 0.9]
    assert charts.spectrum_takeaway(_low_rank()) == (
        "The strongest shared direction correlates 0.95 after fine-tuning (base 0.90); "
        "the two sides share 3.2 bits of information (base 2.5)."
    )
    assert charts.captured_takeaway(_low_rank()) == (
        "The fine-tuned embeddings need 2 of 3 directions to carry 90% of what links the two sides (base: 3)."
    )


def _learning() -> dict:
    point = lambda n, est: {"train_pairs": n, "metrics": {"left_to_right": {"recall@1": {  # noqa: E731
        "estimate": est, "low": est - 0.125, "high": est + 0.0625}}}}
    return {"base": {"left_to_right": {"recall@1": {"estimate": 0.25, "low": 0.125, "high": 0.375}}},
            "points": [point(10, 0.5), point(20, 0.625), point(40, 0.75)],
            "fit": {"left_to_right": {"n": [10.0, 20.0, 40.0],
                                      "params": {"a": {"estimate": 1.0}, "b": {"estimate": 2.0}, "c": {"estimate": 0.5}}}},
            "predictions": {"left_to_right": [
                {"factor": 2.0, "n": 80.0, "estimate": 0.8, "low": 0.7, "high": 0.9},
                {"factor": 4.0, "n": 160.0, "estimate": 0.85, "low": 0.7, "high": 0.95}]}}


def test_learning_curve_chart_and_takeaway():
    fig = _same(charts.learning_curve_chart, _learning(), "left_to_right")
    measured, curve, predicted, base = fig["data"]
    assert list(measured["x"]) == [10, 20, 40] and list(measured["y"]) == [0.5, 0.625, 0.75]
    assert list(measured["error_y"]["array"]) == [0.0625] * 3
    assert list(measured["error_y"]["arrayminus"]) == [0.125] * 3
    x = np.asarray(curve["x"])
    assert x[0] == pytest.approx(10.0) and x[-1] == pytest.approx(160.0)
    np.testing.assert_allclose(curve["y"], 1.0 - 2.0 * x ** -0.5)
    assert list(predicted["x"]) == [80.0, 160.0]
    assert list(predicted["error_y"]["array"]) == pytest.approx([0.1, 0.1])
    assert list(base["y"]) == [0.25, 0.25] and list(base["x"]) == [10, 160.0]
    assert charts.learning_takeaway(_learning(), "left_to_right") == (
        "With 40 training pairs Recall@1 is 75%; the fitted curve predicts 80% (95% interval 70%–90%) "
        "at 80 pairs and 85% at 160."
    )
    no_fit = {**_learning(), "fit": {}, "predictions": {}}
    assert [t.name for t in charts.learning_curve_chart(no_fit, "left_to_right").data] == [
        strings.LEARNING_POINTS, strings.LEARNING_BASE]


def test_rank_movement_cells_and_takeaway():
    drill = {"direction": "left_to_right",
             "queries": {"base_rank": [1, 1, 1, 5, 3, 2], "tuned_rank": [1, 1, 2, 1, 3, 1]}}
    fig = _same(charts.rank_movement, drill)
    diagonal, improved, unchanged, worse = fig["data"]
    assert [improved["name"], unchanged["name"], worse["name"]] == ["ranked higher", "unchanged", "ranked lower"]
    assert list(improved["x"]) == [2, 5] and list(improved["y"]) == [1, 1]
    assert list(unchanged["x"]) == [1, 3] and [c[0] for c in unchanged["customdata"]] == [2, 1]
    assert list(worse["x"]) == [1] and list(worse["y"]) == [2]
    assert list(diagonal["x"]) == [1, 5]
    assert charts.rank_takeaway(drill) == (
        "Fine-tuning ranks the true item higher for 2 of 6 queries and lower for 1; 3 are unchanged."
    )


def test_glossary_covers_metric_labels():
    for label in strings.METRIC_LABELS.values():
        assert label in strings.GLOSSARY


def test_charts_import_without_torch_streamlit_or_kaleido():
    code = (
        "import sys\nimport engine.charts, engine.charts.load\n"
        "print(sorted(m for m in ('torch', 'streamlit', 'kaleido') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_load_run_data_reads_a_run_dir(tmp_path):
    from engine.charts.load import load_run_data
    from engine.runs.atomic import atomic_write_json, atomic_write_npz

    run = tmp_path / "r1"
    (run / "analysis").mkdir(parents=True)
    atomic_write_json(run / "metrics.json", {"base": {}, "tuned": {}})
    atomic_write_json(run / "analysis" / "low_rank.json", _low_rank())
    atomic_write_npz(run / "analysis" / "latent_map.npz", pair=np.array([0, 1]))
    (run / "train_log.jsonl").write_text('{"step": 1, "loss": 2.0}\n{"step": 2, "lo', encoding="utf-8")
    data = load_run_data(run)
    assert data["run_id"] == "r1" and data["metrics"] == {"base": {}, "tuned": {}}
    assert data["train_log"] == [{"step": 1, "loss": 2.0}]  # the half-written line is skipped
    assert data["analysis"]["low_rank"] == _low_rank() and data["analysis"]["similarity"] is None
    assert data["latent_map_arrays"]["pair"].tolist() == [0, 1]
    assert data["config"] is None


def test_learned_vs_optimal_chart_and_takeaway():
    from engine.charts import learned_vs_optimal_chart, learned_vs_optimal_takeaway

    def readout(cond, joint, gain):
        return {"conditional": {"relative_error": cond}, "joint": {"relative_error": joint},
                "share_of_optimal_conditional_gain": gain}

    learned = {"readout": {"base": readout(0.4, 0.5, 0.8), "tuned": readout(0.2, 0.3, 0.9)}}
    spec = learned_vs_optimal_chart(learned).to_plotly_json()
    assert [t["name"] for t in spec["data"]] == ["base model", "fine-tuned"]
    assert list(spec["data"][1]["y"]) == [0.2, 0.3, 0.9]
    assert learned_vs_optimal_takeaway(learned) == (
        "After fine-tuning the scores reach 90% of the best gain a linear model of the base features could reach "
        "(base 80%); distance to the CLIP-loss optimum 0.20 (base 0.40)."
    )
