"""Validation of a study's tables against its metadata.

:func:`validate_tables` finds *every* problem, not just the first, and
returns them as :class:`~tunestats.errors.Problem` records that name the
file, the column, the trial key and the value, and say what was expected.
The checks are vectorised over rows: a study of a million curve rows
validates in milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import Problem
from ..space import CHOICE_SCALES, SearchSpace
from .keys import key_codes
from .meta import StudyMeta
from .schema import ATTR, FINAL, HP, KEY, POOL, STATUSES, TRIAL_COLUMNS, curve_metric_columns

__all__ = ["Validation", "validate_tables"]

#: How many offending rows one problem lists before it just counts the rest.
_SHOWN = 5


def _key_of(frame: pd.DataFrame, row: int) -> tuple:
    return tuple(frame[c].iloc[row] if c in frame else None for c in KEY)


def _is_text(values: pd.Series) -> bool:
    return (pd.api.types.is_string_dtype(values.dtype) or values.dtype == object
            or isinstance(values.dtype, pd.CategoricalDtype))


class _Collector:
    """Problem list with the file names filled in."""

    def __init__(self, files: Mapping[str, str]):
        self.files = files
        self.problems: list[Problem] = []

    def add(self, table: str, message: str, column: str | None = None, key: tuple | None = None,
            value=None, expected: str | None = None, severity: str = "error") -> None:
        self.problems.append(Problem(message, file=self.files.get(table, table), column=column,
                                     key=key, value=value, expected=expected, severity=severity))

    def rows(self, table: str, frame: pd.DataFrame, bad: np.ndarray, message: str,
             column: str | None, values: pd.Series | None, expected: str) -> None:
        """One problem per offending row (at most ``_SHOWN``, then a count)."""
        where = np.flatnonzero(bad)
        for row in where[:_SHOWN]:
            value = None if values is None else values.iloc[row]
            self.add(table, message, column, _key_of(frame, row), value, expected)
        if where.size > _SHOWN:
            self.add(table, f"{message} ({where.size - _SHOWN} more rows like this)", column,
                     expected=expected)


def _integer_problems(c: _Collector, table: str, frame: pd.DataFrame, column: str,
                      nullable: bool = False) -> None:
    values = frame[column]
    if (pd.api.types.is_signed_integer_dtype(values.dtype)
            and not pd.api.types.is_bool_dtype(values)):
        return
    numeric = pd.to_numeric(values, errors="coerce") if not pd.api.types.is_bool_dtype(
        values) else pd.Series(np.nan, index=values.index)
    missing = values.isna().to_numpy()
    bad = numeric.isna().to_numpy() & ~(missing & nullable)
    as_float = numeric.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        # infinities and integers beyond int64 (a key must fit the key coder) are refused
        bad |= ~np.isnan(as_float) & ((np.floor(as_float) != as_float)
                                      | (np.abs(as_float) >= 2.0**63))
    if bad.any():
        c.rows(table, frame, bad, "wrong type", column, values, "an integer in (−2^63, 2^63)")


def _numeric_problems(c: _Collector, table: str, frame: pd.DataFrame, column: str) -> bool:
    """Report text where numbers belong; True when the column is numeric."""
    values = frame[column]
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values):
        return True
    numeric = pd.to_numeric(values, errors="coerce")
    bad = numeric.isna().to_numpy() & values.notna().to_numpy()
    if bad.any():
        c.rows(table, frame, bad, "wrong type (text where numbers belong)", column, values,
               "a number")
        return False
    return True


def _trial_problems(c: _Collector, trials: pd.DataFrame, meta: StudyMeta) -> bool:
    """Check the trials table; True when its key columns are usable."""
    if len(trials) == 0:
        c.add("trials", "empty study: the trials table has no rows", expected="at least one trial")
        return False
    missing = [col for col in (*KEY, "status") if col not in trials]
    for col in missing:
        c.add("trials", "missing required column", col,
              expected="columns " + ", ".join((*KEY, "status")))
    known = set(KEY) | set(TRIAL_COLUMNS)
    for col in trials.columns:
        if col not in known and not col.startswith((HP, FINAL, ATTR)):
            c.add("trials", "unexpected column", col,
                  expected="the key, seed, status, duration_s, message, or a column named "
                           "hp.<name>, final.<metric> or attr.<name>")
    usable = not any(col in KEY for col in missing)
    for col in POOL:
        if col in trials:
            values = trials[col]
            bad = values.isna().to_numpy()
            if not _is_text(values):
                c.add("trials", "wrong type", col, value=str(values.dtype), expected="text")
                usable = False
            elif bad.any():
                c.rows("trials", trials, bad, "missing value in a key column", col, values,
                       "a name")
                usable = False
    for col in ("repeat", "trial"):
        if col in trials:
            before = len(c.problems)
            _integer_problems(c, "trials", trials, col)
            usable &= len(c.problems) == before
    if "seed" in trials:
        _integer_problems(c, "trials", trials, "seed", nullable=True)
    if "duration_s" in trials:
        _numeric_problems(c, "trials", trials, "duration_s")
    if "status" in trials:
        status = trials["status"]
        bad = ~status.isin(STATUSES).to_numpy()
        if bad.any():
            c.rows("trials", trials, bad, "unknown status", "status", status,
                   " | ".join(STATUSES))
    if usable:
        dup = trials.duplicated(list(KEY), keep="first").to_numpy()
        if dup.any():
            c.rows("trials", trials, dup, "duplicate trial key", None, None,
                   "each (workload, protocol, optimizer, repeat, trial) once")

    completed = (trials["status"] == "completed").to_numpy() if "status" in trials else None
    logs = _logged_by(c, trials, meta) if usable else None
    for col in trials.columns:
        if not col.startswith(FINAL):
            continue
        metric = col[len(FINAL):]
        if metric not in meta.metrics:
            c.add("trials", "metric column used but not declared in study.json", col,
                  value=metric, expected="one of " + ", ".join(meta.metrics) + " (declare it "
                  "under `metrics` with a direction and a split)")
        if _numeric_problems(c, "trials", trials, col) and completed is not None:
            values = pd.to_numeric(trials[col], errors="coerce").to_numpy(dtype=float)
            logged = np.ones(len(trials), dtype=bool) if logs is None else logs(metric)
            bad = completed & logged & ~np.isfinite(values)
            if bad.any():
                c.rows("trials", trials, bad, "non-finite final metric in a completed trial",
                       col, trials[col], "a finite number (mark the trial `diverged` instead)")
            stray = ~logged & ~np.isnan(values)
            if stray.any():
                c.rows("trials", trials, stray, "final value of a metric the trial's workload "
                       "does not log (see `workloads` in study.json)", col, trials[col],
                       "NaN, or the metric listed under the workload's `metrics`")
    if logs is not None:
        for metric in meta.metrics:
            rows = completed & logs(metric) if completed is not None else logs(metric)
            if FINAL + metric not in trials and rows.any():
                workload = trials["workload"].iloc[int(np.flatnonzero(rows)[0])]
                c.add("trials", f"workload {workload!r} declares the metric {metric!r} but the "
                      "trials have no final value for it", FINAL + metric,
                      expected=f"a column {FINAL + metric!r} (or leave {metric!r} out of the "
                      "workload's `metrics`)")
    if usable:
        _space_problems(c, trials, meta)
    return usable


def _logged_by(c: _Collector, trials: pd.DataFrame, meta: StudyMeta):
    """With a ``workloads`` section: a function metric → mask of the trials whose
    workload logs it (workloads without an entry reported); without: None."""
    if not meta.workloads:
        return None
    names = trials["workload"].astype(str)
    present = set(names.unique())
    for workload in sorted(present - set(meta.workloads)):
        c.add("trials", "workload without an entry under `workloads` in study.json",
              "workload", value=workload,
              expected="an entry {metrics, valid} for every workload (or no section at all)")
    for workload in sorted(set(meta.workloads) - present):
        c.add("trials", "`workloads` in study.json declares a workload that has no trials",
              "workload", value=workload, expected="one of " + ", ".join(sorted(present)),
              severity="warning")
    codes, uniques = pd.factorize(names)
    listed = {m: np.array([m in meta.workloads[w].metrics if w in meta.workloads else False
                           for w in uniques], dtype=bool) for m in meta.metrics}

    def logs(metric: str) -> np.ndarray:
        return listed[metric][codes] if metric in listed else np.zeros(len(trials), bool)

    return logs


def _space_problems(c: _Collector, trials: pd.DataFrame, meta: StudyMeta) -> None:
    """Hyperparameters against the declared search spaces."""
    if not meta.spaces:
        return
    pools = trials.groupby(["protocol", "optimizer"], observed=True, sort=False).indices
    for (protocol, optimizer), rows in pools.items():
        space = meta.spaces.get((protocol, optimizer))
        if space is None:
            continue
        if space.is_listed:
            _listed_problems(c, trials.iloc[rows], space, f"{protocol}/{optimizer}")
            continue
        for param in space.params:
            col = HP + param.name
            where = f"{protocol}/{optimizer}"
            if col not in trials:
                c.add("trials", f"hyperparameter declared in the search space of {where} but "
                      "missing from the trials", col, expected=f"a column {col!r}")
                continue
            values = trials[col].iloc[rows]
            present = values.notna().to_numpy()
            if not present.any():
                c.add("trials", f"hyperparameter declared in the search space of {where} has "
                      "no value in any of its trials", col, expected="a value per trial")
                continue
            if param.is_numeric and not pd.api.types.is_numeric_dtype(values.dtype):
                c.add("trials", f"text values for a numeric parameter of {where}", col,
                      value=values[present].iloc[0], expected=f"numbers ({param.scale} scale)")
                continue
            inside = param.contains(values[present].to_numpy())
            if not inside.all():
                first = values[present].iloc[int(np.flatnonzero(~inside)[0])]
                bounds = (f"choices {list(param.choices)}" if param.scale in CHOICE_SCALES
                          else f"[{param.low:g}, {param.high:g}]")
                c.add("trials", f"{int((~inside).sum())} of {int(present.sum())} trials of {where} "
                      "have values outside the declared range", col, value=first,
                      expected=f"values in {bounds}", severity="warning")


def _listed_problems(c: _Collector, trials: pd.DataFrame, space: SearchSpace,
                     where: str) -> None:
    """A pool's trials against the points of its joint-point space: a tuned coordinate
    without a column is an error; trials that ran none of the points, a warning."""
    for name in space.names:
        if HP + name not in trials:
            c.add("trials", f"hyperparameter listed in the joint-point search space of {where} "
                  "but missing from the trials", HP + name, expected=f"a column {HP + name!r}")
            return
    columns = {n: trials[HP + n].to_numpy(dtype=object) for n in space.coordinates
               if HP + n in trials}
    unlisted = ~space.matches(columns, len(trials)).any(axis=1)
    if unlisted.any():
        row = int(np.flatnonzero(unlisted)[0])
        first = trials.iloc[row]
        c.add("trials", f"{int(unlisted.sum())} of {len(trials)} trials of {where} ran none of "
              f"the {len(space.listed)} points of its joint-point search space",
              ", ".join(HP + n for n in space.names), key=_key_of(trials, row),
              value=", ".join(f"{n}={first[HP + n]!r}" for n in space.names),
              expected="the values of one listed point", severity="warning")


def _trial_codes(trials: pd.DataFrame, curves: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of each trial key, consistent between the two tables and
    ordered like the keys themselves (names sorted, then repeat, then trial);
    see :func:`tunestats.study.keys.key_codes`."""
    t_code, c_code = key_codes([trials, curves], KEY)
    return t_code, c_code


