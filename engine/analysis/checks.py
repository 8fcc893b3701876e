"""Input checks shared by every analysis, and the row normalisation they share.

Each analysis checks what it is given before computing and says what is wrong and how to fix it: a
setting out of range raises :class:`~engine.errors.ConfigError`, unusable data
:class:`~engine.errors.DataError`. Messages read ``"<name>: got <value>, expected <what>."``; the
caller names the argument and says what it expects (with an example), so the checks stay here once.

* Numbers: :func:`is_integer`, :func:`is_real` (bools are refused: Python counts ``True`` as 1),
  :func:`check_int`, :func:`check_positive_int`, :func:`check_real`.
* Names: :func:`check_direction`.
* Arrays: :func:`as_matrix` (a finite float64 2-D array), :func:`check_pairs` (two sides with one row
  per pair), :func:`check_grouped_pairs` (the same with group ids), :func:`group_codes`.
* Linear algebra: :func:`unit_rows`.

NumPy only (no torch), so read-only pages may import any module that uses it.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from engine.errors import ConfigError, DataError
from engine.names import DIRECTIONS

Matrix = NDArray[np.float64]

#: Rows shorter than this are left as they are by :func:`unit_rows` (a zero vector has no direction).
NORM_FLOOR = 1e-12


def is_integer(value: object) -> bool:
    """True for an ``int`` or NumPy integer, False for a bool (which Python counts as an int)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def is_real(value: object) -> bool:
    """True for an ``int``, ``float`` or NumPy real number, False for a bool."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def check_int(
    value: object, name: str, *, minimum: int = 1, maximum: int | None = None, expected: str | None = None
) -> int:
    """Return ``value`` as an int if it is an integer in ``[minimum, maximum]``.

    Args:
        value: The setting to check.
        name: The setting's name, as the user wrote it (e.g. ``"bootstrap.seed"``).
        minimum: Smallest allowed value.
        maximum: Largest allowed value; None for no upper bound.
        expected: What the message says is expected, e.g. ``"a positive integer (e.g. 1024)"``;
            None says it from the bounds.

    Raises:
        ConfigError: ``"<name>: got <value!r>, expected <expected>."``.
    """
    if is_integer(value) and minimum <= value and (maximum is None or value <= maximum):  # type: ignore[operator]
        return int(value)  # type: ignore[arg-type]
    if expected is None:
        if maximum is not None:
            expected = f"an integer from {minimum} to {maximum}"
        else:
            expected = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    raise ConfigError(f"{name}: got {value!r}, expected {expected}.")


def check_positive_int(value: object, name: str, example: int) -> int:
    """Return ``value`` if it is a positive integer, else raise :class:`ConfigError` quoting ``example``."""
    return check_int(value, name, expected=f"a positive integer (e.g. {example})")


def check_real(
    value: object,
    name: str,
    *,
    expected: str,
    low: float | None = None,
    high: float | None = None,
    closed: bool = False,
) -> float:
    """Return ``value`` as a float if it is a finite real number between ``low`` and ``high``.

    Args:
        value: The setting to check.
        name: The setting's name.
        expected: What the message says is expected, e.g. ``"a number strictly between 0 and 1"``.
        low: Lower bound; None for none.
        high: Upper bound; None for none.
        closed: Whether the bounds themselves are allowed (``[low, high]``); else ``(low, high)``.

    Raises:
        ConfigError: ``"<name>: got <value!r>, expected <expected>."``.
    """
    ok = is_real(value) and math.isfinite(float(value))  # type: ignore[arg-type]
    if ok:
        x = float(value)  # type: ignore[arg-type]
        above = low is None or (x >= low if closed else x > low)
        below = high is None or (x <= high if closed else x < high)
        if above and below:
            return x
    raise ConfigError(f"{name}: got {value!r}, expected {expected}.")


def check_direction(direction: str, name: str = "direction") -> str:
    """Return ``direction`` if it is ``"left_to_right"`` or ``"right_to_left"``, else raise ConfigError."""
    if direction not in DIRECTIONS:
        raise ConfigError(
            f"{name}: got {direction!r}, expected one of {', '.join(DIRECTIONS)} "
            "(left_to_right = left items are the queries, right items the gallery)."
        )
    return direction


def as_matrix(
    x: ArrayLike,
    name: str,
    *,
    what: str = "(rows, columns) array",
    min_rows: int = 1,
    fix: str = "every value must be finite",
) -> Matrix:
    """Return ``x`` as a non-empty, finite float64 2-D array (no copy when it already is one).

    Args:
        x: Anything NumPy reads as a 2-D array of real numbers (embeddings, a covariance block).
        name: The argument's name, for the message.
        what: What the 2-D array holds, e.g. ``"(items, dim) array"`` or ``"matrix"``.
        min_rows: Fewest rows accepted.
        fix: How to fix non-finite values, e.g. ``"re-encode the test split"``.

    Raises:
        DataError: Not numbers, not 2-D, empty, too few rows, or NaN / infinite values.
    """
    try:
        arr = np.asarray(x)
        if arr.dtype.kind == "O":  # e.g. a list holding None: let NumPy try to read it as numbers
            arr = arr.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name}: could not read it as numbers ({exc}); pass a 2-D numeric array.") from exc
    if arr.dtype.kind not in "iuf":  # bools, complex numbers and text are no embeddings
        raise DataError(f"{name}: got values of type {arr.dtype}, expected real numbers (e.g. float32 embeddings).")
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise DataError(f"{name}: got an array of shape {arr.shape}, expected a non-empty 2-D {what}.")
    if arr.shape[0] < min_rows:
        raise DataError(f"{name}: got {arr.shape[0]} row(s), expected at least {min_rows} (one row per pair).")
    arr = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        raise DataError(f"{name}: contains NaN or infinite values; {fix}.")
    return arr


def check_pairs(
    u: ArrayLike, v: ArrayLike, names: tuple[str, str] = ("U", "V"), *, min_rows: int = 2
) -> tuple[Matrix, Matrix]:
    """Two sides of N pairs: finite float64 2-D arrays with the same number of rows (widths may differ).

    Raises:
        DataError: A side is not a usable 2-D array (see :func:`as_matrix`), or the row counts differ.
    """
    what = "(N pairs, d features) array"
    uu, vv = (as_matrix(x, name, what=what, min_rows=min_rows) for x, name in zip((u, v), names, strict=True))
    if uu.shape[0] != vv.shape[0]:
        raise DataError(
            f"{names[0]} has {uu.shape[0]} rows but {names[1]} has {vv.shape[0]}; row i of each must be the "
            "two sides of the same pair, so the counts must match."
        )
    return uu, vv


def check_grouped_pairs(
    left: ArrayLike, right: ArrayLike, groups: Sequence[Hashable]
) -> tuple[Matrix, Matrix, NDArray[np.int64]]:
    """Validate N paired embeddings of one width and their group ids.

    Args:
        left: (N, D) left embeddings (the paper's u); row ``i`` pairs with ``right[i]``.
        right: (N, D) right embeddings (v).
        groups: N group ids (any hashable compared with ``==``); equal ids are positives.

    Returns:
        ``(left, right, codes)``: the embeddings as float64 arrays and an (N,) int64 array of group
        codes numbered in order of first appearance (:func:`group_codes`).

    Raises:
        DataError: Shapes, lengths or values are unusable (messages say how to fix them).
    """
    fix = "re-encode the test split"
    a_left = as_matrix(left, "left", what="(pairs, dim) array", fix=fix)
    a_right = as_matrix(right, "right", what="(pairs, dim) array", fix=fix)
    if a_left.shape != a_right.shape or len(groups) != a_left.shape[0]:
        raise DataError(
            f"got left {a_left.shape}, right {a_right.shape} and {len(groups)} group ids; expected one left row, "
            "one right row of the same width and one group id per pair (embeddings.npz: *_left, *_right, test_groups)."
        )
    return a_left, a_right, group_codes(groups)


def group_codes(groups: Sequence[Hashable]) -> NDArray[np.int64]:
    """Integer code per group id, numbered in order of first appearance."""
    codes: dict[Hashable, int] = {}
    # .item() turns numpy scalars (e.g. from an npz string array) into plain hashable values.
    return np.array(
        [codes.setdefault(g.item() if isinstance(g, np.generic) else g, len(codes)) for g in groups], dtype=np.int64
    )


def unit_rows(x: Matrix) -> Matrix:
    """Each row divided by its Euclidean length, as the cosine tilt scores it.

    Lengths are floored at :data:`NORM_FLOOR` (as ``torch.nn.functional.normalize`` does in training),
    so a zero row stays zero instead of dividing by zero.
    """
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), NORM_FLOOR)
