"""Job cards of robustness jobs: what they do, their progress, and that they are never offered as comparisons."""

from __future__ import annotations

from dashboard import job_cards
from engine.i18n import override, t


def _job(**fields):
    spec = {"kind": "robustness", "data": "/x/pairs.csv", "losses": ["clip", "joint"], "tilt": "cosine",
            "noise": [0.0, 0.1, 0.2, 0.4]}
    return {"job_id": "j1", "kind": "robustness", "spec": spec, "state": "running", **fields}


def test_a_robustness_card_says_what_it_does_in_both_languages():
    for lang in ("en", "ja"):
        with override(lang):
            assert job_cards.what(_job()) == t("robustness.WHAT", losses="clip, joint", tilt="cosine", levels=4)
    assert "robustness of clip, joint" in job_cards.what(_job())


def test_its_progress_names_the_loss_and_the_noise_level():
    training = _job(progress={"stage": "train", "loss": "joint-cosine", "noise": 0.2, "runs_done": 5,
                              "runs_total": 8, "epoch": 1, "epochs": 1, "step": 3, "total_steps": 10,
                              "overall_eta_s": 65})
    text = job_cards.progress_text(training)
    assert "joint-cosine" in text and "20%" in text and "6 of 8" in text
    assert job_cards.progress_text(_job(progress={"stage": "preparing"})) == t("robustness.PROGRESS_PREPARING")
    assert job_cards.done_text(_job(state="done", run_ids=["a", "b"])) == t("robustness.DONE", n=2)


def test_a_finished_robustness_job_is_not_listed_as_a_comparison(tmp_path):
    result = tmp_path / "r.json"
    result.write_text("{}")
    done = _job(state="done", result=str(result), created=1.0)
    assert job_cards.comparison_results([done], {}) == {}
    assert job_cards.comparison_results([{**done, "kind": "compare", "spec": {"data": "x"}}], {}) != {}