def _curve_problems(c: _Collector, trials: pd.DataFrame | None, curves: pd.DataFrame,
                    meta: StudyMeta) -> bool:
    """Check the curves table; True when its rows are already in key-and-step order."""
    missing = [col for col in (*KEY, "step") if col not in curves]
    for col in missing:
        c.add("curves", "missing required column", col, expected="columns " +
              ", ".join((*KEY, "step")) + " and one column per metric")
    for col in curve_metric_columns(curves):
        if col not in meta.metrics:
            c.add("curves", "metric column used but not declared in study.json", col, value=col,
                  expected="one of " + ", ".join(meta.metrics) + " (declare it under `metrics` "
                  "with a direction and a split)")
        _numeric_problems(c, "curves", curves, col)
    if "time_s" in curves:
        _numeric_problems(c, "curves", curves, "time_s")
    if missing or len(curves) == 0:
        return False
    before = len(c.problems)
    for col in ("repeat", "trial", "step"):
        _integer_problems(c, "curves", curves, col)
    key_arrays = {}
    for col in POOL:
        values = curves[col]
        if isinstance(values.dtype, pd.CategoricalDtype):
            key_arrays[col] = values.array.codes
            has_missing = bool(key_arrays[col].min() < 0)
        else:
            has_missing = bool(values.isna().any())
        if not _is_text(values) or has_missing:
            c.add("curves", "wrong type or missing value in a key column", col,
                  value=str(values.dtype), expected="text names")
    if len(c.problems) > before:
        return False
    step = curves["step"].to_numpy(dtype=np.int64)
    if step.min() < 0:
        c.rows("curves", curves, step < 0, "negative step", "step", curves["step"], "step ≥ 0")
    if trials is None:
        return False
    # Split the rows into runs of one trial key each, comparing each key column
    # with the row above (cheap on categorical codes); the few run heads then
    # carry every check that is about trials rather than rows.
    new_run = np.zeros(len(curves), dtype=bool)
    new_run[0] = True
    changed = np.empty(len(curves) - 1, dtype=bool)
    for col in KEY:
        if col in key_arrays:
            arr = key_arrays[col]
        elif col in POOL:
            arr = pd.factorize(curves[col])[0]
        else:
            arr = curves[col].to_numpy(dtype=np.int64)
        np.not_equal(arr[1:], arr[:-1], out=changed)
        np.logical_or(new_run[1:], changed, out=new_run[1:])
    starts = np.flatnonzero(new_run)
    t_code, run_code = _trial_codes(trials, curves.iloc[starts])
    orphan = ~np.isin(run_code, t_code)
    if orphan.any():
        head_rows = np.zeros(len(curves), dtype=bool)
        head_rows[starts[orphan]] = True
        c.rows("curves", curves, head_rows, "curve rows of a trial that is not in the trials "
               "table", None, None, "a trial key that occurs in the trials table")
    in_order = bool(np.all(run_code[1:] > run_code[:-1]))
    if in_order or len(np.unique(run_code)) == len(run_code):  # each trial's rows contiguous
        bad = np.zeros(len(step), dtype=bool)
        np.less_equal(step[1:], step[:-1], out=bad[1:])
        bad[new_run] = False
    else:  # a trial's rows are spread out: compare each row with its trial's previous row
        _, c_code = _trial_codes(trials, curves)
        order = np.argsort(c_code, kind="stable")
        sorted_bad = np.zeros(len(step), dtype=bool)
        sorted_bad[1:] = ((c_code[order][1:] == c_code[order][:-1])
                          & (step[order][1:] <= step[order][:-1]))
        bad = np.zeros_like(sorted_bad)
        bad[order] = sorted_bad
    if bad.any():
        c.rows("curves", curves, bad, "duplicate or decreasing step within a trial", "step",
               curves["step"], "steps strictly increasing within each trial")
        return False
    return in_order


@dataclass(frozen=True)
class Validation:
    """What :func:`validate_tables` found.

    Attributes
    ----------
    problems : list of Problem
        Errors and warnings, in the order found.
    curves_in_order : bool
        True when the curves rows are already sorted by trial key and step
        (lets the loader skip a sort).
    """

    problems: list[Problem]
    curves_in_order: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def validate_tables(trials: pd.DataFrame, curves: pd.DataFrame | None, meta: StudyMeta,
                    files: Mapping[str, str] | None = None) -> Validation:
    """Every problem of the tables of a study.

    Parameters
    ----------
    trials, curves : DataFrame
        The tables as read (before dtype normalisation). ``curves`` may be None.
    meta : StudyMeta
        The parsed ``study.json``.
    files : mapping, optional
        File names to cite: ``{"trials": "trials.parquet", "curves": ...}``.

    Returns
    -------
    Validation
        The problems found (errors and warnings) and whether the curves are
        in key order.
    """
    c = _Collector(files or {})
    usable = _trial_problems(c, trials, meta)
    in_order = False
    if curves is not None:
        in_order = _curve_problems(c, trials if usable else None, curves, meta)
    return Validation(c.problems, in_order)
