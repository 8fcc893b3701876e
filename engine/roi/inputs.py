"""The business inputs of the ROI model: ranges (low, likely, high), units, help texts, range checks.

One home for every input: :data:`INPUT_FIELDS` says, per field, its unit, its label and help text
(catalogue keys in ``roi.toml``) and its allowed range. Pages, the report and the CLI read it
instead of repeating labels or limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from engine.config import GALLERIES
from engine.errors import EngineError
from engine.i18n import message, t
from engine.names import DIRECTIONS

DEFAULT_CURRENCY = "JPY"
DEFAULT_HORIZON_MONTHS = 36
DEFAULT_TARGET_RECALL = 0.8
_BIG = 1e12  # no real count or yen amount in a pilot is near this; it only stops typos such as 1e30


class RoiInputError(EngineError, ValueError):
    """An ROI input is missing, of the wrong kind or outside its range (the message names the field)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Estimate:
    """A business input as a range: ``low <= likely <= high``; ``Estimate.point(x)`` has zero width.

    Monte Carlo draws it from ``triangular(low, likely, high)``; the deterministic model uses
    ``likely``; the tornado moves it to ``low`` and ``high``.
    """

    low: float
    likely: float
    high: float

    @classmethod
    def point(cls, value: float) -> Estimate:
        """A known value (zero width)."""
        return cls(value, value, value)

    @property
    def width(self) -> float:
        return self.high - self.low

    def to_dict(self) -> dict[str, float]:
        return {"low": self.low, "likely": self.likely, "high": self.high}

    @classmethod
    def from_dict(cls, value: Any, name: str = "value") -> Estimate:
        """From ``{"low", "likely", "high"}``, a ``[low, likely, high]`` list or one number.

        Raises:
            RoiInputError: Anything else, or a non-number inside.
        """
        if isinstance(value, Estimate):
            return value
        if isinstance(value, dict) and {"low", "likely", "high"} <= set(value):
            parts = [value["low"], value["likely"], value["high"]]
        elif isinstance(value, (list, tuple)) and len(value) == 3:
            parts = list(value)
        elif _is_number(value):
            parts = [value] * 3
        else:
            raise RoiInputError(t("roi.ERROR_ESTIMATE_SHAPE", field=name, got=repr(value)[:80]), field=name)
        if not all(_is_number(p) for p in parts):
            raise RoiInputError(t("roi.ERROR_NOT_A_NUMBER", field=name, got=repr(value)[:80]), field=name)
        return cls(*(float(p) for p in parts))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class FieldSpec:
    """What one input is: its kind, its allowed range and the catalogue keys that describe it.

    ``kind`` is ``"estimate"`` (a low/likely/high range of numbers), ``"int"``, ``"share"`` (a
    fraction in [0, 1] shown as a percentage), ``"choice"`` or ``"currency"``. ``low``/``high``
    bound every number of the field; for ``k`` the upper bound is the gallery size, known only
    with a comparison. ``money`` says the unit is the currency.
    """

    name: str
    kind: str
    low: float | None = None
    high: float | None = None
    money: bool = False
    choices: tuple[str, ...] = ()

    @property
    def label_key(self) -> str:
        return f"roi.FIELD_{self.name.upper()}"

    @property
    def help_key(self) -> str:
        return f"roi.HELP_{self.name.upper()}"

    @property
    def unit_key(self) -> str:
        return f"roi.UNIT_{self.name.upper()}"


INPUT_FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec("tasks_per_month", "estimate", 0.0, 1e9),
        FieldSpec("minutes_per_task", "estimate", 0.0, 100_000.0),
        FieldSpec("minutes_saved", "estimate", 0.0, 100_000.0),
        FieldSpec("hourly_cost", "estimate", 0.0, 1e8, money=True),
        FieldSpec("pilot_cost", "estimate", 0.0, _BIG, money=True),
        FieldSpec("integration_cost", "estimate", 0.0, _BIG, money=True),
        FieldSpec("extra_pairs", "estimate", 0.0, 1e9),
        FieldSpec("cost_per_pair", "estimate", 0.0, 1e8, money=True),
        FieldSpec("running_cost_per_month", "estimate", 0.0, _BIG, money=True),
        FieldSpec("annual_discount_rate", "estimate", 0.0, 1.0),
        FieldSpec("horizon_months", "int", 1, 240),
        FieldSpec("k", "int", 1, None),
        FieldSpec("target_recall", "share", 0.0, 1.0),
        FieldSpec("direction", "choice", choices=DIRECTIONS),
        FieldSpec("gallery", "choice", choices=GALLERIES),
        FieldSpec("currency", "currency"),
    )
}
# The catalogue table naming each choice input's values.
_CHOICE_NAMES = {"direction": "charts.DIRECTION_LABELS", "gallery": "gallery.NAMES"}


