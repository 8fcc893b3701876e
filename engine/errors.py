"""Exception types the engine raises for problems a user can fix.

The dashboard and the CLI catch :class:`EngineError` and show its message as is, so every
message names what was received, what is allowed, and how to fix it.
"""

from __future__ import annotations


class EngineError(Exception):
    """Base class for every user-fixable problem reported by the engine."""


class ConfigError(EngineError, ValueError):
    """A setting is out of range or unknown (message names the field, e.g. ``train.batch_size``)."""


class DataError(EngineError, ValueError):
    """An input file cannot be used as paired data.

    Args:
        message: What is wrong and how to fix it.
        row: 1-based data row (the header is row 0) where the problem was found, if any.
        column: Column name involved, if any.
    """

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        where = []
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        prefix = f"[{', '.join(where)}] " if where else ""
        super().__init__(prefix + message)
        self.row = row
        self.column = column


class ModelLoadError(EngineError):
    """An encoder could not be loaded (missing folder, unreachable hub name, broken weights)."""


class TrainingError(EngineError):
    """Training had to stop (for example the loss became NaN or infinite)."""


class NotFittedError(EngineError, AttributeError):
    """An estimator was used before ``fit`` (scikit-learn's wording)."""


class CancelledError(EngineError):
    """A long operation (e.g. the data audit) stopped because its caller asked it to.

    Args:
        message: What was cancelled, in the language of the log (English).
        stage: The step the operation was in when it stopped, if known.
    """

    def __init__(self, message: str, *, stage: str | None = None) -> None:
        super().__init__(message)
        self.stage = stage


class TrainingCancelled(TrainingError, CancelledError):
    """Training, a comparison, a learning curve or a robustness study stopped because the job was cancelled.

    A :class:`TrainingError` (callers that stop on any training failure still do) and a
    :class:`CancelledError` (callers that must tell a cancel from a failure check this type, never
    the message's words).
    """

