"""Job requests as the dashboard sends them: defaults, validation and the run configs.

Four kinds of job exist: ``"compare"`` (several losses on one split, :mod:`engine.compare`),
``"learning_curve"`` (one loss on nested subsets of the training split,
:mod:`engine.learning_curve`: how many pairs are needed), ``"robustness"`` (several losses with a
share of the training pairs mismatched, :mod:`engine.robustness`) and ``"resume"`` (an
interrupted run continued from its checkpoint, :mod:`engine.resume`). A spec is a plain JSON-able dict so it
can be stored in the job file and read back by the worker process. It is validated completely
at submit time, so a bad request fails in the page that made it, not minutes later in the worker.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from engine.config import (
    AnalysisConfig,
    DataConfig,
    EvalConfig,
    LossConfig,
    ModelConfig,
    RunConfig,
    TrainConfig,
)
from engine.errors import ConfigError
from engine.learning_curve_settings import CURVE_BOOTSTRAP, DEFAULT_FRACTIONS, DEFAULT_SEEDS, MAX_SEEDS
from engine.names import COMPARED_LOSSES
from engine.robustness.checks import check_losses, check_noise_levels
from engine.robustness.settings import DEFAULT_BOOTSTRAP, DEFAULT_LOSSES, DEFAULT_NOISE

# Settings every job kind shares. Small-data defaults: a pilot has a few hundred pairs, so a few
# epochs at batch 32 are minutes on CPU.
_SHARED_DEFAULTS: dict[str, Any] = {
    "data": None,
    "columns": None,
    "epochs": TrainConfig.epochs,  # with early stopping, the cap
    "early_stopping": TrainConfig.early_stopping,
    "patience": TrainConfig.patience,
    "batch_size": TrainConfig.batch_size,
    "mini_batch": TrainConfig.mini_batch,  # GradCache chunk size; None = embed each batch at once
    "learning_rate": TrainConfig.learning_rate,
    "temperature": None,
    "weights": None,
    "seed": TrainConfig.seed,
    "split_seed": DataConfig.split_seed,
    "test_size": DataConfig.test_size,
    "model": None,
    "max_seq_length": ModelConfig.max_seq_length,
    # Photo data only (engine/models/image): None = the packaged image tower.
    "image_model": ModelConfig.image_model,
    "image_training": ModelConfig.image_training,
    "image_size": ModelConfig.image_size,
    "device": None,
    "max_rows": None,
    "gallery": EvalConfig.gallery,  # "catalogue" also ranks each test query among every item of the file
}

SPEC_DEFAULTS: dict[str, Any] = {
    "kind": "compare",
    **_SHARED_DEFAULTS,
    "losses": list(COMPARED_LOSSES),
    "tilts": [LossConfig.tilt],
    "analysis": True,
    "latent_map": AnalysisConfig.latent_method,
    "bootstrap": AnalysisConfig.n_resamples,
}

LEARNING_CURVE_DEFAULTS: dict[str, Any] = {
    "kind": "learning_curve",
    **_SHARED_DEFAULTS,
    "loss": LossConfig.name,
    "tilt": LossConfig.tilt,
    "fractions": list(DEFAULT_FRACTIONS),
    "target_recall": None,  # Recall@1 to reach, e.g. 0.8; None = no "pairs needed" figure
    "bootstrap": CURVE_BOOTSTRAP,  # replicates for the point intervals and the fit
    "seeds": DEFAULT_SEEDS,  # training runs per point, so the intervals include training variation
}

# Robustness to noisy pairs (engine.robustness): every loss trained at every share of mismatched
# training pairs, all scored on one untouched test split.
ROBUSTNESS_DEFAULTS: dict[str, Any] = {
    "kind": "robustness",
    **_SHARED_DEFAULTS,
    "losses": list(DEFAULT_LOSSES),
    "tilt": LossConfig.tilt,
    "noise": list(DEFAULT_NOISE),  # shares of training pairs mismatched; 0 is the clean reference
    "bootstrap": DEFAULT_BOOTSTRAP,  # replicates per interval
}

# Resuming an interrupted run of the store from its checkpoint (engine.resume): its own settings
# are read back from its config.json, so only what may change is asked.
RESUME_DEFAULTS: dict[str, Any] = {
    "kind": "resume",
    "run_id": None,  # the run of the job's store to resume
    "analysis": None,  # None = as the run was started; False = skip the stored evidence
    "device": None,  # None = the run's own device
}

# The defaults of each job kind, by kind: the one place the dashboard reads its widget defaults from.
KIND_DEFAULTS: dict[str, dict[str, Any]] = {"compare": SPEC_DEFAULTS, "learning_curve": LEARNING_CURVE_DEFAULTS,
                                            "resume": RESUME_DEFAULTS, "robustness": ROBUSTNESS_DEFAULTS}
JOB_KINDS = tuple(KIND_DEFAULTS)
MIN_FRACTIONS = 3  # the saturating power law has three parameters
MIN_CURVE_BOOTSTRAP = 100


def normalise_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """Fill defaults and validate a job request.

    Args:
        spec: The request; ``kind`` picks the job (default ``"compare"``); see :data:`SPEC_DEFAULTS`
            and :data:`LEARNING_CURVE_DEFAULTS` for the keys of each kind. ``data`` is required.

    Returns:
        The complete spec (every key of its kind present), safe to store as JSON.

    Raises:
        ConfigError: The kind or a key is unknown, a value has the wrong type or range, or the
            data file does not exist. The message names the key.
    """
    if not isinstance(spec, dict):
        raise ConfigError(f"job spec: got {type(spec).__name__}, expected a dict such as {{'data': 'pairs.csv'}}.")
    kind = spec.get("kind", SPEC_DEFAULTS["kind"])
    if kind not in KIND_DEFAULTS:
        raise ConfigError(f"job spec.kind: got {kind!r}, expected one of {', '.join(JOB_KINDS)}.")
    defaults = KIND_DEFAULTS[kind]
    unknown = sorted(set(spec) - set(defaults))
    if unknown:
        raise ConfigError(f"job spec: unknown key(s) {', '.join(unknown)} for a {kind!r} job; "
                          f"allowed keys are {', '.join(defaults)}.")
    full = {**defaults, **spec}
    if kind == "resume":
        _check_resume(full)
        return full
    _check_shared(full)
    if kind == "compare":
        _check_compare(full)
        run_configs(full)  # the dataclasses check every range and name
    elif kind == "robustness":
        _check_robustness(full)
        robustness_config(full)
    else:
        _check_learning_curve(full)
        learning_curve_config(full)
    return full


QUICK_RUN_EPOCHS = 1  # the Start page's sample buttons: a first look in a minute, not the best model


def quick_run_spec(data: str | Path, model: str, columns: dict[str, str] | None = None) -> dict[str, Any]:
    """The job the Start page's sample buttons submit: the comparison defaults, one epoch.

    Args:
        data: The stored sample's data file.
        model: The model to fine-tune.
        columns: Role -> column, for a sample whose headers are not detected.
    """
    spec = {"data": str(data), "losses": SPEC_DEFAULTS["losses"], "tilts": SPEC_DEFAULTS["tilts"],
            "epochs": QUICK_RUN_EPOCHS, "batch_size": SPEC_DEFAULTS["batch_size"], "model": model}
    if columns:
        spec["columns"] = dict(columns)
    return spec


def planned_runs(spec: dict[str, Any]) -> int:
    """How many training runs a (normalised) job spec makes: what a job card counts ``run k of n`` against."""
    kind = spec.get("kind", SPEC_DEFAULTS["kind"])
    if kind == "compare":
        return len(spec["losses"]) * len(spec["tilts"])
    if kind == "learning_curve":
        return len(spec["fractions"])  # the card counts sizes; each size's seeds train within it
    if kind == "robustness":
        return len(spec["losses"]) * len(spec["noise"])
    return 1


def _check_shared(full: dict[str, Any]) -> None:
    if not isinstance(full["data"], (str, Path)) or not str(full["data"]):
        raise ConfigError(f"job spec.data: got {full['data']!r}, expected the path of a pairs file (CSV, JSONL, ...).")
    data = Path(full["data"]).expanduser().resolve()
    if not data.is_file():
        raise ConfigError(f"job spec.data: file '{full['data']}' does not exist. Upload or pick an existing file.")
    full["data"] = str(data)
    for key in ("epochs", "patience", "batch_size", "seed", "split_seed", "max_seq_length", "bootstrap", "image_size"):
        _check_int(full, key)
    if not isinstance(full["early_stopping"], bool):
        raise ConfigError(f"job spec.early_stopping: got {full['early_stopping']!r}, expected true or false.")
    if full["max_rows"] is not None:
        _check_int(full, "max_rows")
        if full["max_rows"] < 2:
            raise ConfigError(f"job spec.max_rows: got {full['max_rows']}, expected at least 2 pairs or None (all rows).")
    for key in ("test_size", "learning_rate"):
        if isinstance(full[key], bool) or not isinstance(full[key], (int, float)):
            raise ConfigError(f"job spec.{key}: got {full[key]!r}, expected a number.")
    temperature = full["temperature"]
    if temperature is not None and temperature != "learn" and (
        isinstance(temperature, bool) or not isinstance(temperature, (int, float))
    ):
        raise ConfigError(f"job spec.temperature: got {temperature!r}, expected a positive number, 'learn' or None.")
    if full["weights"] is not None:
        full["weights"] = list(full["weights"])
    for key in ("model", "device", "image_model"):
        if full[key] is not None and not isinstance(full[key], str):
            raise ConfigError(f"job spec.{key}: got {full[key]!r}, expected a string or None.")
    if full["columns"] is not None and not isinstance(full["columns"], dict):
        raise ConfigError(f"job spec.columns: got {full['columns']!r}, expected a dict role -> column, or None.")


def _check_resume(full: dict[str, Any]) -> None:
    from engine.runs.ids import check_id

    check_id("run", full["run_id"])
    if full["analysis"] not in (None, True, False):
        raise ConfigError(f"job spec.analysis: got {full['analysis']!r}, expected true, false or None (as the run began).")
    if full["device"] is not None and not isinstance(full["device"], str):
        raise ConfigError(f"job spec.device: got {full['device']!r}, expected a string or None.")


def resume_in_store(store_root: str | Path, full: dict[str, Any]) -> dict[str, Any]:
    """A normalised resume spec checked against its store: the run exists and can be resumed.

    Fills ``device`` with the run's own device, so the job queues for the device the run used.

    Raises:
        ConfigError: The run cannot be resumed (the message says why).
    """
    from engine.resume import resume_config, resume_problem
    from engine.runs import RunStore

    run = RunStore(store_root).paths(full["run_id"])
    problem = resume_problem(run.root)
    if problem is not None:
        raise ConfigError(problem)
    device = full["device"] if full["device"] is not None else resume_config(run).model.device
    return {**full, "device": device}


def _check_compare(full: dict[str, Any]) -> None:
    for key in ("losses", "tilts"):
        value = full[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)) or not value or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"job spec.{key}: got {full[key]!r}, expected a non-empty list of names.")
        full[key] = list(dict.fromkeys(value))  # keep order, drop repeats
    if not isinstance(full["analysis"], bool):
        raise ConfigError(f"job spec.analysis: got {full['analysis']!r}, expected true or false.")


def _check_learning_curve(full: dict[str, Any]) -> None:
    for key in ("loss", "tilt"):
        if not isinstance(full[key], str):
            raise ConfigError(f"job spec.{key}: got {full[key]!r}, expected one name such as 'clip' or 'cosine'.")
    fractions = full["fractions"]
    if isinstance(fractions, (str, bytes)) or not isinstance(fractions, (list, tuple)) or not all(
        _is_number(f) for f in fractions
    ):
        raise ConfigError(f"job spec.fractions: got {fractions!r}, expected a list of numbers such as "
                          f"{LEARNING_CURVE_DEFAULTS['fractions']}.")
    values = sorted({float(f) for f in fractions})
    if len(values) < MIN_FRACTIONS or not all(0.0 < f <= 1.0 for f in values):
        raise ConfigError(f"job spec.fractions: got {list(fractions)}, expected at least {MIN_FRACTIONS} distinct "
                          "fractions of the training pairs in (0, 1] (the fitted curve has 3 parameters), "
                          f"e.g. {LEARNING_CURVE_DEFAULTS['fractions']}.")
    full["fractions"] = values
    target = full["target_recall"]
    if target is not None and (not _is_number(target) or not 0.0 < float(target) <= 1.0):
        raise ConfigError(f"job spec.target_recall: got {target!r}, expected a Recall@1 in (0, 1] such as 0.8, "
                          "or None for no target.")
    seeds = full["seeds"]
    if isinstance(seeds, bool) or not isinstance(seeds, int) or not 1 <= seeds <= MAX_SEEDS:
        raise ConfigError(f"job spec.seeds: got {seeds!r}, expected a whole number of training runs per point from 1 "
                          f"to {MAX_SEEDS} (e.g. {DEFAULT_SEEDS}).")
    if full["bootstrap"] < MIN_CURVE_BOOTSTRAP:
        raise ConfigError(f"job spec.bootstrap: got {full['bootstrap']}, expected at least {MIN_CURVE_BOOTSTRAP} "
                          f"bootstrap replicates (e.g. {LEARNING_CURVE_DEFAULTS['bootstrap']}).")


def _check_robustness(full: dict[str, Any]) -> None:
    if not isinstance(full["tilt"], str):
        raise ConfigError(f"job spec.tilt: got {full['tilt']!r}, expected one name such as 'cosine'.")
    losses, noise = full["losses"], full["noise"]
    if isinstance(losses, str) or not isinstance(losses, (list, tuple)) or not all(isinstance(v, str) for v in losses):
        raise ConfigError(f"job spec.losses: got {losses!r}, expected a non-empty list of names.")
    if isinstance(noise, (str, bytes)) or not isinstance(noise, (list, tuple)) or not all(_is_number(v) for v in noise):
        raise ConfigError(f"job spec.noise: got {noise!r}, expected a list of shares such as "
                          f"{ROBUSTNESS_DEFAULTS['noise']}.")
    full["losses"] = list(check_losses(losses))
    full["noise"] = list(check_noise_levels(noise))
    if full["bootstrap"] < MIN_CURVE_BOOTSTRAP:
        raise ConfigError(f"job spec.bootstrap: got {full['bootstrap']}, expected at least {MIN_CURVE_BOOTSTRAP} "
                          f"bootstrap replicates (e.g. {ROBUSTNESS_DEFAULTS['bootstrap']}).")


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def _check_int(spec: dict[str, Any], key: str) -> None:
    value = spec[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"job spec.{key}: got {value!r}, expected a whole number.")


def _run_config(spec: dict[str, Any], loss: str, tilt: str, analysis: AnalysisConfig,
                data_path: str | None) -> RunConfig:
    weights = tuple(spec["weights"]) if spec["weights"] is not None else None
    return RunConfig(
        data=DataConfig(path=data_path or spec["data"], columns=spec["columns"], test_size=spec["test_size"],
                        split_seed=spec["split_seed"]),
        loss=LossConfig(name=loss, tilt=tilt, temperature=spec["temperature"], weights=weights),
        model=ModelConfig(name_or_path=spec["model"], max_seq_length=spec["max_seq_length"], device=spec["device"],
                          image_model=spec["image_model"], image_training=spec["image_training"],
                          image_size=spec["image_size"]),  # checks the image mode and size
        train=TrainConfig(epochs=spec["epochs"], batch_size=spec["batch_size"], learning_rate=spec["learning_rate"],
                          seed=spec["seed"], early_stopping=spec["early_stopping"], patience=spec["patience"],
                          mini_batch=spec["mini_batch"]),
        analysis=analysis,
        evaluation=EvalConfig(gallery=spec["gallery"]),  # checks the name
    )


def run_configs(spec: dict[str, Any], data_path: str | None = None) -> tuple[RunConfig, list[str], list[str]]:
    """The base run config, the losses and the tilts of a (normalised) comparison spec.

    Args:
        spec: A ``"compare"`` spec from :func:`normalise_spec`.
        data_path: Use this file instead of ``spec["data"]`` (the worker's ``max_rows`` slice).

    Raises:
        ConfigError: A loss, tilt or setting is invalid.
    """
    analysis = AnalysisConfig(enabled=spec["analysis"], n_resamples=spec["bootstrap"],
                              latent_method=spec["latent_map"], seed=spec["seed"])
    base = _run_config(spec, spec["losses"][0], spec["tilts"][0], analysis, data_path)
    # Every (loss, tilt) pair is built once here so a bad name fails at submit time.
    weights = base.loss.weights
    for loss in spec["losses"]:
        for tilt in spec["tilts"]:
            LossConfig(name=loss, tilt=tilt, temperature=spec["temperature"], weights=weights)
    return base, list(spec["losses"]), list(spec["tilts"])


def learning_curve_config(spec: dict[str, Any], data_path: str | None = None) -> RunConfig:
    """The run config every point of a (normalised) learning-curve spec trains with.

    Each point only needs its ranks, so the per-run analysis is off (as in the CLI's
    ``learning-curve``); the curve's own intervals come from ``spec["bootstrap"]`` replicates.

    Args:
        spec: A ``"learning_curve"`` spec from :func:`normalise_spec`.
        data_path: Use this file instead of ``spec["data"]`` (the worker's ``max_rows`` slice).

    Raises:
        ConfigError: The loss, tilt or a setting is invalid.
    """
    return _run_config(spec, spec["loss"], spec["tilt"], AnalysisConfig(enabled=False, seed=spec["seed"]), data_path)


def robustness_config(spec: dict[str, Any], data_path: str | None = None) -> RunConfig:
    """The run config of a (normalised) robustness spec; each run swaps in one of ``spec["losses"]``.

    Each point only needs its ranks, so the per-run analysis is off (as in the CLI's
    ``robustness``); the study's own intervals come from ``spec["bootstrap"]`` replicates.

    Args:
        spec: A ``"robustness"`` spec from :func:`normalise_spec`.
        data_path: Use this file instead of ``spec["data"]`` (the worker's ``max_rows`` slice).

    Raises:
        ConfigError: A loss, the tilt or a setting is invalid.
    """
    analysis = AnalysisConfig(enabled=False, seed=spec["seed"])
    for loss in spec["losses"]:  # every loss with this tilt, so a bad pair fails at submit time
        _run_config(spec, loss, spec["tilt"], analysis, data_path)
    return _run_config(spec, spec["losses"][0], spec["tilt"], analysis, data_path)
