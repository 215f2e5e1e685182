"""Search spaces: parameters with their scale, unit-cube maps and quasi-random points.

A :class:`Param` is one tuned hyperparameter with a scale:

``linear``
    uniform between ``low`` and ``high``;
``log``
    ``log10(x)`` uniform between ``log10(low)`` and ``log10(high)`` (``low > 0``);
``reverse_log``
    ``1 - x`` log-uniform, for parameters that live close to 1 such as
    momentum or Adam's β (``0 < low < high < 1``);
``choice``
    one of a finite list of values (numbers or strings).

Each parameter maps values to the unit interval and back in its own scale:
``to_unit(low) == 0`` and ``to_unit(high) == 1`` and, for ``reverse_log``,
position grows with ``x`` (towards 1). Analyses that talk about "the edge of a
range" measure it in this coordinate.

A :class:`SearchSpace` is a set of tuned parameters plus fixed values.
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
from scipy.stats import qmc

from ._checks import check_choice
from .errors import ParameterError

__all__ = ["SCALES", "Param", "SearchSpace"]

SCALES = ("linear", "log", "reverse_log", "choice")


@dataclass(frozen=True)
class Param:
    """One tuned hyperparameter.

    Parameters
    ----------
    name : str
        The hyperparameter's name (without the ``hp.`` prefix of trial columns).
    scale : {"linear", "log", "reverse_log", "choice"}
        How the parameter is searched; see the module docstring.
    low, high : float, optional
        The bounds, for every scale but ``choice``.
    choices : sequence, optional
        The values, for ``choice``.
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
        if self.choices is not None:
            object.__setattr__(self, "choices", tuple(self.choices))
        if self.scale != "choice":
            object.__setattr__(self, "low", float(self.low))
            object.__setattr__(self, "high", float(self.high))

    # -- the parameter's own coordinate -------------------------------------
    def _warp(self, values: np.ndarray) -> np.ndarray:
        if self.scale == "log":
            return np.log10(values)
        if self.scale == "reverse_log":
            return -np.log10(1.0 - values)
        return values

    def _unwarp(self, warped: np.ndarray) -> np.ndarray:
        if self.scale == "log":
            return 10.0**warped
        if self.scale == "reverse_log":
            return 1.0 - 10.0 ** (-warped)
        return warped

    def to_unit(self, values: Any) -> np.ndarray:
        """Position of ``values`` in [0, 1] within the range, in the parameter's scale.

        Values outside the range map outside [0, 1]; for ``choice`` the value
        with index *j* of *n* maps to the centre of its cell, ``(j + 0.5) / n``
        (NaN for a value that is not a choice).
        """
        if self.scale == "choice":
            lookup = {choice: j for j, choice in enumerate(self.choices)}
            n = len(self.choices)
            return np.array([(lookup[v] + 0.5) / n if v in lookup else np.nan
                             for v in np.ravel(np.asarray(values, dtype=object))])
        x = np.asarray(values, dtype=float)
        lo, hi = self._warp(np.array([self.low, self.high]))
        with np.errstate(invalid="ignore", divide="ignore"):
            return (self._warp(x) - lo) / (hi - lo)

    def from_unit(self, u: Any) -> np.ndarray:
        """Inverse of :meth:`to_unit`: map points of [0, 1] to parameter values."""
        u = np.asarray(u, dtype=float)
        if self.scale == "choice":
            n = len(self.choices)
            index = np.minimum(np.floor(u * n).astype(int), n - 1)
            return np.asarray(self.choices, dtype=object)[index]
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
            ``log``, decades of ``1 - x`` for ``reverse_log``, units of ``x``
            for ``linear``.

        Returns
        -------
        Param

        Raises
        ------
        ParameterError
            For a ``choice`` parameter, or when the new bound leaves the
            scale's domain (a ``reverse_log`` low bound at or below 0).

        Examples
        --------
        >>> Param("lr", "log", 1e-4, 1.0).widened("high", 1.0).high
        10.0
        >>> round(Param("momentum", "reverse_log", 0.9, 0.999).widened("high", 1.0).high, 6)
        0.9999
        """
        check_choice("side", side, ("low", "high"))
        if self.scale == "choice":
            raise ParameterError(f"choice parameter {self.name!r} has no bound to widen.")
        lo, hi = self._warp(np.array([self.low, self.high]))
        lo, hi = (lo - amount, hi) if side == "low" else (lo, hi + amount)
        low, high = (float(v) for v in self._unwarp(np.array([lo, hi])))
        # keep the unmoved bound exact (the round trip through the warp may perturb it)
        low, high = (low, self.high) if side == "low" else (self.low, high)
        return Param(self.name, self.scale, low, high)

    def contains(self, values: Any) -> np.ndarray:
        """Boolean array: which values lie inside the declared range (or choices)."""
        if self.scale == "choice":
            allowed = set(self.choices)
            return np.array([v in allowed for v in np.ravel(np.asarray(values, dtype=object))])
        x = np.asarray(values, dtype=float)
        return (x >= self.low) & (x <= self.high)

    @property
    def is_numeric(self) -> bool:
        """True unless the parameter is a choice among non-numbers."""
        if self.scale != "choice":
            return True
        return all(isinstance(c, numbers.Real) and not isinstance(c, bool) for c in self.choices)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used in ``study.json``."""
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


