"""One run end to end: data → split → base evaluation → fine-tuning → tuned evaluation → persist.

Everything a run produces is written into its run directory (see README, "Run directory
schema"), so later analyses and the dashboard never re-encode or re-train.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch

from engine import __version__
from engine.analysis.labels import label_evidence
from engine.config import ModelConfig, RunConfig
from engine.data import PairDataset, audit, check_trainable, load_pairs, split_pairs
from engine.data.token_lengths import counter_or_none
from engine.errors import CancelledError, ConfigError, EngineError, TrainingCancelled
from engine.evaluate import evaluate_against_gallery, evaluate_retrieval
from engine.losses import build_loss, default_temperature
from engine.models import DualEncoder, load_encoder
from engine.models.embedding_pool import embedding_pool
from engine.models.image.defaults import PACKAGED_IMAGE_MODEL
from engine.models.image.image_text_encoder import ImageTextEncoder
from engine.models.loading import load_image_text_encoder
from engine.models.packaged import choose
from engine.process_memory import release_freed_memory
from engine.runs import CLASSIFICATION_PART, RunPaths, RunStore, atomic_write_json
from engine.runs.atomic import atomic_write_npz, atomic_write_text
from engine.runs.index_entries import index_summary
from engine.runs.records import RunMetrics
from engine.train import StepInfo, TrainResult, current_temperature, train
from engine.train.early_stopping import ValidationPlan, plan_validation
from engine.train.early_stopping import summary as early_stopping_summary

logger = logging.getLogger(__name__)

BASE_TILT = "cosine"  # the pretrained model is judged the way it is normally used: cosine similarity


@dataclass
class SplitData:
    full: PairDataset
    train: PairDataset
    test: PairDataset


@dataclass
class GalleryEvaluation:
    """Metrics and per-query ranks of the test queries against a larger gallery (the catalogue)."""

    metrics: dict[str, Any]
    ranks: dict[str, np.ndarray]
    gallery_size: int


@dataclass
class Evaluation:
    """Embeddings, metrics and per-query ranks of one model on the test split."""

    left: np.ndarray
    right: np.ndarray
    metrics: dict[str, Any]
    ranks: dict[str, np.ndarray]
    labels: dict[str, Any] | None = None  # classification evidence (runs with a label column)
    catalogue: GalleryEvaluation | None = None  # the same queries against every item of the file


def prepare_data(config: RunConfig) -> SplitData:
    """Load, validate and split the data exactly as every run with this config does."""
    full = load_pairs(config.data.path, config.data.columns)
    check_trainable(full)  # refuse before minutes of loading and training, with advice that helps
    train_part, test_part = split_pairs(full, test_size=config.data.test_size, seed=config.data.split_seed)
    return SplitData(full=full, train=train_part, test=test_part)


def with_chosen_model(config: RunConfig, data: PairDataset) -> RunConfig:
    """``config`` with the packaged model that suits the data's language, when it names none.

    English (or other Latin-script) texts get the small English model; any other language the
    multilingual one (:func:`engine.models.packaged.recommend`). A named model is kept as it is.
    """
    config = _with_image_tower(config, data)
    choice = choose(config.model.name_or_path, data.left, data.right)
    if choice is None:
        return config
    logger.info("model %s chosen for the data (%s)", choice.name, choice.fields)
    return replace(config, model=replace(config.model, name_or_path=choice.name))


def _with_image_tower(config: RunConfig, data: PairDataset) -> RunConfig:
    """Photos on the left get an image tower (the packaged one unless named); texts must not name one."""
    photos = data.modality["left"] == "image"
    if not photos and config.model.image_model is not None:
        raise ConfigError(
            f"model.image_model: got {config.model.image_model!r}, but the left side of the data holds texts, not "
            "image files. Leave the image model out for text pairs, or upload photos with a manifest."
        )
    if photos and config.model.image_model is None:
        return replace(config, model=replace(config.model, image_model=PACKAGED_IMAGE_MODEL))
    return config


def evaluate_encoder(encoder: DualEncoder, test: PairDataset, *, tilt: str, batch_size: int = 64) -> Evaluation:
    """Encode the test split once and score retrieval in both directions."""
    left = encoder.encode(test.left, "left", batch_size=batch_size)
    right = encoder.encode(test.right, "right", batch_size=batch_size)
    result = evaluate_retrieval(left, right, test.group, tilt=tilt, return_ranks=True, device=str(encoder.device))
    ranks = result.pop("ranks")
    return Evaluation(left=left, right=right, metrics=result, ranks=ranks)


def catalogue_distractors(split: SplitData) -> PairDataset:
    """The items of the file outside the test split (in file order): the catalogue gallery's distractors.

    They are the training split's items (a learning-curve point trains on a subset of them, but
    the catalogue holds them all). No test item is among them, so none is trained on.
    """
    test_rows = set(split.test.row)
    return split.full.subset([i for i, row in enumerate(split.full.row) if row not in test_rows])


def evaluate_catalogue(encoder: DualEncoder, split: SplitData, test_eval: Evaluation, *, tilt: str,
                       batch_size: int = 64) -> GalleryEvaluation:
    """Score every test query against all items of the file, as a production search would.

    The test items' embeddings of ``test_eval`` are reused; only the other items are encoded
    (once per model). The gallery is the test items followed by the distractors.

    Args:
        encoder: The model ``test_eval`` was computed with.
        split: The run's data split.
        test_eval: The model's evaluation on the test split (:func:`evaluate_encoder`).
        tilt: The model's scoring.
        batch_size: Encoding batch size.

    Returns:
        Metrics per direction (``gallery_size`` = all items of the file) and per-query ranks.
    """
    rest = catalogue_distractors(split)
    left = np.concatenate([test_eval.left, encoder.encode(rest.left, "left", batch_size=batch_size)])
    right = np.concatenate([test_eval.right, encoder.encode(rest.right, "right", batch_size=batch_size)])
    groups = [*split.test.group, *rest.group]
    result = evaluate_against_gallery(test_eval.left, test_eval.right, split.test.group, left, right, groups,
                                      tilt=tilt, return_ranks=True, device=str(encoder.device))
    ranks = result.pop("ranks")
    return GalleryEvaluation(metrics=result, ranks=ranks, gallery_size=len(groups))


def catalogue_block(base: GalleryEvaluation, tuned: GalleryEvaluation) -> dict[str, Any]:
    """The ``catalogue`` block of ``metrics.json``: base and tuned metrics on the whole-file gallery."""
    return {"gallery_size": tuned.gallery_size, "base": base.metrics, "tuned": tuned.metrics}


def base_label_evidence(encoder: DualEncoder, split: SplitData, base: Evaluation, config: RunConfig) -> dict | None:
    """Classification evidence of the pretrained encoder; None without labels or with analysis off."""
    if not config.analysis.enabled or split.test.label is None:
        return None
    return label_evidence(encoder, split.train, split.test, base.left, base.right, tilt=BASE_TILT,
                          temperature=default_temperature(BASE_TILT), seed=config.analysis.seed)


def encoder_from_config(model: ModelConfig) -> DualEncoder | ImageTextEncoder:
    """Load the pretrained encoder a run starts from: photo ↔ text when an image model is set."""
    if model.image_model is not None:
        return load_image_text_encoder(model.image_model, model.name_or_path, training=model.image_training,
                                       image_size=model.image_size, projection_dim=model.projection_dim,
                                       device=model.device, max_seq_length=model.max_seq_length)
    return load_encoder(
        model.name_or_path,
        towers=model.towers,
        projection_dim=model.projection_dim,
        device=model.device,
        max_seq_length=model.max_seq_length,
    )


def _versions() -> dict[str, str]:
    import sentence_transformers
    import transformers

    return {
        "tiltpilot": __version__,
        "torch": torch.__version__,
        "sentence_transformers": sentence_transformers.__version__,
        "transformers": transformers.__version__,
        "python": platform.python_version(),
    }


def resolved_config(config: RunConfig, split: SplitData) -> dict[str, Any]:
    raw = config.to_dict()
    if raw["loss"]["temperature"] is None:
        raw["loss"]["temperature"] = default_temperature(config.loss.tilt)
    raw["data"]["fingerprint"] = split.full.fingerprint()
    raw["data"]["columns_resolved"] = dict(vars(split.full.columns)) if split.full.columns else None
    raw["data"]["rows"] = {"all": len(split.full), "train": len(split.train), "test": len(split.test)}
    raw["base_scoring"] = BASE_TILT
    raw["versions"] = _versions()
    return raw


def run_experiment(
    config: RunConfig,
    store: RunStore,
    *,
    run: RunPaths | None = None,
    split: SplitData | None = None,
    base: Evaluation | None = None,
    callback: Callable[[StepInfo], None] | None = None,
    resume: bool = False,
    should_stop: Callable[[], bool] | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> RunPaths:
    """Train and evaluate one configuration, persisting everything into a run directory.

    Args:
        config: What to run.
        store: Where run directories live.
        run: An existing (queued) run directory to fill; a new one is created if None.
        split: Pre-loaded data (``compare`` shares one split across runs).
        base: Pre-computed base-model evaluation on the same split (shared by ``compare``).
        callback: Receives training progress.
        resume: Continue from the run's checkpoint (needs ``run``).
        should_stop: Polled each step and at each stage to cancel.
        on_stage: Told the name of each stage as it starts (a job card shows it).

    Returns:
        The run directory. On failure the status is ``failed`` with the error, and the error is
        re-raised.
    """
    split = split or prepare_data(config)
    config = with_chosen_model(config, split.full)
    if run is None:
        run = store.create_run(config.loss.label, resolved_config(config, split))
    else:
        atomic_write_json(run.config, {**resolved_config(config, split), "run_id": run.run_id})
    try:
        ctx = RunContext(config=config, store=store, run=run, split=split, callback=callback, resume=resume,
                     should_stop=should_stop, on_stage=on_stage)
        _execute(ctx, base)
    except EngineError as exc:
        store.set_status(run, "cancelled" if isinstance(exc, CancelledError) else "failed", error=str(exc))
        raise
    except Exception as exc:
        store.set_status(run, "failed", error=f"Internal error: {type(exc).__name__}: {exc}")
        raise
    release_freed_memory()  # the next run (of a comparison or learning curve) starts from a clean heap
    return run


@dataclass
class RunContext:
    """One run being executed: what it runs, where it writes, and how it reports and is stopped."""

    config: RunConfig
    store: RunStore
    run: RunPaths
    split: SplitData
    callback: Callable[[StepInfo], None] | None = None
    resume: bool = False
    should_stop: Callable[[], bool] | None = None
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, as metrics.json stores them
    on_stage: Callable[[str], None] | None = None  # told each stage as it starts (a job card shows it)

    def stage(self, stage: str, **fields: Any) -> None:
        """Mark the run as running ``stage`` (the dashboard shows it); a cancel asked meanwhile stops here.

        Raises:
            TrainingCancelled: ``should_stop`` said so (polled at every stage, not only at training steps).
        """
        if self.should_stop is not None and self.should_stop():
            raise TrainingCancelled(f"The run was cancelled before its stage '{stage}'.")
        self.store.set_status(self.run, "running", stage=stage, **fields)
        if self.on_stage is not None:
            self.on_stage(stage)


def _execute(ctx: RunContext, base: Evaluation | None) -> None:
    """The steps of one run, in order; each writes its part of the run directory."""
    plan = _write_inputs(ctx)
    ctx.stage("load_model")
    started = time.perf_counter()
    encoder = encoder_from_config(ctx.config.model)
    ctx.timings["load_model_s"] = time.perf_counter() - started
    base, label_base = _evaluate_base(ctx, encoder, base)
    ctx.stage("train")
    loss_fn = build_run_loss(ctx.config, encoder)
    result = _train(ctx, encoder, loss_fn, plan)
    encoder.zero_grad(set_to_none=True)  # the last step's gradients (one more model's worth) are not needed
    tuned = _evaluate_tuned(ctx, encoder)
    _write_model_outputs(ctx, encoder, base, tuned)
    metrics = _metrics(ctx, base, tuned, result, plan, current_temperature(loss_fn))
    atomic_write_json(ctx.run.metrics, metrics)
    if not ctx.config.train.keep_checkpoint:
        _remove_checkpoint(ctx.run)
    if label_base is not None:
        _classify_tuned(ctx, encoder, tuned, label_base, current_temperature(loss_fn))
    del encoder, loss_fn  # the analysis reads the stored embeddings: no model in memory while it runs
    release_freed_memory()
    if ctx.config.analysis.enabled:
        _analyse(ctx)
    ctx.store.set_status(ctx.run, "done", stage="done")
    ctx.store.update_index(ctx.run.run_id, index_summary(ctx.config.to_dict(), metrics))


def _write_inputs(ctx: RunContext) -> ValidationPlan:
    """The data audit, the split (with the validation slice) and the test texts; returns the slice plan."""
    config, run, split = ctx.config, ctx.run, ctx.split
    ctx.store.set_status(run, "running", pid=os.getpid(), stage="audit")
    tokens = counter_or_none(config.model.name_or_path, config.model.max_seq_length)  # long texts in the model's tokens
    atomic_write_json(run.audit, audit(split.full, train=split.train, test=split.test, tokens=tokens).to_dict())
    # The slice that chooses the epoch count is carved from the training rows only (never the test rows).
    plan = plan_validation(split.train, config.train)
    atomic_write_json(
        run.split,
        {
            "test_size": config.data.test_size,
            "seed": config.data.split_seed,
            "train_rows": list(split.train.row),
            "test_rows": list(split.test.row),
            "validation_rows": list(plan.validation.row) if plan.validation is not None else [],
        },
    )
    test = split.test
    # The texts of the test split, so drill-downs and the latent map can show them without
    # re-reading (or re-validating) the source file.
    atomic_write_json(
        run.test_pairs,
        {
            "rows": list(test.row),
            "left": list(test.left),
            "right": list(test.right),
            "group": list(test.group),
            "label": list(test.label) if test.label is not None else None,
        },
    )
    return plan


def _evaluate_base(ctx: RunContext, encoder: DualEncoder, base: Evaluation | None) -> tuple[Evaluation, dict | None]:
    """The pretrained model's evaluation (unless shared) and its classification evidence (or None)."""
    config, split = ctx.config, ctx.split
    with embedding_pool(encoder, config.evaluation.embed_processes):  # started only for a long list
        if base is None:
            ctx.stage("evaluate_base")
            started = time.perf_counter()
            base = evaluate_encoder(encoder, split.test, tilt=BASE_TILT)
            ctx.timings["evaluate_base_s"] = time.perf_counter() - started
        if config.evaluation.gallery == "catalogue" and base.catalogue is None:
            # Kept on the shared base, so a learning curve's later points reuse it (compare fills it up front).
            ctx.stage("evaluate_base")
            base.catalogue = evaluate_catalogue(encoder, split, base, tilt=BASE_TILT)
    label_base = base.labels
    if label_base is None and config.analysis.enabled and split.test.label is not None:
        ctx.stage("classify_base")
        label_base = base_label_evidence(encoder, split, base, config)
    return base, label_base


