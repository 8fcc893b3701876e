"""The data and its audit, and the methods appendix (citation, formulas, settings, versions, fingerprint)."""

from __future__ import annotations

from typing import Any

from engine.data.audit_report import render_finding, render_severity
from engine.i18n import format as fmt
from engine.names import SIDES
from engine.report import strings
from engine.report.content import KeyNumber, Section, Table
from engine.report.context import Context
from engine.report.facts import side_names
from engine.report.formulas import formula_lines
from engine.report.section_evidence import cell

FINGERPRINT_CHARS = 16
AUDIT_CHARS = 400


def data(ctx: Context) -> Section:
    """Rows, groups, the split, the audit findings and the leakage check."""
    section = Section("data", strings.SECTION_DATA)
    audit = ctx.audit
    config = ctx.chosen_run.get("config") or {}
    left, right = side_names(config)
    data_cfg = config.get("data") or {}
    rows = data_cfg.get("rows") or {}
    section.numbers = [
        KeyNumber(strings.NUMBER_PAIRS, fmt.number((audit or {}).get("rows", rows.get("all"))),
                  strings.NUMBER_PAIRS_NOTE.format(groups=fmt.number((audit or {}).get("groups")))),
        KeyNumber(strings.NUMBER_SPLIT, strings.SPLIT_VALUE.format(train=fmt.number(ctx.facts.train_pairs),
                                                                   test=fmt.number(ctx.facts.test_pairs)),
                  strings.NUMBER_SPLIT_NOTE.format(share=fmt.percent(data_cfg.get("test_size")),
                                                   seed=fmt.number(data_cfg.get("split_seed")))),
        KeyNumber(strings.NUMBER_COLUMNS, strings.COLUMNS_VALUE.format(left=left, right=right),
                  strings.NUMBER_COLUMNS_NOTE.format(file=ctx.facts.data_name)),
    ]
    if not audit:
        section.empty = strings.AUDIT_EMPTY
        return section
    counts = audit.get("counts") or {}
    section.paragraphs.append(strings.AUDIT_COUNTS.format(
        errors=fmt.number(counts.get("error", 0)), warnings=fmt.number(counts.get("warning", 0)),
        infos=fmt.number(counts.get("info", 0))))
    findings = audit.get("findings") or []
    if findings:
        section.tables.append(Table(list(strings.AUDIT_COLUMNS), [
            [render_severity(str(fnd.get("severity"))), *(cell(text, AUDIT_CHARS) for text in render_finding(fnd))]
            for fnd in findings]))
    else:
        section.bullets.append(strings.AUDIT_CLEAN)
    if any(not fnd.get("key") for fnd in findings):
        section.paragraphs.append(strings.AUDIT_STORED_WORDING)
    leakage = audit.get("leakage") or {}
    if leakage:
        section.bullets.append(strings.LEAKAGE_LINE.format(
            groups=fmt.number((leakage.get("groups") or {}).get("shared", 0)),
            exact=fmt.number(sum(int((leakage.get(s) or {}).get("exact_rows", 0)) for s in SIDES)),
            near=fmt.number(sum(int((leakage.get(s) or {}).get("near_rows", 0)) for s in SIDES)),
            test=fmt.number(leakage.get("test_rows"))))
    return section


def _settings_row(label: str, config: dict[str, Any]) -> list[str]:
    loss, train, model = config.get("loss") or {}, config.get("train") or {}, config.get("model") or {}
    weights = loss.get("weights")
    return [cell(label), str(loss.get("tilt", "")), str(loss.get("temperature", "")),
            "" if not weights else ", ".join(fmt.number(w, 2) for w in weights),
            fmt.number(train.get("epochs")), fmt.number(train.get("batch_size")), f"{train.get('learning_rate', '')}",
            fmt.number(train.get("seed")), cell(model.get("name_or_path") or strings.DEFAULT_MODEL, 60)]


def methods(ctx: Context) -> Section:
    """Citation, the loss formulas, every run's settings, package versions and the data fingerprint."""
    section = Section("methods", strings.SECTION_METHODS)
    section.paragraphs = [strings.METHODS_CITATION, strings.METHODS_FORMULAS]
    configs = {rid: run.get("config") or {} for rid, run in ctx.source.runs.items()}
    used_losses = sorted({(c.get("loss") or {}).get("name", "") for c in configs.values()})
    used_tilts = sorted({(c.get("loss") or {}).get("tilt", "") for c in configs.values()})
    section.code = formula_lines(used_losses, used_tilts)
    section.tables.append(Table(list(strings.SETTINGS_COLUMNS),
                                [_settings_row(ctx.labels.get(rid, rid), c) for rid, c in configs.items()],
                                strings.SETTINGS_CAPTION))
    chosen = ctx.chosen_run.get("config") or {}
    versions = chosen.get("versions") or {}
    if versions:
        section.tables.append(Table(list(strings.VERSION_COLUMNS), [[cell(k), cell(v)] for k, v in versions.items()],
                                    strings.VERSIONS_CAPTION))
    data_cfg = chosen.get("data") or {}
    analysis = chosen.get("analysis") or {}
    fingerprint = str(data_cfg.get("fingerprint") or "")
    section.bullets = [
        strings.METHODS_DATA.format(file=ctx.facts.data_name, fingerprint=fingerprint[:FINGERPRINT_CHARS] or fmt.MISSING,
                                    rows=fmt.number((data_cfg.get("rows") or {}).get("all"))),
        strings.METHODS_BOOTSTRAP.format(resamples=fmt.number(analysis.get("n_resamples")), seed=fmt.number(analysis.get("seed"))),
        strings.METHODS_BASE.format(scoring=chosen.get("base_scoring", "cosine")),
    ]
    if ctx.roi.result:
        settings = ctx.roi.result.get("settings") or {}
        section.bullets.append(strings.METHODS_ROI.format(draws=fmt.number(settings.get("n_draws")),
                                                          seed=fmt.number(settings.get("seed"))))
    return section
