"""The ``tiltpilot`` command: audit, train, evaluate, compare, learning-curve, gaussian-lab, and the
sub-commands kept in their own packages (roi, report, doctor, models, robustness).

Human-readable output goes through the message catalogue (area ``cli``) in the language of
``--lang`` (default ``$TILTPILOT_LANG``, else English); ``--json`` output keeps English keys.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

# The tool never downloads models; failing fast beats a 70 s retry loop on an offline machine.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from engine.config import (
    GALLERIES,
    LOSS_NAMES,
    TILT_NAMES,
    AnalysisConfig,
    DataConfig,
    EvalConfig,
    LossConfig,
    ModelConfig,
    RunConfig,
    TrainConfig,
)
from engine.data.limits import MAX_FILE_MB, check_file_size
from engine.errors import ConfigError, DataError, EngineError
from engine.i18n import LANGUAGES, get_language, message, override, t
from engine.learning_curve_settings import DEFAULT_FRACTIONS, DEFAULT_SEEDS
from engine.memory_allocator import active_allocator
from engine.models import cli as models_cli
from engine.names import COMPARED_LOSSES, IMAGE_TRAINING_MODES, TOWERS
from engine.report import cli as report_cli
from engine.robustness import cli as robustness_cli
from engine.roi import cli as roi_cli
from engine.runs import doctor_cli

# Sub-commands kept in their own packages: each module has NAME, add_parser, command and print_result.
_MODULE_COMMANDS = (roi_cli, report_cli, doctor_cli, models_cli, robustness_cli)
DEFAULT_STORE = "tiltpilot_runs"
logger = logging.getLogger(__name__)


def _parse_weights(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    parts = text.split(",")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 2:
        raise ConfigError(f"--weights: got '{text}', expected two numbers separated by a comma, e.g. 1.5,0.5.")
    return values  # type: ignore[return-value]


def _parse_temperature(text: str | None) -> float | str | None:
    if text is None or text == "learn":
        return text
    try:
        return float(text)
    except ValueError:
        raise ConfigError(f"--temperature: got '{text}', expected a positive number (e.g. 0.05) or 'learn'.") from None


def _split_list(text: str, valid: Sequence[str], flag: str) -> list[str]:
    items = [t.strip() for t in text.split(",") if t.strip()]
    bad = [t for t in items if t not in valid]
    if bad or not items:
        raise ConfigError(f"{flag}: unknown {', '.join(bad) or 'empty list'}; choose from {', '.join(valid)}.")
    return items


def _columns(args: argparse.Namespace) -> dict[str, str] | None:
    mapping = {role: getattr(args, f"{role}_column") for role in ("left", "right", "group", "label")}
    mapping = {k: v for k, v in mapping.items() if v}
    return mapping or None


def _add_data_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("data", help="CSV, TSV, JSONL, Parquet or XLSX file of pairs")
    for role, example in (("left", "title"), ("right", "description"), ("group", "product_id"), ("label", "category")):
        p.add_argument(f"--{role}-column", help=f"column holding the {role} role (e.g. {example}); auto-detected if omitted")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON instead of tables")
    p.add_argument("--max-file-mb", type=float, default=MAX_FILE_MB,
                   help=f"refuse data files larger than this (default {MAX_FILE_MB:g} MB, the dashboard's upload limit)")
    p.add_argument("--no-size-limit", action="store_true", help="read a data file of any size (memory grows with it)")


def _add_run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--temperature", help="fixed τ (default 0.05 for cosine, 1 for dot/l2) or 'learn'")
    p.add_argument("--weights", help="λu,λv for the weighted conditional loss, e.g. 1.5,0.5")
    p.add_argument("--epochs", type=int, default=TrainConfig.epochs,
                   help=t("early_stopping.HELP_EPOCHS", default=TrainConfig.epochs))
    p.add_argument("--early-stopping", action=argparse.BooleanOptionalAction, default=TrainConfig.early_stopping,
                   help=t("early_stopping.HELP_EARLY_STOPPING"))
    p.add_argument("--patience", type=int, default=TrainConfig.patience,
                   help=t("early_stopping.HELP_PATIENCE", default=TrainConfig.patience))
    p.add_argument("--batch-size", type=int, default=TrainConfig.batch_size)
    p.add_argument("--mini-batch", type=int, default=TrainConfig.mini_batch,
                   help=t("cli.HELP_MINI_BATCH"))
    p.add_argument("--learning-rate", type=float, default=TrainConfig.learning_rate)
    p.add_argument("--seed", type=int, default=TrainConfig.seed, help="training seed")
    p.add_argument("--split-seed", type=int, default=DataConfig.split_seed, help="train/test split seed")
    p.add_argument("--test-size", type=float, default=DataConfig.test_size)
    p.add_argument("--model", help="all-MiniLM-L6-v2, multilingual-e5-small, a sentence-transformers folder, a run directory, or a cached hub name (default: chosen by the data's language)")
    p.add_argument("--towers", choices=TOWERS, default=ModelConfig.towers)
    p.add_argument("--image-model", help="for photo data: a local CLIP folder or a saved image-text model "
                   "(default: the packaged EfficientNet-Lite0 with --model as the text tower)")
    p.add_argument("--image-training", choices=IMAGE_TRAINING_MODES, default=ModelConfig.image_training,
                   help="for photo data: train the projection heads only, also the text tower (lit), or everything")
    p.add_argument("--image-size", type=int, default=ModelConfig.image_size,
                   help=f"for photo data: crop side in pixels (default {ModelConfig.image_size})")
    p.add_argument("--projection-dim", type=int)
    p.add_argument("--max-seq-length", type=int, default=ModelConfig.max_seq_length)
    p.add_argument("--device", help="auto (default), cuda, mps or cpu")
    p.add_argument("--out", default=DEFAULT_STORE, help=f"run store folder (default ./{DEFAULT_STORE})")
    p.add_argument("--no-analysis", action="store_true", help="skip the stored evidence (intervals, maps, ...)")
    p.add_argument("--latent-map", choices=("auto", "umap", "pca"), default=AnalysisConfig.latent_method, help="2-D map method")
    p.add_argument("--bootstrap", type=int, default=AnalysisConfig.n_resamples,
                   help=f"bootstrap resamples for intervals (default {AnalysisConfig.n_resamples})")
    p.add_argument("--gallery", choices=GALLERIES, default=EvalConfig.gallery, help=t("cli.HELP_GALLERY"))
    _add_embed_processes_arg(p)


def _add_embed_processes_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--embed-processes", type=int, default=EvalConfig.embed_processes, metavar="N",
                   help=t("scale_out.HELP_EMBED_PROCESSES"))


def add_lang_arg(p: argparse.ArgumentParser) -> None:
    """``--lang en|ja``, before or after the subcommand (a subcommand's parser never resets it).

    Parsers that define their own ``--lang`` (e.g. a report's language) keep theirs.
    """
    if "--lang" in p._option_string_actions:
        return
    p.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=t("cli.HELP_LANG"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tiltpilot", description="Contrastive fine-tuning pilots for paired data.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    add_lang_arg(parser)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("audit", help="validate a data file and report duplicates, leakage, lengths")
    _add_data_args(p)
    p.add_argument("--test-size", type=float, default=DataConfig.test_size)
    p.add_argument("--split-seed", type=int, default=DataConfig.split_seed)
    p.add_argument("--model", help="model whose tokenizer counts long texts (default: chosen by the data's language)")
    p.add_argument("--max-seq-length", type=int, default=ModelConfig.max_seq_length,
                   help=f"tokens the model will read per text (default {ModelConfig.max_seq_length})")

    p = sub.add_parser("train", help="fine-tune with one loss and evaluate base vs tuned")
    _add_data_args(p)
    p.add_argument("--loss", default=LossConfig.name, choices=LOSS_NAMES)
    p.add_argument("--tilt", default=LossConfig.tilt, choices=TILT_NAMES)
    _add_run_args(p)
    p.add_argument("--resume", help="run directory of a failed run to resume from its last epoch checkpoint")

    p = sub.add_parser("evaluate", help="retrieval metrics of a model or a run on the test split")
    _add_data_args(p)
    p.add_argument("--model", required=True, help="run directory or sentence-transformers folder")
    p.add_argument("--tilt", choices=TILT_NAMES, help="scoring for a plain model folder (default cosine)")
    p.add_argument("--test-size", type=float, default=DataConfig.test_size)
    p.add_argument("--split-seed", type=int, default=DataConfig.split_seed)
    p.add_argument("--device")
    _add_embed_processes_arg(p)

    p = sub.add_parser("compare", help="train several losses/tilts on the same split and compare")
    _add_data_args(p)
    p.add_argument("--losses", default=",".join(COMPARED_LOSSES), help=f"comma list from {', '.join(LOSS_NAMES)}")
    p.add_argument("--tilts", default=LossConfig.tilt, help=f"comma list from {', '.join(TILT_NAMES)}")
    _add_run_args(p)
    p = sub.add_parser("learning-curve", help="train on nested subsets and predict the gain from more pairs")
    _add_data_args(p)
    p.add_argument("--loss", default=LossConfig.name, choices=LOSS_NAMES)
    p.add_argument("--tilt", default=LossConfig.tilt, choices=TILT_NAMES)
    p.add_argument("--fractions", default=",".join(f"{v:g}" for v in DEFAULT_FRACTIONS), help="fractions of the training groups, e.g. 0.25,0.5,1")
    p.add_argument("--target", type=float, help="Recall@1 to reach; reports the pairs needed for it")
    p.add_argument("--seeds", type=int, default=DEFAULT_SEEDS,
                   help="training runs per size (different seeds); intervals then include training variation")
    _add_run_args(p)

    p = sub.add_parser("gaussian-lab", help="learned vs closed-form optima on synthetic Gaussian pairs (paper §5-6)")
    p.add_argument("--example", choices=("2d", "gp"), default="2d")
    p.add_argument("--loss", choices=("clip", "joint", "l2-left-given-right"), default="clip")
    p.add_argument("--steps", type=int, default=500)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    # Subcommands that live in their own modules register their parser, command and printer.
    for module in _MODULE_COMMANDS:
        module.add_parser(sub)
    for p in sub.choices.values():
        add_lang_arg(p)
    return parser


def _chosen_model(args: argparse.Namespace) -> str | None:
    """``--model``, or when it is left out, the packaged model for the data's language, said on stderr with why.

    A named packaged model that does not read a side's language (MiniLM on Japanese) is kept, with a warning.
    """
    from engine.data import load_pairs
    from engine.models.packaged import language_names, packaged, recommend, render_reason, side_languages, uncovered

    named = packaged(args.model) if args.model else None
    if getattr(args, "resume", None) or (args.model and (named is None or named.languages is None)):
        return args.model  # nothing to say: a resumed run, a folder, or a model that reads every language

    data = load_pairs(args.data, _columns(args))
    languages = side_languages(data.left, data.right)
    if args.model:  # kept as given; a packaged model that does not read the data's language is warned about
        missing = sorted(set(uncovered(args.model, list(languages.values()))))
        if missing:
            print(t("models.NOT_COVERED", model=packaged(args.model).name, languages=", ".join(language_names(missing))),
                  file=sys.stderr)
        return args.model
    choice = recommend(languages)
    print(t("models.CHOSEN", model=choice.name, reason=render_reason(choice)), file=sys.stderr)
    return choice.name


def _store_archive(args: argparse.Namespace, scratch: ExitStack) -> None:
    """A ZIP of images as the data: stored first (in ``--out``, else a temporary store), then read as its data.csv.

    The column flags name the manifest's columns; the stored data.csv has its own, detected names.
    """
    from engine.images.inputs import is_archive, stored_archive

    if getattr(args, "resume", None) or not is_archive(args.data):
        return
    args.data = str(stored_archive(args.data, getattr(args, "out", None), scratch, _columns(args)))
    for role in ("left", "right", "group", "label"):
        setattr(args, f"{role}_column", None)


def _run_config(args: argparse.Namespace, loss: str, tilt: str) -> RunConfig:
    return RunConfig(
        data=DataConfig(path=args.data, columns=_columns(args), test_size=args.test_size, split_seed=args.split_seed),
        loss=LossConfig(name=loss, tilt=tilt, temperature=_parse_temperature(args.temperature),
                        weights=_parse_weights(args.weights)),
        model=ModelConfig(name_or_path=_chosen_model(args), towers=args.towers, projection_dim=args.projection_dim,
                          max_seq_length=args.max_seq_length, device=args.device, image_model=args.image_model,
                          image_training=args.image_training, image_size=args.image_size),
        train=TrainConfig(epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.learning_rate, seed=args.seed,
                          early_stopping=args.early_stopping, patience=args.patience, mini_batch=args.mini_batch),
        analysis=AnalysisConfig(enabled=not args.no_analysis, n_resamples=args.bootstrap,
                                latent_method=args.latent_map, seed=args.seed),
        evaluation=EvalConfig(gallery=args.gallery, embed_processes=args.embed_processes),
    )


class _ProgressBar:
    """tqdm bar fed by the training callback; silent when stderr is not a terminal."""

    def __init__(self) -> None:
        self.bars: dict[str, Any] = {}

    def __call__(self, label: str, info: Any) -> None:
        from tqdm import tqdm

        bar = self.bars.get(label)
        if bar is None:
            bar = self.bars[label] = tqdm(total=info.total_steps, desc=label, unit="step", disable=None, leave=True)
        bar.update(info.step - bar.n)
        bar.set_postfix(loss=f"{info.loss:.4f}", epoch=f"{info.epoch}/{info.epochs}")
        if info.step == info.total_steps:
            bar.close()


def _cmd_audit(args: argparse.Namespace) -> dict[str, Any]:
    from engine.data import audit, check_trainable, load_pairs, split_pairs
    from engine.data.token_lengths import counter_or_none, load_counter
    from engine.models.packaged import recommend, side_languages

    limit = ModelConfig(name_or_path=args.model, max_seq_length=args.max_seq_length).max_seq_length  # validates it
    data = load_pairs(args.data, _columns(args))
    train_part, test_part = split_pairs(data, test_size=args.test_size, seed=args.split_seed)
    # A named model must be there; the one the data's language calls for may not be built yet (then: heuristic).
    tokens = (load_counter(args.model, limit) if args.model
              else counter_or_none(recommend(side_languages(data.left, data.right)).name, limit))
    report = audit(data, train=train_part, test=test_part, tokens=tokens, progress=_AuditProgress()).to_dict()
    report["load_notes"] = [note.to_dict() for note in data.notes]
    try:
        check_trainable(data)
    except DataError as exc:  # the audit still shows everything else; training would refuse this file
        report["trainable"] = {"ok": False, "message": str(exc), "key": getattr(exc, "message_key", None),
                               "fields": getattr(exc, "message_fields", None)}
    else:
        report["trainable"] = {"ok": True}
    return report


class _AuditProgress:
    """The audit's stages as a progress bar on stderr (silent when stderr is not a terminal)."""

    def __init__(self) -> None:
        self._bar: Any = None

    def __call__(self, stage: str, fraction: float) -> None:
        from tqdm import tqdm

        if self._bar is None:
            self._bar = tqdm(total=100, disable=None, leave=False, file=sys.stderr)
        self._bar.set_description(t("cli.AUDIT_PROGRESS", stage=stage))
        self._bar.update(max(round(100 * fraction) - self._bar.n, 0))
        if fraction >= 1.0:
            self._bar.close()


def _render_stored_error(entry: dict[str, Any]) -> str:
    """A stored error (``{"message", "key", "fields"}``) in the language in force."""
    from engine.data.error_text import render_text

    if entry.get("key") and isinstance(entry.get("fields"), dict):
        return render_text(entry["key"], entry["fields"])
    return str(entry.get("message", ""))


def _print_audit(report: dict[str, Any], args: argparse.Namespace) -> None:
    from engine.data import render_load_note
    from engine.data.audit_report import render_finding, render_severity

    print(t("cli.AUDIT_HEAD", rows=report.get("rows"), groups=report.get("groups"), columns=report.get("columns")))
    for note in report.get("load_notes", []):
        print(t("cli.AUDIT_NOTE", note=render_load_note(note)))
    trainable = report.get("trainable") or {}
    if trainable.get("ok") is False:
        print(t("cli.AUDIT_NOT_TRAINABLE", reason=_render_stored_error(trainable)))
    for finding in report.get("findings", []):
        text, advice = render_finding(finding)
        print(f"[{render_severity(finding['severity'])}] {text}")
        if advice:
            print(t("cli.AUDIT_ADVICE", advice=advice))


def _cmd_train(args: argparse.Namespace) -> dict[str, Any]:
    from engine.experiment import run_experiment
    from engine.runs import RunPaths, RunStore, read_json

    config = _run_config(args, args.loss, args.tilt)
    bar = _ProgressBar()
    if args.resume:
        from engine.resume import resume_run

        # The run's own settings win (it continues as it began); DATA, --no-analysis and --device apply.
        run = resume_run(args.resume, data=args.data, analysis=False if args.no_analysis else None,
                         device=args.device, callback=lambda i: bar(RunPaths(Path(args.resume)).run_id, i))
    else:
        store = RunStore(args.out)
        run = run_experiment(config, store, callback=lambda i: bar(config.loss.label, i))
    metrics = read_json(run.metrics)
    result = {"run_dir": str(run.root), "base": metrics["base"], "tuned": metrics["tuned"], "train": metrics["train"]}
    if metrics.get("catalogue"):
        result["catalogue"] = metrics["catalogue"]
    return result


def _cmd_evaluate(args: argparse.Namespace) -> dict[str, Any]:
    from engine.data import load_pairs, split_pairs
    from engine.experiment import BASE_TILT, encoder_from_config, evaluate_encoder
    from engine.models import load_encoder
    from engine.models.embedding_pool import embedding_pool
    from engine.models.image.image_text_encoder import saved_folder
    from engine.models.loading import load_image_text_encoder
    from engine.runs import RunPaths, read_json

    processes = EvalConfig(embed_processes=args.embed_processes).embed_processes  # checked before loading
    run = RunPaths(Path(args.model))
    raw = read_json(run.config) if run.config.is_file() else None
    columns, test_size, seed, tilt = _columns(args), args.test_size, args.split_seed, args.tilt or LossConfig.tilt
    if raw is not None:
        data_cfg = raw["data"]
        columns = columns or data_cfg.get("columns")
        test_size, seed, tilt = data_cfg["test_size"], data_cfg["split_seed"], args.tilt or raw["loss"]["tilt"]
    data = load_pairs(args.data, columns)
    _, test = split_pairs(data, test_size=test_size, seed=seed)
    result: dict[str, Any] = {"model": args.model, "test_pairs": len(test), "tilt": tilt}
    photos = saved_folder(args.model) is not None
    tuned_model = (load_image_text_encoder(args.model, device=args.device) if photos
                   else load_encoder(args.model, device=args.device))
    with embedding_pool(tuned_model, processes):
        tuned = evaluate_encoder(tuned_model, test, tilt=tilt)
    if raw is not None:
        started_from = dataclasses.replace(RunConfig.from_dict(raw).model, device=args.device)
        base_model = encoder_from_config(started_from)
        with embedding_pool(base_model, processes):
            base = evaluate_encoder(base_model, test, tilt=BASE_TILT)
        result.update(base=base.metrics, tuned=tuned.metrics)
    else:
        result.update(tuned.metrics)
    return result


def _compare_settings(args: argparse.Namespace) -> tuple[RunConfig, list[str], list[str]]:
    """The comparison's base config, losses and tilts from the command line."""
    losses = _split_list(args.losses, LOSS_NAMES, "--losses")
    tilts = _split_list(args.tilts, TILT_NAMES, "--tilts")
    return _run_config(args, losses[0], tilts[0]), losses, tilts


def _cmd_compare(args: argparse.Namespace) -> dict[str, Any]:
    from engine.compare import run_comparison

    config, losses, tilts = _compare_settings(args)
    return run_comparison(config, losses, tilts, args.out, callback=_ProgressBar())


def _cmd_learning_curve(args: argparse.Namespace) -> dict[str, Any]:
    from dataclasses import replace

    from engine.learning_curve import run_learning_curve
    from engine.runs import RunStore

    try:
        fractions = [float(f) for f in args.fractions.split(",")]
    except ValueError:
        raise ConfigError(f"--fractions: got '{args.fractions}', expected numbers such as 0.25,0.5,1.") from None
    config = _run_config(args, args.loss, args.tilt)
    # Each point only needs its ranks; the full evidence is for single runs and comparisons.
    config = replace(config, analysis=replace(config.analysis, enabled=False))
    bar = _ProgressBar()
    return run_learning_curve(config, RunStore(args.out), fractions=fractions, target_recall=args.target,
                              callback=lambda fraction, info: bar(f"{fraction:g} of pairs", info), seeds=args.seeds)


def _print_learning_curve(result: dict[str, Any], args: argparse.Namespace) -> None:
    from engine.analysis.evidence.power_law import render_pairs_needed

    directions = message("cli.DIRECTIONS")
    for point in result["points"]:
        r1 = point["metrics"]["left_to_right"]["recall@1"]
        print(t("cli.CURVE_POINT", pairs=point["train_pairs"], estimate=r1["estimate"], low=r1["low"], high=r1["high"]))
    for direction, prediction in result["predictions"].items():
        print(t("cli.CURVE_LINE", direction=directions.get(direction, direction), text=prediction))
    if result.get("pairs_needed"):
        for direction, needed in result["pairs_needed"].items():
            text = render_pairs_needed(needed) if isinstance(needed, dict) else needed
            print(t("cli.CURVE_LINE", direction=directions.get(direction, direction), text=text))


def _cmd_gaussian_lab(args: argparse.Namespace) -> dict[str, Any]:
    from engine.analysis.gaussian.lab import run_lab

    return run_lab(args.example, loss=args.loss, steps=args.steps, seed=args.seed)


def _metric_fields(metrics: dict[str, Any]) -> dict[str, Any]:
    return {"r1": metrics["recall@1"], "r5": metrics["recall@5"], "r10": metrics["recall@10"], "mrr": metrics["mrr"],
            "median": metrics["median_rank"]}


def _print_metrics(result: dict[str, Any], args: argparse.Namespace) -> None:
    from engine.compare import DIRECTIONS
    from engine.console_text import pad

    stages, directions = message("cli.STAGES"), message("cli.DIRECTIONS")
    if "run_dir" in result:
        print(t("cli.RUN_DIR", run_dir=result["run_dir"]))
    for direction in DIRECTIONS:
        label = pad(directions.get(direction, direction), 14)
        for which in ("base", "tuned"):
            metrics = result.get(which, {}).get(direction) if which in result else None
            if metrics is None:
                continue
            print(t("cli.METRICS_STAGE", which=pad(stages[which], 5, ">"), direction=label, **_metric_fields(metrics),
                    gallery=metrics["gallery_size"], chance=metrics["chance"]["recall@1"]))
        if direction in result:
            print(t("cli.METRICS_PLAIN", direction=label, **_metric_fields(result[direction])))
    if result.get("catalogue"):
        _print_catalogue(result["catalogue"], stages, directions)
    _print_chosen_epoch(result.get("train"))


def _print_chosen_epoch(train: dict[str, Any] | None, label: str | None = None) -> None:
    """How many epochs a run trained and why (early stopping), when its metrics say."""
    from engine.chosen_epoch import chosen_epoch_text

    text = chosen_epoch_text(train)
    if text is not None:
        print(t("early_stopping.CLI_RUN_TRAINING", label=label, text=text) if label
              else t("early_stopping.CLI_TRAINING", text=text))


def _print_catalogue(block: dict[str, Any], stages: dict[str, str], directions: dict[str, str]) -> None:
    """The whole-file gallery's lines of a run (metrics.json ``catalogue``), under their heading."""
    from engine.compare import DIRECTIONS
    from engine.console_text import pad

    print(t("cli.GALLERY_CATALOGUE_HEAD", items=block["gallery_size"]))
    for direction in DIRECTIONS:
        for which in ("base", "tuned"):
            metrics = block[which][direction]
            print(t("cli.METRICS_STAGE", which=pad(stages[which], 5, ">"), direction=pad(directions.get(direction, direction), 14),
                    **_metric_fields(metrics), gallery=metrics["gallery_size"], chance=metrics["chance"]["recall@1"]))


def _print_json(result: dict[str, Any], args: argparse.Namespace) -> None:
    print(json.dumps(result, indent=2, default=str))


def _print_compare(result: dict[str, Any], args: argparse.Namespace) -> None:
    from engine.analysis.evidence.verdict import render_verdict
    from engine.compare import format_table

    catalogue = next((row["catalogue"] for row in result["runs"] if row.get("catalogue")), None)
    if catalogue:  # say which gallery each table uses
        print(t("cli.GALLERY_TEST_HEAD", items=result["test_pairs"]))
    print(format_table(result))
    if catalogue:
        print()
        print(t("cli.GALLERY_CATALOGUE_HEAD", items=catalogue["gallery_size"]))
        print(format_table(result, gallery="catalogue"))
    for row in result["runs"]:
        _print_chosen_epoch(row.get("train"), label=f"{row['loss']}-{row['tilt']}")
    for row in result.get("pairwise", []):
        if row["metric"] == "recall@1":
            print(t("cli.COMPARE_VERDICT", verdict=render_verdict(row)))
    print()
    print(t("cli.COMPARE_FOOTER", test_pairs=result["test_pairs"], train_pairs=result["train_pairs"],
            seconds=result["wall_time_s"], out=args.out))


# Human-readable printers per subcommand (default: _print_metrics); --json bypasses them.
_PRINTERS = {"audit": _print_audit, "learning-curve": _print_learning_curve, "gaussian-lab": _print_json,
             "compare": _print_compare, **{m.NAME: m.print_result for m in _MODULE_COMMANDS}}


def _commands() -> dict[str, Any]:
    # Looked up at each call, so tests can replace a command function.
    return {"audit": _cmd_audit, "train": _cmd_train, "evaluate": _cmd_evaluate, "compare": _cmd_compare,
            "learning-curve": _cmd_learning_curve, "gaussian-lab": _cmd_gaussian_lab,
            **{m.NAME: m.command for m in _MODULE_COMMANDS}}


def _dispatch(args: argparse.Namespace, scratch: ExitStack) -> dict[str, Any] | None:
    """Run the command; under torchrun (README, "Scale-out with torchrun") only rank 0 returns a result."""
    from engine import torchrun

    if not torchrun.launched():
        return _commands()[args.command](args)
    scratch.enter_context(torchrun.process_group(args.command, getattr(args, "device", None),
                                                 getattr(args, "mini_batch", None)))
    if torchrun.is_main_process():
        return _commands()[args.command](args)
    if args.command == "compare":
        torchrun.follow_comparison(*_compare_settings(args))
    elif args.resume:
        torchrun.follow_resume(args.resume, data=args.data, device=args.device)
    else:
        torchrun.follow_run(_run_config(args, args.loss, args.tilt))
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # In force for this call only, so a caller (a test, a notebook) keeps its own language.
    with override(getattr(args, "lang", None) or get_language()):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logger.info("memory allocator: %s", active_allocator())
    if not args.verbose:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    try:
        with ExitStack() as scratch:
            if hasattr(args, "max_file_mb"):  # every command that reads a data file has the same limit as the dashboard
                check_file_size(args.data, None if args.no_size_limit else args.max_file_mb)
                _store_archive(args, scratch)
            result = _dispatch(args, scratch)
    except EngineError as exc:
        from engine.data.error_text import render_error

        print(t("cli.ERROR", error=render_error(exc)), file=sys.stderr)
        return 2
    if result is None:  # a torchrun process other than rank 0: rank 0 prints
        return 0
    if getattr(args, "json", False):
        _print_json(result, args)
    else:
        _PRINTERS.get(args.command, _print_metrics)(result, args)
    # A command may say "done, but not all is well" (doctor: unreadable runs remain) with exit 1.
    module = next((m for m in _MODULE_COMMANDS if m.NAME == args.command), None)
    return module.exit_code(result) if hasattr(module, "exit_code") else 0