def build_run_loss(config: RunConfig, encoder: DualEncoder) -> torch.nn.Module:
    """The run's loss on the encoder's device, with the tilt's default τ when none is set."""
    temperature = config.loss.temperature if config.loss.temperature is not None else default_temperature(config.loss.tilt)
    loss_fn = build_loss(config.loss.name, tilt=config.loss.tilt, temperature=temperature, weights=config.loss.weights)
    loss_fn.to(encoder.device)
    return loss_fn


def _train(ctx: RunContext, encoder: DualEncoder, loss_fn: torch.nn.Module, plan: ValidationPlan) -> TrainResult:
    """Fine-tune on the plan's pairs, logging every step into the run."""
    result = train(
        encoder,
        loss_fn,
        plan.fit,
        ctx.config.train,
        callback=_step_logger(ctx),
        checkpoint_dir=ctx.run.checkpoint,
        resume=ctx.resume,
        should_stop=ctx.should_stop,
        validation=plan.validation,
        tilt=ctx.config.loss.tilt,
    )
    ctx.timings["train_s"] = result.seconds
    return result


def _step_logger(ctx: RunContext) -> Callable[[StepInfo], None]:
    """The per-step callback: the training log, the status (at most once a second) and the caller's callback."""
    last_status = [0.0]
    trim_pending = [ctx.resume]

    def on_step(info: StepInfo) -> None:
        if trim_pending[0]:
            # A resumed run restarts after its last checkpoint; the steps the interrupted attempt
            # logged after it are trained again now, so their old records go.
            trim_pending[0] = False
            trim_log(ctx.store, ctx.run, before_step=info.step)
        ctx.store.append_log(ctx.run, info.to_dict())
        now = time.monotonic()
        if now - last_status[0] > 1.0 or info.step == info.total_steps:
            last_status[0] = now
            ctx.stage("train", progress=info.to_dict())
        if ctx.callback is not None:
            ctx.callback(info)

    return on_step


