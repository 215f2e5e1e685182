"""Best-of-k for a study: what a tuning budget of k trials buys, pool by pool.

For each pool (workload, protocol, optimizer) of N trials: if only k trials
had been run, drawn at random from the N, and the one with the best
selection metric kept, what would its reported metric be? Choi et al. (2019,
Appendix C and Figures 6–9) answered by bootstrap; the exact answer is a
closed form (:mod:`tunestats.kernels.best_of_k`), the default here, with the
bootstrap kept for selection rules without a closed form and as a
cross-check.

Two bands are kept apart in the results:

* ``q05``, ``q50``, ``q95`` (any levels): the *spread of best-of-k outcomes*
  — how good or bad the reported value of one tuning run of k trials can be;
* ``ci_low``/``ci_high`` (and ``q50_ci_low`` …): the *confidence in the
  estimate* — pointwise bands (per k) for the population best-of-k mean (or
  quantile), and ``sim_low``/``sim_high`` (``q50_sim_low`` …) simultaneous
  ones over every k (:mod:`tunestats.kernels.bands`); NaN where no band is
  calibrated, with the reason in ``ci_note``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._checks import (
    check_bool,
    check_choice,
    check_fraction,
    check_positive_int,
    check_positive_int_array,
    check_real_array,
)
from .._columns import quantile_column
from .._random import DEFAULT_SEED, root_sequence
from ..errors import DataError, ParameterError
from ..kernels import (
    POLICIES,
    BestOfKEstimate,
    bootstrap_best_of_k,
    exact_best_of_k,
)
from ..kernels.bands import BestOfKBands, best_of_k_bands
from ..study import Pool, Study
from ._bestofk import budget_ladder
from ._curves import CurveMatrix, curve_matrix
from ._pools import (
    Group,
    apply_groups,
    final_metric,
    final_values,
    lost,
    policy_outcome,
    pool_generator,
)

__all__ = ["BY", "METHODS", "best_of_k", "best_of_k_curve"]

#: Estimators of :func:`best_of_k`.
METHODS = ("exact", "bootstrap")
#: When :func:`best_of_k_curve` selects the trial: by its final value or at each step.
BY = ("final", "step")


def _check_common(study: Study, k: Any, replace: Any, quantiles: Any,
                  diverged: Any) -> dict[str, Any]:
    """Arguments shared by the best-of-k functions, validated (at the door)."""
    if not isinstance(study, Study):
        raise ParameterError(f"`study` must be a tunestats Study; got {type(study).__name__}.")
    replace = check_bool("replace", replace)
    levels = check_real_array("quantiles", quantiles, low=0.0, high=1.0)
    if levels.ndim > 1:
        raise ParameterError(f"`quantiles` must be a sequence of levels; got shape "
                             f"{levels.shape}.")
    levels = np.atleast_1d(levels)
    names = [quantile_column(q) for q in levels]
    if len(set(names)) != len(names):
        raise ParameterError(f"`quantiles` must be distinct levels (in percent); got "
                             f"{levels.tolist()}.")
    return {
        "replace": bool(replace),
        "k": None if k is None else np.atleast_1d(check_positive_int_array("k", k)),
        "quantiles": levels, "names": names,
        "diverged": check_choice("diverged", diverged, POLICIES),
    }


def _frame(pool: Pool, index: Mapping[str, Any], values: Mapping[str, Any],
           constants: Mapping[str, Any]) -> pd.DataFrame:
    """A tidy frame: the pool, the index columns and the values, broadcast and raveled."""
    arrays = np.broadcast_arrays(*index.values(), *values.values())
    columns = dict(zip([*index, *values], (a.ravel() for a in arrays), strict=True))
    n = arrays[0].size
    head = {"workload": [pool.workload] * n, "protocol": [pool.protocol] * n,
            "optimizer": [pool.optimizer] * n}
    return pd.DataFrame({**head, **columns, **{name: [v] * n for name, v in constants.items()}})


def _estimate_columns(estimate: BestOfKEstimate, names: list[str],
                      bands: BestOfKBands | None) -> dict[str, np.ndarray]:
    columns = {"mean": estimate.mean}
    columns.update({name: estimate.quantiles[..., j] for j, name in enumerate(names)})
    missing = np.full(estimate.mean.shape, np.nan)
    for kind, mean_low, mean_high, low, high in (
            ("ci", "mean_low", "mean_high", "quantiles_low", "quantiles_high"),
            ("sim", "sim_mean_low", "sim_mean_high", "sim_quantiles_low",
             "sim_quantiles_high")):
        columns[f"{kind}_low"] = missing if bands is None else getattr(bands, mean_low)
        columns[f"{kind}_high"] = missing if bands is None else getattr(bands, mean_high)
        for j, name in enumerate(names):
            columns[f"{name}_{kind}_low"] = missing if bands is None else (
                getattr(bands, low)[..., j])
            columns[f"{name}_{kind}_high"] = missing if bands is None else (
                getattr(bands, high)[..., j])
    columns["ci_note"] = (np.full(estimate.mean.shape, "bands not computed (confidence=None)")
                          if bands is None else bands.notes)
    return columns


def best_of_k(study: Study, *, select: str | None = None, report: str | None = None,
              k: Any = None, method: str = "exact", replace: bool = True,
              quantiles: Any = (0.05, 0.5, 0.95), diverged: str = "worst",
              lost_value: float | None = None, confidence: float | None = 0.9,
              bounds: tuple[float, float] | None = None, n_resamples: int = 10_000,
              rule: Any = None, seed: Any = DEFAULT_SEED) -> pd.DataFrame:
    """The reported metric of the best of k random trials, for every pool of a study.

    Parameters
    ----------
    study : Study
    select : str, optional
        Metric that picks the best trial (its final value), in its declared
        direction: a metric name or a role (``"valid"``, ``"test"``,
        ``"train"``) resolved per workload; default: each workload's headline
        (``valid``) metric.
    report : str, optional
        Metric reported for the picked trial (its final value), a name or a
        role; default: each workload's ``test`` metric, else ``select``.
    k : int or sequence of int, optional
        Budgets; default: powers of two up to each pool's size N, and N.
    method : {"exact", "bootstrap"}, default "exact"
        Closed form (no resampling noise) or Monte-Carlo bootstrap.
    replace : bool, default True
        Draw the k trials with replacement (Dodge et al. 2019) or without
        (Tang et al. 2020; then k ≤ N in every pool).
    quantiles : sequence of float, default (0.05, 0.5, 0.95)
        Levels of the spread of best-of-k outcomes (columns ``q05`` …).
    diverged : {"worst", "exclude"}, default "worst"
        Trials that did not complete, or lack a final value: counted as the
        worst outcome (a tuner that ran them lost those draws; their reported
        value is then ``lost_value``) or left out of the pool.
    lost_value : float, optional
        Reported value of a trial counted as the worst outcome, e.g. 1.0 for
        an error rate (±inf allowed). Default: the worst finite reported
        value of the pool's completed trials (column ``lost_value``), so that
        means are finite.
    confidence : float or None, default 0.9
        Level of the bands for the population best-of-k outcome
        (:func:`tunestats.kernels.bands.best_of_k_bands`), for either
        ``method``; ``None`` skips them. ``ci_low/ci_high`` and
        ``q50_ci_low …`` are **pointwise** (per k), ``sim_low/sim_high`` and
        ``q50_sim_low …`` **simultaneous** (over every k and level at once);
        NaN where no band is calibrated, with the reason in ``ci_note``.
    bounds : (float, float), optional
        Range of the reported metric, e.g. ``(0, 1)`` for an error rate: the
        simultaneous band of the mean needs it.
    n_resamples : int, default 10000
        Monte-Carlo resamples of ``method="bootstrap"``.
    rule : callable, optional
        Selection rule of ``method="bootstrap"``: gets the drawn final
        ``select`` values, shape ``(..., k)``, returns the chosen position
        (see :func:`tunestats.kernels.bootstrap_best_of_k`).
    seed : int, SeedSequence or Generator, default 0
        Seed of the bootstraps (:mod:`tunestats._random`). Each pool draws from its own stream, derived
        from the seed and the pool's name: the same call gives the same bytes
        and a pool's numbers do not depend on the other pools.

    Returns
    -------
    DataFrame
        One row per (pool, k): ``workload, protocol, optimizer, select,
        report, k, mean, q05, q50, q95, ci_low, ci_high`` (pointwise band of
        the mean), ``q05_ci_low … q95_ci_high`` (pointwise bands of the
        quantiles), ``sim_low, sim_high, q05_sim_low …`` (simultaneous
        bands), ``ci_note`` (why a band is NaN), ``ci_level, method, replace,
        diverged, lost_value, n_trials`` (trials in the pool after the
        policy), ``n_diverged`` (trials the policy touched), ``n_resamples``
        (Monte-Carlo resamples of ``method="bootstrap"``).

    Raises
    ------
    ParameterError
        Unknown metric, bad ``k`` (≤ 0, not an integer, larger than a pool
        without replacement: the message names the pool), bad option.
    DataError
        A missing final-value column, an empty pool, a pool left empty by
        ``diverged="exclude"`` (the message names the pool).

    Notes
    -----
    For a pool sorted by the selection metric (rank 1 = best), the best of
    k draws has rank r with probability :math:`[(N-r+1)^k - (N-r)^k]/N^k`
    with replacement and :math:`\\binom{N-r}{k-1}/\\binom{N}{k}` without;
    ties are split evenly. The mean and quantiles of the reported metric
    follow exactly (:func:`tunestats.kernels.exact_best_of_k`).

    References
    ----------
    .. [1] Choi, D. et al. (2019). On Empirical Comparisons of Optimizers for
       Deep Learning. arXiv:1910.05446, Appendix C, Figures 6–9.
    .. [2] Dodge, J. et al. (2019). Show Your Work. EMNLP.
    .. [3] Tang, R. et al. (2020). Showing Your Work Doesn't Always Work. ACL.

    Examples
    --------
    >>> import tunestats
    >>> study = tunestats.load_study("data/study")  # doctest: +SKIP
    >>> tunestats.best_of_k(study, k=[1, 8], confidence=None)[["optimizer", "k", "q50"]].head(2)
    ... # doctest: +SKIP
    """
    options = _check_common(study, k, replace, quantiles, diverged)
    check_choice("method", method, METHODS)
    level = None if confidence is None else check_fraction("confidence", confidence,
                                                            high_open=True)
    n_resamples = check_positive_int("n_resamples", n_resamples)
    if rule is not None and method != "bootstrap":
        raise ParameterError("`rule` needs method='bootstrap' (a custom selection rule has no "
                             f"closed form); got method={method!r}.")
    root = root_sequence(seed)

    def one(group: Group) -> pd.DataFrame:
        pool, select_metric, report_metric = group.key, group.select, group.report
        values = final_values(group.trials, options["diverged"], select_metric, report_metric,
                              lost_value)
        budgets = budget_ladder(options["k"], values.select.size)
        arguments = (values.select, values.report, budgets, options["quantiles"])
        kws = {"replace": options["replace"], "select_direction": select_metric.direction}
        if method == "bootstrap":
            estimate = bootstrap_best_of_k(*arguments, n_resamples=n_resamples, rule=rule,
                                           seed=pool_generator(root, pool), **kws)
        else:
            estimate = exact_best_of_k(*arguments, **kws)
        confidence = None
        if level is not None:
            same = select_metric.name == report_metric.name
            confidence = best_of_k_bands(
                values.report if same else values.select, values.report, budgets,
                options["quantiles"], confidence=level, same_metric=same, bounds=bounds,
                direction=report_metric.direction if same else select_metric.direction,
                lost=values.touched, seed=pool_generator(root, pool))
        return _frame(
            pool, {"k": estimate.k}, _estimate_columns(estimate, options["names"], confidence),
            {"select": select_metric.name, "report": report_metric.name,
             "ci_level": np.nan if confidence is None else level, "method": method,
             "replace": options["replace"], "diverged": options["diverged"],
             "lost_value": values.lost_value if values.n_touched else np.nan,
             "n_trials": values.select.size, "n_diverged": values.n_touched,
             "n_resamples": n_resamples if method == "bootstrap" else pd.NA})

    frames = [apply_groups(study, one, select=select, report=report)]
    frame = pd.concat(frames, ignore_index=True)
    frame["n_resamples"] = frame["n_resamples"].astype("Int64")
    return _ordered(frame, options["names"])


def _ordered(frame: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Key and estimate columns first, descriptions after."""
    first = ["workload", "protocol", "optimizer", "select", "report"]
    first += [c for c in ("by", "step") if c in frame]
    first += ["k", "mean", *names]
    return frame[first + [c for c in frame.columns if c not in first]]