def choice_text(name: str, value: str) -> str:
    """A choice input's value in words, in the language in force (e.g. ``catalogue`` → "Whole catalogue")."""
    table = _CHOICE_NAMES.get(name)
    return str(message(table).get(value, value)) if table else str(value)


ESTIMATE_FIELDS: tuple[str, ...] = tuple(name for name, spec in INPUT_FIELDS.items() if spec.kind == "estimate")


@dataclass(frozen=True)
class RoiInputs:
    """Every input of the ROI model. Amounts are in ``currency``; the discount rate is a fraction.

    Attributes:
        tasks_per_month: Matching or search tasks per month (count).
        minutes_per_task: Minutes a person spends on one task today.
        minutes_saved: Minutes saved on a task when the right item is in the top ``k``
            (at most ``minutes_per_task``).
        hourly_cost: Fully loaded cost of one hour of the person's time.
        pilot_cost: One-off cost of the pilot (fine-tuning only).
        integration_cost: One-off cost of building search into the workflow (either model).
        extra_pairs: Extra pairs to label before going live (fine-tuning only).
        cost_per_pair: Labelling cost per pair.
        running_cost_per_month: Hosting and upkeep per month (either model).
        annual_discount_rate: Yearly discount rate, a fraction in [0, 1] (0.05 = 5%).
        horizon_months: Months over which the benefit is counted.
        k: The rank a person looks through (a hit means the right item is in the top ``k``).
        direction: The search direction the business uses (``left_to_right`` or ``right_to_left``).
        gallery: What a production search looks through: ``test`` (value the Recall@k measured
            among the test pairs) or ``catalogue`` (among every item of the file; needs runs
            made with ``--gallery catalogue``).
        currency: ISO 4217 code, e.g. ``JPY``.
        target_recall: The Recall@k the business needs, for the decision.
    """

    tasks_per_month: Estimate
    minutes_per_task: Estimate
    minutes_saved: Estimate
    hourly_cost: Estimate
    pilot_cost: Estimate
    integration_cost: Estimate
    extra_pairs: Estimate
    cost_per_pair: Estimate
    running_cost_per_month: Estimate
    annual_discount_rate: Estimate
    horizon_months: int = DEFAULT_HORIZON_MONTHS
    k: int = 1
    direction: str = "left_to_right"
    gallery: str = GALLERIES[0]
    currency: str = DEFAULT_CURRENCY
    target_recall: float = DEFAULT_TARGET_RECALL

    @staticmethod
    def fields() -> tuple[FieldSpec, ...]:
        """The metadata of every input, in display order (see :data:`INPUT_FIELDS`)."""
        return tuple(INPUT_FIELDS.values())

    def labelling_cost(self) -> Estimate:
        """``extra_pairs × cost_per_pair`` at low, likely and high."""
        return Estimate(*(getattr(self.extra_pairs, p) * getattr(self.cost_per_pair, p) for p in ("low", "likely", "high")))

    def at(self, part: str) -> RoiInputs:
        """These inputs with every range collapsed to its ``low``, ``likely`` or ``high`` value."""
        return self.replace(**{name: Estimate.point(getattr(getattr(self, name), part)) for name in ESTIMATE_FIELDS})

    def replace(self, **changes: Any) -> RoiInputs:
        """A copy with some fields changed (plain numbers for an estimate become zero-width)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        for name, value in changes.items():
            if name not in data:
                raise RoiInputError(t("roi.ERROR_UNKNOWN_FIELD", field=name, allowed=", ".join(INPUT_FIELDS)), field=name)
            data[name] = Estimate.from_dict(value, name) if name in ESTIMATE_FIELDS else value
        return RoiInputs(**data)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: estimates as ``{"low", "likely", "high"}``, the rest as is."""
        return {name: (getattr(self, name).to_dict() if name in ESTIMATE_FIELDS else getattr(self, name))
                for name in INPUT_FIELDS}

    @classmethod
    def from_dict(cls, data: Any) -> RoiInputs:
        """From :meth:`to_dict`'s shape (an estimate may also be one number or a 3-list).

        Missing optional fields take their defaults. Ranges are not checked here; call
        :func:`validate_inputs` (it needs the gallery size for ``k``).

        Raises:
            RoiInputError: Not a dict, an unknown or missing field, or a value of the wrong kind.
        """
        if not isinstance(data, dict):
            raise RoiInputError(t("roi.ERROR_INPUTS_NOT_OBJECT", got=type(data).__name__))
        unknown = sorted(set(data) - set(INPUT_FIELDS))
        if unknown:
            raise RoiInputError(t("roi.ERROR_UNKNOWN_FIELD", field=unknown[0], allowed=", ".join(INPUT_FIELDS)),
                                field=unknown[0])
        missing = [name for name in ESTIMATE_FIELDS if name not in data]
        if missing:
            raise RoiInputError(t("roi.ERROR_MISSING_FIELD", field=missing[0]), field=missing[0])
        values: dict[str, Any] = {name: Estimate.from_dict(data[name], name) for name in ESTIMATE_FIELDS}
        for name in ("horizon_months", "k"):
            if name in data:
                value = data[name]
                if not (_is_number(value) and float(value).is_integer()):
                    raise RoiInputError(t("roi.ERROR_NOT_WHOLE", field=name, got=repr(value)[:80]), field=name)
                values[name] = int(value)
        if "target_recall" in data:
            if not _is_number(data["target_recall"]):
                raise RoiInputError(t("roi.ERROR_NOT_A_NUMBER", field="target_recall",
                                      got=repr(data["target_recall"])[:80]), field="target_recall")
            values["target_recall"] = float(data["target_recall"])
        for name in ("direction", "gallery", "currency"):
            if name in data:
                values[name] = str(data[name])
        return cls(**values)


