"""Search spaces: parameters with their scale, unit-cube maps and quasi-random points.

A :class:`Param` is one tuned hyperparameter with a scale:

``linear``
    uniform between ``low`` and ``high``;
``log``
    ``log10(x)`` uniform between ``log10(low)`` and ``log10(high)`` (``low > 0``);
``reverse_log``
    ``1 - x`` log-uniform, for parameters that live close to 1 such as
    momentum or Adam's β (``0 < low < high < 1``);
``int``
    an integer, uniform between the integers ``low`` and ``high``;
``int_log``
    an integer, log-uniform between the integers ``low >= 1`` and ``high``;
``choice``
    one of a finite list of values (numbers or strings);
``bool``
    ``false`` or ``true`` (trials store them as ``"false"``/``"true"``).

The integer scales have the coordinate of ``linear`` and ``log``: their edges
are the integers ``low`` and ``high``; the sampler gives each integer the cell
of the coordinate that rounds to it. ``bool`` is a choice between two values,
without an order.

Each parameter maps values to the unit interval and back in its own scale:
``to_unit(low) == 0`` and ``to_unit(high) == 1`` and, for ``reverse_log``,
position grows with ``x`` (towards 1). Analyses that talk about "the edge of a
range" measure it in this coordinate.

A :class:`SearchSpace` is a set of tuned parameters plus fixed values, or a
*joint-point* space: a finite list of points, each a mapping of
hyperparameter name to value, of which a trial runs one (AlgoPerf's list form
of ``tuning_search_space.json``). The coordinates of a listed space are not
ranges: listing values in some order says nothing about where a range ends,
so analyses ask which listed points were tried, not where their edges are.
:meth:`SearchSpace.points` gives seeded quasi-random points (scrambled Halton,
:class:`scipy.stats.qmc.Halton`): point *i* depends only on the seed and *i*,
never on which other points were asked for or in what order, so a trial gets
the same hyperparameters however the trials of a study are scheduled.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._checks import check_choice
from .errors import ParameterError

__all__ = ["CHOICE_SCALES", "SCALES", "Param", "SearchSpace", "coordinate_scale"]

SCALES = ("linear", "log", "reverse_log", "int", "int_log", "choice", "bool")
#: Scales whose values are a finite set without bounds (no ``low``/``high``).
CHOICE_SCALES = ("choice", "bool")
#: Integer scales and the continuous scale of their coordinate.
INT_SCALES = {"int": "linear", "int_log": "log"}
#: A listed point's value: JSON scalars.
_SCALAR = (str, numbers.Real, type(None))


def coordinate_scale(scale: str) -> str:
    """The scale of a parameter's coordinate.

    Parameters
    ----------
    scale : str
        One of :data:`SCALES`.

    Returns
    -------
    str
        ``linear``, ``log`` or ``reverse_log`` for the ranges (``int`` →
        ``linear``, ``int_log`` → ``log``), ``choice`` for ``choice`` and ``bool``.

    Examples
    --------
    >>> coordinate_scale("int_log"), coordinate_scale("bool"), coordinate_scale("log")
    ('log', 'choice', 'log')
    """
    if scale in CHOICE_SCALES:
        return "choice"
    return INT_SCALES.get(scale, scale)


def _as_bool(value: Any) -> Any:
    """``True``/``False`` for a boolean or its trial text ``"true"``/``"false"``, else
    ``value`` unchanged."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


