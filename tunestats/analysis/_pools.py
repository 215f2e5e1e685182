"""From a study to the arrays of one pool: the pool-by-pool apply-and-combine helper
(:func:`apply_groups`), metric checks, final values, the
diverged-trial policy, per-pool random streams and pool-named errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._random import keyed_generator
from ..errors import DataError, ParameterError
from ..kernels import PolicyOutcome, apply_diverged_policy
from ..study import Metric, Pool, Study
from ..study.schema import FINAL, ROLES

__all__ = [
    "Group",
    "apply_groups",
    "curve_metric",
    "final_metric",
    "final_values",
    "group_metrics",
    "lost",
    "policy_outcome",
    "pool_errors",
    "pool_generator",
    "pools_of",
]


def _declared(study: Study, name: Any, argument: str) -> Metric:
    if not isinstance(name, str):
        raise ParameterError(f"`{argument}` must be a metric name; got {name!r}.")
    return study.metric(name)


def final_metric(study: Study, name: Any, argument: str) -> Metric:
    """The declared metric ``name`` whose final values the trials table holds."""
    metric = _declared(study, name, argument)
    if f"{FINAL}{name}" not in study.trials.columns:
        raise DataError(f"the trials table has no column '{FINAL}{name}' (final value of the "
                        f"metric `{argument}`={name!r}).")
    return metric


def curve_metric(study: Study, name: Any, argument: str) -> Metric:
    """The declared metric ``name`` that the curves table holds."""
    metric = _declared(study, name, argument)
    if name not in study.curves.columns:
        raise DataError(f"the curves table has no column {name!r} (the metric "
                        f"`{argument}`={name!r}).")
    return metric


def pools_of(study: Study) -> list[tuple[Pool, pd.DataFrame]]:
    """Every pool with its trials; a study without trials is an error."""
    pools = list(study.pools())
    if not pools:
        raise DataError("the study has no trials: there is no pool to analyse.")
    return pools


@contextmanager
def pool_errors(pool: Pool | str, level: str = "pool") -> Iterator[None]:
    """Prefix the message of an error raised for one pool (or workload) with its name;
    the original exception stays attached as the cause."""
    try:
        yield
    except (ParameterError, DataError) as exc:
        raise type(exc)(f"{level} {pool}: {exc}") from exc


@dataclass(frozen=True)
class Group:
    """One group handed to the function of :func:`apply_groups`.

    Attributes
    ----------
    key : Pool or str
        The pool, or the workload (``level="workload"``).
    trials : DataFrame
        The group's trials.
    select, report : Metric or None
        ``select``/``report`` resolved for the group's workload (None where
        not asked for).
    study : Study or None
        The study restricted to the workload (``level="workload"`` only).
    """

    key: Pool | str
    trials: pd.DataFrame
    select: Metric | None
    report: Metric | None
    study: Study | None = None


_NEEDS = {"final": final_metric, "curve": curve_metric, None: None}


def group_metrics(study: Study, workload: str, select: str | None, report: str | None,
                  need: str | None = "final") -> tuple[Metric, Metric]:
    """``select`` and ``report`` resolved for one workload (metric names or roles).

    ``select=None`` is the workload's headline (``valid``) metric;
    ``report=None`` its ``test`` metric where it has one, else ``select``'s.
    ``need`` checks that the trials (``"final"``) or the curves (``"curve"``)
    hold both.
    """
    chosen = study.resolve_metric("valid" if select is None else select, workload)
    if report is None:
        test = study.workload_metrics(workload).test
        reported = chosen if test is None else study.metric(test)
    else:
        reported = study.resolve_metric(report, workload)
    check = _NEEDS[need]
    if check is not None:
        check(study, chosen.name, "select")
        check(study, reported.name, "report")
    return chosen, reported


def apply_groups(study: Study, func: Callable[[Group], Any], *, level: str = "pool",
                 select: str | None = None, report: str | None = None,
                 need: str | None = "final", combine: bool = True) -> Any:
    """Apply ``func`` to every pool (or workload) and combine the frames it returns.

    The one split-apply-combine of the analyses (seaborn's ``GroupBy``):
    groups in one order — sorted by workload, protocol, optimizer names —
    ``select``/``report`` resolved per workload (a metric name or a role
    ``valid``/``test``/``train``; see :func:`group_metrics`), the frames
    concatenated in that order. An error raised for a group names it and
    keeps the original exception as its cause.

    Parameters
    ----------
    study : Study
    func : callable
        ``func(group: Group) -> DataFrame`` (None: nothing for that group).
    level : {"pool", "workload"}
    select, report : str, optional
        Metric names or roles.
    need : {"final", "curve"} or None
        What must hold the metrics (see :func:`group_metrics`).
    combine : bool
        Concatenate the frames (default), or return the results as a list.

    Returns
    -------
    DataFrame, or list of what ``func`` returned (``combine=False``)
    """
    if level == "pool":
        groups = [(pool, frame, pool.workload) for pool, frame in pools_of(study)]
    elif level == "workload":
        if not len(study.trials):
            raise DataError("the study has no trials: there is no workload to analyse.")
        groups = [(w, None, w) for w in study.workloads()]
    else:
        raise ParameterError(f"`level` must be 'pool' or 'workload'; got {level!r}.")
    check = _NEEDS[need]
    for argument, name in (("select", select), ("report", report)):
        if name is not None and (name in study.metrics or name not in ROLES):
            study.metric(name) if check is None else check(study, name, argument)  # at the door
    frames = []
    for key, trials, workload in groups:
        with pool_errors(key, level):
            chosen, reported = group_metrics(study, workload, select, report, need)
            sub = None
            if level == "workload":
                sub = study.select(workload=workload)
                trials = sub.trials
            out = func(Group(key, trials, chosen, reported, sub))
        if out is not None:
            frames.append(out)
    if not combine:
        return frames
    if not frames:
        raise DataError("no pool gave a result.")
    return pd.concat(frames, ignore_index=True)


def lost(frame: pd.DataFrame) -> np.ndarray:
    """Trials whose status is not ``completed`` (diverged or failed)."""
    return (frame["status"].astype(str) != "completed").to_numpy()


def policy_outcome(select: np.ndarray, report: np.ndarray, lost: np.ndarray | None,
                   policy: str, select_metric: Metric, report_metric: Metric,
                   lost_value: float | None = None) -> PolicyOutcome:
    """One pool's values after the diverged-trial ``policy`` (``lost``: the mask of its
    diverged/failed trials), in the directions of the two metrics."""
    return apply_diverged_policy(select, report, policy=policy, lost=lost,
                                 select_direction=select_metric.direction,
                                 report_direction=report_metric.direction,
                                 lost_value=lost_value)


def final_values(trials: pd.DataFrame, policy: str, select_metric: Metric,
                 report_metric: Metric, lost_value: float | None = None) -> PolicyOutcome:
    """One pool's final selection and reported values, after the policy; trials that did
    not complete count as diverged."""
    return policy_outcome(trials[f"{FINAL}{select_metric.name}"].to_numpy(float),
                          trials[f"{FINAL}{report_metric.name}"].to_numpy(float), lost(trials),
                          policy, select_metric, report_metric, lost_value)


def pool_generator(root: np.random.SeedSequence, pool: Pool) -> np.random.Generator:
    """A random stream for one pool: from the call's root sequence and the pool's name only
    (:func:`tunestats._random.keyed_generator`), so that a pool's numbers do not depend on
    which other pools are analysed."""
    return keyed_generator(root, tuple(pool))

