"""The ROI result of one comparison: recall evidence, Monte Carlo, break-even, tornado, decision.

Everything comes from stored files (see :mod:`engine.roi.store`); nothing is re-scored. The
result's keys are listed in :mod:`engine.roi`'s docstring.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import DataError
from engine.i18n import t
from engine.roi import model, montecarlo
from engine.roi.decision import DecisionRule, decide
from engine.roi.inputs import RoiInputError, RoiInputs, validate_inputs
from engine.roi.more_data import value_of_more_data
from engine.roi.recall import RECALL_CONFIDENCE, recall_at_k, recall_evidence
from engine.roi.store import (
    load_learning_curve,
    load_run,
    locate_comparison,
    store_root,
)
from engine.runs import read_json

RESULT_VERSION = 1
MIN_DRAWS, MAX_DRAWS = 100, 100_000


def _runs(comparison_file: Path) -> tuple[dict[str, Any], Path, list[dict[str, Any]]]:
    comparison = read_json(comparison_file)
    root = store_root(comparison_file, comparison)
    rows = {str(row.get("run_id")): row for row in comparison["runs"]}
    runs = []
    for run_id, row in rows.items():
        run = load_run(root, run_id)
        if run is not None:
            runs.append({**run, "loss": row.get("loss"), "tilt": row.get("tilt")})
    if not runs:
        raise DataError(t("roi.ERROR_NO_FINISHED_RUNS", path=str(comparison_file)))
    return comparison, root, runs


def _rank_key(stage: str, direction: str, gallery: str) -> str:
    """The ``ranks.npz`` key: ``tuned_left_to_right`` on the test pairs, ``catalogue_tuned_...`` on the whole file."""
    return f"{stage}_{direction}" if gallery == "test" else f"{gallery}_{stage}_{direction}"


def _ranks(run: dict[str, Any], stage: str, direction: str, gallery: str = "test") -> np.ndarray:
    key = _rank_key(stage, direction, gallery)
    if key not in run["ranks"]:
        raise DataError(t("roi.ERROR_RANKS_MISSING", run=run["run_id"], key=key))
    return run["ranks"][key]


def _check_gallery(runs: list[dict[str, Any]], gallery: str) -> None:
    """Refuse the whole-catalogue gallery when a run was scored on the test pairs only."""
    missing = [run["run_id"] for run in runs if _rank_key("tuned", "left_to_right", gallery) not in run["ranks"]]
    if missing:
        raise DataError(t("gallery.ROI_MISSING", runs=", ".join(missing)))


def _gallery_size(run: dict[str, Any], direction: str, gallery: str = "test") -> int:
    scored = run["metrics"] if gallery == "test" else (run["metrics"].get(gallery) or {})
    tuned = (scored.get("tuned") or {}).get(direction) or {}
    return int(tuned.get("gallery_size") or _ranks(run, "tuned", direction, gallery).max())


def choose_run(runs: list[dict[str, Any]], inputs: RoiInputs, run_id: str | None) -> dict[str, Any]:
    """The run asked for, else the run with the best tuned Recall@k in the chosen direction (first of ties).

    Raises:
        DataError: ``run_id`` is not a finished run of this comparison.
    """
    if run_id is not None:
        for run in runs:
            if run["run_id"] == run_id:
                return run
        raise DataError(t("roi.ERROR_UNKNOWN_RUN", run=run_id, allowed=", ".join(r["run_id"] for r in runs)))
    scores = [recall_at_k(_ranks(run, "tuned", inputs.direction, inputs.gallery), inputs.k) for run in runs]
    return runs[scores.index(max(scores))]


def _more_data_evidence(more: dict[str, Any] | None, rule: DecisionRule, target: float) -> dict[str, Any] | None:
    if more is None:
        return None
    pick = next(p for p in more["predictions"] if p["factor"] == rule.more_data_factor)

    def high(part: dict[str, Any]) -> float:
        return part["high"] if part["high"] is not None else part["estimate"]

    return {
        "factor": pick["factor"],
        "recall": pick["recall"]["estimate"],
        "recall_high": high(pick["recall"]),
        "clears_target": pick["recall"]["estimate"] >= target,
        "clears_target_high": high(pick["recall"]) >= target,
        "npv_positive": pick["increment_npv"]["estimate"] > 0,
        "npv_positive_high": high(pick["increment_npv"]) > 0,
    }


def evaluate(
    comparison_file: str | Path,
    inputs: RoiInputs,
    *,
    run_id: str | None = None,
    rule: DecisionRule | None = None,
    n_draws: int = 4000,
    seed: int = 0,
) -> dict[str, Any]:
    """The JSON-able ROI result of one comparison (keys in :mod:`engine.roi`'s docstring).

    Args:
        comparison_file: A store folder or a comparison JSON file (see :func:`locate_comparison`).
        inputs: The business inputs, k, direction, currency and target Recall@k.
        run_id: The run to value; default the best tuned Recall@k in ``inputs.direction``.
        rule: Decision thresholds (default :class:`DecisionRule`).
        n_draws: Monte Carlo draws = paired bootstrap replicates (100–100,000).
        seed: Seed of the bootstrap (``seed``) and of the business draws (``seed + 1``).

    Raises:
        DataError: No comparison, no finished run, missing ranks, an unknown ``run_id``.
        RoiInputError: Inputs out of range (e.g. ``k`` larger than the gallery), bad ``n_draws``.
    """
    if isinstance(n_draws, bool) or not isinstance(n_draws, int) or not MIN_DRAWS <= n_draws <= MAX_DRAWS:
        raise RoiInputError(t("roi.ERROR_DRAWS", got=repr(n_draws)[:40], low=MIN_DRAWS, high=MAX_DRAWS), field="n_draws")
    rule = rule or DecisionRule()
    file = locate_comparison(comparison_file)
    comparison, root, runs = _runs(file)
    validate_inputs(inputs)  # everything but k's upper bound, which depends on the run's gallery
    _check_gallery(runs, inputs.gallery)
    run = choose_run(runs, inputs, run_id)
    gallery = _gallery_size(run, inputs.direction, inputs.gallery)
    validate_inputs(inputs, gallery)
    base_ranks = _ranks(run, "base", inputs.direction, inputs.gallery)
    tuned_ranks = _ranks(run, "tuned", inputs.direction, inputs.gallery)
    recall, base_draws, tuned_draws = recall_evidence(base_ranks, tuned_ranks, inputs.k, n_draws=n_draws, seed=seed)
    r_base, r_tuned = recall["base"]["estimate"], recall["tuned"]["estimate"]
    det = model.deterministic(inputs, r_base, r_tuned)
    draws = montecarlo.simulate(inputs, base_draws, tuned_draws, seed=seed + 1)
    mc = montecarlo.summarise(draws)
    even = model.break_even(inputs, r_base, r_tuned)
    more = value_of_more_data(
        load_learning_curve(root), inputs, recall_base_k=r_base, recall_tuned_k=r_tuned,
        recall_tuned_1=recall_at_k(tuned_ranks, 1), increment_npv=det["increment"]["npv"],
        context={"test_rows": run.get("test_rows"), "loss": run.get("loss")},
    )
    evidence = {
        "k": inputs.k,
        "direction": inputs.direction,
        "delta": recall["delta"],
        "tuned": recall["tuned"],
        "target_recall": inputs.target_recall,
        "p_npv_positive": mc["increment"]["p_npv_positive"],
        "break_even_reachable": even["reachable"],
        "more_data": _more_data_evidence(more, rule, inputs.target_recall),
    }
    return {
        "version": RESULT_VERSION,
        "comparison": str(file),
        "run_id": run["run_id"],
        "loss": run.get("loss"),
        "tilt": run.get("tilt"),
        "direction": inputs.direction,
        "columns": run.get("columns"),
        "k": inputs.k,
        "gallery": inputs.gallery,
        "gallery_size": gallery,
        "test_queries": int(np.asarray(base_ranks).size),
        "train_pairs": comparison.get("train_pairs"),
        "currency": inputs.currency,
        "inputs": inputs.to_dict(),
        "rule": rule.to_dict(),
        "settings": {"n_draws": n_draws, "seed": seed, "recall_confidence": RECALL_CONFIDENCE,
                     "interval": montecarlo.INTERVAL},
        "recall": recall,
        "deterministic": det,
        "monte_carlo": mc,
        "npv_draws": {option: montecarlo.stored_draws(draws[option]["npv"]) for option in ("tuned", "increment")},
        "break_even": even,
        "tornado": model.tornado(inputs, r_base, r_tuned),
        "more_data": more,
        "evidence": evidence,
        "decision": decide(evidence, rule),
    }
