"""tunestats._checks against hand-checked cases."""

from __future__ import annotations

import numpy as np
import pytest

from tunestats._checks import (
    all_finite,
    check_bool,
    check_direction,
    check_positive_int_array,
    check_real_array,
)
from tunestats.errors import ParameterError


def test_positive_int_array_accepts_integers_and_keeps_the_shape():
    assert check_positive_int_array("k", 3).shape == ()
    np.testing.assert_array_equal(check_positive_int_array("k", [1, 2, 4]), [1, 2, 4])
    np.testing.assert_array_equal(check_positive_int_array("k", np.array([3], dtype=np.uint8)), [3])
    assert check_positive_int_array("k", [5], upper=5).dtype == np.int64


@pytest.mark.parametrize(("value", "message"), [
    ([1, 0], "`k` must be a positive integer ≤ the pool size (8); got 0."),
    ([1, 9], "`k` must be a positive integer ≤ the pool size (8); got 9."),
    ([1.0, 2.0], "`k` must be a positive integer ≤ the pool size (8); got 1.0."),
    (["2"], "`k` must be a positive integer ≤ the pool size (8); got '2'."),
    ([True], "`k` must be a positive integer ≤ the pool size (8); got True."),
])
def test_positive_int_array_names_the_first_bad_entry(value, message):
    with pytest.raises(ParameterError) as error:
        check_positive_int_array("k", value, upper=8, upper_name="the pool size")
    assert str(error.value) == message


def test_real_array():
    np.testing.assert_array_equal(check_real_array("x", [1, 2]), [1.0, 2.0])
    assert np.isinf(check_real_array("x", [np.inf], allow_inf=True)).all()
    assert np.isnan(check_real_array("x", [np.nan], allow_nan=True)).all()
    with pytest.raises(ParameterError, match=r"`x` must be finite numbers; got inf at index "
                                             r"\(0, 1\)\. hint"):
        check_real_array("x", [[1.0, np.inf]], hint=" hint")
    with pytest.raises(ParameterError, match=r"`q` must be finite numbers in \[0.0, 1.0\]; got "
                                             r"-0.5\."):
        check_real_array("q", -0.5, low=0.0, high=1.0)


def test_direction():
    assert check_direction("d", "maximize") == "maximize"
    with pytest.raises(ParameterError, match="`d` must be one of 'minimize', 'maximize'"):
        check_direction("d", "up")


def test_all_finite_survives_an_overflowing_sum():
    assert all_finite(np.array([1e308, 1e308]))
    assert not all_finite(np.array([1.0, np.inf, -np.inf]))
    assert not all_finite(np.array([1.0, np.nan]))


def test_check_bool():
    assert check_bool("relative", np.True_) is True and check_bool("relative", False) is False
    with pytest.raises(ParameterError, match="`relative` must be True or False; got 1"):
        check_bool("relative", 1)
