"""Typed configuration for a run: frozen dataclasses validated on construction.

Every error names the field path (``train.batch_size``) so a CLI flag or dashboard widget can be
traced back. The resolved config is written to ``config.json`` in the run directory.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from engine.errors import ConfigError
from engine.i18n import t
from engine.models.image.defaults import DEFAULT_IMAGE_SIZE, DEFAULT_IMAGE_TRAINING, IMAGE_SIZE_RANGE
from engine.names import IMAGE_TRAINING_MODES, LOSS_NAMES, TILT_NAMES, TOWERS

# Facts about the data that a run records in its resolved config (``config.json``) next to the
# settings; they describe what was loaded, so they are not settings and from_dict skips them.
RESOLVED_DATA_KEYS = ("fingerprint", "columns_resolved", "rows")
# What a test query is ranked against: the test split only, or every item of the data file (the
# training items as distractors, as in production). See engine.evaluate.gallery.
GALLERIES = ("test", "catalogue")
# The most processes an evaluation embeds with: each loads its own copy of the model, so beyond one
# per GPU of a large machine more only add start-up time and memory.
MAX_EMBED_PROCESSES = 64


@dataclass(frozen=True)
class DataConfig:
    path: str
    columns: dict[str, str] | None = None  # role -> column; None = auto-detect
    test_size: float = 0.2
    split_seed: int = 0  # the split seed is separate from the training seed so compare can vary one

    def __post_init__(self) -> None:
        if not 0.0 < self.test_size < 1.0:
            raise ConfigError(f"data.test_size: got {self.test_size}, expected a fraction between 0 and 1 (e.g. 0.2).")


@dataclass(frozen=True)
class ModelConfig:
    name_or_path: str | None = None  # None = the packaged model for the data's language (engine.models.packaged)
    towers: str = "shared"
    projection_dim: int | None = None
    max_seq_length: int = 128  # covers ~95% of catalogue descriptions; longer ones are truncated
    device: str | None = None
    # Used when the data's left side is images (engine/models/image): None = the packaged
    # EfficientNet-Lite0, else a local CLIP folder or a saved image–text model.
    image_model: str | None = None
    image_training: str = DEFAULT_IMAGE_TRAINING  # "heads", "lit" or "full" (engine.names.IMAGE_TRAINING_MODES)
    image_size: int = DEFAULT_IMAGE_SIZE  # crop side in pixels for EfficientNet (CLIP uses its own)

    def __post_init__(self) -> None:
        if self.towers not in TOWERS:
            raise ConfigError(f"model.towers: got '{self.towers}', expected one of {', '.join(TOWERS)}.")
        if self.max_seq_length < 8:
            raise ConfigError(f"model.max_seq_length: got {self.max_seq_length}, expected at least 8 tokens.")
        if self.image_training not in IMAGE_TRAINING_MODES:
            raise ConfigError(f"model.image_training: got '{self.image_training}', expected one of "
                              f"{', '.join(IMAGE_TRAINING_MODES)}.")
        low, high = IMAGE_SIZE_RANGE
        if not isinstance(self.image_size, int) or not low <= self.image_size <= high:
            raise ConfigError(f"model.image_size: got {self.image_size}, expected a whole number of pixels "
                              f"from {low} to {high} ({DEFAULT_IMAGE_SIZE} is the default).")


@dataclass(frozen=True)
class LossConfig:
    name: str = "clip"
    tilt: str = "cosine"
    temperature: float | str | None = None  # None = default for the tilt; "learn" = learned
    weights: tuple[float, float] | None = None  # (lambda_u, lambda_v) for "weighted"

    def __post_init__(self) -> None:
        if self.name not in LOSS_NAMES:
            raise ConfigError(f"loss.name: got '{self.name}', expected one of {', '.join(LOSS_NAMES)}.")
        if self.tilt not in TILT_NAMES:
            raise ConfigError(f"loss.tilt: got '{self.tilt}', expected one of {', '.join(TILT_NAMES)}.")
        if isinstance(self.temperature, str) and self.temperature != "learn":
            raise ConfigError(f"loss.temperature: got '{self.temperature}', expected a positive number or 'learn'.")
        if isinstance(self.temperature, (int, float)) and not self.temperature > 0:
            raise ConfigError(f"loss.temperature: got {self.temperature}, expected a positive number (e.g. 0.05).")
        if self.name == "weighted" and self.weights is None:
            raise ConfigError("loss.weights: the 'weighted' loss needs --weights a,b (e.g. 1.5,0.5).")
        if self.weights is not None and self.name != "weighted":
            raise ConfigError(
                f"loss.weights: '{self.name}' has fixed weights; --weights only applies to --loss weighted "
                "(clip is (1,1), left-given-right (2,0), right-given-left (0,2); joint has none)."
            )
        if self.weights is not None:
            if len(self.weights) != 2 or min(self.weights) < 0 or max(self.weights) <= 0:
                raise ConfigError(
                    f"loss.weights: got {self.weights}, expected two non-negative numbers, not both zero (e.g. 1,1)."
                )

    @property
    def label(self) -> str:
        if self.name == "weighted" and self.weights is not None:
            return f"weighted({self.weights[0]:g},{self.weights[1]:g})-{self.tilt}"
        return f"{self.name}-{self.tilt}"


@dataclass(frozen=True)
class TrainConfig:
    # With early stopping (the default) ``epochs`` is the cap: the epoch count is chosen on a
    # validation slice of the training split (engine.train.early_stopping). Without it, exactly this many.
    epochs: int = 10
    batch_size: int = 32
    # Higher than the usual 2e-5: a pilot has a few hundred pairs, so one epoch is only ~10 steps
    # (measured on the sample catalogue: 2e-5 barely moves R@1, 1e-4 gains 4-6 points).
    learning_rate: float = 1e-4
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0
    seed: int = 0
    mask_false_negatives: bool = True  # same-group rows in a batch are not treated as negatives
    bf16: bool = True  # autocast to bfloat16 on CUDA only; ignored on CPU
    checkpoint_every_epoch: bool = True
    keep_checkpoint: bool = False  # the checkpoint is only needed to resume a failed run
    early_stopping: bool = True
    patience: int = 2  # epochs without a better validation score before training stops
    validation_fraction: float = 0.15  # share of the training groups held out to choose the epoch
    # GradCache (engine.train.cached_step): embed each batch this many items at a time, so a large
    # batch trains in the memory of a small one (one extra forward pass). None = the ordinary step.
    mini_batch: int | None = None
    # Encode each side of a batch in chunks of similar token length (engine.train.length_buckets):
    # the same batch and gradients with less padding. Off = one padded pass per side.
    length_buckets: bool = True

    def __post_init__(self) -> None:
        if self.mini_batch is not None and (
            isinstance(self.mini_batch, bool) or not isinstance(self.mini_batch, int)
            or not 1 <= self.mini_batch <= self.batch_size
        ):
            raise ConfigError(
                f"train.mini_batch: got {self.mini_batch!r}, expected a whole number from 1 to the batch size "
                f"({self.batch_size}), or none to embed each batch at once."
            )
        checks = [
            ("epochs", self.epochs >= 1, "a whole number of at least 1"),
            ("patience", self.patience >= 1, "a whole number of at least 1"),
            ("validation_fraction", 0 < self.validation_fraction < 0.5, "a fraction in (0, 0.5), e.g. 0.15"),
            ("batch_size", self.batch_size >= 2, "at least 2 (in-batch negatives need a second pair)"),
            ("learning_rate", 0 < self.learning_rate < 1, "a small positive number such as 2e-5"),
            ("warmup_ratio", 0 <= self.warmup_ratio < 1, "a fraction in [0, 1)"),
            ("weight_decay", self.weight_decay >= 0, "zero or positive"),
            ("max_grad_norm", self.max_grad_norm > 0, "positive"),
        ]
        for name, ok, expected in checks:
            if not ok:
                raise ConfigError(f"train.{name}: got {getattr(self, name)!r}, expected {expected}.")


@dataclass(frozen=True)
class AnalysisConfig:
    enabled: bool = True  # compute the stored evidence (intervals, distributions, maps) after training
    n_resamples: int = 2000  # bootstrap resamples; 2000 keeps 95% interval ends stable to ~0.1 point
    latent_method: str = "auto"  # "umap", "pca", or "auto" (UMAP unless it cannot run)
    seed: int = 0

    def __post_init__(self) -> None:
        if self.latent_method not in ("auto", "umap", "pca"):
            raise ConfigError(f"analysis.latent_method: got '{self.latent_method}', expected auto, umap or pca.")
        if self.n_resamples < 100:
            raise ConfigError(f"analysis.n_resamples: got {self.n_resamples}, expected at least 100 (2000 is usual).")


@dataclass(frozen=True)
class EvalConfig:
    gallery: str = "test"  # "catalogue" also scores every test query against all items of the file
    # Processes that embed a long evaluation list (engine.models.embedding_pool): None = one per GPU
    # when more than one is visible, else one process (on a CPU a pool only helps when asked for:
    # torch already uses every core); 1 = one process; N = N processes (CPU workers share the cores).
    embed_processes: int | None = None

    def __post_init__(self) -> None:
        if self.gallery not in GALLERIES:
            raise ConfigError(f"evaluation.gallery: got {self.gallery!r}, expected one of {', '.join(GALLERIES)} "
                              "(test = the test split only, catalogue = every item of the file).")
        processes = self.embed_processes
        if processes is not None and (isinstance(processes, bool) or not isinstance(processes, int)
                                      or not 1 <= processes <= MAX_EMBED_PROCESSES):
            raise ConfigError(t("scale_out.EMBED_PROCESSES", got=repr(processes), most=MAX_EMBED_PROCESSES))


@dataclass(frozen=True)
class RunConfig:
    data: DataConfig
    loss: LossConfig = field(default_factory=LossConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    analysis: AnalysisConfig = field(default_factory=AnalysisConfig)
    evaluation: EvalConfig = field(default_factory=EvalConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> RunConfig:
        """The config of a dict from :meth:`to_dict` or of a run's resolved ``config.json``.

        The resolved config's facts (:data:`RESOLVED_DATA_KEYS`, and top-level keys such as
        ``versions``) are skipped; any other unknown key is an error.

        Raises:
            ConfigError: A field is unknown or invalid.
        """
        loss = dict(raw.get("loss", {}))
        if loss.get("weights") is not None:
            loss["weights"] = tuple(loss["weights"])
        try:
            return cls(
                data=DataConfig(**{k: v for k, v in raw["data"].items() if k not in RESOLVED_DATA_KEYS}),
                loss=LossConfig(**loss),
                model=ModelConfig(**raw.get("model", {})),
                train=TrainConfig(**raw.get("train", {})),
                analysis=AnalysisConfig(**raw.get("analysis", {})),
                evaluation=EvalConfig(**raw.get("evaluation", {})),  # absent in runs made before galleries
            )
        except TypeError as exc:
            raise ConfigError(f"config: {exc}. Check the field names against README 'Run directory schema'.") from exc
