"""The catalogue gallery: test queries ranked among every item of the file, never trained on.

Brute force here means: score every query against every candidate with numpy, sort, and take the
position of the first item of the query's group, counting every tie against the model.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from engine.evaluate import evaluate_against_gallery, evaluate_retrieval
from tests.conftest import toy_rows, write_csv


def _brute_ranks(queries: np.ndarray, gallery: np.ndarray, q_groups, g_groups, tilt: str) -> np.ndarray:
    if tilt == "cosine":
        queries = queries / np.linalg.norm(queries, axis=1, keepdims=True)
        gallery = gallery / np.linalg.norm(gallery, axis=1, keepdims=True)
    if tilt == "l2":
        scores = -((queries[:, None, :] - gallery[None, :, :]) ** 2).sum(-1)
    else:
        scores = queries @ gallery.T
    ranks = []
    for i, group in enumerate(q_groups):
        relevant = np.array([g == group for g in g_groups])
        best = scores[i][relevant].max()
        # 1 + irrelevant items scoring at least the best relevant one (ties count against the model)
        ranks.append(1 + int(np.sum((scores[i] >= best - 1e-5) & ~relevant)))
    return np.array(ranks)


def _brute_metrics(ranks: np.ndarray) -> dict[str, float]:
    return {"recall@1": float(np.mean(ranks <= 1)), "recall@5": float(np.mean(ranks <= 5)),
            "mrr": float(np.mean(1.0 / ranks))}


@pytest.mark.parametrize("tilt", ["cosine", "dot", "l2"])
def test_catalogue_metrics_equal_brute_force(tilt: str) -> None:
    rng = np.random.default_rng(3)
    n_all, dim = 60, 8
    left, right = rng.normal(size=(n_all, dim)), rng.normal(size=(n_all, dim))
    right[:30] = left[:30] + 0.8 * rng.normal(size=(30, dim))  # some pairs are findable, some not
    groups = [f"g{i // 2}" if i < 20 else f"g{i}" for i in range(n_all)]  # groups of two: multi-positive
    test = [0, 1, 4, 5, 21, 33, 40, 41, 50]  # whole groups g0, g2 plus singletons
    q_groups = [groups[i] for i in test]
    result = evaluate_against_gallery(left[test], right[test], q_groups, left, right, groups, tilt=tilt,
                                      return_ranks=True)
    for direction, (queries, gallery) in {"left_to_right": (left[test], right),
                                          "right_to_left": (right[test], left)}.items():
        expected = _brute_ranks(queries, gallery, q_groups, groups, tilt)
        np.testing.assert_array_equal(result["ranks"][direction], expected)
        for name, value in _brute_metrics(expected).items():
            assert result[direction][name] == pytest.approx(value)
        assert result[direction]["gallery_size"] == n_all
    # A query of group g0 has two relevant items in the gallery: chance R@1 is 2/60 for it.
    assert result["left_to_right"]["chance"]["recall@1"] > 1 / n_all


def test_distractors_only_lower_the_score() -> None:
    """Adding items to the gallery can only push a query's first relevant item down, never up."""
    rng = np.random.default_rng(0)
    left, right = rng.normal(size=(40, 6)), rng.normal(size=(40, 6))
    groups = [str(i) for i in range(40)]
    small = evaluate_retrieval(left[:10], right[:10], groups[:10], return_ranks=True)
    large = evaluate_against_gallery(left[:10], right[:10], groups[:10], left, right, groups, return_ranks=True)
    for direction in ("left_to_right", "right_to_left"):
        assert np.all(large["ranks"][direction] >= small["ranks"][direction])
        assert large["ranks"][direction].max() > small["ranks"][direction].max()