def param_problems(name: Any, scale: Any, low: Any, high: Any, choices: Any) -> list[str]:
    """Every reason why ``(name, scale, low, high, choices)`` is not a valid parameter."""
    where = f"search-space parameter {name!r}"
    if scale not in SCALES:
        return [f"{where}: `scale` must be one of {', '.join(SCALES)}; got {scale!r}."]
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
    if low >= high:
        problems.append(f"{where}: `low` must be < `high`; got low={low!r}, high={high!r}.")
    if scale == "log" and low <= 0:
        problems.append(f"{where}: a log scale needs `low` > 0; got low={low!r}.")
    if scale == "reverse_log" and not (0 < low < 1 and 0 < high < 1):
        problems.append(f"{where}: a reverse_log scale needs 0 < low < high < 1 "
                        f"(1 - x is log-uniform); got low={low!r}, high={high!r}.")
    return problems


@dataclass(frozen=True)
class SearchSpace:
    """Tuned parameters plus fixed values for one (protocol, optimizer).

    Parameters
    ----------
    params : sequence of Param
        The tuned parameters, in the order of the quasi-random dimensions.
    fixed : mapping, optional
        Hyperparameters held at a fixed value.
    """

    params: tuple[Param, ...]
    fixed: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        params = tuple(self.params)
        names = [p.name for p in params]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ParameterError(f"search space names parameter(s) {duplicated} more than once.")
        both = sorted(set(names) & set(self.fixed))
        if both:
            raise ParameterError(f"search space parameter(s) {both} are both tuned and fixed.")
        object.__setattr__(self, "params", params)
        object.__setattr__(self, "fixed", dict(self.fixed))

    @property
    def names(self) -> list[str]:
        """Names of the tuned parameters."""
        return [p.name for p in self.params]

    def __getitem__(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        check_choice("name", name, self.names)
        raise AssertionError  # unreachable: check_choice raised

    def points(self, indices: int | Iterable[int], *, seed: int) -> list[dict[str, Any]]:
        """Quasi-random points of the space, as dicts of parameter values.

        Parameters
        ----------
        indices : int or iterable of int
            Either a count ``n`` (points ``0 .. n-1``) or explicit point indices.
        seed : int
            Seed of the Halton scrambling. Point ``i`` depends only on ``seed``
            and ``i``.

        Returns
        -------
        list of dict
            One dict per index with every tuned and fixed parameter.

        Notes
        -----
        The points are those of a scrambled Halton sequence in
        ``len(params)`` dimensions (Owen-type scrambling of
        :class:`scipy.stats.qmc.Halton`), mapped through :meth:`Param.from_unit`.
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
        sampler = qmc.Halton(d=d, scramble=True, rng=np.random.default_rng(seed))
        table = sampler.random(int(index.max()) + 1)
        return table[index]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used in ``study.json`` (without protocol and optimizer)."""
        return {"params": {p.name: p.to_dict() for p in self.params}, "fixed": dict(self.fixed)}

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> SearchSpace:
        """Build a space from its JSON form (see :meth:`to_dict`)."""
        params = spec.get("params", {})
        if not isinstance(params, Mapping):
            raise ParameterError(f"search space `params` must be a mapping of name to "
                                 f"parameter; got {type(params).__name__}.")
        return cls(tuple(Param.from_dict(name, p) for name, p in params.items()),
                   spec.get("fixed", {}) or {})


def _python_scalar(value: Any) -> Any:
    """numpy scalars to Python scalars, so that points serialise as plain JSON."""
    return value.item() if isinstance(value, np.generic) else value
