"""Inputs: absurd values refused naming the field and range; JSON round trip; presets; storage."""

from __future__ import annotations

import json

import pytest

from engine.i18n import message, override
from engine.roi import (
    INPUT_FIELDS,
    PRESETS,
    Estimate,
    RoiInputError,
    RoiInputs,
    inputs_path,
    load_inputs,
    preset,
    save_inputs,
    validate_inputs,
)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"tasks_per_month": Estimate(-10, 100, 200)}, "tasks_per_month", "expected a value from 0 to"),
        ({"extra_pairs": Estimate(-1, 0, 0)}, "extra_pairs", "from 0"),
        ({"hourly_cost": Estimate(-5000, 5000, 6000)}, "hourly_cost", "from 0"),
        ({"annual_discount_rate": Estimate(0.05, 0.5, 1.5)}, "annual_discount_rate", "from 0 to 1"),
        ({"minutes_saved": Estimate(1, 12, 12)}, "minutes_saved", "cannot exceed minutes per task"),
        ({"pilot_cost": Estimate(3e6, 2e6, 4e6)}, "pilot_cost", "low ≤ likely ≤ high"),
        ({"running_cost_per_month": Estimate(1, 5, 3)}, "running_cost_per_month", "low ≤ likely ≤ high"),
        ({"horizon_months": 0}, "horizon_months", "from 1 to 240"),
        ({"horizon_months": 6.5}, "horizon_months", "from 1 to 240"),
        ({"k": 0}, "k", "from 1 to 20"),
        ({"k": 21}, "k", "from 1 to 20"),
        ({"target_recall": 1.5}, "target_recall", "from 0 to 1"),
        ({"direction": "up"}, "direction", "left_to_right, right_to_left"),
        ({"currency": "yen"}, "currency", "ISO 4217"),
        ({"tasks_per_month": Estimate(float("nan"), 1, 2)}, "tasks_per_month", "finite"),
    ],
)
def test_absurd_inputs_are_refused_naming_the_field(changes, field, words, hand_inputs):
    inputs = hand_inputs(**changes)
    with pytest.raises(RoiInputError, match=field) as caught:
        validate_inputs(inputs, gallery_size=20)
    assert caught.value.field == field
    assert words in str(caught.value)


def test_refusals_read_in_japanese(hand_inputs):
    with override("ja"), pytest.raises(RoiInputError) as caught:
        validate_inputs(hand_inputs(k=50), gallery_size=20)
    assert "k（" in str(caught.value) and "入力してください" in str(caught.value)


def test_k_is_free_without_a_gallery(hand_inputs):
    validate_inputs(hand_inputs(k=500))  # the gallery is only known with a comparison
    with pytest.raises(RoiInputError, match="k"):  # once it is known, k must fit in it
        validate_inputs(hand_inputs(k=500), gallery_size=100)


def test_json_round_trip(hand_inputs):
    inputs = hand_inputs(tasks_per_month=Estimate(800, 1000, 1500), k=5, currency="USD", target_recall=0.9)
    text = json.dumps(inputs.to_dict())
    assert RoiInputs.from_dict(json.loads(text)) == inputs


def test_from_dict_accepts_numbers_and_lists_and_refuses_junk(hand_inputs):
    data = hand_inputs().to_dict()
    data["tasks_per_month"] = 1200
    data["hourly_cost"] = [4000, 5000, 6000]
    inputs = RoiInputs.from_dict(data)
    assert inputs.tasks_per_month == Estimate.point(1200) and inputs.hourly_cost == Estimate(4000, 5000, 6000)
    with pytest.raises(RoiInputError, match="not_a_field"):
        RoiInputs.from_dict({**data, "not_a_field": 1})
    with pytest.raises(RoiInputError, match="hourly_cost"):
        RoiInputs.from_dict({**data, "hourly_cost": "lots"})
    with pytest.raises(RoiInputError, match="pilot_cost"):
        RoiInputs.from_dict({k: v for k, v in data.items() if k != "pilot_cost"})
    with pytest.raises(RoiInputError, match="k"):
        RoiInputs.from_dict({**data, "k": 2.5})


@pytest.mark.parametrize("name", PRESETS)
def test_presets_are_valid_yen_and_ordered(name):
    inputs = preset(name, gallery_size=78)
    assert inputs.currency == "JPY" and 4000 <= inputs.hourly_cost.likely <= 6000
    validate_inputs(inputs, 78)


def test_presets_go_from_conservative_to_optimistic():
    cons, exp, opt = (preset(name) for name in PRESETS)
    assert cons.tasks_per_month.likely < exp.tasks_per_month.likely < opt.tasks_per_month.likely
    assert cons.pilot_cost.likely > exp.pilot_cost.likely > opt.pilot_cost.likely
    with pytest.raises(RoiInputError, match="preset"):
        preset("wild")


def test_every_field_has_label_unit_and_help_in_both_languages():
    for spec in INPUT_FIELDS.values():
        for lang in ("en", "ja"):
            for key in (spec.label_key, spec.unit_key, spec.help_key):
                assert message(key, lang)
    assert tuple(INPUT_FIELDS) == tuple(spec.name for spec in RoiInputs.fields())


def test_inputs_are_stored_beside_the_comparison(tmp_path, hand_inputs):
    comparison = tmp_path / "comparison.json"
    comparison.write_text('{"runs": []}')
    assert load_inputs(comparison) is None
    path = save_inputs(comparison, hand_inputs(k=3))
    assert path == tmp_path / "comparison.roi.json" == inputs_path(comparison)
    assert load_inputs(comparison) == hand_inputs(k=3)
    job = tmp_path / "jobs" / "abc.result.json"
    assert inputs_path(job).name == "abc.result.roi.json"
