"""The :class:`Study`: a tuning study's trials, curves and metadata."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from .._checks import as_list
from ..errors import DataError, ParameterError, StudyValidationError, warn_problems
from ..space import SearchSpace
from .meta import Metric, StudyMeta, WorkloadMetrics
from .schema import (
    ATTR,
    FINAL,
    HP,
    KEY,
    POOL,
    ROLES,
    STRING,
    normalize_curves,
    normalize_trials,
)
from .validate import validate_tables

__all__ = ["Pool", "Study"]


class Pool(NamedTuple):
    """The key of a pool: all trials of one optimizer on one workload under one protocol.

    Attributes
    ----------
    workload, protocol, optimizer : str
        The pool's names, as in the trial table.
    """

    workload: str
    protocol: str
    optimizer: str

    def __str__(self) -> str:
        return f"{self.workload}/{self.protocol}/{self.optimizer}"


def _metrics_from(metrics: Any) -> dict[str, Metric]:
    if isinstance(metrics, Metric):
        metrics = [metrics]
    if isinstance(metrics, Mapping):
        out = {}
        for name, spec in metrics.items():
            if isinstance(spec, Metric):
                out[name] = spec
            elif isinstance(spec, Mapping):
                out[name] = Metric(name, spec.get("direction"), spec.get("split"),
                                   spec.get("unit"))
            else:
                raise ParameterError(f"`metrics[{name!r}]` must be a Metric or a mapping with "
                                     f"direction and split; got {spec!r}.")
        return out
    if isinstance(metrics, Iterable) and not isinstance(metrics, str):
        items = list(metrics)
        if all(isinstance(m, Metric) for m in items):
            return {m.name: m for m in items}
    raise ParameterError("`metrics` must be a mapping of name → Metric (or {direction, split}) "
                         f"or a list of Metric; got {metrics!r}.")


def _workloads_from(workloads: Any) -> dict[str, WorkloadMetrics]:
    if workloads is None:
        return {}
    if not isinstance(workloads, Mapping):
        raise ParameterError("`workloads` must map a workload to a WorkloadMetrics (or "
                             f"{{metrics, valid, test, train}}); got {type(workloads).__name__}.")
    out = {}
    for workload, spec in workloads.items():
        if isinstance(spec, Mapping):
            unknown = sorted(set(spec) - {"metrics", *ROLES})
            if unknown or "metrics" not in spec or "valid" not in spec:
                raise ParameterError(f"`workloads[{workload!r}]` needs `metrics` and `valid` "
                                     f"(and optionally test, train); got {dict(spec)!r}.")
            spec = WorkloadMetrics(tuple(spec["metrics"]), spec["valid"], spec.get("test"),
                                   spec.get("train"))
        if not isinstance(spec, WorkloadMetrics):
            raise ParameterError(f"`workloads[{workload!r}]` must be a WorkloadMetrics; "
                                 f"got {spec!r}.")
        out[str(workload)] = spec
    return out


def _spaces_from(spaces: Any) -> dict[tuple[str, str], SearchSpace]:
    if spaces is None:
        return {}
    if not isinstance(spaces, Mapping):
        raise ParameterError("`spaces` must be a mapping of (protocol, optimizer) → SearchSpace; "
                             f"got {type(spaces).__name__}.")
    out = {}
    for pool, space in spaces.items():
        if not (isinstance(pool, tuple) and len(pool) == 2):
            raise ParameterError("`spaces` keys must be (protocol, optimizer) pairs; "
                                 f"got {pool!r}.")
        if isinstance(space, Mapping):
            space = SearchSpace.from_dict(space)
        if not isinstance(space, SearchSpace):
            raise ParameterError(f"`spaces[{pool!r}]` must be a SearchSpace; got {space!r}.")
        out[(str(pool[0]), str(pool[1]))] = space
    return out


class Study:
    """A tuning study: trials, their curves and the study's metadata.

    Build one with :func:`tunestats.load_study`, :meth:`Study.from_frames` or
    ``Study(trials, curves, meta)``; each validates (raising
    :class:`~tunestats.StudyValidationError` with every problem) and
    normalises the tables to the canonical dtypes and row order described in
    :mod:`tunestats.study.schema`. A study is read-only: its attributes cannot
    be reassigned (derive a new study with :meth:`select` or build one from
    changed frames), and the analyses never modify its tables.

    Parameters
    ----------
    trials : DataFrame
        One row per trial.
    curves : DataFrame
        One row per (trial, evaluation step).
    meta : StudyMeta
        The study's metadata.
    source : str, optional
        Where the study came from, for messages.

    """

    __slots__ = ("_curves", "_meta", "_problems", "_source", "_trials")

    def __init__(self, trials: pd.DataFrame, curves: pd.DataFrame, meta: StudyMeta, *,
                 source: str | None = None):
        if not isinstance(meta, StudyMeta):
            raise ParameterError(f"`meta` must be a StudyMeta; got {type(meta).__name__}.")
        for name, frame in (("trials", trials), ("curves", curves)):
            if not isinstance(frame, pd.DataFrame):
                raise ParameterError(f"`{name}` must be a DataFrame; got "
                                     f"{type(frame).__name__}.")
        label = source or "DataFrame"
        self._init_checked(trials, curves, meta, files={"trials": f"trials ({label})",
                                                        "curves": f"curves ({label})"},
                           source=source)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a Study is read-only; cannot set {name!r} (build a new study "
                             "from changed frames, or use Study.select).")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a Study is read-only; cannot delete {name!r}.")

    @property
    def trials(self) -> pd.DataFrame:
        """One row per trial: key, seed, status, ``hp.*``, ``final.*``, …"""
        return self._trials

    @property
    def curves(self) -> pd.DataFrame:
        """One row per (trial, evaluation step)."""
        return self._curves

    @property
    def meta(self) -> StudyMeta:
        """Metrics, search spaces, targets, inclusion graph, provenance."""
        return self._meta

    @property
    def source(self) -> str | None:
        """The folder the study was read from, for messages."""
        return self._source

    @property
    def problems(self) -> list:
        """The warnings found when the study was validated (a copy)."""
        return list(self._problems)

    # -- construction ---------------------------------------------------------
    @classmethod
    def from_frames(cls, trials: pd.DataFrame, curves: pd.DataFrame | None = None, *,
                    metrics: Any, spaces: Any = None,
                    targets: Mapping[str, Mapping[str, float]] | None = None,
                    inclusion: Mapping[str, Any] | None = None,
                    provenance: Mapping[str, Any] | None = None,
                    name: str | None = None, text_columns: Iterable[str] = (),
                    workloads: Mapping[str, Any] | None = None) -> Study:
        """Build a study from pandas tables, validating them.

        Parameters
        ----------
        trials : DataFrame
            One row per trial (columns as in :mod:`tunestats.study.schema`).
        curves : DataFrame, optional
            One row per evaluation; an empty curves table when omitted.
        metrics : mapping or list
            ``{name: Metric}``, ``{name: {"direction": ..., "split": ...}}`` or
            a list of :class:`Metric`.
        spaces : mapping, optional
            ``{(protocol, optimizer): SearchSpace}``.
        targets, inclusion, provenance, name
            As in ``study.json``.
        text_columns : iterable of str
            ``hp.``/``attr.`` columns to keep as text even when their values
            look like numbers.
        workloads : mapping, optional
            ``{workload: WorkloadMetrics}`` or ``{workload: {"metrics": [...],
            "valid": ..., "test": ..., "train": ...}}``: the metrics each
            workload logs and their roles (``workloads`` in ``study.json``).

        Raises
        ------
        StudyValidationError
            With every problem found.
        """
        if not isinstance(trials, pd.DataFrame):
            raise ParameterError(f"`trials` must be a DataFrame; got {type(trials).__name__}.")
        if curves is None:
            curves = pd.DataFrame({c: pd.Series(dtype="int64" if c in ("repeat", "trial")
                                                else STRING) for c in KEY})
            curves["step"] = pd.Series(dtype="int64")
        elif not isinstance(curves, pd.DataFrame):
            raise ParameterError(f"`curves` must be a DataFrame; got {type(curves).__name__}.")
        meta = StudyMeta(_metrics_from(metrics), _spaces_from(spaces), dict(targets or {}),
                         inclusion, dict(provenance or {}), tuple(text_columns), name=name,
                         workloads=_workloads_from(workloads))
        return cls._checked(trials, curves, meta, files={"trials": "trials (DataFrame)",
                                                         "curves": "curves (DataFrame)"})

    @classmethod
    def _checked(cls, trials: pd.DataFrame, curves: pd.DataFrame, meta: StudyMeta, *,
                 files: Mapping[str, str], source: str | None = None,
                 extra_problems: Iterable = (), warn: bool = True) -> Study:
        """Validate raw tables, raise on errors, warn on warnings, normalise."""
        study = cls.__new__(cls)
        study._init_checked(trials, curves, meta, files=files, source=source,
                            extra_problems=extra_problems, warn=warn)
        return study

    def __reduce__(self) -> tuple:
        return (_restore, (self._trials, self._curves, self._meta, self._source,
                           self._problems))

    def _init_checked(self, trials: pd.DataFrame, curves: pd.DataFrame, meta: StudyMeta, *,
                      files: Mapping[str, str], source: str | None = None,
                      extra_problems: Iterable = (), warn: bool = True) -> None:
        """The one construction path: validate, raise on errors, warn on warnings
        (unless ``warn`` is False), normalise, then set the (read-only) attributes."""
        validation = validate_tables(trials, curves, meta, files)
        problems = [*extra_problems, *validation.problems]
        if any(p.severity == "error" for p in problems):
            raise StudyValidationError(problems, source)
        if warn:
            warn_problems(problems)
        text = set(meta.text_columns)
        trials = normalize_trials(trials, text)
        meta = dataclasses.replace(meta, text_columns=tuple(
            c for c in trials.columns if c.startswith((HP, ATTR)) and trials[c].dtype == STRING))
        curves = normalize_curves(curves, trials, in_order=validation.curves_in_order)
        meta = dataclasses.replace(meta, curve_columns=tuple(curves.columns))
        for name, value in (("_trials", trials), ("_curves", curves), ("_meta", meta),
                            ("_source", source), ("_problems", problems)):
            object.__setattr__(self, name, value)

    # -- metadata shortcuts ---------------------------------------------------
    @property
    def metrics(self) -> Mapping[str, Metric]:
        """Declared metrics by name."""
        return self.meta.metrics

    @property
    def spaces(self) -> Mapping[tuple[str, str], SearchSpace]:
        """Search spaces by (protocol, optimizer)."""
        return self.meta.spaces

    @property
    def targets(self) -> Mapping[str, Mapping[str, float]]:
        """Targets by workload and metric."""
        return self.meta.targets

    @property
    def provenance(self) -> Mapping[str, Any]:
        return self.meta.provenance

    @property
    def hyperparameters(self) -> list[str]:
        """Hyperparameter names (columns ``hp.<name>`` without the prefix)."""
        return [c[len(HP):] for c in self.trials.columns if c.startswith(HP)]

    def metric(self, name: str) -> Metric:
        """The declared metric ``name``, or a clear error listing those declared."""
        try:
            return self.meta.metrics[name]
        except KeyError:
            raise ParameterError(f"unknown metric {name!r}: the study declares "
                                 f"{', '.join(self.meta.metrics)}.") from None

    def headline_metric(self, workload: str | None = None) -> Metric:
        """The metric the study (or one workload) is judged by.

        For a ``workload``: its ``valid`` metric (see :meth:`workload_metrics`).
        For the whole study: the first declared validation metric with final
        values (else the first metric with final values).

        Raises
        ------
        DataError
            If no metric has final values (no ``final.<metric>`` column).
        ParameterError
            For a workload the study does not have.
        """
        if workload is not None:
            return self.metric(self.workload_metrics(workload).valid)
        return self.metric(self._study_role("valid"))

    def _study_role(self, role: str) -> str:
        """The study-level rule: the first declared metric of split ``role`` with final
        values (for ``valid``: else the first metric with final values)."""
        finals = [m for m in self.meta.metrics if FINAL + m in self.trials]
        if not finals:
            raise DataError("the trials have no final.<metric> column")
        of_split = [m for m in finals if self.meta.metrics[m].split == role]
        if of_split:
            return of_split[0]
        if role == "valid":
            return finals[0]
        raise ParameterError(f"no metric with final values plays the role {role!r}: the "
                             f"study has final values of {', '.join(finals)}.")

    def workloads(self) -> list[str]:
        """The workloads that have trials, sorted."""
        return sorted(str(w) for w in self.trials["workload"].unique())

    def workload_metrics(self, workload: str) -> WorkloadMetrics:
        """The metrics ``workload`` logs and the metric playing each role.

        As declared under ``workloads`` in ``study.json``; for a study without
        that section, derived: every declared metric, ``valid`` by the
        study-level rule (see :meth:`headline_metric`), ``test`` and
        ``train`` the first declared metric of that split.

        Raises
        ------
        ParameterError
            For a workload the study does not have (or has no entry for).
        """
        present = self.workloads()
        if workload not in present and workload not in self.meta.workloads:
            raise ParameterError(f"unknown workload {workload!r}: the study has "
                                 f"{', '.join(present)}.")
        if self.meta.workloads:
            try:
                return self.meta.workloads[workload]
            except KeyError:
                raise ParameterError(f"workload {workload!r} has no entry under `workloads` "
                                     "in study.json") from None
        roles = {role: next((m for m, metric in self.meta.metrics.items()
                             if metric.split == role), None) for role in ("test", "train")}
        return WorkloadMetrics(tuple(self.meta.metrics), self._study_role("valid"), **roles)

    def resolve_metric(self, name_or_role: str, workload: str | None = None) -> Metric:
        """The metric meant by a metric name or a role, for one workload.

        Parameters
        ----------
        name_or_role : str
            A declared metric name, or one of the roles ``"valid"``, ``"test"``,
            ``"train"`` (the workload's metric playing that role).
        workload : str, optional
            The workload; None: the study-level rule for roles, and no check
            that a named metric is logged.

        Raises
        ------
        ParameterError
            An unknown metric; a role the workload has no metric for; a metric
            the workload does not log.
        """
        if not isinstance(name_or_role, str):
            raise ParameterError("a metric must be given as a metric name or one of the roles "
                                 f"{', '.join(ROLES)}; got {name_or_role!r}.")
        if name_or_role in ROLES and name_or_role not in self.meta.metrics:
            if workload is None:
                return self.metric(self._study_role(name_or_role))
            name = self.workload_metrics(workload).role(name_or_role)
            if name is None:
                raise ParameterError(f"workload {workload!r} has no metric playing the role "
                                     f"{name_or_role!r}.")
            return self.metric(name)
        metric = self.metric(name_or_role)
        if workload is not None and self.meta.workloads:
            logged = self.workload_metrics(workload).metrics
            if name_or_role not in logged:
                raise ParameterError(f"workload {workload!r} does not log the metric "
                                     f"{name_or_role!r}; it logs {', '.join(logged)}.")
        return metric

    # -- pools and selection --------------------------------------------------
    def pool_keys(self) -> list[Pool]:
        """The (workload, protocol, optimizer) pools that have trials, sorted."""
        frame = self.trials[list(POOL)].drop_duplicates().sort_values(list(POOL))
        return [Pool(*(str(v) for v in row)) for row in frame.itertuples(index=False)]

    def pools(self) -> Iterator[tuple[Pool, pd.DataFrame]]:
        """Iterate ``(Pool, trials of that pool)``, sorted by pool."""
        groups = self.trials.groupby(list(POOL), observed=True, sort=True)
        for key, frame in groups:
            yield Pool(*(str(k) for k in key)), frame

    def select(self, *, workload: Any = None, protocol: Any = None, optimizer: Any = None,
               status: Any = None) -> Study:
        """A study restricted to the given workloads, protocols, optimizers and statuses.

        Each argument is a name or a list of names; ``None`` keeps everything.
        Asking for a name the study does not have is an error (a typo would
        otherwise give an empty study).
        """
        mask = np.ones(len(self.trials), dtype=bool)
        for column, wanted in (("workload", workload), ("protocol", protocol),
                               ("optimizer", optimizer), ("status", status)):
            if wanted is None:
                continue
            wanted = as_list(wanted)
            present = set(self.trials[column].astype(str))
            unknown = [w for w in wanted if w not in present]
            if unknown:
                raise ParameterError(f"`{column}` {unknown[0]!r} is not in the study; "
                                     f"it has {', '.join(sorted(present))}.")
            mask &= self.trials[column].isin(wanted).to_numpy()
        return self.subset(mask)

    def subset(self, mask: Any) -> Study:
        """The study of the trials where ``mask`` holds, with their curves.

        Parameters
        ----------
        mask : array of bool
            One entry per row of :attr:`trials`.

        Returns
        -------
        Study
            Built through the validated path (its warnings are not repeated).
        """
        mask = np.asarray(mask)
        if mask.dtype != bool or mask.shape != (len(self.trials),):
            raise ParameterError(f"`mask` must hold one bool per trial ({len(self.trials)}); "
                                 f"got dtype {mask.dtype} and shape {mask.shape}.")
        trials = self.trials[mask]
        keys = trials[list(KEY)]
        curves = self.curves.merge(keys, on=list(KEY), how="inner") if len(self.curves) else (
            self.curves)
        return Study._checked(trials, curves, self.meta, files={
            "trials": f"trials ({self.source or 'selection'})",
            "curves": f"curves ({self.source or 'selection'})"}, source=self.source,
            warn=False)  # its warnings are among those of this study, already given

    # -- summaries and output -------------------------------------------------
    def summary(self) -> pd.DataFrame:
        """One row per pool: trials by status, best final value of each metric,
        hyperparameters tuned (those that vary within the pool)."""
        rows = []
        finals = [c for c in self.trials.columns if c.startswith(FINAL)]
        for pool, frame in self.pools():
            row: dict[str, Any] = dict(pool._asdict())
            row["trials"] = len(frame)
            for status in ("completed", "diverged", "failed"):
                row[status] = int((frame["status"] == status).sum())
            for col in finals:
                metric = self.meta.metrics[col[len(FINAL):]]
                values = frame.loc[frame["status"] == "completed", col].to_numpy(dtype=float)
                empty = not values.size or np.all(np.isnan(values))
                row[f"best {metric.name}"] = np.nan if empty else (
                    np.nanmin(values) if metric.direction == "minimize" else np.nanmax(values))
            tuned = [c[len(HP):] for c in frame.columns if c.startswith(HP)
                     and frame[c].nunique(dropna=True) > 1]
            row["tuned"] = ", ".join(tuned)
            rows.append(row)
        return pd.DataFrame(rows)

    def save(self, path: Any, *, format: str = "parquet") -> None:
        """Write the study to the folder ``path`` (see :func:`tunestats.save_study`)."""
        from .io import save_study

        save_study(self, path, format=format)

    def __repr__(self) -> str:
        return (f"<Study {self.meta.name or self.source or ''}: {len(self.trials)} trials in "
                f"{len(self.pool_keys())} pools, {len(self.curves)} curve rows, metrics "
                f"{', '.join(self.meta.metrics)}>")


def _restore(trials: pd.DataFrame, curves: pd.DataFrame, meta: StudyMeta, source: str | None,
             problems: list) -> Study:
    """Rebuild a pickled :class:`Study` (already validated when it was pickled)."""
    study = Study.__new__(Study)
    for name, value in (("_trials", trials), ("_curves", curves), ("_meta", meta),
                        ("_source", source), ("_problems", problems)):
        object.__setattr__(study, name, value)
    return study