def _evaluate_tuned(ctx: RunContext, encoder: DualEncoder) -> Evaluation:
    """The fine-tuned model's evaluation with its own tilt (and on the catalogue when asked)."""
    ctx.stage("evaluate_tuned")
    tilt = ctx.config.loss.tilt
    started = time.perf_counter()
    with embedding_pool(encoder, ctx.config.evaluation.embed_processes):  # after training: the tuned weights
        tuned = evaluate_encoder(encoder, ctx.split.test, tilt=tilt)
        if ctx.config.evaluation.gallery == "catalogue":
            tuned.catalogue = evaluate_catalogue(encoder, ctx.split, tuned, tilt=tilt)
    ctx.timings["evaluate_tuned_s"] = time.perf_counter() - started
    return tuned


def _write_model_outputs(ctx: RunContext, encoder: DualEncoder, base: Evaluation, tuned: Evaluation) -> None:
    """The tuned model, both models' test embeddings and every per-query rank."""
    run, test = ctx.run, ctx.split.test
    encoder.save(run.model, tilt=ctx.config.loss.tilt)
    atomic_write_npz(
        run.embeddings,
        base_left=base.left,
        base_right=base.right,
        tuned_left=tuned.left,
        tuned_right=tuned.right,
        test_rows=np.asarray(test.row),
        test_groups=np.asarray(test.group, dtype=str),
    )
    atomic_write_npz(
        run.ranks,
        **{f"base_{k}": v for k, v in base.ranks.items()},
        **{f"tuned_{k}": v for k, v in tuned.ranks.items()},
        **_catalogue_ranks(base, tuned),
    )


