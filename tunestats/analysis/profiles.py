"""Performance profiles across workloads (Dolan & Moré 2002), scored as AlgoPerf does.

Each algorithm (optimizer) gets, per workload, a time to target: in each
independent repeat of the tuning procedure the time of one trial that
reaches the target, aggregated over repeats by the median (``inf`` when
missed). Its ratio to the fastest algorithm on that workload enters the
profile ``rho(tau)``, the fraction of workloads it solves within a factor
``tau`` of the fastest, and the score is the normalised area under the
profile.

Which trial of a repeat counts is the ``rule`` (:data:`RULES`):

- ``"algoperf"`` (default for AlgoPerf imports): the benchmark's — the trial
  reaching the target at the *earliest evaluation*, timed by ``time_s``
  (the ``score`` column), the profile integrated on the benchmark's
  100-point grid; the held-out-variant, 4× and median steps are those of
  :mod:`tunestats.analysis.leaderboard`, whose implementation this uses, so
  that the scores equal ``tunestats leaderboard`` on the same logs;
- ``"fastest"`` (default otherwise): the trial with the smallest time to
  target (in steps unless ``time="time_s"``), the exact integral.
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
from .leaderboard import INTEGRALS, score_profile, scored_times, study_times
from .steps import workload_targets

__all__ = ["RULES", "PerformanceProfile", "performance_profile"]

#: Which trial of a repeat gives its time to target (see the module docstring).
RULES = {"algoperf": "AlgoPerf's rule (as `tunestats leaderboard`): per repeat the trial "
                     "reaching the target at the earliest evaluation, median over repeats",
         "fastest": "per repeat the fastest trial to reach the target, median over "
                    "repeats"}


@dataclass(frozen=True)
class PerformanceProfile(HtmlRepr):
    """A performance profile and its scores.

    Attributes
    ----------
    times : DataFrame
        ``workload, protocol, optimizer, repeat, metric, time``: each
        repeat's time to target by the rule (``inf`` when no trial reached
        it).
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
    rule : str
        Which trial of a repeat counts (a key of :data:`RULES`).
    integral : str
    time : str
        The time axis (``step`` or ``time_s``).
    """

    times: pd.DataFrame
    ratios: pd.DataFrame
    curves: pd.DataFrame
    scores: pd.DataFrame
    tau_max: float
    rule: str = "fastest"
    integral: str = "exact"
    time: str = "step"

    @property
    def description(self) -> str:
        """One line saying what was computed: the rule, time axis and integral."""
        return (f"{RULES[self.rule]}; time: {self.time}; {self.integral} integral over "
                f"[1, {self.tau_max:g}]")

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


def _is_algoperf(study: Study) -> bool:
    source = study.provenance.get("import", {})
    return isinstance(source, Mapping) and source.get("format") == "algoperf"


def _reach(matrix: Any, metric: Any, targets: Any) -> tuple[np.ndarray, np.ndarray]:
    """Per trial the index of the first evaluation reaching the target (−1 if none)
    and the time there (``inf`` if none)."""
    with np.errstate(invalid="ignore"):
        reached = metric.sign * matrix.values[metric.name] <= metric.sign * np.reshape(
            targets, (-1, 1))
    first = reached.argmax(axis=1)
    rows = np.arange(len(first))
    hit = reached[rows, first]
    evals = np.cumsum(matrix.present, axis=1)[rows, first] - 1
    return np.where(hit, evals, -1), np.where(hit, matrix.time[rows, first], np.inf)


def performance_profile(study: Study, *, metric: str | None = None, target: Any = None,
                        time: str | None = None, tau_max: float = 4.0,
                        cap_failures: bool = True, n_trials: int | None = None,
                        n_repeats: int | None = None,
                        variants: Mapping[str, Any] | None = None,
                        integral: str | None = None, n_tau: int = 200,
                        rule: str | None = None) -> PerformanceProfile:
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
        target of its metric). Default time: ``time_s`` with the AlgoPerf
        rule, else ``step``.
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
    integral : {"exact", "grid"}, optional
        The exact integral of the step function, or AlgoPerf's trapezoidal
        rule on 100 points (see :func:`tunestats.analysis.leaderboard`);
        default: ``grid`` with the AlgoPerf rule, else ``exact``.
    n_tau : int
        Points of the regular ``tau`` grid of the curves.
    rule : {"algoperf", "fastest"}, optional
        Which trial of a repeat gives its time (see :data:`RULES`); default:
        ``algoperf`` for a study imported from AlgoPerf logs, else
        ``fastest``.

    Returns
    -------
    PerformanceProfile

    Notes
    -----
    With :math:`t_{a,w}` the median over repeats of the repeat's time to
    target (by the rule), :math:`r_{a,w} = t_{a,w} / \\min_b t_{b,w}` (``inf``
    when :math:`t_{a,w} = \\infty`; every ratio is ``inf`` when nobody
    reaches the target),

    .. math::

        \\rho_a(\\tau) = \\frac{1}{|W|} \\#\\{w : r_{a,w} \\le \\tau\\}, \\qquad
        \\text{score}_a = \\frac{1}{\\tau_{max} - 1} \\int_1^{\\tau_{max}} \\rho_a(\\tau)\\,
        d\\tau = \\frac{1}{|W|} \\sum_{w: r_{a,w} \\le \\tau_{max}}
        \\frac{\\tau_{max} - r_{a,w}}{\\tau_{max} - 1}

    (the exact integral; the grid integral is the trapezoidal rule of
    :func:`tunestats.analysis.leaderboard`). Here :math:`W` is every workload
    of the study but the variants; for a leaderboard scored over a targets
    file's declared base workloads use :func:`tunestats.analysis.leaderboard`.

    References
    ----------
    .. [1] Dolan, E. D. & Moré, J. J. (2002). Benchmarking optimization
       software with performance profiles. Math. Programming 91, 201–213.
    .. [2] Dahl, G. E. et al. (2023). Benchmarking Neural Network Training
       Algorithms (AlgoPerf). arXiv:2306.07179, Section 4.5.
    """
    if rule is None:
        rule = "algoperf" if _is_algoperf(study) else "fastest"
    check_choice("rule", rule, RULES)
    time = ("time_s" if rule == "algoperf" else "step") if time is None else time
    check_choice("time", time, TIME_AXES)
    integral = ("grid" if rule == "algoperf" else "exact") if integral is None else integral
    check_choice("integral", integral, INTEGRALS[::-1])
    tau_max = check_real("tau_max", tau_max, low=1.0, low_open=True)
    if not isinstance(cap_failures, bool):
        raise ParameterError(f"`cap_failures` must be True or False; got {cap_failures!r}.")
    n_trials = None if n_trials is None else check_positive_int("n_trials", n_trials)
    n_repeats = None if n_repeats is None else check_positive_int("n_repeats", n_repeats)
    n_tau = check_positive_int("n_tau", n_tau)
    workloads = study.workloads()
    variant_of = _variants(variants, workloads)
    pool = ["workload", "protocol", "optimizer"]

    def one(group: Group) -> pd.DataFrame:
        chosen = group.select
        matrix = curve_matrix(group.study, [chosen.name], time=time)
        targets = workload_targets(group.study, chosen, target, [group.key])
        frame = matrix.trials[[*pool, "repeat", "trial"]].astype(
            {"workload": str, "protocol": str, "optimizer": str})
        frame["reach"], frame["time"] = _reach(matrix, chosen, targets[group.key])
        frame["metric"] = chosen.name
        return frame

    frame = apply_groups(study, one, level="workload", select=metric, need=None)
    _check_counts(frame, n_trials, n_repeats)
    keys = [*pool, "repeat", "metric"]
    if rule == "algoperf":
        times = study_times(frame, keys)[[*keys, "time"]]
    else:
        times = frame.groupby(keys, sort=True)["time"].min().reset_index()
    times = times.sort_values(keys, ignore_index=True)
    medians = times.groupby(pool, sort=True)["time"].median().reset_index()
    metric_of = dict(zip(times["workload"], times["metric"], strict=False))
    raw = medians.pivot(index=["protocol", "optimizer"], columns="workload", values="time")
    column = {w: i for i, w in enumerate(raw.columns)}
    pairs = [(column[v], column[base], v) for base, names in variant_of.items()
             for v in names if base in column and v in column]
    profiled = [w for w in raw.columns if not any(w in v for v in variant_of.values())]
    kept = [column[w] for w in profiled]
    ratio_parts, curve_parts, score_rows = [], [], []
    for protocol, block in raw.groupby(level="protocol", sort=True):
        plain = block.to_numpy(dtype=float)  # (optimizers, workloads); NaN: not run
        scored, _, over = scored_times(plain, pairs, tau_max)
        t, over = scored[:, kept], over[:, kept]
        plain = np.where(np.isnan(plain[:, kept]), np.inf, plain[:, kept])
        best = t.min(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(np.isfinite(t) & np.isfinite(best), t / best, np.inf)
            ratio = np.where(best == 0, np.where(t == 0, 1.0, np.inf), ratio)
            # what the ratios would be without the tau_max rule
            shown = ratio if cap_failures else np.where(over, plain / best, ratio)
        optimizers = block.index.get_level_values("optimizer")
        ratio_parts.append(pd.DataFrame({
            "workload": np.tile(profiled, len(optimizers)),
            "metric": np.tile([metric_of.get(w) for w in profiled], len(optimizers)),
            "protocol": protocol, "optimizer": np.repeat(optimizers.to_numpy(), t.shape[1]),
            "time": plain.ravel(), "ratio": shown.ravel(),
            "failed": ~np.isfinite(ratio.ravel())}))
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
                              pd.DataFrame(score_rows), tau_max, rule, integral, time)
