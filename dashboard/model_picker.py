"""The text encoder a new job starts from: preselected from the dataset's languages, with warnings.

The choice is one of the packaged models (:mod:`engine.models.packaged`) or a model folder on this
machine. It is preselected per dataset from the languages of its text columns (the recommendation),
unless ``--model`` / ``TILTPILOT_MODEL`` named one at start-up: that stays the initial choice. A
packaged model that does not read a side's language is warned about; one that is not built yet
shows the command that builds it, and no job may be queued with it. Importing this module does
not import torch (the page must load fast).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import streamlit as st

from dashboard import notices, state
from engine.data import resolve_columns
from engine.data.dataset import IMAGE_EXTENSIONS
from engine.data.language import SAMPLE_VALUES, detect_language
from engine.datasets import StoredDataset, preview
from engine.errors import EngineError, ModelLoadError
from engine.i18n import message, t
from engine.models.packaged import (
    MINILM,
    MULTILINGUAL,
    PACKAGED,
    ModelChoice,
    language_names,
    packaged,
    recommend,
    render_reason,
    uncovered,
)

# Why a model is recommended, as the Train page words it (the CLI words it with models.CHOSEN_*).
RECOMMEND_KEYS = {MULTILINGUAL: "models.RECOMMEND_MULTILINGUAL", MINILM: "models.RECOMMEND_ENGLISH"}
OPTIONS = (*PACKAGED, state.MODEL_FOLDER_CHOICE)


@st.cache_data(max_entries=64, show_spinner=False)
def _column_languages(path: str, left: str | None, right: str | None) -> dict[str, str]:
    # A stored dataset never changes (its folder is named by its content's digest), so its path is
    # the cache key. The first rows are as many values as the language check looks at anyway.
    frame = preview(Path(path), n=SAMPLE_VALUES)
    if left is None or right is None:
        detected = resolve_columns(list(frame.columns)).as_dict()
        left, right = left or detected["left"], right or detected["right"]
    languages = {}
    for side, column in (("left", left), ("right", right)):
        values = [str(v) for v in frame[column]] if column in frame.columns else []
        if values and all(v.lower().endswith(IMAGE_EXTENSIONS) for v in values):
            continue  # an image side has no language; the text model does not read it
        languages[side] = detect_language(values).language
    return languages


def dataset_languages(dataset: StoredDataset) -> dict[str, str]:
    """The language of each text side of a stored dataset (``{"left": "ja", "right": "ja"}``).

    Datasets store no audit, so the languages are detected (cheaply, from the script of the first
    rows) once per dataset and cached. An unreadable file gives ``{}`` (the job reports the problem).
    """
    mapping = dataset.mapping or {}
    try:
        return dict(_column_languages(str(dataset.path), mapping.get("left"), mapping.get("right")))
    except (EngineError, ValueError, KeyError):
        return {}


def startup_choice(explicit: str | None) -> tuple[str, str] | None:
    """The selector value and folder text for a model named at start-up; None when none was.

    A packaged model's alias (``minilm``) selects that model; anything else is a folder (or a name
    the engine resolves).
    """
    if not explicit:
        return None
    model = packaged(explicit)
    return (model.name, "") if model is not None else (state.MODEL_FOLDER_CHOICE, explicit)


def install_problem(name: str) -> str | None:
    """How to build the packaged model ``name`` when it is not built here; None when it is ready."""
    model = packaged(name)
    if model is None:
        return None
    try:
        model.locate()
    except ModelLoadError:
        return t("models.NOT_INSTALLED", model=model.name)
    return None


def require_installed(name: str) -> None:
    """Raise when the packaged model ``name`` cannot be used yet.

    Raises:
        ModelLoadError: It is not built; the message (language in force) names the command to run.
    """
    problem = install_problem(name)
    if problem:
        raise ModelLoadError(problem)


def quick_run_model(languages: Mapping[str, str], explicit: str | None) -> tuple[str, ModelChoice | None]:
    """The model of a one-click run: the start-up model when one was named, else the recommendation.

    Returns:
        The model for the job spec, and the recommendation when it was used (None otherwise).
    """
    if explicit:
        return explicit, None
    choice = recommend(dict(languages))
    return choice.name, choice


def reason_text(choice: ModelChoice) -> str:
    """Why the recommended model suits the data, as the dashboard says it."""
    return render_reason(choice, RECOMMEND_KEYS.get(choice.name))


def _option_label(option: str) -> str:
    if option == state.MODEL_FOLDER_CHOICE:
        return t("train_page.MODEL_FOLDER_OPTION")
    return t("train_page.MODEL_OPTION", model=option, description=message("models.DESCRIPTION").get(option, ""))


def _preselect(digest: str, choice: ModelChoice, explicit: str | None) -> None:
    """Put the initial choice in the widgets when the dataset changed (or the page was left)."""
    if st.session_state.get(state.TRAIN_MODEL_FOR) == digest and state.TRAIN_MODEL in st.session_state:
        return
    option, folder = startup_choice(explicit) or (choice.name, "")
    st.session_state[state.TRAIN_MODEL] = option
    if folder or state.TRAIN_MODEL_FOLDER not in st.session_state:
        st.session_state[state.TRAIN_MODEL_FOLDER] = folder
    st.session_state[state.TRAIN_MODEL_FOR] = digest


def _is_startup_choice(option: str, explicit: str | None) -> bool:
    startup = startup_choice(explicit)
    if startup is None or startup[0] != option:
        return False
    return option != state.MODEL_FOLDER_CHOICE or st.session_state.get(state.TRAIN_MODEL_FOLDER) == startup[1]


def _folder_model(explicit: str | None) -> str | None:
    """The folder typed in, or None (with the reason shown) when no job can use it."""
    folder = st.text_input(t("train_page.MODEL_FOLDER"), key=state.TRAIN_MODEL_FOLDER,
                           help=t("train_page.MODEL_FOLDER_HELP")).strip()
    if not folder:
        st.info(t("train_page.MODEL_FOLDER_EMPTY"))
        return None
    # A name given at start-up may be a cached hub name: the engine resolves it and reports problems.
    if folder != explicit and not Path(folder).expanduser().is_dir():
        notices.error(t("train_page.MODEL_FOLDER_MISSING", path=folder))
        return None
    return folder


def model_selector(dataset: StoredDataset, explicit: str | None) -> str | None:
    """The model selector of the Train page, with its recommendation, warnings and install fix.

    Args:
        dataset: The dataset the jobs will train on (its languages drive the preselection).
        explicit: The model named at start-up (``--model`` / ``TILTPILOT_MODEL``), if any.

    Returns:
        The job spec's ``model`` (a packaged model's name or a folder path), or None when no job
        may be queued with the current choice (not built, no folder given).
    """
    languages = dataset_languages(dataset)
    choice = recommend(languages)
    _preselect(dataset.digest, choice, explicit)
    option = st.selectbox(t("train_page.MODEL"), OPTIONS, key=state.TRAIN_MODEL, format_func=_option_label,
                          help=t("train_page.MODEL_HELP"))
    if option == choice.name:
        st.caption(reason_text(choice))
    else:
        st.caption(t("train_page.MODEL_OTHER_RECOMMENDED", model=choice.name))
    if _is_startup_choice(option, explicit):
        st.caption(t("models.STARTUP_CHOICE"))
    if option == state.MODEL_FOLDER_CHOICE:
        return _folder_model(explicit)
    missing = list(dict.fromkeys(uncovered(option, list(languages.values()))))
    if missing:
        names = t("data_errors.LIST_SEPARATOR").join(language_names(missing))
        notices.warning(t("models.NOT_COVERED", model=option, languages=names))
    problem = install_problem(option)
    if problem:
        notices.error(problem)
        st.caption(t("train_page.MODEL_BLOCKED"))
        return None
    return option
