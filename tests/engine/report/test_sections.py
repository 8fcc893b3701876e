"""Report content from stored data: the numbers quoted, empty sections with reasons, bad input."""

from __future__ import annotations

import json
import shutil

import pytest

from engine.errors import ConfigError
from engine.i18n import format as fmt
from engine.i18n import override
from engine.report import SECTIONS, build_report, strings
from engine.report.assemble import assemble, check_sections
from engine.report.source import load_source


def _copy(store, tmp_path):
    target = tmp_path / "store"
    shutil.copytree(store, target, ignore=shutil.ignore_patterns("model", "checkpoint"))
    return target


def _sections(store, **kwargs):
    report = assemble(load_source(store), **kwargs)
    return {s.id: s for s in report.sections}


def test_summary_quotes_the_stored_numbers(report_store):
    comparison = json.loads((report_store / "comparison.json").read_text())
    sections = _sections(report_store)
    summary = sections["summary"]
    run_id = None
    # The summary names its run; its Recall@1 tile must be that run's stored base → tuned.
    for row in comparison["runs"]:
        expected = strings.BASE_TO_TUNED.format(base=fmt.percent(row["base"]["left_to_right"]["recall@1"]),
                                                tuned=fmt.percent(row["tuned"]["left_to_right"]["recall@1"]))
        if summary.numbers[0].value == expected:
            run_id = row["run_id"]
    assert run_id is not None, summary.numbers[0]
    uncertainty = json.loads((report_store / run_id / "analysis" / "uncertainty.json").read_text())
    effect = next(r for r in uncertainty["fine_tuning"] if r["metric"] == "recall@1" and r["direction"] == "left_to_right")
    assert summary.numbers[1].value == strings.POINTS_VALUE.format(points=fmt.points(effect["estimate"], 1))
    assert summary.numbers[2].value == strings.PAIRS_VALUE.format(pairs=fmt.number(comparison["test_pairs"]))
    assert summary.tone in ("go", "extend", "stop") and summary.bullets  # decision with its reasons
    assert [(s.id, s.empty) for s in sections.values() if s.empty] == []  # every part of this store is stored


def test_phrases_are_filled_with_this_pilots_numbers(report_store):
    phrases = _sections(report_store)["phrases"]
    assert 3 <= len(phrases.bullets) <= 4
    comparison = json.loads((report_store / "comparison.json").read_text())
    assert fmt.number(comparison["test_pairs"]) in phrases.bullets[0]


def test_missing_parts_say_why_and_what_to_do(report_store, tmp_path):
    store = _copy(report_store, tmp_path)
    (store / "learning_curve.json").unlink()
    for run in store.iterdir():
        if (run / "audit.json").is_file():
            (run / "audit.json").unlink()
    sections = _sections(store)
    assert sections["learning_curve"].empty == strings.CURVE_EMPTY
    assert sections["data"].empty == strings.AUDIT_EMPTY
    assert strings.CAVEAT_NO_AUDIT in sections["caveats"].bullets


def test_broken_stored_part_does_not_sink_the_report(report_store, tmp_path):
    store = _copy(report_store, tmp_path)
    for similarity in store.glob("*/analysis/similarity.json"):
        similarity.write_text(json.dumps({"tuned": {"counts": "garbage"}, "base": {}}))
    sections = _sections(store)
    similarity = sections["similarity"]
    assert not similarity.charts and (similarity.empty or similarity.paragraphs)
    assert sections["losses"].charts  # the rest is intact


def test_store_without_comparison_has_no_decision_but_says_why(report_store, tmp_path):
    store = _copy(report_store, tmp_path)
    (store / "comparison.json").unlink()
    sections = _sections(store)
    assert sections["roi"].empty == strings.ROI_NO_COMPARISON
    assert sections["summary"].headline == strings.DECISION_NONE and sections["summary"].tone is None
    assert sections["losses"].tables[0].rows  # evidence is still shown from the runs' metrics.json


def test_comparison_file_of_a_job_finds_the_runs_one_folder_up(report_store, tmp_path):
    store = _copy(report_store, tmp_path)
    jobs = store / "jobs"
    jobs.mkdir()
    moved = jobs / "job-1.result.json"
    (store / "comparison.json").rename(moved)
    source = load_source(moved)
    assert source.store == store and len(source.rows) == 2


def test_sections_are_checked_and_kept_in_report_order():
    assert check_sections(["roi", "summary"]) == ["summary", "roi"]
    assert check_sections(None) == list(SECTIONS)
    with pytest.raises(ConfigError, match="nonsense"):
        check_sections(["summary", "nonsense"])


def test_bad_input_is_refused_with_a_clear_message(report_store, tmp_path):
    with pytest.raises(ConfigError, match="format"):
        build_report(report_store, "docx", "en", tmp_path / "x.docx")
    with pytest.raises(ConfigError, match="language"):
        build_report(report_store, "html", "fr", tmp_path / "x.html")
    with pytest.raises(ConfigError, match="neither a comparison file"):
        build_report(tmp_path / "nowhere", "html", "en", tmp_path / "x.html")
    (tmp_path / "bad.json").write_text("{}")
    with override("ja"), pytest.raises(ConfigError, match="比較ファイルではありません"):
        build_report(tmp_path / "bad.json", "html", "ja", tmp_path / "x.html")


def test_progress_is_reported_per_stage(report_store, tmp_path):
    seen: list[tuple[str, float]] = []
    build_report(report_store, "html", "ja", tmp_path / "r.html", sections=["summary", "roi"],
                 progress=lambda message, fraction: seen.append((message, fraction)))
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    with override("ja"):
        assert seen[-1][0] == strings.PROGRESS_DONE and len(seen) >= 5


def test_given_roi_inputs_are_used_and_named(report_store, tmp_path):
    from engine.i18n import message
    from engine.roi import preset

    inputs = preset("optimistic").to_dict()
    path = tmp_path / "roi.json"
    path.write_text(json.dumps({"version": 1, "inputs": inputs}))
    sections = _sections(report_store, roi_inputs=path)
    roi = sections["roi"]
    assert roi.tables[1].caption == strings.ROI_INPUTS_CAPTION.format(inputs=message("report.INPUT_ORIGINS")["given"])
    tasks = inputs["tasks_per_month"]
    assert roi.tables[1].rows[0][1:4] == [fmt.number(tasks[p]) for p in ("low", "likely", "high")]
    assert _sections(report_store)["roi"].tables[1].caption.endswith(message("report.INPUT_ORIGINS")["preset"])
