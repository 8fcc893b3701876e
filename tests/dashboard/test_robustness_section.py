"""AppTest: the Train page queues a robustness study; the Results page's section charts a stored one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import toy_rows
from streamlit.testing.v1 import AppTest

from dashboard.robustness_section import LOSSES_KEY, NOISE_KEY, START_KEY
from engine.i18n import t
from engine.models.packaged import MINILM  # preselected for the English toy pairs

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture
def store(tmp_path):
    from conftest import csv_bytes

    from engine.datasets import store_upload

    root = tmp_path / "s"
    store_upload(root, "pilot pairs.csv", csv_bytes(toy_rows(40)))
    return root


def test_the_robustness_button_queues_its_own_spec(monkeypatch, store):
    import engine.jobs
    from engine.datasets import list_datasets
    from engine.jobs import ROBUSTNESS_DEFAULTS, normalise_spec

    calls = []
    monkeypatch.setattr(engine.jobs, "submit_job", lambda root, spec: calls.append(spec) or "job-7")
    monkeypatch.setenv("TILTPILOT_STORE", str(store))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/train.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key=NOISE_KEY).value == ROBUSTNESS_DEFAULTS["noise"]
    assert at.multiselect(key=LOSSES_KEY).value == ROBUSTNESS_DEFAULTS["losses"]
    at.multiselect(key=LOSSES_KEY).set_value(["joint", "clip"])
    at.multiselect(key=NOISE_KEY).set_value([0.2, 0.0])
    at.button(key=START_KEY).click().run()
    assert not at.exception and not at.error
    [spec] = calls
    [entry] = list_datasets(store)
    assert spec["kind"] == "robustness" and spec["losses"] == ["joint", "clip"] and spec["noise"] == [0.0, 0.2]
    assert spec["tilt"] == "cosine" and spec["data"] == str(entry.path) and spec["model"] == MINILM
    assert normalise_spec(spec)["kind"] == "robustness"  # a valid request of the new kind
    assert at.success[0].value == t("robustness.STARTED", job_id="job-7")


def _stored_study(root: Path, *, complete: bool = True) -> dict:
    def stat(value):
        return {"recall@1": {"estimate": value, "low": value - 0.05, "high": value + 0.05}}

    study = {"complete": complete, "noise": [0.0, 0.4], "test_pairs": 78, "train_pairs": 310, "confidence": 0.95,
             "base": {d: stat(0.5) for d in ("left_to_right", "right_to_left")},
             "points": [{"loss": loss, "label": f"{loss}-cosine", "noise": noise, "mismatched": round(noise * 310),
                         "metrics": {d: stat(value) for d in ("left_to_right", "right_to_left")}}
                        for noise, loss, value in ((0.0, "clip", 0.8), (0.0, "joint", 0.78), (0.4, "clip", 0.7),
                                                   (0.4, "joint", 0.6))]}
    root.mkdir(parents=True, exist_ok=True)
    (root / "robustness.json").write_text(json.dumps(study), encoding="utf-8")
    return study


def _section(root: str, lang: str) -> None:
    from dashboard.robustness_section import results_section
    from engine.i18n import set_language

    set_language(lang)
    results_section(root, "left_to_right", {"left": "title", "right": "description"})


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_results_section_charts_a_stored_study(tmp_path, lang):
    from engine.i18n import override

    _stored_study(tmp_path)
    at = AppTest.from_function(_section, args=(str(tmp_path), lang), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    with override(lang):
        assert at.subheader[0].value == t("robustness.RESULTS_TITLE")
        text = at.text[0].value
        assert "clip-cosine" in text and "joint-cosine" in text and "40" in text
    assert not at.info  # a finished study carries no "not finished" note


def test_an_unfinished_study_says_so_and_no_file_shows_nothing(tmp_path):
    _stored_study(tmp_path / "a", complete=False)
    at = AppTest.from_function(_section, args=(str(tmp_path / "a"), "en"), default_timeout=30).run()
    assert at.info[0].value == t("robustness.RESULTS_INCOMPLETE")
    empty = AppTest.from_function(_section, args=(str(tmp_path / "none"), "en"), default_timeout=30).run()
    assert not empty.exception and not empty.subheader


def test_the_results_page_shows_a_stored_study_below_its_sections(monkeypatch, tmp_path, toy_comparison_store):
    import shutil

    store = tmp_path / "store"
    shutil.copytree(toy_comparison_store, store)
    _stored_study(store)
    monkeypatch.setenv("TILTPILOT_STORE", str(store))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/results.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert t("robustness.RESULTS_TITLE") in [s.value for s in at.subheader]
    assert any("clip-cosine" in text.value and "40%" in text.value for text in at.text)
