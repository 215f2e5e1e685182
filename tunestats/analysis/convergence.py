"""Has a study run enough trials? Budget convergence of the best-of-k curve, per pool."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._checks import check_choice, check_positive_int, check_real
from .._random import DEFAULT_SEED, root_sequence
from ..errors import ParameterError
from ..kernels import POLICIES, budget_verdict, seed_noise
from ..kernels import budget_convergence as pool_convergence
from ..kernels.convergence import STATISTICS
from ..study import Metric, Study
from ..study.schema import FINAL
from ._pools import Group, apply_groups, final_values, pool_generator

__all__ = ["budget_convergence", "pool_noise"]


def pool_noise(trials: pd.DataFrame, metric: Metric) -> tuple[float, int]:
    """Seed-to-seed noise of ``metric`` in one pool (:func:`tunestats.kernels.seed_noise`):
    the completed trials with a finite value that share every hyperparameter value are runs
    of one configuration.

    Parameters
    ----------
    trials : DataFrame
        The pool's trials (``status``, ``hp.*`` and ``final.<metric>`` columns).
    metric : Metric
        The metric whose noise is wanted.

    Returns
    -------
    (float, int)
        The pooled within-configuration standard deviation and its degrees of
        freedom; ``(nan, 0)`` when no configuration completed twice.
    """
    values = trials[FINAL + metric.name].to_numpy(dtype=float)
    done = trials[(trials["status"] == "completed").to_numpy() & np.isfinite(values)]
    params = sorted(c for c in done.columns if c.startswith("hp."))
    if not params or len(done) < 2:
        return float("nan"), 0
    configs = done.groupby(params, dropna=False, observed=True, sort=False).ngroup()
    return seed_noise(done[FINAL + metric.name].to_numpy(dtype=float), configs.to_numpy())


def budget_convergence(study: Study, *, select: str | None = None,
                       report: str | None = None, delta: float | None = None,
                       tolerance: float = 0.1, relative: bool = False,
                       statistic: str = "median", replace: bool = True,
                       diverged: str = "worst", n_resamples: int = 1000,
                       seed: Any = DEFAULT_SEED) -> pd.DataFrame:
    """For every pool: the smallest budget after which doubling gains at most δ.

    Parameters
    ----------
    study : Study
    select, report : str, optional
        Selection and reported metrics (final values; names or roles resolved
        per workload), as for :func:`tunestats.best_of_k`.
    delta : float, optional
        Tolerance δ ≥ 0 on the gain of doubling the budget, in the units of
        ``report`` (a fraction with ``relative=True``). Default: the δ rule
        of :func:`tunestats.kernels.budget_verdict`, the one ``check_space``
        uses: the pool's seed-to-seed noise of ``report`` where some
        configuration completed twice (:func:`pool_noise`) and what tuning
        achieved in the pool resolves more than that noise, else
        ``tolerance`` times what tuning achieved in the pool.
    tolerance : float, default 0.1
        The fraction of that rule's last branch (ignored with ``delta``).
    relative : bool, default False
        Gains relative to the value at the smaller budget (only with an
        explicit ``delta``).
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
        ``k_max/2 → k_max``), ``delta_source`` and ``noise_df`` (which
        branch of the δ rule gave δ, see
        :func:`tunestats.kernels.budget_verdict`), ``enough`` (that
        function's verdict with this δ: would doubling the number of trials
        gain more than δ in the best-of-k mean? the verdict ``check_space``
        prints), ``replace, diverged, n_trials, n_diverged``.

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
    if delta is not None:
        delta = check_real("delta", delta, low=0.0)
    elif relative:
        raise ParameterError("`relative=True` needs an explicit `delta` (the default δ rule "
                             "gives δ in the units of the reported metric).")
    tolerance = check_real("tolerance", tolerance, low=0.0)
    check_choice("statistic", statistic, STATISTICS)
    check_choice("diverged", diverged, POLICIES)
    n_resamples = check_positive_int("n_resamples", n_resamples)
    root = root_sequence(seed)

    def one(group: Group) -> pd.DataFrame:
        pool, select_metric, report_metric = group.key, group.select, group.report
        values = final_values(group.trials, diverged, select_metric, report_metric)
        options = {"select_direction": select_metric.direction,
                   "report_direction": report_metric.direction, "n_resamples": n_resamples}
        verdict = None if relative else budget_verdict(
            values.select, values.report, tolerance=tolerance,
            **({"noise": pool_noise(group.trials, report_metric)} if delta is None
               else {"delta": delta}), seed=pool_generator(root, pool), **options)
        result = pool_convergence(
            values.select, values.report, delta=delta if verdict is None else verdict.delta,
            relative=relative, statistic=statistic, replace=replace,
            seed=pool_generator(root, pool), **options)
        converged = result.k_converged is not None
        return pd.DataFrame([{
            **pool._asdict(), "select": select_metric.name, "report": report_metric.name,
            "statistic": statistic, "delta": result.delta, "relative": result.relative,
            "converged": converged,
            "k_converged": result.k_converged if converged else pd.NA,
            "prob_doubling_helps": (result.prob_at_converged if converged
                                    else float(result.prob_gain_exceeds[-1])),
            "k_max": int(result.k[-1]), "gain_last": float(result.gain[-1]),
            "delta_source": "given" if verdict is None else verdict.delta_source,
            "noise_df": 0 if verdict is None else verdict.noise_df,
            "enough": pd.NA if verdict is None else bool(verdict.enough),
            "replace": bool(replace), "diverged": diverged,
            "n_trials": values.select.size, "n_diverged": values.n_touched}])

    frame = apply_groups(study, one, select=select, report=report)
    frame["k_converged"] = frame["k_converged"].astype("Int64")
    return frame
