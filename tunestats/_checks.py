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
    "as_generator",
    "as_list",
    "check_choice",
    "check_fraction",
    "check_positive_int",
    "check_real",
]


def _got(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def check_choice(name: str, value: Any, options: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``options``, else raise."""
    options = list(options)
    if value not in options:
        listed = ", ".join(_got(option) for option in options)
        raise ParameterError(f"`{name}` must be one of {listed}; got {_got(value)}.")
    return value


def check_positive_int(name: str, value: Any, *, upper: int | None = None,
                       upper_name: str | None = None) -> int:
    """Return ``value`` as an ``int`` if it is an integer ≥ 1 (and ≤ ``upper``)."""
    is_int = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if isinstance(value, float) and value.is_integer():
        is_int = False  # 2.0 is refused: a budget is a count
    limit = f" ≤ {upper_name} ({upper})" if upper is not None and upper_name else (
        f" ≤ {upper}" if upper is not None else "")
    if not is_int or value < 1 or (upper is not None and value > upper):
        raise ParameterError(f"`{name}` must be a positive integer{limit}; got {_got(value)}.")
    return int(value)


def check_real(name: str, value: Any, *, low: float | None = None, high: float | None = None,
               low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a float if it is a finite real number inside the interval."""
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


def as_generator(seed: Any, name: str = "seed") -> np.random.Generator:
    """Turn ``seed`` (an int, a SeedSequence or a Generator) into a Generator.

    ``None`` is refused: every random computation in tunestats takes an
    explicit seed so that the same call gives the same bytes.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(seed)
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0:
        return np.random.default_rng(int(seed))
    raise ParameterError(
        f"`{name}` must be a non-negative integer, a numpy SeedSequence or a numpy "
        f"Generator (an explicit seed keeps results reproducible); got {_got(seed)}."
    )


def as_list(value: Any) -> list[Any]:
    """Accept a single item or a sequence of them; return a list."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return [value]
    return list(value)
