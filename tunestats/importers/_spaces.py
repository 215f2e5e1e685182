"""Search spaces from the formats' declarations: one constructor for all importers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import DataError, ParameterError
from ..space import Param, SearchSpace, listed_problems
from ._options import hp_value

__all__ = ["choice_or_fixed", "listed_space", "space_from"]


def choice_or_fixed(values: Any) -> dict[str, Any]:
    """The entry of a finite set of values: ``{"fixed": v}`` for one value,
    ``{"scale": "bool"}`` for false and true, else ``{"scale": "choice", "choices":
    [...]}`` (duplicates removed, order kept; booleans among other choices as
    ``"true"``/``"false"``, as the trials store them)."""
    values = list(values)
    if len(values) > 1 and all(isinstance(v, (bool, np.bool_)) for v in values) \
            and len(set(values)) == 2:
        return {"scale": "bool"}
    values = list(dict.fromkeys(hp_value(v) if isinstance(v, (bool, np.bool_)) else v
                                for v in values))
    if len(values) == 1:
        return {"fixed": values[0]}
    return {"scale": "choice", "choices": values}


def listed_space(place: str, points: Any) -> SearchSpace:
    """A joint-point search space from a list of points (name → value each).

    Raises
    ------
    DataError
        Naming ``place``, when ``points`` is not a list of such points.
    """
    problems = listed_problems(points)
    if problems:
        raise DataError(f"{place}: {problems[0].rstrip('.')}")
    return SearchSpace((), {}, tuple(points))


def space_from(place: str, params: Mapping[str, Mapping[str, Any]]) -> SearchSpace:
    """A search space from entries ``name → {"scale", "low", "high"}``,
    ``{"scale": "choice", "choices"}``, ``{"scale": "bool"}`` or ``{"fixed": value}``.

    Raises
    ------
    DataError
        Naming ``place`` and the parameter, when an entry is not a valid parameter.
    """
    tuned, fixed = [], {}
    for name, entry in params.items():
        if "fixed" in entry:
            fixed[name] = entry["fixed"]
            continue
        try:
            tuned.append(Param(name, entry.get("scale"), entry.get("low"), entry.get("high"),
                               entry.get("choices")))
        except ParameterError as exc:
            raise DataError(f"{place}: {str(exc).rstrip('.')}") from None
    return SearchSpace(tuple(tuned), fixed)
