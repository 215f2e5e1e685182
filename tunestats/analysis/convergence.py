"""Has a study run enough trials? Budget convergence of the best-of-k curve, per pool."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .._checks import check_choice, check_positive_int, check_real
from .._random import DEFAULT_SEED, root_sequence
from ..errors import ParameterError
from ..kernels import POLICIES
from ..kernels import budget_convergence as pool_convergence
from ..kernels.convergence import STATISTICS
from ..study import Study
from ._pools import Group, apply_groups, final_values, pool_generator

__all__ = ["budget_convergence"]


def budget_convergence(study: Study, *, select: str | None = None,
                       report: str | None = None, delta: float, relative: bool = False, statistic: str = "median",
                       replace: bool = True, diverged: str = "worst", n_resamples: int = 1000,
                       seed: Any = DEFAULT_SEED) -> pd.DataFrame:
    """For every pool: the smallest budget after which doubling gains at most δ.

    Parameters
    ----------
    study : Study
    select, report : str, optional
        Selection and reported metrics (final values; names or roles resolved
        per workload), as for :func:`tunestats.best_of_k`.
    delta : float
        Tolerance δ ≥ 0 on the gain of doubling the budget, in the units of
        ``report`` (a fraction with ``relative=True``).
    relative : bool, default False
        Gains relative to the value at the smaller budget.
    statistic : {"median", "mean"}, default "median"
        Statistic of the best-of-k reported value that must settle. The
        median is the default because counting diverged trials as worst makes
        the mean infinite whenever they can be picked.
    replace : bool, default True
        Best-of-k sampling scheme.
    diverged : {"worst", "exclude"}, default "worst"
        Policy for trials that did not complete (see :func:`tunestats.best_of_k`).
    n_resamples : int, default 1000
        Outer-bootstrap resamples for the probability that doubling helps.
    seed : int, SeedSequence or Generator, default 0
        Seed; each pool draws from its own stream (see :func:`tunestats.best_of_k`).

    Returns
    -------
    DataFrame
        One row per pool: ``workload, protocol, optimizer, select, report,
        statistic, delta, relative, converged, k_converged`` (``<NA>`` when
        not converged), ``prob_doubling_helps`` (probability that doubling
        from ``k_converged`` — or, when not converged, the last doubling —
        gains more than δ), ``k_max, gain_last`` (gain of the last doubling,
        ``k_max/2 → k_max``), ``replace, diverged, n_trials, n_diverged``.

    Notes
    -----
    On the ladder ``k = 1, 2, 4, …, k_max ≤ N`` with :math:`m(k)` the exact
    statistic and :math:`g(k) = m(k) - m(2k)` (sign-adjusted for a maximised
    ``report``; divided by :math:`|m(k)|` if relative),
    :math:`k^* = \\min\\{k_i : g(k_j) \\le \\delta \\ \\forall j \\ge i\\}`; the
    probability is the fraction of outer-bootstrap resamples of the pool with
    :math:`g(k^*) > \\delta` (:func:`tunestats.kernels.budget_convergence`).
    A pool has "run enough trials" when it converged before its last
    doubling and that probability is small.

    References
    ----------
    .. [1] Choi, D. et al. (2019). On Empirical Comparisons of Optimizers for
       Deep Learning. arXiv:1910.05446, Figures 6–8.
    """
    if not isinstance(study, Study):
        raise ParameterError(f"`study` must be a tunestats Study; got {type(study).__name__}.")
    delta = check_real("delta", delta, low=0.0)
    check_choice("statistic", statistic, STATISTICS)
    check_choice("diverged", diverged, POLICIES)
    n_resamples = check_positive_int("n_resamples", n_resamples)
    root = root_sequence(seed)

    def one(group: Group) -> pd.DataFrame:
        pool, select_metric, report_metric = group.key, group.select, group.report
        values = final_values(group.trials, diverged, select_metric, report_metric)
        result = pool_convergence(
            values.select, values.report, delta=delta, relative=relative,
            statistic=statistic, replace=replace, select_direction=select_metric.direction,
            report_direction=report_metric.direction, n_resamples=n_resamples,
            seed=pool_generator(root, pool))
        converged = result.k_converged is not None
        return pd.DataFrame([{
            **pool._asdict(), "select": select_metric.name, "report": report_metric.name,
            "statistic": statistic, "delta": result.delta, "relative": result.relative,
            "converged": converged,
            "k_converged": result.k_converged if converged else pd.NA,
            "prob_doubling_helps": (result.prob_at_converged if converged
                                    else float(result.prob_gain_exceeds[-1])),
            "k_max": int(result.k[-1]), "gain_last": float(result.gain[-1]),
            "replace": bool(replace), "diverged": diverged,
            "n_trials": values.select.size, "n_diverged": values.n_touched}])

    frame = apply_groups(study, one, select=select, report=report)
    frame["k_converged"] = frame["k_converged"].astype("Int64")
    return frame
