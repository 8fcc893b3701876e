"""The verdict card: one sentence, a traffic light and the next step, from stored evidence only.

The card sits at the top of the dashboard's Start and Results pages and opens the report's
executive summary, so both say the same thing. It is a pure function of loaded data
(:func:`engine.charts.verdict_evidence.load_verdict_evidence` reads it): the comparison rows, each
run's ``analysis/uncertainty.json``, the data's column names, split sizes and audit, the store's
learning curve, and, when the ROI engine has produced one, its decision.

**The light.** With an ROI decision (:func:`engine.roi.evaluate`) the light is its outcome. Without
one it rests on the retrieval evidence of the best fine-tuned run (highest Recall@1 in the chosen
direction), read from the stored fine-tuning effect and its 95% interval:

* green (go): the gain over the base model is significant;
* red (stop): fine-tuning is significantly worse, or even the optimistic end of the interval shows
  no gain;
* amber (extend): anything else: the gain may be real but could still be noise.

**"Next: about N pairs".** A bootstrap interval narrows with the square root of the number of test
pairs, so a gain of the measured size is told from noise once the test split holds about
``n_test × (half-width / gain)²`` pairs; at the same test share that is the whole dataset's size
below. It assumes the gain keeps its size, so it is rounded and said as "about".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from engine.charts.sides import direction_text
from engine.errors import DataError
from engine.i18n import format as fmt
from engine.i18n import message, t
from engine.runs.records import PairCounts, PairedTest, Uncertainty, fine_tuning_effect, pair_counts

if TYPE_CHECKING:
    from engine.charts.verdict_evidence import VerdictEvidence

METRIC = "recall@1"
DEFAULT_DIRECTION = "left_to_right"
LIGHTS: dict[str, str] = {"go": "green", "extend": "amber", "stop": "red"}
# Below this many test pairs every interval is wide enough to say so on the page.
SMALL_TEST_PAIRS = 100
AREA = "decision_screen"


@dataclass(frozen=True)
class VerdictCard:
    """What the card shows; every text is in the language in force and is plain (unescaped) text.

    Attributes:
        outcome: ``"go"``, ``"extend"`` or ``"stop"``.
        light: ``"green"``, ``"amber"`` or ``"red"``.
        headline: The outcome in words ("Extend the pilot").
        sentence: The one-sentence verdict in the user's column names.
        next_step: What to do next, in a sentence or two.
        reasons: The ROI decision's reasons (empty without a decision).
        warnings: Sample-size and leakage warnings from the stored evidence.
        basis: ``"roi"`` when the light is the ROI decision, else ``"evidence"``.
        run_id: The run the sentence quotes.
        pairs_needed: The "about N pairs" of the next step, or None.
    """

    outcome: str
    light: str
    headline: str
    sentence: str
    next_step: str
    basis: str
    run_id: str
    reasons: tuple[str, ...] = field(default_factory=tuple)
    warnings: tuple[str, ...] = field(default_factory=tuple)
    pairs_needed: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "reasons": list(self.reasons), "warnings": list(self.warnings)}


def _text(name: str, **fields: Any) -> str:
    return t(f"{AREA}.{name}", **fields)


def best_row(rows: Sequence[Mapping[str, Any]], direction: str = DEFAULT_DIRECTION) -> Mapping[str, Any]:
    """The row with the highest tuned Recall@1 in ``direction`` (first of ties, so it is deterministic).

    Raises:
        DataError: No rows, or a row without Recall@1.
    """
    if not rows:
        raise DataError("verdict card: got no finished runs; finish a comparison first.")
    try:
        values = [float(row["tuned"][direction][METRIC]) for row in rows]
    except (KeyError, TypeError) as exc:
        raise DataError(f"verdict card: a comparison row has no tuned {METRIC} for {direction}; "
                        "the stored run is incomplete, train it again.") from exc
    return rows[values.index(max(values))]


def effect_record(uncertainty: Uncertainty | None, direction: str = DEFAULT_DIRECTION) -> PairedTest | None:
    """The stored fine-tuning effect on Recall@1 in ``direction`` (``uncertainty.json`` ``fine_tuning``)."""
    return fine_tuning_effect(uncertainty, METRIC, direction)


def half_width(record: Mapping[str, Any]) -> float:
    """Half the width of the effect's interval: the "±" of the card, as a share."""
    return (float(record["high"]) - float(record["low"])) / 2.0


