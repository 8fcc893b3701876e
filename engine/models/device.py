"""Device auto-selection: cuda, then mps, then cpu, with an explicit override."""

from __future__ import annotations

import torch

from engine.errors import ConfigError

VALID_DEVICES = ("auto", "cuda", "mps", "cpu")


def select_device(preference: str | None = None) -> torch.device:
    """Return the device to train and encode on.

    Args:
        preference: ``None`` or ``"auto"`` picks cuda, then mps, then cpu. ``"cuda"``, ``"cuda:1"``,
            ``"mps"`` or ``"cpu"`` force one; asking for a device that is not present is an error
            rather than a silent fallback, so a GPU run never quietly becomes a CPU run.
    """
    if preference is None or preference == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    kind = preference.split(":", 1)[0]
    if kind not in VALID_DEVICES:
        raise ConfigError(
            f"model.device: unknown device '{preference}'. Use one of {', '.join(VALID_DEVICES)} "
            "(or 'cuda:N' for a specific GPU)."
        )
    if kind == "cuda" and not torch.cuda.is_available():
        raise ConfigError(
            "model.device: 'cuda' was requested but PyTorch sees no CUDA GPU "
            f"(torch {torch.__version__}). Install a CUDA build of torch (see README, 'GPU install') "
            "or pass --device cpu."
        )
    if kind == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ConfigError("model.device: 'mps' was requested but is not available here. Pass --device cpu.")
    return torch.device(preference)


def to_device(tensor: torch.Tensor, device: torch.device) -> torch.Tensor:
    """Copy a host tensor to ``device``; to a GPU through pinned memory, so the copy does not make the host wait."""
    if device.type != "cuda" or tensor.device.type != "cpu":
        return tensor.to(device)
    return tensor.pin_memory().to(device, non_blocking=True)
