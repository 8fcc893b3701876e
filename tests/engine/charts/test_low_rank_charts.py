"""Low-rank charts on the small-sample estimator's stored form: withheld numbers are words, never numbers."""

from __future__ import annotations

from engine.charts.low_rank import (
    canonical_spectrum,
    captured_dependence,
    captured_takeaway,
    gaussianity_takeaway,
    is_current,
    learned_vs_optimal_chart,
    learned_vs_optimal_takeaway,
    spectrum_takeaway,
)
from engine.i18n import override


def stage(bits, rank, k=2, withheld=None, gaussian="close"):
    return {
        "pca_u": 20, "supported_directions": k, "canonical_correlations": [0.9, 0.5][:k],
        "canonical_correlation_intervals": [[0.85, 0.93], [0.4, 0.6]][:k], "mutual_information_bits": bits,
        "mutual_information_interval_bits": [1.5, 2.5] if bits else [0.0, 0.1], "captured_dependence": [0.8, 1.0][:k],
        "rank_for_90": rank, "rank_for_90_interval": [2, 2], "withheld": withheld or {"mutual_information": None,
                                                                                       "rank_for_90": None},
        "gaussianity": {"level": gaussian, "max_abs_skewness": 0.2, "max_abs_excess_kurtosis": 0.4} if k else None,
    }


def stored() -> dict:
    none = {"mutual_information": "no_shared_direction", "rank_for_90": "no_shared_direction"}
    return {"method": "pca_cca_bias_corrected", "base": stage(None, None, k=0, withheld=none), "tuned": stage(2.0, 2)}


def test_current_fit_states_numbers_only_where_supported() -> None:
    data = stored()
    assert is_current(data) and not is_current({"base": {}, "tuned": {}})
    text = spectrum_takeaway(data)
    assert "at least 2.0 bits (95% interval 1.5–2.5) along 2 directions" in text
    assert "base model: no amount of shared information is stated: no direction is shared beyond what chance" in text
    assert "fine-tuned: 2 directions carry 90%" in captured_takeaway(data)
    assert "base model: no number of directions is stated" in captured_takeaway(data)
    fig = canonical_spectrum(data).to_plotly_json()
    bars = {t["name"]: t for t in fig["data"]}
    assert list(bars["base model"]["y"]) == [] and list(bars["fine-tuned"]["y"]) == [0.9, 0.5]
    assert list(bars["fine-tuned"]["error_y"]["array"]) == [0.030000000000000027, 0.09999999999999998]
    names = [t["name"] for t in captured_dependence(data).to_plotly_json()["data"]]
    assert names == ["fine-tuned", "fine-tuned: 90% at 2", "90% of the dependence"]
    assert "close to Gaussian" in gaussianity_takeaway(data) and "good guide" in gaussianity_takeaway(data)


def test_withheld_wording_in_japanese() -> None:
    with override("ja"):
        text = captured_takeaway(stored())
    assert "方向の数は示していません。" in text and "ためです" not in text


def test_l2_chart_names_the_theorem_5_3_optimum() -> None:
    learned = {"optimum": {"targets": ["l2"], "form": "full"},
               "readout": {"base": {"l2": {"relative_error": 0.7}}, "tuned": {"l2": {"relative_error": 0.1}}}}
    fig = learned_vs_optimal_chart(learned).to_plotly_json()
    assert "L2 optimum (Theorem 5.3, full rank" in fig["layout"]["title"]["text"]
    assert list(fig["data"][1]["y"]) == [0.1]
    assert learned_vs_optimal_takeaway(learned).startswith(
        "This L2 run is compared with the paper's L2 optimum (Theorem 5.3, full rank), not the dot-product one: "
        "distance 0.10 after fine-tuning (base 0.70)")
    learned["readout"]["base"] = None
    assert "base" not in learned_vs_optimal_takeaway(learned)
    bilinear = learned_vs_optimal_chart({"readout": {"tuned": {"conditional": {"relative_error": 0.2}, "joint": {
        "relative_error": 0.3}, "share_of_optimal_conditional_gain": 0.9}}}).to_plotly_json()
    assert "dot-product optimum (Theorems 5.1 and 5.6" in bilinear["layout"]["title"]["text"]
