"""Assembling a study from what an importer read: the part every importer shares.

An importer walks its format and hands each trial to :class:`StudyBuilder`
(:meth:`~StudyBuilder.add_trial`): key, status, hyperparameters, the curve as
a frame (``step``, optional ``time_s``, one column per metric), and what else
it knows. :meth:`~StudyBuilder.build` then

1. puts the trials and curves into the two tables (key columns filled in
   once, vectorised, rather than per trial);
2. leaves out metrics with no value at all, and metrics whose direction
   neither the options, nor the format, nor the name tells (each reported);
3. takes each trial's final metrics from its curve: the last row in *dense*
   formats (where every evaluation records every metric, so that a NaN is a
   non-finite value) and the last recorded value in *sparse* ones (W&B
   histories, Ray Tune results, long tables, where a missing value is just
   not logged); finals a format states explicitly win;
4. marks a completed trial ``diverged`` when one of its finals is not finite
   (reported);
5. declares each workload's metrics (the ``workloads`` section of
   ``study.json``): a workload lists a metric when its completed trials all
   log it, and its headline (``valid``) metric is the one the format states
   as its objective, else its first validation metric. A ``final.<metric>``
   column is never dropped study-wide: where a workload does not list the
   metric its finals are NaN (the curves keep the values), reported;
6. builds the :class:`~tunestats.Study` through
   :meth:`~tunestats.Study.from_frames`, with the import report (counts per
   pool among it) in its provenance.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from .._version import __version__
from ..errors import DataError, ParameterError
from ..space import SearchSpace
from ..study import Metric, Study
from ..study.schema import ATTR, FINAL, HP, KEY, STATUSES
from ._metrics import infer_metric, metric_stem
from ._options import ImportOptions, hp_value
from .report import ImportReport

__all__ = ["STATUS_WORDS", "StudyBuilder", "progress_iter"]

#: Status words of tools (W&B run states, Vizier/Optuna states, ...) → study
#: status; None: the trial is not finished and is skipped.
STATUS_WORDS = {
    **dict.fromkeys(("completed", "complete", "finished", "success", "succeeded", "ok", "done",
                     "terminated"), "completed"),
    **dict.fromkeys(("diverged", "infeasible", "nan"), "diverged"),
    **dict.fromkeys(("failed", "fail", "error", "crashed", "killed", "pruned", "incomplete",
                     "stopped"), "failed"),
    **dict.fromkeys(("running", "pending", "waiting", "queued", "preempted"), None),
}


class _Runs(NamedTuple):
    """The curves in the order of the curves table: trial index, length and
    columns of each."""

    trial: np.ndarray
    lengths: np.ndarray
    columns: list[tuple[str, ...]]

_CURVE_FIXED = ("step", "time_s")


def progress_iter(items: list[Any], options: ImportOptions) -> Iterator[Any]:
    """Iterate ``items``, calling ``options.progress(done, total)`` along the way
    (at most about 200 times, and once at the end)."""
    total = len(items)
    every = max(1, total // 200)
    for i, item in enumerate(items):
        yield item
        if options.progress is not None and ((i + 1) % every == 0 or i + 1 == total):
            options.progress(i + 1, total)


class StudyBuilder:
    """Collects trials as an importer reads them and builds the study.

    Parameters
    ----------
    format : str
        The importer's name (for the report and provenance).
    source : str
        What is read.
    options : ImportOptions
    dense : bool
        Whether every curve row records every metric of the trial (see the
        module docstring).
    expected : str
        The layout the importer looks for, for the error when nothing is found.
    """

    def __init__(self, format: str, source: Any, options: ImportOptions, *, dense: bool,
                 expected: str):
        self.options = options
        self.report = ImportReport(format, str(source), strict=options.strict)
        self.dense = dense
        self.expected = expected
        self._rows: list[dict[str, Any]] = []
        self._places: list[str] = []
        # curves as blocks: column names (step first) and a float array per trial
        self._curves: list[tuple[tuple[str, ...], np.ndarray]] = []
        self._curve_trial: list[int] = []
        self._runs: _Runs | None = None
        self._finals: list[dict[str, float]] = []
        self._flags: list[tuple[bool, bool]] = []
        self._merged_rows = 0
        self._merged_places: list[str] = []
        self._stated: dict[str, Metric] = {}
        self._objectives: dict[str, str] = {}
        self._spaces: dict[tuple[str, str], SearchSpace] = {}
        self._space_places: dict[tuple[str, str], str] = {}
        self._conflicts: set[tuple[str, str]] = set()

    # -- what the format states --------------------------------------------
    def state_metric(self, metric: Metric, workload: str | None = None) -> None:
        """Declare a metric whose direction the format states (with ``workload``: as
        that workload's objective, its headline metric)."""
        self._stated[metric.name] = metric
        if workload is not None:
            self._objectives[str(workload)] = metric.name

    def add_space(self, protocol: str, optimizer: str, space: SearchSpace, place: str) -> None:
        """Declare the search space of ``(protocol, optimizer)``. Two different
        declarations for the same pair are both left out (reported)."""
        pair = (str(protocol), str(optimizer))
        if pair in self._conflicts:
            return
        if pair in self._spaces and self._spaces[pair] != space:
            self.report.skip("space", f"{pair[0]}/{pair[1]}",
                             f"{place} and {self._space_places[pair]} declare different search "
                             "spaces for this protocol and optimizer (the study format keeps one "
                             "per protocol and optimizer); neither is kept")
            del self._spaces[pair]
            self._conflicts.add(pair)
            return
        self._spaces[pair] = space
        self._space_places[pair] = place

    # -- trials -------------------------------------------------------------
    def status_of(self, word: Any, place: str, pool: str | None = None) -> str | None:
        """The study status of a tool's status word (see :data:`STATUS_WORDS`), or
        None — with the trial reported as skipped (under ``pool``) — for an
        unknown or unfinished one."""
        key = str(word).strip().lower()
        if key not in STATUS_WORDS:
            self.report.skip("trial", place, f"unknown status {word!r}; expected one of "
                             + ", ".join(STATUS_WORDS), pool)
            return None
        if STATUS_WORDS[key] is None:
            self.report.skip("trial", place, f"status {key!r} (not finished)", pool)
        return STATUS_WORDS[key]

    def add_trial(self, key: Mapping[str, Any], *, status: str, place: str,
                  hp: Mapping[str, Any] | None = None,
                  curve: pd.DataFrame | tuple[tuple[str, ...], np.ndarray] | None = None,
                  finals: Mapping[str, float] | None = None,
                  attrs: Mapping[str, Any] | None = None, seed: Any = None,
                  message: str | None = None, duration_s: float | None = None,
                  stopped_early: bool = False, rerun: bool = False) -> None:
        """Add one trial.

        Parameters
        ----------
        key : mapping
            ``workload, protocol, optimizer, repeat, trial``.
        status : {"completed", "diverged", "failed"}
            As the format says; completed trials with a non-finite final are
            turned into diverged ones by :meth:`build`.
        place : str
            Where the trial comes from (a path), for messages.
        hp, attrs : mapping, optional
            Hyperparameters and other attributes (values through :func:`hp_value`).
        curve : DataFrame or (columns, array), optional
            Columns ``step`` (integers), optional ``time_s``, one per metric;
            or the same as column names (``step`` first) and a 2-d float
            array, which spares a frame per trial.
        finals : mapping, optional
            Final metric values the format states (win over the curve's).
        seed, message, duration_s : optional
        stopped_early, rerun : bool
            Whether a scheduler stopped the trial before its budget, and whether
            it re-runs a tuned setting (counted per pool in the report).
        """
        if status not in STATUSES:
            raise ParameterError(f"importer bug: status {status!r} of {place}")
        row: dict[str, Any] = {k: key[k] for k in KEY}
        row["seed"] = seed if seed is None or isinstance(seed, (int, np.integer)) else int(seed)
        row["status"] = status
        for name, value in (hp or {}).items():
            row[HP + name] = hp_value(value)
        for name, value in (attrs or {}).items():
            row[ATTR + name] = hp_value(value)
        row["duration_s"] = np.nan if duration_s is None else float(duration_s)
        row["message"] = message
        index = len(self._rows)
        self._rows.append(row)
        self._places.append(place)
        self._finals.append(dict(finals or {}))
        self._flags.append((bool(stopped_early), bool(rerun)))
        if curve is not None and len(curve[1] if isinstance(curve, tuple) else curve):
            columns, values = curve if isinstance(curve, tuple) else self._block(curve, place)
            if columns[0] != "step":
                raise ParameterError(f"importer bug: the curve of {place} must start with step")
            values = self._clean_steps(values, place)
            if len(values):
                self._curves.append((tuple(columns), values))
                self._curve_trial.append(index)

    def _block(self, curve: pd.DataFrame, place: str) -> tuple[tuple[str, ...], np.ndarray]:
        """A curve frame as (columns, float array), step first; text where numbers
        belong becomes NaN (reported)."""
        columns = ("step", *(c for c in curve.columns if c != "step"))
        curve = curve[list(columns)]
        try:
            return columns, curve.to_numpy(dtype=float)
        except (TypeError, ValueError):
            numeric = curve.apply(pd.to_numeric, errors="coerce")
            bad = int((numeric.isna() & curve.notna()).to_numpy().sum())
            self.report.skip("rows", place, f"{bad} curve value(s) are not numbers; read as "
                             "missing")
            return columns, numeric.to_numpy(dtype=float)

    def _clean_steps(self, values: np.ndarray, place: str) -> np.ndarray:
        """Rows without a whole step number left out; rows put in step order; rows of
        a repeated step made one — in sparse formats (where a row logs only some
        metrics, e.g. train and validation rows of one step) the last value of
        each column, in dense ones the last row — each reported."""
        step = values[:, 0]
        bad = ~np.isfinite(step) | (np.floor(step) != step)
        if bad.any():
            self.report.skip("rows", place, f"{int(bad.sum())} curve row(s) without a whole "
                             "step number (a truncated file?)")
            values, step = values[~bad], step[~bad]
        if step.size > 1 and not np.all(step[1:] > step[:-1]) and not self.dense:
            merged = pd.DataFrame(values[:, 1:]).groupby(step, sort=True).last()
            if len(merged) < step.size:
                self._merged_rows += step.size - len(merged)
                self._merged_places.append(place)
            return np.column_stack([merged.index.to_numpy(dtype=float), merged.to_numpy()])
        if step.size > 1 and not np.all(step[1:] > step[:-1]):
            order = np.argsort(step, kind="stable")
            keep = np.ones(step.size, dtype=bool)
            keep[:-1] = step[order][1:] != step[order][:-1]  # the last row of each step
            dropped = int((~keep).sum())
            if dropped:
                self.report.skip("rows", place, f"{dropped} curve row(s) repeat an earlier step "
                                 "(e.g. logged again after a restart); the last of each is kept")
            values = values[order[keep]]
        return values

    # -- the study ---------------------------------------------------------
    def _declare(self, names: Iterable[str]) -> dict[str, Metric]:
        metrics: dict[str, Metric] = {}
        assumed = []
        for name in names:
            if name in self.options.metrics:
                metrics[name] = self.options.metrics[name]
                self.report.metrics[name] = "given by option"
            elif name in self._stated:
                metrics[name] = self._stated[name]
                self.report.metrics[name] = "stated by the format"
            else:
                metric, split_assumed = infer_metric(name)
                if metric is None:
                    self.report.skip("metric", name, "its direction is not stated and the name "
                                     "does not tell it; give it with metrics={name: 'minimize'} "
                                     "(--metric NAME=minimize|maximize[:SPLIT]) to keep it")
                    continue
                metrics[name] = metric
                if split_assumed:
                    assumed.append(name)
                self.report.metrics[name] = "inferred from the name"
            m = metrics[name]
            self.report.metrics[name] = f"{m.direction}, {m.split} ({self.report.metrics[name]})"
        if assumed:
            self.report.note(f"no split in the name of {', '.join(assumed)}: taken as "
                             "validation metric(s)")
        return metrics

    def _curves_table(self, trials: pd.DataFrame) -> pd.DataFrame:
        """The curves: blocks with the same columns stacked as one array each,
        then the (few) stacks concatenated; keys filled in by repetition."""
        if not self._curves:
            self._runs = _Runs(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), [])
            return pd.DataFrame({**{k: trials[k].iloc[:0] for k in KEY},
                                 "step": pd.Series(dtype="int64")})
        groups: dict[tuple[str, ...], list[int]] = {}
        for run, (columns, _) in enumerate(self._curves):
            groups.setdefault(columns, []).append(run)
        order, parts = [], []
        for columns, runs in groups.items():
            stacked = np.concatenate([self._curves[r][1] for r in runs])
            part = pd.DataFrame(stacked[:, 1:], columns=list(columns[1:]))
            part.insert(0, "step", stacked[:, 0].astype(np.int64))
            parts.append(part)
            order.extend(runs)
        curves = pd.concat(parts, ignore_index=True, sort=False) if len(parts) > 1 else parts[0]
        order_arr = np.asarray(order, dtype=np.int64)
        lengths = np.array([len(self._curves[r][1]) for r in order], dtype=np.int64)
        trial_of_run = np.asarray(self._curve_trial, dtype=np.int64)[order_arr]
        self._runs = _Runs(trial_of_run, lengths, [self._curves[r][0] for r in order])
        rows = np.repeat(trial_of_run, lengths)
        front = pd.DataFrame({k: trials[k].to_numpy()[rows] for k in KEY})
        return pd.concat([front, curves], axis=1)

    def _finals_and_status(self, trials: pd.DataFrame, curves: pd.DataFrame,
                           metrics: Mapping[str, Metric]) -> dict[str, np.ndarray]:
        """Final value of each metric per trial; completed trials with a
        non-finite final become diverged."""
        n = len(trials)
        trial_of_run, lengths = self._runs.trial, self._runs.lengths
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        ends = starts + lengths - 1
        status = trials["status"].to_numpy(dtype=object).copy()
        messages = trials["message"].to_numpy(dtype=object).copy()
        finals: dict[str, np.ndarray] = {}
        logged_by: dict[str, np.ndarray] = {}
        for name in metrics:
            final = np.full(n, np.nan)
            logged = np.zeros(n, dtype=bool)
            if name in curves and len(starts):
                values = curves[name].to_numpy(dtype=float)
                if self.dense:
                    final[trial_of_run] = values[ends]
                    logged[trial_of_run] = [name in c for c in self._runs.columns]
                else:
                    index = np.where(np.isnan(values), -1, np.arange(values.size))
                    last = np.maximum.reduceat(index, starts)
                    has = last >= starts
                    final[trial_of_run[has]] = values[last[has]]
                    logged[trial_of_run[has]] = True
            for i, given in enumerate(self._finals):
                if name in given:
                    final[i] = float(given[name])
                    logged[i] = True
            finals[name], logged_by[name] = final, logged
        diverged = 0
        for name in metrics:
            bad = (status == "completed") & logged_by[name] & ~np.isfinite(finals[name])
            for i in np.flatnonzero(bad):
                status[i] = "diverged"
                messages[i] = f"the last value of {name} is {finals[name][i]}"
            diverged += int(bad.sum())
        if diverged:
            self.report.note(f"{diverged} trial(s) the format calls finished are marked diverged: "
                             "the last value of a metric is not finite")
        trials["status"] = status
        trials["message"] = messages
        return finals, logged_by

    def _workloads(self, trials: pd.DataFrame, metrics: Mapping[str, Metric],
                   finals: dict[str, np.ndarray], logged_by: Mapping[str, np.ndarray]
                   ) -> dict[str, dict[str, Any]]:
        """Each workload's metrics and roles (the ``workloads`` section); finals of a
        metric its workload does not list are set to NaN (reported)."""
        workload = trials["workload"].astype(str).to_numpy()
        completed = (trials["status"] == "completed").to_numpy()
        section = {}
        for name in sorted(set(workload)):
            rows = workload == name
            done = rows & completed
            listed = []
            for m in metrics:
                if not logged_by[m][rows].any():
                    continue
                missing = int((done & ~logged_by[m]).sum())
                if missing:
                    self.report.note(f"workload {name}: {m} is not among its metrics: "
                                     f"{missing} of its {int(done.sum())} completed trial(s) "
                                     f"never log it (final.{m} is NaN there; the curves keep "
                                     "its values)")
                else:
                    listed.append(m)
            for m in metrics:
                if m not in listed:
                    finals[m][rows] = np.nan
            if not listed:
                if done.any():
                    raise DataError(f"{self.report.source}: the completed trials of workload "
                                    f"{name!r} log no metric in common; import them as "
                                    "separate workloads (constants={'workload': ...}, --set "
                                    "workload=NAME) or separately")
                listed = [m for m in metrics if logged_by[m][rows].any()] or list(metrics)
            section[name] = self._roles(listed, metrics, name)
        return section

    def _roles(self, listed: list[str], metrics: Mapping[str, Metric],
               workload: str) -> dict[str, Any]:
        """A workload's entry: its metrics, the headline (``valid``) one — the
        objective the format states (for this workload, else for the study), else
        the first validation metric, else the first — and the test and train
        metrics that match it by name."""
        own = self._objectives.get(workload)
        stated = [own] if own in listed else [m for m in self._stated if m in listed]
        valid_split = [m for m in listed if metrics[m].split == "valid"]
        valid = (stated or valid_split or listed)[0]
        entry: dict[str, Any] = {"metrics": listed, "valid": valid}
        for role in ("test", "train"):
            same = [m for m in listed if metrics[m].split == role
                    and metric_stem(m) == metric_stem(valid)]
            if same:
                entry[role] = same[0]
        return entry

    def _count_pools(self, trials: pd.DataFrame) -> None:
        """The report's counts per pool: trials, statuses, early stops, re-runs."""
        flags = np.array(self._flags, dtype=bool).reshape(-1, 2)
        names = trials["workload"].astype(str) + "/" + trials["protocol"].astype(str) + "/" + \
            trials["optimizer"].astype(str)
        code, pools = pd.factorize(names.to_numpy(), sort=True)
        n = len(pools)
        status = trials["status"].to_numpy(dtype=object)
        counts = {"trials": np.bincount(code, minlength=n)}
        for word in STATUSES:
            counts[word] = np.bincount(code, weights=status == word, minlength=n)
        counts["early-stopped"] = np.bincount(code, weights=flags[:, 0], minlength=n)
        counts["re-run"] = np.bincount(code, weights=flags[:, 1], minlength=n)
        for i, pool in enumerate(pools):
            for what, values in counts.items():
                self.report.count_pool(pool, what, int(values[i]))

    def _check_duplicates(self, trials: pd.DataFrame) -> None:
        dup = trials.duplicated(list(KEY), keep=False).to_numpy()
        if dup.any():
            first = trials[dup].iloc[0]
            same = [self._places[i] for i in np.flatnonzero(dup & (
                trials[list(KEY)] == first[list(KEY)]).all(axis=1).to_numpy())]
            raise DataError(f"{self.report.source}: {int(dup.sum())} trials share a key; e.g. "
                            f"{' and '.join(same[:2])} are both trial "
                            f"{'/'.join(str(first[k]) for k in KEY)} (give them distinct "
                            "protocols, or drop the protocol/constants option that merged them)")

    def build(self, *, name: str | None = None,
              provenance: Mapping[str, Any] | None = None) -> Study:
        """The study, validated, with the import report in its provenance.

        Raises
        ------
        DataError
            When no trial was found, or two trials share a key.
        StudyValidationError
            When the tables do not make a valid study.
        """
        if not self._rows:
            raise DataError(f"{self.report.source}: no trials found ({self.expected}); "
                            f"{len(self.report.skipped)} thing(s) skipped"
                            + (f", first: {self.report.skipped[0]}" if self.report.skipped
                               else ""))
        trials = pd.DataFrame(self._rows)
        for column in ("repeat", "trial"):
            trials[column] = trials[column].astype("int64")
        if trials["seed"].isna().all():
            trials = trials.drop(columns="seed")
        else:
            trials["seed"] = trials["seed"].astype("Int64")
        if trials["duration_s"].isna().all():
            trials = trials.drop(columns="duration_s")
        self._check_duplicates(trials)
        curves = self._curves_table(trials)
        names = [c for c in curves.columns if c not in (*KEY, *_CURVE_FIXED)]
        names += [m for f in self._finals for m in f if m not in names]
        names = list(dict.fromkeys(names))
        empty = [m for m in names if (m not in curves or curves[m].isna().all())
                 and all(np.isnan(f.get(m, np.nan)) for f in self._finals)]
        for m in empty:
            self.report.skip("metric", m, "no value at all (every entry is missing or NaN)")
        metrics = self._declare(m for m in names if m not in empty)
        curves = curves.drop(columns=[m for m in names if m in curves and m not in metrics])
        finals, logged_by = self._finals_and_status(trials, curves, metrics)
        workloads = self._workloads(trials, metrics, finals, logged_by)
        for metric, values in finals.items():
            trials[FINAL + metric] = values
        self._count_pools(trials)
        if self._merged_rows:
            self.report.note(f"{self._merged_rows} curve row(s) of {len(self._merged_places)} "
                             "trial(s) share a step with another row (e.g. a train and a "
                             "validation row of one step) and are merged into it: the last "
                             f"value of each metric is kept (first: {self._merged_places[0]})")
        if trials["message"].isna().all():
            trials = trials.drop(columns="message")
        if not metrics:
            raise DataError(f"{self.report.source}: no metric with a known direction (see the "
                            "skipped metrics; declare them with the `metrics` option)")
        targets = self.options.targets
        for workload, spec in targets.items():
            for metric in spec:
                if metric not in metrics:
                    raise ParameterError(f"`targets[{workload!r}]` names the metric {metric!r}, "
                                         f"which the import does not have; it has "
                                         f"{', '.join(metrics)}.")
        self.report.read["trials"] = len(trials)
        self.report.read["curve rows"] = len(curves)
        text = [c for c in trials.columns if c.startswith((HP, ATTR))
                and not pd.api.types.is_numeric_dtype(trials[c])
                and any(isinstance(v, str) for v in trials[c].to_numpy(dtype=object))]
        for column in text:
            trials[column] = [v if isinstance(v, str) or pd.isna(v) else str(v)
                              for v in trials[column].to_numpy(dtype=object)]
        return Study.from_frames(
            trials, curves, metrics=metrics, spaces=self._spaces, targets=targets,
            workloads=workloads,
            provenance={"importer": f"tunestats.importers.{self.report.format}",
                        "tunestats_version": __version__, **(provenance or {}),
                        "import": self.report.to_dict()},
            name=name, text_columns=text)
