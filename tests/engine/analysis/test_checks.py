"""The shared input checks: what they accept, what they refuse, and what the message says."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.analysis.checks import (
    as_matrix,
    check_direction,
    check_grouped_pairs,
    check_int,
    check_pairs,
    check_positive_int,
    check_real,
    group_codes,
    is_integer,
    is_real,
    unit_rows,
)
from engine.errors import ConfigError, DataError


def test_bools_are_neither_integers_nor_reals() -> None:
    assert is_integer(3) and is_integer(np.int64(3)) and not is_integer(3.0) and not is_integer(True)
    assert is_real(3) and is_real(0.5) and is_real(np.float32(0.5)) and not is_real(False) and not is_real(np.bool_(1))
    assert not is_real("0.5") and not is_real(None)


def test_check_int_bounds_and_messages() -> None:
    assert check_int(np.int64(4), "k") == 4 and type(check_int(np.int64(4), "k")) is int
    assert check_int(0, "seed", minimum=0) == 0
    assert check_int(7, "n", minimum=2, maximum=7) == 7
    with pytest.raises(ConfigError, match=r"^k: got 0, expected a positive integer\.$"):
        check_int(0, "k")
    with pytest.raises(ConfigError, match=r"^n: got 1, expected an integer >= 2\.$"):
        check_int(1, "n", minimum=2)
    with pytest.raises(ConfigError, match=r"^n: got 8, expected an integer from 2 to 7\.$"):
        check_int(8, "n", minimum=2, maximum=7)
    with pytest.raises(ConfigError, match=r"^k: got True, expected a count\.$"):
        check_int(True, "k", expected="a count")
    with pytest.raises(ConfigError, match=r"got 2\.0"):
        check_int(2.0, "k")


def test_check_positive_int_quotes_the_example() -> None:
    assert check_positive_int(1, "chunk_size", 1024) == 1
    with pytest.raises(ConfigError, match=r"^chunk_size: got -1, expected a positive integer \(e\.g\. 1024\)\.$"):
        check_positive_int(-1, "chunk_size", 1024)


def test_check_real_open_and_closed_bounds() -> None:
    assert check_real(np.float32(0.25), "x", expected="e") == 0.25
    assert check_real(1, "x", low=0.0, high=1.0, closed=True, expected="e") == 1.0
    for bad in (0.0, 1.0, math.nan, math.inf, True, "0.5"):
        with pytest.raises(ConfigError, match=r"^confidence: got .*, expected a number in \(0, 1\)\.$"):
            check_real(bad, "confidence", low=0.0, high=1.0, expected="a number in (0, 1)")
    assert check_real(0, "x", low=0.0, closed=True, expected="e") == 0.0
    with pytest.raises(ConfigError):
        check_real(-1e-9, "x", low=0.0, closed=True, expected="e")


def test_check_direction() -> None:
    assert check_direction("right_to_left") == "right_to_left"
    with pytest.raises(ConfigError, match=r"^drilldown\.direction: got 'up', expected one of left_to_right, right_to_left"):
        check_direction("up", "drilldown.direction")


def test_as_matrix_converts_and_refuses() -> None:
    out = as_matrix([[1, 2], [3, 4]], "m")
    assert out.dtype == np.float64 and out.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    already = np.ones((2, 3))
    assert as_matrix(already, "m") is already  # no copy of a float64 array
    cases = [
        (np.ones(3), r"^m: got an array of shape \(3,\), expected a non-empty 2-D \(rows, columns\) array\.$"),
        (np.ones((0, 3)), r"shape \(0, 3\)"),
        (np.ones((2, 2), dtype=complex), r"^m: got values of type complex128, expected real numbers"),
        (np.array([["a", "b"]]), r"expected real numbers"),
        ([[1.0, None]], r"^m: contains NaN or infinite values; re-encode\.$"),
        ([[1.0, math.inf]], r"NaN or infinite"),
        ([[1.0], [2.0, 3.0]], r"could not read it as numbers"),
    ]
    for value, message in cases:
        with pytest.raises(DataError, match=message):
            as_matrix(value, "m", fix="re-encode")
    with pytest.raises(DataError, match=r"^m: got 3 row\(s\), expected at least 4"):
        as_matrix(np.ones((3, 2)), "m", min_rows=4)


def test_check_pairs_needs_equal_rows_but_not_equal_widths() -> None:
    u, v = check_pairs(np.ones((3, 2)), np.ones((3, 5)))
    assert u.shape == (3, 2) and v.shape == (3, 5)
    with pytest.raises(DataError, match=r"^U has 3 rows but V has 2"):
        check_pairs(np.ones((3, 2)), np.ones((2, 2)))
    with pytest.raises(DataError, match=r"^U: got 1 row\(s\), expected at least 2"):
        check_pairs(np.ones((1, 2)), np.ones((1, 2)))


def test_check_grouped_pairs_codes_groups_in_order_of_first_appearance() -> None:
    left, right, codes = check_grouped_pairs(np.ones((4, 2), dtype=np.float32), np.zeros((4, 2)), ["b", "a", "b", "c"])
    assert left.dtype == np.float64 and codes.tolist() == [0, 1, 0, 2]
    with pytest.raises(DataError, match="one group id per pair"):
        check_grouped_pairs(np.ones((4, 2)), np.ones((4, 3)), list(range(4)))
    with pytest.raises(DataError, match="one group id per pair"):
        check_grouped_pairs(np.ones((4, 2)), np.ones((4, 2)), list(range(3)))
    with pytest.raises(DataError, match=r"^left: contains NaN or infinite values; re-encode the test split\.$"):
        check_grouped_pairs(np.full((2, 2), np.nan), np.ones((2, 2)), [0, 1])
    # numpy scalars from an npz string array count as the plain values they hold
    assert group_codes(np.array(["x", "y", "x"])).tolist() == [0, 1, 0]


def test_unit_rows_matches_hand_values_and_keeps_zero_rows() -> None:
    out = unit_rows(np.array([[3.0, 4.0], [0.0, 0.0], [0.0, -2.0]]))
    np.testing.assert_array_equal(out, [[0.6, 0.8], [0.0, 0.0], [0.0, -1.0]])
