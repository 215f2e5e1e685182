"""The curves of a study as dense matrices: one row per trial, one column per step.

The analyses of training curves (steps-to-target, truncation at a step
budget) work on a ``(trials, steps)`` matrix per metric rather than on the
long curves table. Rows follow the trials table (sorted by trial key);
columns are the union of the evaluation steps of every trial, so a trial
evaluated at fewer steps has absent cells (``present`` is False there),
which are kept apart from NaN evaluations of a diverged run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import check_choice
from ..errors import DataError, ParameterError
from ..study import Study
from ..study.keys import key_codes
from ..study.schema import KEY, curve_metric_columns

__all__ = ["TIME_AXES", "CurveMatrix", "curve_matrix"]

#: The columns a time to target can be measured in.
TIME_AXES = ("step", "time_s")


@dataclass(frozen=True, eq=False)
class CurveMatrix:
    """Curves as ``(trials, steps)`` matrices.

    Attributes
    ----------
    trials : DataFrame
        The trials table (key, status, …), one row per matrix row.
    steps : ndarray of int, shape (S,)
        The evaluation steps, ascending (union over trials).
    present : ndarray of bool, shape (T, S)
        Whether the trial was evaluated at the step.
    time : ndarray of float, shape (T, S)
        The time axis of each evaluation (the step, or ``time_s``); NaN where
        absent.
    values : dict of str to ndarray, shape (T, S)
        Each requested metric; NaN where absent or not a number.
    """

    trials: pd.DataFrame
    steps: np.ndarray
    present: np.ndarray
    time: np.ndarray
    values: dict[str, np.ndarray]

    def last_value(self, metric: str, budget: float | None = None) -> np.ndarray:
        """Each trial's ``metric`` at its last evaluation with time ≤ ``budget``.

        NaN when the trial has no evaluation within the budget or the value
        there is NaN (a diverged run): a model is judged where training stopped.
        """
        inside = self.present if budget is None else self.time <= budget  # time: NaN if absent
        position = self.steps.size - 1 - inside[:, ::-1].argmax(axis=1)
        rows = np.arange(len(position))
        return np.where(inside[rows, position], self.values[metric][rows, position], np.nan)


def _rows_of(trial_codes: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The position of each of ``codes`` among the sorted ``trial_codes``.

    The curves table holds a run of rows per trial: one search per run.
    """
    starts = np.flatnonzero(np.append(True, codes[1:] != codes[:-1]))
    found = np.searchsorted(trial_codes, codes[starts])
    return np.repeat(found, np.diff(np.append(starts, codes.size)))


def _unique_steps(steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``numpy.unique(steps, return_inverse=True)``, by a lookup table when the range is small."""
    if steps.size == 0:
        return np.unique(steps, return_inverse=True)
    low, high = int(steps.min()), int(steps.max())
    if high - low > 4 * steps.size:
        return np.unique(steps, return_inverse=True)
    seen = np.zeros(high - low + 1, dtype=bool)
    seen[steps - low] = True
    column = np.cumsum(seen) - 1
    return np.flatnonzero(seen) + low, column[steps - low]


def curve_matrix(study: Study, metrics: Sequence[str], *, time: str = "step") -> CurveMatrix:
    """The curves of ``metrics`` as ``(trials, steps)`` matrices.

    Parameters
    ----------
    study : Study
    metrics : sequence of str
        Declared metrics that must be columns of the curves table.
    time : {"step", "time_s"}
        The time axis.

    Raises
    ------
    ParameterError
        For an undeclared metric, a metric the curves do not hold, or
        ``time="time_s"`` when the curves have no ``time_s``.
    DataError
        If the study has no curves at all.
    """
    check_choice("time", time, TIME_AXES)
    curves, trials = study.curves, study.trials
    held = curve_metric_columns(curves)
    for name in metrics:
        study.metric(name)
        if name not in held:
            raise ParameterError(f"metric {name!r} is not in the curves; they hold "
                                 f"{', '.join(held) or 'no metric'}.")
    if time == "time_s" and "time_s" not in curves:
        raise ParameterError("`time` is 'time_s' but the curves have no time_s column; "
                             "use time='step'.")
    if not len(curves):
        raise DataError(f"study {study.meta.name or study.source or ''}: the curves table is "
                        "empty; the analyses of training curves need evaluation curves.")
    row = _rows_of(*key_codes([trials, curves], KEY))
    steps, column = _unique_steps(curves["step"].to_numpy())
    shape = (len(trials), steps.size)
    cell = row * steps.size + column
    present = np.zeros(shape, dtype=bool)
    present.ravel()[cell] = True
    values = {}
    for name in metrics:
        matrix = np.full(shape, np.nan)
        matrix.ravel()[cell] = curves[name].to_numpy(dtype=float)
        values[name] = matrix
    if time == "step":
        stamp = np.where(present, steps[None, :].astype(float), np.nan)
    else:
        stamp = np.full(shape, np.nan)
        stamp.ravel()[cell] = curves["time_s"].to_numpy(dtype=float)
    return CurveMatrix(trials, steps, present, stamp, values)
