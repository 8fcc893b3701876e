"""Sentences stored inside analysis JSON: English as before, keyed forms written in Japanese at read time."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.analysis import wording
from engine.analysis.evidence.calibration import calibration_report
from engine.analysis.evidence.drilldown import drilldown
from engine.analysis.evidence.latent_map import _takeaway
from engine.analysis.evidence.power_law import fit_saturating_power_law, render_fit_warnings
from engine.analysis.evidence.similarity import compare_distributions, similarity_distributions
from engine.i18n import override


@pytest.fixture(scope="module")
def pairs():
    rng = np.random.default_rng(0)
    left = rng.normal(size=(40, 6))
    groups = [f"g{i // 2}" for i in range(40)]
    return left, left + 0.3 * rng.normal(size=left.shape), groups


def _roundtrip(value):
    return json.loads(json.dumps(value))


def test_calibration_summary_and_warning_in_japanese(pairs):
    left, right, groups = pairs
    stored = _roundtrip(calibration_report(left, right, groups, tilt="cosine", temperature=0.05))
    # 40 pairs, half the groups evaluate: 20 queries, below the 100 a firm ECE needs.
    assert stored["warnings"][-1] == ("Only 20 queries evaluate calibration; ECE from fewer than 100 queries is noisy. "
                                      "Use a larger test split for a firmer estimate.")
    summary = stored["directions"]["left_to_right"]
    assert wording.render_text(summary, "summary") == summary["summary"]
    with override("ja"):
        assert wording.render_texts(stored, "warnings")[-1] == (
            "較正の評価に使えるクエリは20件だけです。100件未満のクエリから求めたECEはばらつきが大きくなります。"
            "より確かな推定には、テスト用の分割を大きくしてください。")
        japanese = wording.render_text(summary, "summary")
        assert japanese.startswith("左 → 右：学習時の温度0.05では、モデルは")
        assert f"ECE {summary['training']['ece']:.3f}" in japanese
        assert wording.render_text(stored, "confidence").startswith("信頼度＝")


def test_similarity_takeaways_in_japanese(pairs):
    left, right, groups = pairs
    base = similarity_distributions(left, right, groups, tilt="cosine")
    tuned = similarity_distributions(left, -left, groups, tilt="dot")
    stored = _roundtrip(compare_distributions(base, tuned))
    assert stored["takeaways"][-1] == (
        "The base model scores with cosine and the tuned one with dot, so their thresholds are on different scales; "
        "compare the AUCs, not the thresholds.")
    assert wording.render_texts(stored, "takeaways") == stored["takeaways"]
    with override("ja"):
        japanese = wording.render_texts(stored, "takeaways")
        flipped = wording.render_texts(_roundtrip(tuned), "warnings")
    assert japanese[0].startswith("正しい項目と最も強い誤り候補の区別：AUCが") and "下がりました" in japanese[0]
    assert japanese[-1] == ("ベースモデルはcosine、調整後のモデルはdotでスコアを計算しているため、しきい値の尺度が異なります。"
                            "しきい値ではなくAUCで比較してください。")
    assert flipped[0].startswith("正しいペアのスコアが、ランダムなペアより低くなっています（AUC ")


def test_latent_map_and_drilldown_takeaways_in_japanese(pairs):
    parts = _takeaway(0.4, 0.3, -25.0, -10.0, "umap", {"base": False, "tuned": False})
    assert wording.english(parts) == (
        "Pairs moved closer by 25% in the UMAP map (mean distance between the two sides of a pair 0.4 -> 0.3, "
        "base-map units). In the full embedding space, relative to the spread of all points, pairs are 10% closer. "
        "The map is a 2-D picture; judge the model by the retrieval metrics.")
    with override("ja"):
        assert wording.render(_roundtrip(parts)) == (
            "UMAPの図で、ペアは25%近づきました（ペアの両側の平均距離 0.4 → 0.3、ベースモデルの図の単位）。"
            "元の埋め込み空間では、全点の広がりに対してペアは10%近づいています。"
            "この図は2次元に投影した姿にすぎません。モデルの良し悪しは検索指標で判断してください。")
    left, right, groups = pairs
    summary = _roundtrip(drilldown(left, right, left, right, groups, tilt_tuned="cosine")["summary"])
    assert summary["takeaway"] == ("Searching right items from left items, the tuned model ranks the true item higher "
                                   "for 0 of 40 queries, lower for 0 and the same for 40.")
    with override("ja"):
        assert wording.render_text(summary, "takeaway") == (
            "左側の項目から右側の項目を検索すると、調整後のモデルは40件のクエリのうち0件で正解をより上位に、"
            "0件でより下位に順位付けし、40件では同じ順位でした。")


def test_learning_curve_warning_in_japanese():
    # A falling metric gives a flat fit and a warning.
    fit = _roundtrip(fit_saturating_power_law([100, 200, 400, 800], [0.6, 0.55, 0.5, 0.45], n_boot=20))
    assert "The metric does not rise with more data in these points" in fit["warnings"][0]
    with override("ja"):
        assert render_fit_warnings(fit)[0].startswith("これらの点ではデータを増やしても指標が上がっていないため")


def test_old_results_without_keys_fall_back_to_english():
    old = {"takeaway": "Old takeaway.", "warnings": ["Old warning."]}
    with override("ja"):
        assert wording.render_text(old, "takeaway") == "Old takeaway."
        assert wording.render_texts(old, "warnings") == ["Old warning."]
        broken = {**old, "takeaway_keyed": {"key": "analysis.NO_SUCH", "fields": {}}, "warnings_keyed": []}
        assert wording.render_text(broken, "takeaway") == "Old takeaway."
        assert wording.render_texts(broken, "warnings") == ["Old warning."]


def test_covariance_caveat_with_nested_phrase_in_japanese():
    from engine.analysis.gaussian.fit import CrossModalGaussianFit

    rng = np.random.default_rng(1)
    u = rng.normal(size=(30, 4))
    fit = _roundtrip(CrossModalGaussianFit(shrinkage=0.2).fit(u, u + 0.1 * rng.normal(size=u.shape)).to_dict())
    # 30 pairs for 8 dimensions: 3.75 per dimension, under the 10 a covariance needs.
    assert fit["shrinkage_note"].startswith("Only 30 pairs for 8 dimensions (3.8 per dimension; fewer than 10 is too few)")
    assert "; a fixed shrinkage of 0.200 was applied. Reduce the dimension" in fit["shrinkage_note"]
    with override("ja"):
        japanese = wording.render(fit["shrinkage_note_keyed"], fit["shrinkage_note"])
    assert japanese.startswith("8次元に対してペアが30組しかありません（1次元あたり3.8組。10組未満では不足です）。")
    assert "固定の縮小量0.200を適用しています。数値をそのまま読む前に" in japanese
