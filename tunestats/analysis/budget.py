"""Were enough trials run? The budget verdict of each pool (paper Figs. 6–8, App. C).

Thin: turns a pool's trials into arrays, applies the diverged-trial policy
and asks :func:`tunestats.kernels.budget_convergence` whether the
best-of-k curve has settled at the pool's budget.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..kernels import apply_diverged_policy, budget_convergence
from ..kernels.convergence import STATISTICS
from ..study import Metric, Pool
from ..study.schema import FINAL

__all__ = ["BUDGET_COLUMNS", "STATISTICS", "pool_budget"]

BUDGET_COLUMNS = ["workload", "protocol", "optimizer", "n_trials", "n_repeats", "n_lost",
                  "statistic", "tolerance", "relative", "value_at_n", "last_gain",
                  "prob_last_gain_exceeds", "k_converged", "verdict"]


def pool_budget(pool: Pool, trials: pd.DataFrame, metric: Metric, *, tolerance: float,
                relative: bool, statistic: str, replace: bool, n_resamples: int,
                seed: Any) -> dict[str, Any]:
    """The budget verdict of one pool: has its best-of-k curve converged at its N?

    Parameters
    ----------
    pool : Pool
    trials : DataFrame
        The pool's trials, sorted by repeat and trial.
    metric : Metric
        Selected and reported metric.
    tolerance, relative, statistic, replace, n_resamples, seed
        As ``delta``, ``relative``, ``statistic``, ``replace``,
        ``n_resamples`` and ``seed`` of
        :func:`tunestats.kernels.budget_convergence`.

    Returns
    -------
    dict
        A row of the budget table (:data:`BUDGET_COLUMNS`): ``n_trials`` is
        the pool's budget N (trials per repeat, the largest over its
        repeats); ``last_gain`` the improvement of the statistic from the
        last doubling of the ladder ``1, 2, 4, …, ≤ N``;
        ``prob_last_gain_exceeds`` the bootstrap probability that it exceeds
        the tolerance; ``verdict`` ``converged``, ``not converged`` or
        ``insufficient data`` (fewer than 3 completed trials, or N < 2).

    Notes
    -----
    The pool's trials of every repeat are pooled as draws from its search
    space; diverged and failed trials count as the worst outcome (policy
    ``"worst"``) and their number is reported in ``n_lost``. The budget has
    converged at N when the kernel's ``k_converged`` exists, i.e. every
    doubling from ``k_converged`` up to the last one of the ladder improves
    the statistic by less than the tolerance.
    """
    values = trials[FINAL + metric.name].to_numpy(dtype=float)
    completed = (trials["status"] == "completed").to_numpy() & np.isfinite(values)
    n = int(trials.groupby("repeat").size().max())
    row = {**pool._asdict(), "n_trials": n, "n_repeats": int(trials["repeat"].nunique()),
           "n_lost": int((~completed).sum()), "statistic": statistic, "tolerance": tolerance,
           "relative": relative, "value_at_n": np.nan, "last_gain": np.nan,
           "prob_last_gain_exceeds": np.nan, "k_converged": None}
    if completed.sum() < 3 or n < 2:
        return {**row, "verdict": "insufficient data"}
    ready = apply_diverged_policy(values, values, policy="worst", diverged=~completed,
                                  select_direction=metric.direction,
                                  report_direction=metric.direction)
    result = budget_convergence(ready.select, ready.report, delta=tolerance, relative=relative,
                                statistic=statistic, k_max=n, replace=replace,
                                select_direction=metric.direction,
                                report_direction=metric.direction, n_resamples=n_resamples,
                                seed=seed)
    return {**row, "value_at_n": float(result.values[-1]), "last_gain": float(result.gain[-1]),
            "prob_last_gain_exceeds": float(result.prob_gain_exceeds[-1]),
            "k_converged": result.k_converged,
            "verdict": "not converged" if result.k_converged is None else "converged"}
