"""Argument checks shared by the public functions.

Every public function validates its arguments at the door, in one private
helper built from these checks, and then only computes. Messages follow one
style: they name the parameter, say what was expected and show the value
received, e.g. "`k` must be a positive integer ≤ the pool size (64); got 0."
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

from .errors import ParameterError

__all__ = [
    "DIRECTIONS",
    "all_finite",
    "as_list",
    "check_bool",
    "check_choice",
    "check_direction",
    "check_fraction",
    "check_positive_int",
    "check_positive_int_array",
    "check_real",
    "check_real_array",
]

DIRECTIONS = ("minimize", "maximize")


def _got(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def check_choice(name: str, value: Any, options: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``options``, else raise.

    Parameters
    ----------
    name : str
        The parameter's name, for the message.
    value : object
        What the caller passed.
    options : iterable
        The allowed values.

    Returns
    -------
    object
        ``value``.

    Raises
    ------
    ParameterError
        If ``value`` is not among ``options``.
    """
    options = list(options)
    if value not in options:
        listed = ", ".join(_got(option) for option in options)
        raise ParameterError(f"`{name}` must be one of {listed}; got {_got(value)}.")
    return value


def check_positive_int(name: str, value: Any, *, upper: int | None = None,
                       upper_name: str | None = None) -> int:
    """Return ``value`` as an ``int`` if it is an integer ≥ 1 (and ≤ ``upper``).

    Parameters
    ----------
    name : str
        The parameter's name, for the message.
    value : object
        What the caller passed; ``2.0`` and ``True`` are refused (a count is an integer).
    upper : int, optional
        The largest value allowed.
    upper_name : str, optional
        What ``upper`` is, for the message (e.g. "the pool size").

    Returns
    -------
    int

    Raises
    ------
    ParameterError
        If ``value`` is not an integer in [1, ``upper``].
    """
    is_int = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if isinstance(value, float) and value.is_integer():
        is_int = False  # 2.0 is refused: a budget is a count
    limit = f" ≤ {upper_name} ({upper})" if upper is not None and upper_name else (
        f" ≤ {upper}" if upper is not None else "")
    if not is_int or value < 1 or (upper is not None and value > upper):
        raise ParameterError(f"`{name}` must be a positive integer{limit}; got {_got(value)}.")
    if value >= 2**63:  # beyond what numpy counts with
        raise ParameterError(f"`{name}` must be a positive integer below 2^63; got {value}.")
    return int(value)


def check_count(name: str, value: Any) -> int:
    """Return ``value`` as an ``int`` if it is an integer ≥ 0 (0 typically switches
    something off), else raise as :func:`check_positive_int` does."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value == 0:
        return 0
    try:
        return check_positive_int(name, value)
    except ParameterError:
        raise ParameterError(f"`{name}` must be a non-negative integer; got "
                             f"{_got(value)}.") from None


def check_direction(name: str, value: Any) -> str:
    """Return ``value`` if it is ``"minimize"`` or ``"maximize"``, else raise."""
    return check_choice(name, value, DIRECTIONS)


def check_positive_int_array(name: str, value: Any, *, upper: int | None = None,
                             upper_name: str | None = None) -> np.ndarray:
    """Return ``value`` as an int64 array if every entry passes :func:`check_positive_int`.

    A scalar gives a 0-d array. The message names the first offending entry,
    in the words of :func:`check_positive_int`.
    """
    array = np.asarray(value)
    if array.size == 0:
        raise ParameterError(f"`{name}` must hold at least one positive integer; got an empty "
                             "sequence.")
    if array.dtype.kind in "iu" and array.min() >= 1 and (upper is None or array.max() <= upper):
        return array.astype(np.int64)
    items = array.ravel().tolist()
    for item in items:
        check_positive_int(name, item, upper=upper, upper_name=upper_name)
    return np.asarray(items, dtype=np.int64).reshape(array.shape)


def all_finite(array: np.ndarray) -> bool:
    """Whether every entry is finite; one cheap pass (a sum) when they are."""
    with np.errstate(invalid="ignore", over="ignore"):
        if np.isfinite(np.sum(array)):  # a finite sum has no NaN and no infinity in it
            return True
    return bool(np.isfinite(array).all())


def check_real_array(name: str, value: Any, *, low: float | None = None,
                     high: float | None = None, allow_inf: bool = False,
                     allow_nan: bool = False, hint: str = "") -> np.ndarray:
    """Return ``value`` as a float array of real numbers inside ``[low, high]``.

    NaN is refused unless ``allow_nan``, infinities unless ``allow_inf``. ``hint`` is added to
    the message (e.g. how to get rid of NaN). The message names the first
    offending entry and its index.
    """
    array = np.asarray(value)
    if array.dtype.kind not in "iuf":
        raise ParameterError(f"`{name}` must be real numbers; got an array of dtype "
                             f"{array.dtype}.{hint}")
    array = array.astype(float, copy=False)
    if low is None and high is None and all_finite(array):
        return array
    bad = np.isinf(array) if not allow_inf else np.zeros(array.shape, dtype=bool)
    if not allow_nan:
        bad |= np.isnan(array)
    if low is not None:
        bad |= array < low
    if high is not None:
        bad |= array > high
    if bad.any():
        where = np.unravel_index(int(np.flatnonzero(bad)[0]), array.shape)
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        kind = "finite numbers" if not allow_inf else (
            "real numbers" if allow_nan else "real numbers (no NaN)")
        interval = f" in [{lo}, {hi}]" if low is not None or high is not None else ""
        index = f" at index {tuple(int(i) for i in where)}" if array.ndim else ""
        raise ParameterError(f"`{name}` must be {kind}{interval}; got {array[where]}"
                             f"{index}.{hint}")
    return array


def check_real(name: str, value: Any, *, low: float | None = None, high: float | None = None,
               low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a float if it is a finite real number inside the interval.

    Parameters
    ----------
    name : str
        The parameter's name, for the message.
    value : object
        What the caller passed.
    low, high : float, optional
        The interval's ends (none: unbounded).
    low_open, high_open : bool, default False
        Whether each end is excluded.

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        If ``value`` is not a finite real number in the interval.
    """
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        interval = ""
        if low is not None or high is not None:
            lo = "-inf" if low is None else low
            hi = "inf" if high is None else high
            interval = f" in {left}{lo}, {hi}{right}"
        raise ParameterError(f"`{name}` must be a finite number{interval}; got {_got(value)}.")
    return float(value)


def check_fraction(name: str, value: Any, *, low_open: bool = True,
                   high_open: bool = False, high: float = 1.0) -> float:
    """Return ``value`` if it lies in (0, ``high``] (ends configurable)."""
    return check_real(name, value, low=0.0, high=high, low_open=low_open, high_open=high_open)


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` as a ``bool`` if it is ``True`` or ``False``, else raise.

    Parameters
    ----------
    name : str
        The parameter's name, for the message.
    value : object
        What the caller passed (a numpy bool is accepted).

    Returns
    -------
    bool

    Raises
    ------
    ParameterError
        If ``value`` is not a bool.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ParameterError(f"`{name}` must be True or False; got {_got(value)}.")
    return bool(value)


def as_list(value: Any) -> list[Any]:
    """Accept a single item or a sequence of them; return a list."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return [value]
    return list(value)