@dataclass(frozen=True)
class Param:
    """One tuned hyperparameter.

    Parameters
    ----------
    name : str
        The hyperparameter's name (without the ``hp.`` prefix of trial columns).
    scale : {"linear", "log", "reverse_log", "int", "int_log", "choice", "bool"}
        How the parameter is searched; see the module docstring.
    low, high : float, optional
        The bounds, for the ranges (integers for ``int`` and ``int_log``).
    choices : sequence, optional
        The values, for ``choice`` (``bool`` has the choices ``(False, True)``).
    """

    name: str
    scale: str
    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] | None = None

    def __post_init__(self) -> None:
        problems = param_problems(self.name, self.scale, self.low, self.high, self.choices)
        if problems:
            raise ParameterError(problems[0])
        if self.scale == "bool":
            object.__setattr__(self, "choices", (False, True))
        elif self.choices is not None:
            object.__setattr__(self, "choices", tuple(self.choices))
        if self.scale in INT_SCALES:
            object.__setattr__(self, "low", int(self.low))
            object.__setattr__(self, "high", int(self.high))
        elif self.scale not in CHOICE_SCALES:
            object.__setattr__(self, "low", float(self.low))
            object.__setattr__(self, "high", float(self.high))

    # -- the parameter's own coordinate -------------------------------------
    def _warp(self, values: np.ndarray) -> np.ndarray:
        scale = coordinate_scale(self.scale)
        if scale == "log":
            return np.log10(values)
        if scale == "reverse_log":
            return -np.log10(1.0 - values)
        return values

    def _unwarp(self, warped: np.ndarray) -> np.ndarray:
        scale = coordinate_scale(self.scale)
        if scale == "log":
            return 10.0**warped
        if scale == "reverse_log":
            return 1.0 - 10.0 ** (-warped)
        return warped

    def _choice_values(self, values: Any) -> list[Any]:
        """``values`` as a flat list, booleans' trial text as booleans for ``bool``."""
        flat = list(np.ravel(np.asarray(values, dtype=object)))
        return [_as_bool(v) for v in flat] if self.scale == "bool" else flat

    def to_unit(self, values: Any) -> np.ndarray:
        """Position of ``values`` in [0, 1] within the range, in the parameter's scale.

        Values outside the range map outside [0, 1]; for ``choice`` and ``bool``
        the value with index *j* of *n* maps to the centre of its cell,
        ``(j + 0.5) / n`` (NaN for a value that is not a choice); for the
        integer scales the integers ``low`` and ``high`` map to 0 and 1.
        """
        if self.scale in CHOICE_SCALES:
            lookup = {choice: j for j, choice in enumerate(self.choices)}
            n = len(self.choices)
            return np.array([(lookup[v] + 0.5) / n if _hashable(v) and v in lookup else np.nan
                             for v in self._choice_values(values)])
        x = np.asarray(values, dtype=float)
        lo, hi = self._warp(np.array([self.low, self.high], dtype=float))
        with np.errstate(invalid="ignore", divide="ignore"):
            return (self._warp(x) - lo) / (hi - lo)

    def from_unit(self, u: Any) -> np.ndarray:
        """Map points of [0, 1] to parameter values: the inverse of :meth:`to_unit`
        for ``linear``, ``log`` and ``reverse_log``; for the integer scales, the
        integer whose cell holds the point, the cells being the values that round
        to each integer in the coordinate (``[low - 1/2, high + 1/2]`` split at
        the half-integers, log-spaced for ``int_log``), so that uniform points
        give each integer its share of the coordinate."""
        u = np.asarray(u, dtype=float)
        if self.scale in CHOICE_SCALES:
            n = len(self.choices)
            index = np.minimum(np.floor(u * n).astype(int), n - 1)
            return np.asarray(self.choices, dtype=object)[index]
        if self.scale in INT_SCALES:
            lo, hi = self._warp(np.array([self.low - 0.5, self.high + 0.5]))
            values = np.rint(self._unwarp(lo + u * (hi - lo)))
            return np.clip(values, self.low, self.high).astype(np.int64)
        lo, hi = self._warp(np.array([self.low, self.high]))
        values = self._unwarp(lo + u * (hi - lo))
        return np.clip(values, self.low, self.high)

    def widened(self, side: str, amount: float) -> Param:
        """This parameter with one bound moved outwards by ``amount`` in its own coordinate.

        Parameters
        ----------
        side : {"low", "high"}
            The bound to move.
        amount : float
            How far, in the parameter's coordinate: decades of ``x`` for
            ``log`` and ``int_log``, decades of ``1 - x`` for ``reverse_log``,
            units of ``x`` for ``linear`` and ``int``. An integer bound is
            rounded outwards to an integer (an ``int_log`` low bound to no
            less than 1).

        Returns
        -------
        Param

        Raises
        ------
        ParameterError
            For a ``choice`` or ``bool`` parameter, or when the new bound leaves
            the scale's domain (a ``reverse_log`` low bound at or below 0, an
            ``int_log`` low bound already at 1).

        Examples
        --------
        >>> Param("lr", "log", 1e-4, 1.0).widened("high", 1.0).high
        10.0
        >>> round(Param("momentum", "reverse_log", 0.9, 0.999).widened("high", 1.0).high, 6)
        0.9999
        >>> Param("width", "int_log", 16, 256).widened("low", 1.0).low
        1
        """
        check_choice("side", side, ("low", "high"))
        if self.scale in CHOICE_SCALES:
            raise ParameterError(f"{self.scale} parameter {self.name!r} has no bound to widen.")
        lo, hi = self._warp(np.array([self.low, self.high], dtype=float))
        lo, hi = (lo - amount, hi) if side == "low" else (lo, hi + amount)
        low, high = (float(v) for v in self._unwarp(np.array([lo, hi])))
        if self.scale in INT_SCALES:
            low, high = math.floor(low + 1e-9), math.ceil(high - 1e-9)
            if self.scale == "int_log":
                low = max(low, 1)
            if (low, high) == (self.low, self.high):
                raise ParameterError(f"the {side} bound of {self.name!r} cannot move within "
                                     f"the {self.scale} scale (already {self.low}).")
        # keep the unmoved bound exact (the round trip through the warp may perturb it)
        low, high = (low, self.high) if side == "low" else (self.low, high)
        return Param(self.name, self.scale, low, high)

    def contains(self, values: Any) -> np.ndarray:
        """Boolean array: which values lie inside the declared range (or choices);
        for the integer scales, which are integers inside it."""
        if self.scale in CHOICE_SCALES:
            allowed = set(self.choices)
            return np.array([_hashable(v) and v in allowed for v in self._choice_values(values)])
        x = np.asarray(values, dtype=float)
        inside = (x >= self.low) & (x <= self.high)
        if self.scale in INT_SCALES:
            inside &= x == np.round(x)
        return inside

    @property
    def is_numeric(self) -> bool:
        """True unless the parameter is a choice among non-numbers (``bool`` is not numeric)."""
        if self.scale == "bool":
            return False
        if self.scale != "choice":
            return True
        return all(isinstance(c, numbers.Real) and not isinstance(c, bool) for c in self.choices)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used in ``study.json``."""
        if self.scale == "bool":
            return {"scale": "bool"}
        if self.scale == "choice":
            return {"scale": "choice", "choices": list(self.choices)}
        return {"scale": self.scale, "low": self.low, "high": self.high}

    @classmethod
    def from_dict(cls, name: str, spec: Mapping[str, Any]) -> Param:
        """Build a parameter from its JSON form (see :meth:`to_dict`)."""
        unknown = set(spec) - {"scale", "low", "high", "choices"}
        if unknown:
            raise ParameterError(
                f"search-space parameter {name!r} has unknown field(s) {sorted(unknown)}; "
                "expected scale, low, high or choices."
            )
        return cls(name, spec.get("scale"), spec.get("low"), spec.get("high"), spec.get("choices"))


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def param_problems(name: Any, scale: Any, low: Any, high: Any, choices: Any) -> list[str]:
    """Every reason why ``(name, scale, low, high, choices)`` is not a valid parameter."""
    where = f"search-space parameter {name!r}"
    if scale not in SCALES:
        return [f"{where}: `scale` must be one of {', '.join(SCALES)}; got {scale!r}."]
    if scale == "bool":
        given = None if choices is None else tuple(choices)
        if given not in (None, (False, True)) or low is not None or high is not None:
            return [f"{where}: a bool parameter has no `choices`, `low` or `high` (its values "
                    f"are false and true); got choices={choices!r}, low={low!r}, high={high!r}."]
        return []
    if scale == "choice":
        if choices is None or isinstance(choices, (str, bytes)) or len(list(choices)) == 0:
            return [f"{where}: a choice parameter needs a non-empty list of `choices`; "
                    f"got {choices!r}."]
        return []

    def is_real(v: Any) -> bool:
        return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)

    if not (is_real(low) and is_real(high)):
        return [f"{where}: `low` and `high` must be finite numbers; got low={low!r}, high={high!r}."]
    problems = []
    if scale in INT_SCALES and not (float(low).is_integer() and float(high).is_integer()):
        problems.append(f"{where}: an {scale} scale needs integer `low` and `high`; "
                        f"got low={low!r}, high={high!r}.")
    if low >= high:
        problems.append(f"{where}: `low` must be < `high`; got low={low!r}, high={high!r}.")
    if scale == "log" and low <= 0:
        problems.append(f"{where}: a log scale needs `low` > 0; got low={low!r}.")
    if scale == "int_log" and low < 1:
        problems.append(f"{where}: an int_log scale needs `low` >= 1; got low={low!r}.")
    if scale == "reverse_log" and not (0 < low < 1 and 0 < high < 1):
        problems.append(f"{where}: a reverse_log scale needs 0 < low < high < 1 "
                        f"(1 - x is log-uniform); got low={low!r}, high={high!r}.")
    return problems


def listed_problems(points: Any, params: Any = None) -> list[str]:
    """Every reason why ``points`` is not the point list of a joint-point space
    (a non-empty list of non-empty objects of name → JSON scalar; no ``params``
    beside it)."""
    if isinstance(points, (str, bytes, Mapping)) or not isinstance(points, Iterable):
        return [f"`points` must be a list of objects of name → value; got {points!r}."]
    points = list(points)
    if not points:
        return ["`points` must list at least one point."]
    if params:
        return ["a joint-point space lists `points` and tunes no `params`; got both."]
    problems = []
    for i, point in enumerate(points):
        if not isinstance(point, Mapping) or not point:
            problems.append(f"point {i} must be a non-empty object of name → value; "
                            f"got {point!r}.")
            continue
        for key, value in point.items():
            if not isinstance(key, str) or not isinstance(value, _SCALAR) or (
                    isinstance(value, float) and not math.isfinite(value)):
                problems.append(f"point {i}: {key!r} must be a finite number, text, a boolean "
                                f"or null; got {value!r}.")
    return problems


def _same(listed: Any, trial: Any) -> bool:
    """Whether a trial's value is a listed point's value: booleans equal their trial
    text, null equals a missing value, numbers compare to 1e-9 relative."""
    listed, trial = _as_bool(listed), _as_bool(trial)
    missing = trial is None or (isinstance(trial, float) and math.isnan(trial))
    if listed is None or missing:
        return listed is None and missing
    if isinstance(listed, bool) or isinstance(trial, bool):
        return isinstance(listed, bool) and isinstance(trial, bool) and listed == trial
    if isinstance(listed, numbers.Real) and isinstance(trial, numbers.Real):
        return math.isclose(float(listed), float(trial), rel_tol=1e-9, abs_tol=0.0)
    return str(listed) == str(trial)


@dataclass(frozen=True)
class SearchSpace:
    """Tuned parameters plus fixed values for one (protocol, optimizer), or a
    finite list of joint points.

    Parameters
    ----------
    params : sequence of Param
        The tuned parameters, in the order of the quasi-random dimensions
        (empty for a joint-point space).
    fixed : mapping, optional
        Hyperparameters held at a fixed value.
    listed : sequence of mapping, optional
        The points of a joint-point space, each a mapping of hyperparameter
        name to value (numbers, text, booleans, null), in the order given;
        trial *i* of a run of the space runs point *i*.
    """

    params: tuple[Param, ...]
    fixed: Mapping[str, Any] = field(default_factory=dict)
    listed: tuple[Mapping[str, Any], ...] = ()

    def __post_init__(self) -> None:
        params = tuple(self.params)
        names = [p.name for p in params]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ParameterError(f"search space names parameter(s) {duplicated} more than once.")
        if isinstance(self.listed, (str, bytes, Mapping)) or not isinstance(self.listed,
                                                                            Iterable):
            raise ParameterError(f"joint-point search space: {listed_problems(self.listed)[0]}")
        listed = tuple(dict(p) if isinstance(p, Mapping) else p for p in self.listed)
        if listed:
            problems = listed_problems(listed, params)
            if problems:
                raise ParameterError(f"joint-point search space: {problems[0]}")
            names = list(dict.fromkeys(n for point in listed for n in point))
        both = sorted(set(names) & set(self.fixed))
        if both:
            raise ParameterError(f"search space parameter(s) {both} are both tuned and fixed.")
        object.__setattr__(self, "params", params)
        object.__setattr__(self, "fixed", dict(self.fixed))
        object.__setattr__(self, "listed", listed)

    @property
    def is_listed(self) -> bool:
        """Whether the space is a finite list of joint points."""
        return bool(self.listed)

    @property
    def coordinates(self) -> list[str]:
        """Every hyperparameter a listed point names, in order of first appearance
        (the tuned parameters' names for a space of ranges)."""
        if not self.listed:
            return self.names
        return list(dict.fromkeys(n for point in self.listed for n in point))

    @property
    def names(self) -> list[str]:
        """Names of the tuned parameters: for a joint-point space, the coordinates
        whose value differs between listed points."""
        if not self.listed:
            return [p.name for p in self.params]
        return [n for n in self.coordinates
                if len({repr(_as_bool(v)) for v in self.listed_values(n)}) > 1]

    def listed_values(self, name: str) -> list[Any]:
        """The value of coordinate ``name`` in each listed point (None where a point
        does not name it)."""
        return [point.get(name) for point in self.listed]

    def matches(self, columns: Mapping[str, Any], n: int) -> np.ndarray:
        """Which listed points each of ``n`` trials ran.

        Parameters
        ----------
        columns : mapping of str to sequence
            Each hyperparameter's value per trial (``n`` values each); a
            coordinate without a column matches only points that leave it null.
        n : int
            The number of trials.

        Returns
        -------
        ndarray of bool, shape (n, number of listed points)
            ``[i, j]`` is True when trial *i* has point *j*'s value of every
            coordinate point *j* names (booleans equal their trial text
            ``"true"``/``"false"``; numbers to 1e-9 relative).
        """
        out = np.ones((n, len(self.listed)), dtype=bool)
        for j, point in enumerate(self.listed):
            for name, value in point.items():
                column = columns.get(name)
                trial = [None] * n if column is None else list(column)
                out[:, j] &= np.fromiter((_same(value, t) for t in trial), bool, count=n)
        return out

    def __getitem__(self, name: str) -> Param:
        """The tuned parameter ``name`` (a joint-point space has none: it raises)."""
        for p in self.params:
            if p.name == name:
                return p
        if self.listed:
            raise ParameterError(f"the space is a finite list of {len(self.listed)} points, "
                                 f"without a range per parameter; {name!r} takes the values "
                                 "of its points (SearchSpace.listed_values).")
        check_choice("name", name, self.names)
        raise AssertionError  # unreachable: check_choice raised

    def points(self, indices: int | Iterable[int], *, seed: int) -> list[dict[str, Any]]:
        """Quasi-random points of the space (the listed points of a joint-point
        space), as dicts of parameter values.

        Parameters
        ----------
        indices : int or iterable of int
            Either a count ``n`` (points ``0 .. n-1``) or explicit point indices.
        seed : int
            Seed of the Halton scrambling. Point ``i`` depends only on ``seed``
            and ``i``. (A joint-point space's point ``i`` is its ``i``-th listed
            point, whatever the seed.)

        Returns
        -------
        list of dict
            One dict per index with every tuned and fixed parameter.

        Raises
        ------
        ParameterError
            For a negative index or seed, or an index beyond the listed points
            of a joint-point space.

        Notes
        -----
        The points are those of a scrambled Halton sequence in
        ``len(params)`` dimensions (Owen-type scrambling of
        :class:`scipy.stats.qmc.Halton`), mapped through :meth:`Param.from_unit`
        (integers rounded in their coordinate, booleans as Python booleans).
        A Halton sequence is extensible: the first *n* points of a longer run are
        the same points, which is why a trial's point does not depend on how many
        trials are run or in what order.
        """
        if isinstance(indices, numbers.Integral):
            if indices < 0:
                raise ParameterError(f"`indices` must be a count ≥ 0; got {indices}.")
            index = np.arange(int(indices))
        else:
            index = np.asarray(list(indices), dtype=np.int64)
            if index.size and index.min() < 0:
                raise ParameterError(f"`indices` must be ≥ 0; got {int(index.min())}.")
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ParameterError(f"`seed` must be a non-negative integer; got {seed!r}.")
        if self.listed:
            if index.size and index.max() >= len(self.listed):
                raise ParameterError(f"the joint-point space lists {len(self.listed)} points; "
                                     f"point {int(index.max())} was asked for.")
            return [{**self.listed[i], **self.fixed} for i in index]
        unit = self.unit_points(index, seed=seed)
        columns = {p.name: p.from_unit(unit[:, j]) for j, p in enumerate(self.params)}
        points = []
        for row in range(index.size):
            point = {name: _python_scalar(values[row]) for name, values in columns.items()}
            point.update(self.fixed)
            points.append(point)
        return points

    def unit_points(self, index: np.ndarray, *, seed: int) -> np.ndarray:
        """The raw Halton points in [0, 1)^d for the given point indices."""
        index = np.asarray(index, dtype=np.int64)
        d = max(len(self.params), 1)
        if index.size == 0:
            return np.empty((0, d))
        from scipy.stats import qmc  # here: scipy.stats costs most of a second to import

        sampler = qmc.Halton(d=d, scramble=True, rng=np.random.default_rng(seed))
        table = sampler.random(int(index.max()) + 1)
        return table[index]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used in ``study.json`` (without protocol and optimizer):
        ``{"params": ..., "fixed": ...}``, or ``{"points": [...], "fixed": ...}``
        for a joint-point space."""
        if self.listed:
            return {"points": [dict(p) for p in self.listed], "fixed": dict(self.fixed)}
        return {"params": {p.name: p.to_dict() for p in self.params}, "fixed": dict(self.fixed)}

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> SearchSpace:
        """Build a space from its JSON form (see :meth:`to_dict`)."""
        params = spec.get("params", {}) or {}
        if not isinstance(params, Mapping):
            raise ParameterError(f"search space `params` must be a mapping of name to "
                                 f"parameter; got {type(params).__name__}.")
        return cls(tuple(Param.from_dict(name, p) for name, p in params.items()),
                   spec.get("fixed", {}) or {}, tuple(spec.get("points", ()) or ()))


def _python_scalar(value: Any) -> Any:
    """numpy scalars to Python scalars, so that points serialise as plain JSON."""
    return value.item() if isinstance(value, np.generic) else value