def _metrics(ctx: RunContext, base: Evaluation, tuned: Evaluation, result: TrainResult, plan: ValidationPlan,
             temperature: float | None) -> RunMetrics:
    """``metrics.json`` (README, "Run directory schema")."""
    config, split = ctx.config, ctx.split
    metrics: RunMetrics = {
        "base": base.metrics,
        "tuned": tuned.metrics,
        "scoring": {"base": BASE_TILT, "tuned": config.loss.tilt},
        "pairs": {"train": len(split.train), "test": len(split.test)},
        "train": {
            "steps": result.steps,
            "epochs": result.epochs_completed,
            "final_loss": result.final_loss,
            "final_temperature": temperature,
            **early_stopping_summary(plan, result, config.train),
        },
        "timings": ctx.timings,
        "gallery": config.evaluation.gallery,
    }
    if base.catalogue is not None and tuned.catalogue is not None:
        metrics["catalogue"] = catalogue_block(base.catalogue, tuned.catalogue)
    return metrics


def _classify_tuned(ctx: RunContext, encoder: DualEncoder, tuned: Evaluation, label_base: dict,
                    temperature: float | None) -> None:
    """Classification evidence of the tuned model, stored beside the base model's."""
    ctx.stage("classify_tuned")
    label_tuned = label_evidence(encoder, ctx.split.train, ctx.split.test, tuned.left, tuned.right,
                                 tilt=ctx.config.loss.tilt, temperature=temperature, seed=ctx.config.analysis.seed)
    ctx.run.analysis.mkdir(exist_ok=True)
    atomic_write_json(ctx.run.analysis_file(CLASSIFICATION_PART), {"base": label_base, "tuned": label_tuned})