def _range_error(name: str, low: float | None, high: float | None, got: Any) -> RoiInputError:
    return RoiInputError(t("roi.ERROR_RANGE", field=name, label=t(INPUT_FIELDS[name].label_key),
                           low=_show(low), high=_show(high), got=_show(got)), field=name)


def _show(value: Any) -> str:
    if value is None:
        return "∞"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def validate_inputs(inputs: RoiInputs, gallery_size: int | None = None) -> None:
    """Refuse absurd inputs with a message naming the field and the expected range.

    Checks: every estimate has ``low <= likely <= high`` within its field's range; counts and
    amounts are not negative; the discount rate is at most 100%; ``minutes_saved`` is at most
    ``minutes_per_task`` (at low, likely and high); the horizon is 1–240 months; ``k`` is at
    least 1 and at most ``gallery_size`` (when given); the target Recall@k is in (0, 1]; the
    direction and the gallery are known; the currency is a three-letter ISO code.

    Args:
        inputs: The inputs to check.
        gallery_size: Items a query is ranked against (``metrics.json`` ``gallery_size``); None
            skips the upper bound of ``k``.

    Raises:
        RoiInputError: The first problem found; ``.field`` names the field.
    """
    if not isinstance(inputs, RoiInputs):
        raise RoiInputError(t("roi.ERROR_INPUTS_NOT_OBJECT", got=type(inputs).__name__))
    for name in ESTIMATE_FIELDS:
        spec, value = INPUT_FIELDS[name], getattr(inputs, name)
        parts = (value.low, value.likely, value.high)
        if not all(_is_number(p) for p in parts):
            raise RoiInputError(t("roi.ERROR_NOT_A_NUMBER", field=name, got=repr(value)[:80]), field=name)
        for part in parts:
            if part < spec.low or part > spec.high:
                raise _range_error(name, spec.low, spec.high, part)
        if not value.low <= value.likely <= value.high:
            raise RoiInputError(t("roi.ERROR_ORDER", field=name, label=t(spec.label_key), low=_show(value.low),
                                  likely=_show(value.likely), high=_show(value.high)), field=name)
    for part in ("low", "likely", "high"):
        saved, per_task = getattr(inputs.minutes_saved, part), getattr(inputs.minutes_per_task, part)
        if saved > per_task:
            raise RoiInputError(t("roi.ERROR_SAVED_ABOVE_TASK", field="minutes_saved", part=t(f"roi.PART_{part.upper()}"),
                                  saved=_show(saved), per_task=_show(per_task)), field="minutes_saved")
    _check_whole("horizon_months", inputs.horizon_months, INPUT_FIELDS["horizon_months"].high)
    _check_whole("k", inputs.k, gallery_size)
    target = inputs.target_recall
    if not _is_number(target) or not 0.0 < target <= 1.0:
        raise _range_error("target_recall", 0.0, 1.0, target)
    if inputs.direction not in DIRECTIONS:
        raise RoiInputError(t("roi.ERROR_CHOICE", field="direction", got=repr(inputs.direction)[:40],
                              allowed=", ".join(DIRECTIONS)), field="direction")
    if inputs.gallery not in GALLERIES:
        raise RoiInputError(t("roi.ERROR_CHOICE", field="gallery", got=repr(inputs.gallery)[:40],
                              allowed=", ".join(GALLERIES)), field="gallery")
    currency = inputs.currency
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isascii() and currency.isalpha()
            and currency.isupper()):
        raise RoiInputError(t("roi.ERROR_CURRENCY", field="currency", got=repr(currency)[:40]), field="currency")


def _check_whole(name: str, value: Any, high: float | None) -> None:
    low = INPUT_FIELDS[name].low
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        raise _range_error(name, low, high, value)