def evidence_outcome(record: Mapping[str, Any] | None) -> str:
    """go / extend / stop from the fine-tuning effect alone (see the module docstring)."""
    if record is None:
        return "extend"
    estimate, high = float(record["estimate"]), float(record["high"])
    if record.get("significant"):
        return "go" if estimate > 0 else "stop"
    return "stop" if high <= 0 else "extend"


def round_up_pairs(n: float) -> int:
    """Up to two significant figures, so an estimate is never quoted more precisely than it is."""
    if n <= 0:
        return 0
    step = 10 ** max(math.floor(math.log10(n)) - 1, 0)
    return int(math.ceil(n / step) * step)


def pairs_to_prove(record: PairedTest | None, pairs: PairCounts | None) -> int | None:
    """Pairs in all so that a gain of the measured size is told from noise (None if not meaningful).

    ``n_test × (half-width / gain)²`` test pairs, divided by the current test share. None when there
    is no positive gain to prove, the gain is already significant, or the split sizes are unknown.
    """
    if record is None or not pairs or record.get("significant"):
        return None
    estimate, width = float(record["estimate"]), half_width(record)
    n_train, n_test = pair_counts(pairs)
    if estimate <= 0 or width <= 0 or n_test <= 0:
        return None
    test_needed = n_test * (width / estimate) ** 2
    return round_up_pairs(test_needed * (n_test + n_train) / n_test)


def _direction_name(direction: str, columns: Mapping[str, str] | None) -> str:
    if columns:
        return direction_text(direction, columns)
    return message("charts.DIRECTION_LABELS")[direction]


def _status(record: Mapping[str, Any] | None) -> str:
    statuses = message(f"{AREA}.STATUS")
    if record is None:
        return statuses["unchecked"]
    if record.get("significant"):
        return statuses["proven" if float(record["estimate"]) > 0 else "worse"]
    return statuses["no_gain" if float(record["high"]) <= 0 else "not_proven"]


def _learning_note(curve: Mapping[str, Any] | None, direction: str) -> str:
    """What the learning curve predicts at twice the pairs, or ""."""
    predictions = ((curve or {}).get("predictions") or {}).get(direction) or []
    twice = next((p for p in predictions if float(p.get("factor", 0)) == 2.0), None)
    if twice is None or twice.get("estimate") is None:
        return ""
    return _text("NEXT_LEARNING_CURVE", pairs=fmt.number(twice["n"]), estimate=fmt.percent(twice["estimate"]),
                 low=fmt.percent(twice.get("low")), high=fmt.percent(twice.get("high")))


def _next(outcome: str, basis: str, record: PairedTest | None, needed: int | None,
          pairs: PairCounts | None) -> tuple[str, str]:
    """(short next step for the sentence, the longer next-step text)."""
    short, long = message(f"{AREA}.NEXT_SHORT"), message(f"{AREA}.NEXT_LONG")
    if outcome == "go":
        key = "go_roi" if basis == "roi" else "go"
        return short[key], long[key]
    if outcome == "stop":
        key = "stop_roi" if basis == "roi" else "stop"
        return short[key], long[key]
    if needed is not None:
        total = sum(pair_counts(pairs))
        return (short["pairs"].format(pairs=fmt.number(needed)),
                long["pairs"].format(pairs=fmt.number(needed), current=fmt.number(total)))
    if record is None:
        return short["analysis"], long["analysis"]
    if record.get("significant"):  # proven gain, but the ROI rule still says extend
        return short["roi_inputs"], long["roi_inputs"]
    return short["more_tests"], long["more_tests"]


