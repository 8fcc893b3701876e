"""The gallery on the dashboard: the Train page's switch and the Results page's gallery display."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import build_comparison, csv_bytes, toy_rows
from streamlit.testing.v1 import AppTest

from dashboard import state

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture(scope="module")
def catalogue_store(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> Path:
    return build_comparison(tmp_path_factory.mktemp("catalogue"), tiny_model_dir, extra_args=("--gallery", "catalogue"),
                             bootstrap=200)


def _results(monkeypatch, store: Path) -> AppTest:
    monkeypatch.setenv("TILTPILOT_STORE", str(store))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/results.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_results_show_which_gallery_and_both(monkeypatch, catalogue_store: Path) -> None:
    comparison = json.loads((catalogue_store / "comparison.json").read_text())
    at = _results(monkeypatch, catalogue_store)
    captions = [c.value for c in at.caption]
    n_test = comparison["test_pairs"]
    n_all = comparison["runs"][0]["catalogue"]["gallery_size"]
    assert f"Gallery: test pairs only. Each test query is ranked among the {n_test} test items." in captions
    both = at.dataframe[0].value
    assert list(both.columns) == ["Run", "Gallery", "Items searched", "Base", "Fine-tuned", "Change"]
    assert sorted(set(both["Gallery"])) == ["Test pairs only", "Whole catalogue"]
    assert set(both["Items searched"]) == {str(n_test), str(n_all)}

    at.selectbox(key=state.RESULT_GALLERY).set_value("catalogue").run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert any(c.startswith(f"Gallery: whole catalogue. Each test query is ranked among all {n_all} items") for c in captions)
    # The tiles now show the stored catalogue numbers (Recall@1, left → right), not the test pairs'.
    expected = [row["catalogue"]["tuned"]["left_to_right"]["recall@1"] for row in comparison["runs"]]
    shown = [float(m.value.rstrip("%")) / 100 for m in at.metric]
    assert shown == pytest.approx(expected, abs=0.0006)


def test_results_in_japanese_name_the_gallery(monkeypatch, catalogue_store: Path) -> None:
    monkeypatch.setenv("TILTPILOT_LANG", "ja")
    at = _results(monkeypatch, catalogue_store)
    assert any(c.value.startswith("検索対象：テスト用ペアのみ。") for c in at.caption)
    assert set(at.dataframe[0].value["検索対象"]) == {"テスト用ペアのみ", "カタログ全体"}


def test_test_gallery_store_offers_no_switch(monkeypatch, toy_comparison_store: Path) -> None:
    at = _results(monkeypatch, toy_comparison_store)
    assert not [r for r in at.selectbox if r.key == state.RESULT_GALLERY]
    assert any(c.value.startswith("Gallery: test pairs only.") for c in at.caption)


def test_train_switch_puts_the_gallery_in_the_job(monkeypatch, tmp_path: Path) -> None:
    import engine.jobs
    from engine.datasets import store_upload

    store = tmp_path / "s"
    store_upload(store, "pairs.csv", csv_bytes(toy_rows(40)))
    submitted: list = []
    monkeypatch.setattr(engine.jobs, "submit_job", lambda root, spec: submitted.append(spec) or "job-1")
    monkeypatch.setenv("TILTPILOT_STORE", str(store))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/train.py").run()
    assert at.selectbox(key=state.TRAIN_GALLERY).value == "test"
    at.selectbox(key=state.TRAIN_GALLERY).set_value("catalogue").run()
    at.button(key=state.TRAIN_START).click().run()
    assert not at.exception
    assert submitted and submitted[0]["gallery"] == "catalogue"
    from engine.jobs.spec import normalise_spec, run_configs

    base, _, _ = run_configs(normalise_spec(submitted[0]))
    assert base.evaluation.gallery == "catalogue"
