"""Performance profiles across workloads (Dolan & Moré 2002), scored as AlgoPerf does.

Each algorithm (optimizer) gets, per workload, a time to target: in each
independent repeat of the tuning procedure the fastest trial that reaches
the target, aggregated over repeats by the median (``inf`` when missed). Its
ratio to the fastest algorithm on that workload enters the profile
``rho(tau)``, the fraction of workloads it solves within a factor ``tau`` of
the fastest, and the score is the normalised area under the profile.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._checks import as_list, check_choice, check_positive_int, check_real
from .._html import HtmlRepr
from ..errors import DataError, ParameterError
from ..study import Study
from ._curves import TIME_AXES, curve_matrix
from ._pools import Group, apply_groups
from .leaderboard import INTEGRALS, score_profile
from .steps import time_to_target, workload_targets

__all__ = ["PerformanceProfile", "performance_profile"]


@dataclass(frozen=True)
class PerformanceProfile(HtmlRepr):
    """A performance profile and its scores.

    Attributes
    ----------
    times : DataFrame
        ``workload, protocol, optimizer, repeat, time``: the fastest trial's
        time to target in each repeat (``inf`` when no trial reached it).
    ratios : DataFrame
        ``workload, protocol, optimizer, time, ratio, failed``: the median
        time over repeats, its ratio to the fastest optimizer of the
        workload, and whether it counts as a failure (``ratio = inf``).
    curves : DataFrame
        ``protocol, optimizer, tau, rho``: the profile at the ratio
        breakpoints and on a regular grid of ``[1, tau_max]``.
    scores : DataFrame
        ``protocol, optimizer, score, solved, workloads``.
    tau_max : float
    """

    times: pd.DataFrame
    ratios: pd.DataFrame
    curves: pd.DataFrame
    scores: pd.DataFrame
    tau_max: float

    def to_frame(self) -> pd.DataFrame:
        """The scores."""
        return self.scores


def _check_counts(frame: pd.DataFrame, n_trials: int | None, n_repeats: int | None) -> None:
    if n_repeats is not None:
        counts = frame.groupby(["workload", "protocol", "optimizer"], observed=True)[
            "repeat"].nunique()
        bad = counts[counts != n_repeats]
        if len(bad):
            pool = "/".join(bad.index[0])
            raise DataError(f"pool {pool}: {bad.iloc[0]} repeat(s), but `n_repeats` expects "
                            f"{n_repeats}.")
    if n_trials is not None:
        counts = frame.groupby(["workload", "protocol", "optimizer", "repeat"],
                               observed=True).size()
        bad = counts[counts != n_trials]
        if len(bad):
            where = "/".join(str(p) for p in bad.index[0])
            raise DataError(f"pool {where} (workload/protocol/optimizer/repeat): {bad.iloc[0]} "
                            f"trial(s), but `n_trials` expects {n_trials}.")


def _variants(variants: Any, workloads: Sequence[str]) -> dict[str, list[str]]:
    if variants is None:
        return {}
    if not isinstance(variants, Mapping):
        raise ParameterError("`variants` must map a base workload to its variant workloads; "
                             f"got {type(variants).__name__}.")
    out = {}
    for base, names in variants.items():
        for name in [base, *as_list(names)]:
            if name not in workloads:
                raise ParameterError(f"`variants` names the workload {name!r}, which is not in "
                                     f"the study; it has {', '.join(workloads)}.")
        out[base] = as_list(names)
    return out


def performance_profile(study: Study, *, metric: str | None = None, target: Any = None,
                        time: str = "step", tau_max: float = 4.0,
                        cap_failures: bool = True, n_trials: int | None = None,
                        n_repeats: int | None = None,
                        variants: Mapping[str, Any] | None = None,
                        integral: str = "exact", n_tau: int = 200) -> PerformanceProfile:
    """Performance profiles and scores of the optimizers across workloads.

    Parameters
    ----------
    study : Study
        Each protocol is profiled on its own; the algorithms are the optimizers.
    metric : str, optional
        A metric name or a role (``"valid"``, ...) resolved per workload;
        default: each workload's own headline metric.
    target, time
        As in :func:`tunestats.steps_to_target` (``time="time_s"`` for
        wall-clock leaderboards; default targets: each workload's declared
        target of its metric).
    tau_max : float
        Upper end of the profile, and the factor of the "slower than the
        fastest" rule; must be > 1.
    cap_failures : bool
        Report ratios above ``tau_max`` as failures (``inf``), as AlgoPerf
        does. They never add to ``rho`` on ``[1, tau_max]`` either way; the
        flag decides what the ``ratios`` table reports.
    n_trials, n_repeats : int, optional
        The number of trials per repeat and of repeats every pool must have
        (a leaderboard's rules); a pool that differs is an error.
    variants : mapping of str to list of str, optional
        Base workload → held-out variant workloads, with the benchmark's rules
        in its order: a variant's time is ``inf`` where its base's is; the
        ``tau_max`` rule on every workload; the base's time is ``inf`` where a
        variant's is. Variant workloads are left out of the profile.
    integral : {"exact", "grid"}
        The exact integral of the step function, or AlgoPerf's trapezoidal
        rule on 100 points (see :func:`tunestats.analysis.leaderboard`).
    n_tau : int
        Points of the regular ``tau`` grid of the curves.

    Returns
    -------
    PerformanceProfile

    Notes
    -----
    With :math:`t_{a,w}` the median over repeats of the fastest time to
    target, :math:`r_{a,w} = t_{a,w} / \\min_b t_{b,w}` (``inf`` when
    :math:`t_{a,w} = \\infty`; every ratio is ``inf`` when nobody reaches the
    target),

    .. math::

        \\rho_a(\\tau) = \\frac{1}{|W|} \\#\\{w : r_{a,w} \\le \\tau\\}, \\qquad
        \\text{score}_a = \\frac{1}{\\tau_{max} - 1} \\int_1^{\\tau_{max}} \\rho_a(\\tau)\\,
        d\\tau = \\frac{1}{|W|} \\sum_{w: r_{a,w} \\le \\tau_{max}}
        \\frac{\\tau_{max} - r_{a,w}}{\\tau_{max} - 1}.

    For AlgoPerf's own leaderboards (earliest evaluation per study, declared
    base workloads, the targets file) use :func:`tunestats.analysis.leaderboard`.

    References
    ----------
    .. [1] Dolan, E. D. & Moré, J. J. (2002). Benchmarking optimization
       software with performance profiles. Math. Programming 91, 201–213.
    .. [2] Dahl, G. E. et al. (2023). Benchmarking Neural Network Training
       Algorithms (AlgoPerf). arXiv:2306.07179, Section 4.5.
    """
    check_choice("time", time, TIME_AXES)
    tau_max = check_real("tau_max", tau_max, low=1.0, low_open=True)
    if not isinstance(cap_failures, bool):
        raise ParameterError(f"`cap_failures` must be True or False; got {cap_failures!r}.")
    n_trials = None if n_trials is None else check_positive_int("n_trials", n_trials)
    n_repeats = None if n_repeats is None else check_positive_int("n_repeats", n_repeats)
    check_choice("integral", integral, INTEGRALS[::-1])
    n_tau = check_positive_int("n_tau", n_tau)
    workloads = study.workloads()
    variant_of = _variants(variants, workloads)

    def one(group: Group) -> pd.DataFrame:
        chosen = group.select
        matrix = curve_matrix(group.study, [chosen.name], time=time)
        targets = workload_targets(group.study, chosen, target, [group.key])
        frame = matrix.trials[["workload", "protocol", "optimizer", "repeat"]].astype(
            {"workload": str, "protocol": str, "optimizer": str})
        frame["time"] = time_to_target(matrix, chosen, targets[group.key])
        frame.insert(4, "metric", chosen.name)
        return frame

    frame = apply_groups(study, one, level="workload", select=metric, need=None)
    _check_counts(frame, n_trials, n_repeats)
    times = frame.groupby(["workload", "protocol", "optimizer", "repeat", "metric"], sort=True)[
        "time"].min().reset_index()
    medians = times.groupby(["workload", "protocol", "optimizer"], sort=True)[
        "time"].median().reset_index()
    metric_of = dict(zip(times["workload"], times["metric"], strict=False))
    table = medians.pivot(index=["protocol", "optimizer"], columns="workload", values="time")
    table = table.fillna(np.inf)  # an optimizer not run on a workload
    for base, names in variant_of.items():
        table.loc[np.isinf(table[base]), names] = np.inf
    with np.errstate(invalid="ignore"):
        slow = table > tau_max * table.groupby(level="protocol").transform("min")
    over = slow & np.isfinite(table)
    table = table.mask(slow, np.inf)
    for base, names in variant_of.items():
        table.loc[np.isinf(table[names]).any(axis=1), base] = np.inf
    profiled = [w for w in workloads if not any(w in v for v in variant_of.values())]
    raw = medians.pivot(index=["protocol", "optimizer"], columns="workload", values="time")
    ratio_parts, curve_parts, score_rows = [], [], []
    for protocol, block in table[profiled].groupby(level="protocol", sort=True):
        t = block.to_numpy(dtype=float)  # (optimizers, workloads)
        best = t.min(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(np.isfinite(t) & np.isfinite(best), t / best, np.inf)
        ratio = np.where(best == 0, np.where(t == 0, 1.0, np.inf), ratio)
        shown = ratio
        if not cap_failures:  # what the ratios would be without the tau_max rule
            plain = raw.loc[block.index, profiled].fillna(np.inf).to_numpy(dtype=float)
            with np.errstate(invalid="ignore", divide="ignore"):
                shown = np.where(over.loc[block.index, profiled].to_numpy(), plain / best, ratio)
        optimizers = block.index.get_level_values("optimizer")
        ratio_parts.append(pd.DataFrame({
            "workload": np.tile(block.columns.to_numpy(), len(optimizers)),
            "metric": np.tile([metric_of.get(w) for w in block.columns], len(optimizers)),
            "protocol": protocol, "optimizer": np.repeat(optimizers.to_numpy(), t.shape[1]),
            "time": raw.loc[block.index, profiled].fillna(np.inf).to_numpy(float).ravel(),
            "ratio": shown.ravel(), "failed": ~np.isfinite(ratio.ravel())}))
        scores, tau, rho = score_profile(ratio, tau_max, integral,
                                         100 if integral == "grid" else n_tau)
        for i, name in enumerate(optimizers):
            curve_parts.append(pd.DataFrame({"protocol": protocol, "optimizer": name,
                                             "tau": tau, "rho": rho[i]}))
            score_rows.append({"protocol": protocol, "optimizer": name,
                               "score": float(scores[i]),
                               "solved": int(np.isfinite(ratio[i]).sum()),
                               "workloads": len(profiled)})
    times["time"] = times["time"].astype(float)
    return PerformanceProfile(times, pd.concat(ratio_parts, ignore_index=True),
                              pd.concat(curve_parts, ignore_index=True),
                              pd.DataFrame(score_rows), tau_max)