def evidence_warnings(evidence: VerdictEvidence) -> list[str]:
    """Sample-size and leakage warnings from the stored split sizes and ``audit.json``."""
    warnings = []
    n_test = pair_counts(evidence.get("pairs"))[1]
    if 0 < n_test < SMALL_TEST_PAIRS:
        warnings.append(_text("WARN_SMALL_TEST", n=fmt.number(n_test), minimum=fmt.number(SMALL_TEST_PAIRS)))
    leakage = (evidence.get("audit") or {}).get("leakage") or {}
    leaked = int((leakage.get("groups") or {}).get("test_rows") or 0) + sum(
        int((leakage.get(side) or {}).get(kind) or 0) for side in ("left", "right") for kind in ("exact_rows", "near_rows"))
    if leaked:
        warnings.append(_text("WARN_LEAKAGE", n=fmt.number(leaked)))
    return warnings


def _render_reasons(decision: Mapping[str, Any]) -> tuple[str, ...]:
    # Imported here: the card is built without the ROI engine whenever there is no decision.
    from engine.roi import render_reason

    return tuple(render_reason(dict(r)) for r in decision.get("reasons") or ())


def build_verdict_card(
    evidence: VerdictEvidence,
    *,
    decision: Mapping[str, Any] | None = None,
    direction: str = DEFAULT_DIRECTION,
    run_id: str | None = None,
) -> VerdictCard:
    """The card for the stored evidence, in the language in force.

    Args:
        evidence: ``rows`` (``comparison.json`` runs, or one run's row), ``uncertainty`` (run id →
            ``uncertainty.json``), ``columns`` (``{"left", "right"}`` or None), ``pairs``
            (``{"train", "test"}``), ``audit`` and ``learning_curve`` (either may be None).
        decision: The ``decision`` of :func:`engine.roi.evaluate` (``outcome`` and ``reasons``), or None.
        direction: The search direction the sentence reports.
        run_id: The run to quote (the run the ROI decision values); default the best fine-tuned run.

    Returns:
        The :class:`VerdictCard`.

    Raises:
        DataError: No rows, or rows without Recall@1.
    """
    rows = evidence.get("rows") or []
    row = next((r for r in rows if r.get("run_id") == run_id), None) or best_row(rows, direction)
    run_id = str(row.get("run_id", ""))
    record = effect_record((evidence.get("uncertainty") or {}).get(run_id), direction)
    basis = "roi" if decision and decision.get("outcome") in LIGHTS else "evidence"
    outcome = str(decision["outcome"]) if basis == "roi" else evidence_outcome(record)
    pairs = evidence.get("pairs") or {}
    needed = pairs_to_prove(record, pairs) if outcome == "extend" else None
    short, long = _next(outcome, basis, record, needed, pairs)
    if outcome == "extend" and (note := _learning_note(evidence.get("learning_curve"), direction)):
        long = _text("SENTENCE_JOIN").join((long, note))
    base, tuned = float(row["base"][direction][METRIC]), float(row["tuned"][direction][METRIC])
    n_test = record.get("n_queries") if record else row["tuned"][direction].get("n_queries")
    fields = {"direction": _direction_name(direction, evidence.get("columns")), "base": fmt.percent(base),
              "tuned": fmt.percent(tuned), "status": _status(record), "n": fmt.number(n_test), "next": short}
    if record is None:
        sentence = _text("SENTENCE_NO_INTERVAL", **fields)
    else:
        sentence = _text("SENTENCE", margin=_text("MARGIN", points=fmt.number(half_width(record) * 100)), **fields)
    return VerdictCard(
        outcome=outcome, light=LIGHTS[outcome], headline=message(f"{AREA}.OUTCOMES")[outcome], sentence=sentence,
        next_step=long, basis=basis, run_id=run_id, reasons=_render_reasons(decision) if basis == "roi" else (),
        warnings=tuple(evidence_warnings(evidence)), pairs_needed=needed,
    )