def test_test_gallery_is_the_catalogue_gallery_of_the_test_items() -> None:
    rng = np.random.default_rng(1)
    left, right = rng.normal(size=(25, 5)), rng.normal(size=(25, 5))
    groups = [str(i // 3) for i in range(25)]
    plain = evaluate_retrieval(left, right, groups)
    same = evaluate_against_gallery(left, right, groups, left, right, groups)
    assert plain == same


@pytest.fixture(scope="module")
def catalogue_run(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> tuple[Path, list]:
    """A clip comparison with --gallery catalogue (60 toy pairs) whose trainer's data is recorded."""
    from engine import experiment
    from engine.cli import main

    trained: list = []
    real_train = experiment.train

    def spy_train(encoder, loss_fn, data, *args, **kwargs):
        trained.append(data)
        if kwargs.get("validation") is not None:  # an early-stopping slice, if any, is seen by the trainer too
            trained.append(kwargs["validation"])
        return real_train(encoder, loss_fn, data, *args, **kwargs)

    folder = tmp_path_factory.mktemp("catalogue_run")
    data = write_csv(folder / "pairs.csv", toy_rows(60))
    store = folder / "store"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(experiment, "train", spy_train)
        assert main(["compare", str(data), "--losses", "clip", "--epochs", "1", "--model", str(tiny_model_dir),
                     "--max-seq-length", "32", "--batch-size", "8", "--device", "cpu", "--no-analysis",
                     "--gallery", "catalogue", "--out", str(store)]) == 0
    return store, trained


def test_catalogue_comparison_never_trains_on_test_and_stores_both(catalogue_run, tiny_model_dir: Path) -> None:
    from engine.experiment import (
        BASE_TILT,
        evaluate_catalogue,
        evaluate_encoder,
        prepare_data,
    )
    from engine.models import load_encoder
    from engine.runs import RunPaths

    store, trained = catalogue_run
    comparison = json.loads((store / "comparison.json").read_text())
    assert comparison["gallery"] == "catalogue"
    run = RunPaths(store / comparison["runs"][0]["run_id"])
    split = json.loads(run.split.read_text())
    test_rows = set(split["test_rows"])
    # No test item is ever in training: the trainer saw only the stored train rows, none a test row or text.
    assert trained
    test_texts = set(json.loads(run.test_pairs.read_text())["left"])
    for seen in trained:
        assert set(seen.row) <= set(split["train_rows"]) and not test_rows & set(seen.row)
        assert not test_texts & set(seen.left)

    metrics = json.loads(run.metrics.read_text())
    assert metrics["gallery"] == "catalogue"
    block = metrics["catalogue"]
    assert block["gallery_size"] == 60
    for stage in ("base", "tuned"):
        for direction in ("left_to_right", "right_to_left"):
            assert metrics[stage][direction]["gallery_size"] == len(test_rows)  # the test gallery stays as it was
            assert block[stage][direction]["gallery_size"] == 60
            assert block[stage][direction]["n_queries"] == len(test_rows)
    with np.load(run.ranks) as ranks:
        keys = set(ranks.files)
        stored = {k: ranks[k] for k in keys}
    assert {f"catalogue_{s}_{d}" for s in ("base", "tuned") for d in ("left_to_right", "right_to_left")} <= keys
    assert comparison["runs"][0]["catalogue"] == block

    # The stored tuned catalogue numbers equal a brute-force scoring of the saved model over the whole file.
    config = json.loads(run.config.read_text())
    assert config["evaluation"]["gallery"] == "catalogue"
    from engine.config import RunConfig

    whole = prepare_data(RunConfig.from_dict(config))
    tuned = load_encoder(str(run.model), device="cpu")
    left = tuned.encode(list(whole.full.left), "left")
    right = tuned.encode(list(whole.full.right), "right")
    positions = [whole.full.row.index(r) for r in whole.test.row]
    tilt = config["loss"]["tilt"]
    for direction, (queries, gallery) in {"left_to_right": (left[positions], right),
                                          "right_to_left": (right[positions], left)}.items():
        expected = _brute_ranks(queries, gallery, list(whole.test.group), list(whole.full.group), tilt)
        np.testing.assert_array_equal(stored[f"catalogue_tuned_{direction}"], expected)
        for name, value in _brute_metrics(expected).items():
            assert block["tuned"][direction][name] == pytest.approx(value)
    # And the base block is the pretrained model scored the same way (cosine).
    base = load_encoder(str(tiny_model_dir), device="cpu")
    test_eval = evaluate_encoder(base, whole.test, tilt=BASE_TILT)
    again = evaluate_catalogue(base, whole, test_eval, tilt=BASE_TILT)
    assert again.metrics["left_to_right"]["recall@1"] == pytest.approx(block["base"]["left_to_right"]["recall@1"])


def test_test_gallery_run_stores_no_catalogue(tmp_path: Path, toy_comparison_store: Path) -> None:
    comparison = json.loads((toy_comparison_store / "comparison.json").read_text())
    assert comparison["gallery"] == "test"
    for row in comparison["runs"]:
        assert row["catalogue"] is None
        metrics = json.loads((toy_comparison_store / row["run_id"] / "metrics.json").read_text())
        assert metrics["gallery"] == "test" and "catalogue" not in metrics


def test_roi_values_the_catalogue_when_production_searches_it(catalogue_run) -> None:
    from engine.roi import evaluate, preset
    from engine.roi.recall import recall_at_k

    store, _ = catalogue_run
    run_dir = next(p for p in store.iterdir() if (p / "ranks.npz").is_file())
    with np.load(run_dir / "ranks.npz") as ranks:
        catalogue_tuned = recall_at_k(ranks["catalogue_tuned_left_to_right"], 1)
        test_tuned = recall_at_k(ranks["tuned_left_to_right"], 1)
    on_test = evaluate(store, preset("expected"), n_draws=200)
    on_catalogue = evaluate(store, preset("expected").replace(gallery="catalogue"), n_draws=200)
    assert (on_test["gallery"], on_test["gallery_size"]) == ("test", 12)
    assert (on_catalogue["gallery"], on_catalogue["gallery_size"]) == ("catalogue", 60)
    assert on_test["recall"]["tuned"]["estimate"] == pytest.approx(test_tuned)
    assert on_catalogue["recall"]["tuned"]["estimate"] == pytest.approx(catalogue_tuned)
    assert on_catalogue["inputs"]["gallery"] == "catalogue"


def test_roi_refuses_the_catalogue_for_test_only_runs(toy_comparison_store: Path) -> None:
    from engine.errors import DataError
    from engine.i18n import override
    from engine.roi import evaluate, preset

    with pytest.raises(DataError, match="--gallery catalogue"):
        evaluate(toy_comparison_store, preset("expected").replace(gallery="catalogue"), n_draws=200)
    with override("ja"), pytest.raises(DataError, match="カタログ全体"):
        evaluate(toy_comparison_store, preset("expected").replace(gallery="catalogue"), n_draws=200)


def test_roi_gallery_input_round_trips_and_is_checked() -> None:
    from engine.roi import RoiInputs, preset, validate_inputs
    from engine.roi.inputs import RoiInputError, choice_text

    inputs = preset("expected").replace(gallery="catalogue")
    assert RoiInputs.from_dict(inputs.to_dict()).gallery == "catalogue"
    old = inputs.to_dict()
    del old["gallery"]  # inputs saved before the gallery input existed
    assert RoiInputs.from_dict(old).gallery == "test"
    with pytest.raises(RoiInputError):
        validate_inputs(inputs.replace(gallery="everything"))
    assert choice_text("gallery", "catalogue") == "Whole catalogue"


def test_report_uses_the_catalogue_when_the_roi_inputs_say_so(catalogue_run) -> None:
    from engine.report.assemble import assemble
    from engine.report.source import load_source
    from engine.roi import preset

    store, _ = catalogue_run
    source = load_source(store)
    metrics = json.loads((store / source.rows[0]["run_id"] / "metrics.json").read_text())
    on_test = assemble(source, sections=["caveats"], roi_inputs=preset("expected"))
    on_catalogue = assemble(source, sections=["caveats"], roi_inputs=preset("expected").replace(gallery="catalogue"))
    test_text, catalogue_text = (" ".join(r.sections[0].bullets) for r in (on_test, on_catalogue))
    assert "each search ranked only 12" in test_text and "whole catalogue" not in test_text
    assert "ranked all 60" in catalogue_text and "whole catalogue" in catalogue_text

    from engine.report.facts import gather_facts

    facts = gather_facts(source, gallery="catalogue")
    assert facts.gallery == "catalogue" and facts.gallery_size == 60
    assert facts.tuned["estimate"] == pytest.approx(metrics["catalogue"]["tuned"]["left_to_right"]["recall@1"])
    assert facts.base["estimate"] == pytest.approx(metrics["catalogue"]["base"]["left_to_right"]["recall@1"])
    assert facts.effect["low"] <= facts.effect["estimate"] <= facts.effect["high"]
    plain = gather_facts(source)
    assert plain.gallery == "test" and plain.gallery_size == 12