def best_of_k_curve(study: Study, *, select: str | None = None, report: str | None = None,
                    k: Any = None, by: str = "final", replace: bool = True,
                    quantiles: Any = (0.05, 0.5, 0.95), diverged: str = "worst",
                    lost_value: float | None = None) -> pd.DataFrame:
    """The best-of-k training curve: the reported metric over steps, for every pool.

    Parameters
    ----------
    study : Study
    select : str, optional
        Selection metric, a name or a role resolved per workload (default:
        each workload's headline metric).
    report : str, optional
        Metric whose curve is reported (a column of the curves table), a name
        or a role (default: each workload's ``test`` metric, else ``select``).
    k : int or sequence of int, optional
        Budgets; default: powers of two up to each pool's size.
    by : {"final", "step"}, default "final"
        Select the trial once by the final value of ``select`` (one trial
        reported over the whole run, as a tuner would) or again at every
        step by the value of ``select`` at that step.
    replace, quantiles, diverged, lost_value
        As for :func:`best_of_k`. Under ``"worst"`` a step a trial did not
        reach (or a NaN there) counts as worst; with ``by="final"`` a trial
        that did not complete is worst at every step. ``"exclude"`` leaves out
        trials with any missing value.

    Returns
    -------
    DataFrame
        One row per (pool, step, k): ``workload, protocol, optimizer, select,
        report, by, step, k, mean, q05, q50, q95, method, replace, diverged,
        n_trials, n_diverged`` (exact method).

    Notes
    -----
    With selection by the final value the selection probabilities are one
    vector per budget and the mean curve is one matrix product of the
    ``(steps × trials)`` matrix with them; with selection at every step each
    step's trials are sorted (:func:`tunestats.kernels.exact_best_of_k`).

    References
    ----------
    .. [1] Choi, D. et al. (2019). On Empirical Comparisons of Optimizers for
       Deep Learning. arXiv:1910.05446.
    """
    options = _check_common(study, k, replace, quantiles, diverged)
    check_choice("by", by, BY)
    matrices: dict[tuple[str, ...], CurveMatrix] = {}

    def pool_curves(pool: Pool, names: list[str]) -> tuple[pd.DataFrame, np.ndarray, dict]:
        """The pool's trials, the steps its curves hold and each metric's ``(steps, trials)``
        matrix, cut from the curve matrix of its workload (built once per workload)."""
        key = (pool.workload, *names)
        if key not in matrices:
            matrices[key] = curve_matrix(study.select(workload=pool.workload), names)
        matrix = matrices[key]
        rows = ((matrix.trials["protocol"] == pool.protocol)
                & (matrix.trials["optimizer"] == pool.optimizer)).to_numpy()
        held = matrix.present[rows].any(axis=0)
        if not held.any():
            raise DataError(f"no curves recorded for the metric {names[0]!r}.")
        return (matrix.trials[rows], matrix.steps[held],
                {name: matrix.values[name][rows][:, held].T for name in names})

    def one(group: Group) -> pd.DataFrame:
        pool, select_metric, report_metric = group.key, group.select, group.report
        if by == "final":
            final_metric(study, select_metric.name, "select")
        names = list(dict.fromkeys([report_metric.name]
                                   + ([select_metric.name] if by == "step" else [])))
        trials, steps, curves = pool_curves(pool, names)
        reported = curves[report_metric.name]
        if by == "step":
            chosen, flagged = curves[select_metric.name], None
        else:
            chosen = trials[f"final.{select_metric.name}"].to_numpy(float)
            flagged = lost(trials)
        values = policy_outcome(chosen, reported, flagged, options["diverged"], select_metric,
                                report_metric, lost_value)
        budgets = budget_ladder(options["k"], values.select.shape[-1])
        estimate = exact_best_of_k(values.select, values.report, budgets,
                                   options["quantiles"], replace=options["replace"],
                                   select_direction=select_metric.direction)
        columns = _estimate_columns(estimate, options["names"], None)
        columns = {name: columns[name] for name in ("mean", *options["names"])}
        return _frame(
            pool, {"step": steps[:, None], "k": estimate.k[None, :]}, columns,
            {"select": select_metric.name, "report": report_metric.name, "by": by,
             "method": "exact", "replace": options["replace"], "diverged": options["diverged"],
             "n_trials": values.select.shape[-1], "n_diverged": values.n_touched})

    frames = [apply_groups(study, one, select=select, report=report, need="curve")]
    return _ordered(pd.concat(frames, ignore_index=True), options["names"])
