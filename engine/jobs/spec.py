"""A comparison request as the dashboard sends it: defaults, validation and the run configs.

A spec is a plain JSON-able dict so it can be stored in the job file and read back by the
worker process. It is validated completely at submit time, so a bad request fails in the page
that made it, not minutes later in the worker.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from engine.config import AnalysisConfig, DataConfig, LossConfig, ModelConfig, RunConfig, TrainConfig
from engine.errors import ConfigError

logger = logging.getLogger(__name__)

# Small-data defaults: a pilot has a few hundred pairs, so a few epochs at batch 32 are minutes on CPU.
SPEC_DEFAULTS: dict[str, Any] = {
    "kind": "compare",
    "data": None,
    "columns": None,
    "losses": ["clip", "joint"],
    "tilts": ["cosine"],
    "epochs": 1,
    "batch_size": 32,
    "learning_rate": 1e-4,
    "temperature": None,
    "weights": None,
    "seed": 0,
    "split_seed": 0,
    "test_size": 0.2,
    "model": None,
    "max_seq_length": 128,
    "device": None,
    "max_rows": None,
    "analysis": True,
    "latent_map": "auto",
    "bootstrap": 2000,
}


def normalise_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """Fill defaults and validate a comparison request.

    Args:
        spec: The request; see :data:`SPEC_DEFAULTS` for the keys. ``data`` is required.

    Returns:
        The complete spec (every key present), safe to store as JSON.

    Raises:
        ConfigError: A key is unknown, a value has the wrong type or range, or the data file
            does not exist. The message names the key.
    """
    if not isinstance(spec, dict):
        raise ConfigError(f"job spec: got {type(spec).__name__}, expected a dict such as {{'data': 'pairs.csv'}}.")
    unknown = sorted(set(spec) - set(SPEC_DEFAULTS))
    if unknown:
        raise ConfigError(f"job spec: unknown key(s) {', '.join(unknown)}; allowed keys are {', '.join(SPEC_DEFAULTS)}.")
    full = {**SPEC_DEFAULTS, **spec}
    if full["kind"] != "compare":
        raise ConfigError(f"job spec.kind: got {full['kind']!r}, expected 'compare' (the only job kind so far).")
    if not isinstance(full["data"], (str, Path)) or not str(full["data"]):
        raise ConfigError(f"job spec.data: got {full['data']!r}, expected the path of a pairs file (CSV, JSONL, ...).")
    data = Path(full["data"]).expanduser().resolve()
    if not data.is_file():
        raise ConfigError(f"job spec.data: file '{full['data']}' does not exist. Upload or pick an existing file.")
    full["data"] = str(data)
    for key in ("losses", "tilts"):
        value = full[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)) or not value or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"job spec.{key}: got {full[key]!r}, expected a non-empty list of names.")
        full[key] = list(dict.fromkeys(value))  # keep order, drop repeats
    for key in ("epochs", "batch_size", "seed", "split_seed", "max_seq_length", "bootstrap"):
        _check_int(full, key)
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
    if not isinstance(full["analysis"], bool):
        raise ConfigError(f"job spec.analysis: got {full['analysis']!r}, expected true or false.")
    for key in ("model", "device"):
        if full[key] is not None and not isinstance(full[key], str):
            raise ConfigError(f"job spec.{key}: got {full[key]!r}, expected a string or None.")
    if full["columns"] is not None and not isinstance(full["columns"], dict):
        raise ConfigError(f"job spec.columns: got {full['columns']!r}, expected a dict role -> column, or None.")
    run_configs(full)  # the dataclasses check every range and name
    return full


def _check_int(spec: dict[str, Any], key: str) -> None:
    value = spec[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"job spec.{key}: got {value!r}, expected a whole number.")


def run_configs(spec: dict[str, Any], data_path: str | None = None) -> tuple[RunConfig, list[str], list[str]]:
    """The base run config, the losses and the tilts of a (normalised) spec.

    Args:
        spec: A spec from :func:`normalise_spec`.
        data_path: Use this file instead of ``spec["data"]`` (the worker's ``max_rows`` slice).

    Raises:
        ConfigError: A loss, tilt or setting is invalid.
    """
    weights = tuple(spec["weights"]) if spec["weights"] is not None else None
    base = RunConfig(
        data=DataConfig(path=data_path or spec["data"], columns=spec["columns"], test_size=spec["test_size"],
                        split_seed=spec["split_seed"]),
        loss=LossConfig(name=spec["losses"][0], tilt=spec["tilts"][0], temperature=spec["temperature"],
                        weights=weights),
        model=ModelConfig(name_or_path=spec["model"], max_seq_length=spec["max_seq_length"], device=spec["device"]),
        train=TrainConfig(epochs=spec["epochs"], batch_size=spec["batch_size"], learning_rate=spec["learning_rate"],
                          seed=spec["seed"]),
        analysis=AnalysisConfig(enabled=spec["analysis"], n_resamples=spec["bootstrap"],
                                latent_method=spec["latent_map"], seed=spec["seed"]),
    )
    # Every (loss, tilt) pair is built once here so a bad name fails at submit time.
    for loss in spec["losses"]:
        for tilt in spec["tilts"]:
            LossConfig(name=loss, tilt=tilt, temperature=spec["temperature"], weights=weights)
    return base, list(spec["losses"]), list(spec["tilts"])
