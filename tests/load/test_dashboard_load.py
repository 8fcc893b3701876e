"""Load: 5 browser sessions click through Results at once while a training job runs; no errors allowed.

The scenario is bench/load_dashboard.py (also a script). Errors (Streamlit exceptions on the page,
console and page errors, time-outs) are asserted to be zero; page times are written to
tests/artifacts/load.json and printed, never asserted (timings on the shared 2-core machines vary
2-5x). Marked ``load`` (and ``browser``: it drives Debian chromium).
"""

from __future__ import annotations

import json

import pytest

SESSIONS = 5
ROUNDS = 2


@pytest.mark.load
@pytest.mark.browser
def test_five_sessions_click_through_results_while_a_job_trains(scenario, tiny_model_dir, load_store, artifacts):
    store, data = scenario.build_store(load_store, tiny_model_dir)
    figures = scenario.run_scenario(store, data, tiny_model_dir, load_store, sessions=SESSIONS, rounds=ROUNDS,
                                    shots=artifacts)
    (artifacts / "load.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    page = figures["page_time"]
    print(f"\nload: {figures['errors']} errors, {figures['pages']} pages, p50 {page['p50_s']} s, "
          f"p95 {page['p95_s']} s, load {figures['wall_s']} s")

    assert figures["errors"] == 0, figures["error_messages"]
    # Every session did every step of every round: a page that never settled is not silently skipped.
    start, round_steps = scenario.session_steps()
    assert figures["pages"] == SESSIONS * (len(start) + ROUNDS * len(round_steps))
    assert set(figures["per_step"]) == {step.name for step in start + round_steps}
    # The job trained all through the load (else this measured an idle server), and stopped after it.
    assert figures["training"]["job_state_after_load"] == "running"
    assert figures["training"]["train_steps_during_load"] > 0
    assert figures["training"]["job_final_state"] == "cancelled"


def test_percentile_interpolates_between_order_statistics(scenario):
    # rank (n-1)q/100: 3 * 0.95 = 2.85 -> 3 + 0.85 * (4 - 3); 3 * 0.5 = 1.5 -> 2.5
    assert scenario.percentile([4.0, 1.0, 3.0, 2.0], 95) == pytest.approx(3.85)
    assert scenario.percentile([4.0, 1.0, 3.0, 2.0], 50) == pytest.approx(2.5)
    assert scenario.percentile([7.0], 95) == 7.0


def test_summary_counts_every_error_and_times_each_step(scenario):
    logs = [scenario.SessionLog(times=[(0, "open_results", 1.0), (0, "similarity", 3.0), (1, "open_results", 5.0)],
                                errors=[], external=set()),
            scenario.SessionLog(times=[(0, "open_results", 2.0)], errors=["similarity: TimeoutError", "console: x"],
                                external={"https://example.org/icon.svg"})]
    figures = scenario.summarise(logs, rounds=1, wall_s=9.0)
    assert figures["errors"] == 2 and figures["pages"] == 4
    assert figures["page_time"]["p50_s"] == 2.5 and figures["page_time"]["max_s"] == 5.0
    # open_results 1, 2, 5: rank 2 * 0.95 = 1.9 -> 2 + 0.9 * (5 - 2)
    assert figures["per_step"]["open_results"] == pytest.approx(
        {"n": 3, "p50_s": 2.0, "p95_s": 4.7, "max_s": 5.0, "mean_s": 8 / 3}, abs=1e-3)  # figures keep 3 decimals
    assert figures["per_round"]["1"]["n"] == 3 and figures["per_round"]["2"]["max_s"] == 5.0
    assert figures["external_requests_blocked"] == ["https://example.org/icon.svg"]
