"""Where each trial lies in its search space, in each parameter's own scale.

For every pool and tuned hyperparameter, the position of each trial in
[0, 1] within ``[low, high]``, measured in the scale the space declares
(:meth:`tunestats.Param.to_unit`). A pool whose study declares no search
space, or a hyperparameter that varies within a pool but is not in its
declared space, gets bounds inferred from the trials (:func:`infer_param`),
and the result says so in its ``bounds`` column. A joint-point space (a
finite list of points) has no ranges: each coordinate that varies between
its points gets the span of its listed values (:func:`listed_param`,
``bounds`` = ``listed``), to draw, never to look for edges in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..space import CHOICE_SCALES, Param, SearchSpace
from ..study import Pool, Study
from ..study.schema import HP, KEY, STRING

__all__ = ["TunedParam", "infer_param", "listed_param", "pool_params", "positions"]

COLUMNS = [*KEY, "status", "param", "scale", "bounds", "low", "high", "value", "choice",
           "position"]

#: Span, in decades, beyond which inferred bounds get a log (or reverse_log) scale.
LOG_SPAN_DECADES = 1.0


@dataclass(frozen=True)
class TunedParam:
    """A hyperparameter tuned in one pool.

    Attributes
    ----------
    param : Param
        Its scale and bounds.
    bounds : {"declared", "inferred", "listed"}
        Whether ``param`` comes from the study's search space, was inferred
        from the trials (:func:`infer_param`) or spans the values of a
        coordinate of a joint-point space (:func:`listed_param`).
    """

    param: Param
    bounds: str

    @property
    def ordered(self) -> bool:
        """Whether the parameter has a low and a high edge: every range, and three
        or more declared choices among numbers listed in increasing or decreasing
        order (with two, every trial is at an edge); never ``bool`` or a
        coordinate of a joint-point space (its points are not a range)."""
        param = self.param
        if self.bounds == "listed" or param.scale == "bool":
            return False
        if param.scale != "choice":
            return True
        if not param.is_numeric or len(param.choices) < 3:
            return False
        steps = np.diff(np.asarray(param.choices, dtype=float))
        return bool(np.all(steps > 0) or np.all(steps < 0))


def infer_param(name: str, values: Iterable) -> Param:
    """A parameter whose bounds are the smallest and largest of ``values``.

    Parameters
    ----------
    name : str
        The hyperparameter's name.
    values : iterable
        Its values in one pool (NaN ignored); at least two distinct ones.

    Returns
    -------
    Param

    Notes
    -----
    Text values give a ``choice`` among the sorted distinct values (not
    ordered, so without edges). Numbers give ``[min, max]`` with the scale
    chosen by the number of decades spanned:

    * ``log`` when every value is positive and ``log10(max / min) > 1``;
    * ``reverse_log`` when every value lies in (0, 1) and
      ``log10((1 - min) / (1 - max)) > 1`` (momentum-like parameters);
    * when both apply, the one spanning more decades (``log`` on a tie);
    * ``linear`` otherwise.

    Examples
    --------
    >>> infer_param("lr", [1e-4, 3e-3, 0.1]).scale
    'log'
    >>> infer_param("momentum", [0.5, 0.9, 0.999]).scale
    'reverse_log'
    >>> infer_param("dropout", [0.1, 0.3, 0.5]).scale
    'linear'
    """
    series = pd.Series(list(values)).dropna()
    if series.nunique() < 2:
        raise ParameterError(f"cannot infer bounds of {name!r} from fewer than two distinct "
                             f"values; got {series.unique().tolist()}.")
    if not pd.api.types.is_numeric_dtype(series.dtype):
        return Param(name, "choice", choices=tuple(sorted(series.astype(str).unique())))
    x = series.to_numpy(dtype=float)
    low, high = float(x.min()), float(x.max())
    log_span = np.log10(high / low) if low > 0 else 0.0
    reverse_span = np.log10((1 - low) / (1 - high)) if 0 < low and high < 1 else 0.0
    if max(log_span, reverse_span) > LOG_SPAN_DECADES:
        return Param(name, "log" if log_span >= reverse_span else "reverse_log", low, high)
    return Param(name, "linear", low, high)


def listed_param(space: SearchSpace, name: str) -> Param:
    """The span of a coordinate of a joint-point space over its listed points.

    Booleans give ``bool``, numbers :func:`infer_param` of the listed values
    (null left out), anything else a ``choice`` among the distinct values as
    text, sorted.

    Examples
    --------
    >>> space = SearchSpace((), listed=({"lr": 1e-3, "nesterov": True},
    ...                                 {"lr": 1e-1, "nesterov": False}))
    >>> listed_param(space, "lr").scale, listed_param(space, "nesterov").scale
    ('log', 'bool')
    """
    values = [v for v in space.listed_values(name) if v is not None]
    if values and all(isinstance(v, bool) for v in values) and len(set(values)) == 2:
        return Param(name, "bool")
    reals = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if len(reals) == len(values) and len(set(reals)) > 1:
        return infer_param(name, reals)
    return Param(name, "choice", choices=tuple(sorted({str(v) for v in values})))


def pool_params(study: Study, pool: Pool, trials: pd.DataFrame) -> list[TunedParam]:
    """The hyperparameters tuned in one pool, declared ones first.

    Declared: the parameters of the search space of ``(pool.protocol,
    pool.optimizer)``; for a joint-point space, the coordinates that vary
    between its points (:func:`listed_param`). Inferred (:func:`infer_param`):
    every other ``hp.`` column that takes two or more distinct values in the
    pool and is not a fixed value or a coordinate of the space.
    """
    space = study.spaces.get((pool.protocol, pool.optimizer))
    if space is not None and space.is_listed:
        declared = [TunedParam(listed_param(space, n), "listed") for n in space.names
                    if HP + n in trials]
        skip = set(space.coordinates) | set(space.fixed)
    else:
        declared = [TunedParam(p, "declared") for p in space.params] if space else []
        skip = {t.param.name for t in declared} | set(space.fixed if space else ())
    inferred = [TunedParam(infer_param(name, trials[HP + name]), "inferred")
                for name in study.hyperparameters
                if name not in skip and trials[HP + name].nunique(dropna=True) > 1]
    return declared + inferred


def positions(study: Study, params: Iterable[str] | None = None) -> pd.DataFrame:
    """The position of every trial in [0, 1] along every tuned hyperparameter.

    Parameters
    ----------
    study : Study
    params : iterable of str, optional
        Only these hyperparameters (default: every tuned one).

    Returns
    -------
    DataFrame
        One row per (trial, tuned hyperparameter): the trial key, ``status``,
        ``param``, ``scale``, ``bounds`` (``declared``/``inferred``), ``low``,
        ``high`` (NaN for choices), ``value`` (NaN for text), ``choice`` (the
        value as text, for choice parameters) and ``position`` (NaN where the
        trial has no value).

    Raises
    ------
    ParameterError
        If a name in ``params`` is tuned in none of the pools.

    Notes
    -----
    ``position = (w(x) - w(low)) / (w(high) - w(low))`` with ``w(x) = log10 x``
    (``log``), ``-log10(1 - x)`` (``reverse_log``) or ``x`` (``linear``); the
    ``j``-th of ``n`` choices sits at ``(j + 1/2) / n``. Values outside the
    declared range lie outside [0, 1].
    """
    tuned = {pool: (trials, pool_params(study, pool, trials)) for pool, trials in study.pools()}
    check_params(params, [t.param.name for _, pool_tuned in tuned.values() for t in pool_tuned])
    wanted = None if params is None else set(params)
    frames = [pool_positions(trials, [t for t in pool_tuned
                                      if wanted is None or t.param.name in wanted])
              for trials, pool_tuned in tuned.values()]
    frames = [frame for frame in frames if len(frame)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)


def check_params(params: Iterable[str] | None, tuned: Iterable[str]) -> None:
    """Raise if a requested hyperparameter is tuned in none of the pools."""
    known = sorted(set(tuned))
    for name in params or ():
        if name not in known:
            raise ParameterError(f"`params` names {name!r}, which is not a tuned hyperparameter "
                                 f"of any pool's search space; tuned: {', '.join(known)}.")


def pool_positions(trials: pd.DataFrame, tuned: Iterable[TunedParam]) -> pd.DataFrame:
    """:func:`positions` for the trials of one pool along the given parameters: the
    rows parameter by parameter, the trials in the order given."""
    tuned = list(tuned)
    if not tuned:
        return pd.DataFrame(columns=COLUMNS)
    n = len(trials)
    columns: dict[str, list] = {name: [] for name in COLUMNS[len(KEY) + 1:]}
    for one in tuned:
        param = one.param
        values = trials[HP + param.name]
        present = values.notna().to_numpy()
        position = np.full(n, np.nan)
        position[present] = param.to_unit(values[present].to_numpy())
        choice = param.scale in CHOICE_SCALES
        numeric = pd.api.types.is_numeric_dtype(values.dtype)
        labels = np.full(n, None, dtype=object)
        if choice:  # the declared choice (64, not 64.0), None if not one
            known = np.isfinite(position)
            labels[known] = [str(c).lower() if isinstance(c, bool) else str(c)
                             for c in param.from_unit(position[known])]
        for name, column in (("param", np.full(n, param.name, dtype=object)),
                             ("scale", np.full(n, param.scale, dtype=object)),
                             ("bounds", np.full(n, one.bounds, dtype=object)),
                             ("low", np.full(n, np.nan if choice else param.low, dtype=float)),
                             ("high", np.full(n, np.nan if choice else param.high,
                                              dtype=float)),
                             ("value", values.to_numpy(dtype=float) if numeric
                              else np.full(n, np.nan)),
                             ("choice", labels), ("position", position)):
            columns[name].append(column)
    # one frame for every parameter at once: the key columns repeated, the others joined
    # (a frame per parameter, built column by column, cost more than the analysis)
    base = trials[[*KEY, "status"]].iloc[np.tile(np.arange(n), len(tuned))]
    joined = {name: np.concatenate(parts) for name, parts in columns.items()}
    rest = pd.DataFrame({name: pd.Series(joined[name], dtype=STRING)
                         if name in ("param", "scale", "bounds", "choice") else joined[name]
                         for name in joined})
    return pd.concat([base.reset_index(drop=True), rest], axis=1)
