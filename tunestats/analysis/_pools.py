"""From a study to the arrays of one pool: metric checks, final values, curve matrices,
the diverged-trial policy, per-pool random streams and pool-named errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from .._random import keyed_generator
from ..errors import DataError, ParameterError
from ..kernels import PolicyOutcome, apply_diverged_policy
from ..study import Metric, Pool, Study
from ..study.schema import FINAL, KEY

__all__ = ["curve_matrix", "curve_metric", "final_metric", "final_values", "lost", "pool_errors",
           "pool_generator", "pool_values", "pools_of", "quantile_column"]


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
def pool_errors(pool: Pool) -> Iterator[None]:
    """Prefix the message of an error raised for one pool with the pool's name."""
    try:
        yield
    except (ParameterError, DataError) as exc:
        raise type(exc)(f"pool {pool}: {exc}") from None


def lost(frame: pd.DataFrame) -> np.ndarray:
    """Trials whose status is not ``completed`` (diverged or failed)."""
    return (frame["status"].astype(str) != "completed").to_numpy()


def pool_values(select: np.ndarray, report: np.ndarray, flagged: np.ndarray | None,
                policy: str, select_metric: Metric, report_metric: Metric,
                lost_value: float | None = None) -> PolicyOutcome:
    """Apply the diverged-trial policy to one pool's values."""
    return apply_diverged_policy(select, report, policy=policy, diverged=flagged,
                                 select_direction=select_metric.direction,
                                 report_direction=report_metric.direction,
                                 lost_value=lost_value)


def final_values(trials: pd.DataFrame, policy: str, select_metric: Metric,
                 report_metric: Metric, lost_value: float | None = None) -> PolicyOutcome:
    """One pool's final selection and reported values, after the policy; trials that did
    not complete count as diverged."""
    return pool_values(trials[f"{FINAL}{select_metric.name}"].to_numpy(float),
                       trials[f"{FINAL}{report_metric.name}"].to_numpy(float), lost(trials),
                       policy, select_metric, report_metric, lost_value)


def curve_matrix(curves: pd.DataFrame, trials: pd.DataFrame,
                 metric: str) -> tuple[np.ndarray, np.ndarray]:
    """Steps ``(S,)`` and values ``(S, N)`` of one metric for the trials of one pool.

    Columns follow the order of ``trials``; a step a trial did not record is NaN.
    """
    keys = list(KEY[3:])
    wide = curves.pivot(index="step", columns=keys, values=metric)
    wide = wide.reindex(columns=pd.MultiIndex.from_frame(trials[keys]))
    return wide.index.to_numpy(), wide.to_numpy(dtype=float)


def pool_generator(root: np.random.SeedSequence, pool: Pool) -> np.random.Generator:
    """A random stream for one pool: from the call's root sequence and the pool's name only
    (:func:`tunestats._random.keyed_generator`), so that a pool's numbers do not depend on
    which other pools are analysed."""
    return keyed_generator(root, tuple(pool))


def quantile_column(q: float) -> str:
    """Column name of a quantile level: 0.05 → ``q05``, 0.5 → ``q50``, 0.025 → ``q2.5``."""
    percent = round(100 * float(q), 10)
    return f"q{int(percent):02d}" if percent.is_integer() else f"q{percent:g}"