def _analyse(ctx: RunContext) -> None:
    """The stored evidence (intervals, maps, ...), one part at a time."""
    from engine.analysis.evidence.run_analysis import AnalysisSettings, analyse_run

    analysis = ctx.config.analysis
    settings = AnalysisSettings(n_resamples=analysis.n_resamples, seed=analysis.seed,
                                latent_method=analysis.latent_method)
    analyse_run(ctx.run, settings, on_part=lambda part: ctx.stage(f"analyse:{part}"))


def _catalogue_ranks(base: Evaluation, tuned: Evaluation) -> dict[str, np.ndarray]:
    """``catalogue_base_<direction>`` / ``catalogue_tuned_<direction>`` ranks for ``ranks.npz`` (none on the test gallery)."""
    if base.catalogue is None or tuned.catalogue is None:
        return {}
    return {f"catalogue_{stage}_{k}": v for stage, ev in (("base", base), ("tuned", tuned))
            for k, v in ev.catalogue.ranks.items()}


def trim_log(store: RunStore, run: RunPaths, *, before_step: int) -> int:
    """Keep only the training-log records of steps before ``before_step``; returns how many went.

    Raises:
        StoreWriteError: The log cannot be rewritten (disk full, read-only store).
    """
    records = store.read_log(run)
    kept = [r for r in records if isinstance(r, dict) and isinstance(r.get("step"), int) and r["step"] < before_step]
    if len(kept) != len(records):
        atomic_write_text(run.train_log, "".join(json.dumps(r, allow_nan=False) + "\n" for r in kept))
        logger.info("run %s: dropped %d log records from step %d on", run.run_id, len(records) - len(kept), before_step)
    return len(records) - len(kept)


def _remove_checkpoint(run: RunPaths) -> None:
    if run.checkpoint.is_dir():
        shutil.rmtree(run.checkpoint)

