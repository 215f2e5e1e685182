"""Steps-to-target: how fast each trial, and the best of k trials, reaches a target.

Choi et al. (2019, Figure 2) compare optimizers by the number of training
steps needed to reach a target validation error, and check (Figure 10) that
the conclusion holds for other targets and step budgets.

**Convention.** A trial reaches the target at its first evaluation (in step
order) whose value is ``<= target`` for a minimised metric or ``>= target``
for a maximised one — reaching the target value exactly counts. Its time to
target is the ``step`` (or ``time_s``) of that evaluation; it is ``inf`` when
no evaluation within the step budget reaches the target. NaN evaluations
(a diverged run) never reach it; evaluations before a divergence count
as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from .._checks import as_list, check_bool, check_choice, check_positive_int, check_real
from .._html import HtmlRepr
from ..errors import ParameterError
from ..kernels import POLICIES
from ..study import Metric, Study
from ..study.schema import KEY, POOL
from ._bestofk import budget_ladder, pool_outcomes, quantile_columns
from ._curves import TIME_AXES, CurveMatrix, curve_matrix
from ._pools import apply_groups
from .inclusion_graph import inclusion_graph

__all__ = ["TargetRobustness", "best_steps_to_target", "steps_to_target", "target_robustness"]

SPEED = "speed"


def workload_targets(study: Study, metric: Metric, target: Any,
                     workloads: Sequence[str]) -> dict[str, float]:
    """The target of each workload: ``target`` (a number or workload → number) or the
    study's declared targets."""
    out = {}
    for workload in workloads:
        if isinstance(target, Mapping):
            value = target.get(workload)
        elif target is not None:
            value = target
        else:
            value = study.targets.get(workload, {}).get(metric.name)
        if value is None:
            raise ParameterError(f"no target for workload {workload!r} and metric "
                                 f"{metric.name!r}: pass `target=` or declare "
                                 f'"targets": {{"{workload}": {{"{metric.name}": ...}}}} '
                                 "in study.json.")
        out[workload] = check_real(f"target[{workload!r}]", value)
    return out


def time_to_target(matrix: CurveMatrix, metric: Metric, targets: Any,
                   budget: float | None = None, rows: np.ndarray | None = None) -> np.ndarray:
    """Each trial's time to target (``inf`` when not reached), shape (T,).

    ``targets`` is one target or one per trial (row); ``budget`` truncates
    the curves at time ≤ budget; ``rows`` restricts to those trials.
    """
    values, stamps = matrix.values[metric.name], matrix.time
    if rows is not None:
        values, stamps = values[rows], stamps[rows]
    limit = metric.sign * np.reshape(targets, (-1, 1))
    with np.errstate(invalid="ignore"):
        reached = metric.sign * values <= limit
    if budget is not None:
        reached &= stamps <= budget
    first = reached.argmax(axis=1)
    index = np.arange(len(first))
    return np.where(reached[index, first], stamps[index, first], np.inf)


def first_reach(matrix: CurveMatrix, metric: Metric, targets: np.ndarray,
                rows: np.ndarray) -> np.ndarray:
    """Time to each of several targets of the trials ``rows``, shape (targets, rows).

    The same as :func:`time_to_target` for each target (no budget), from one
    running best per trial: the evaluations at or past the first one that
    reaches a target are those whose running best reaches it.
    """
    with np.errstate(invalid="ignore"):
        best = np.fmin.accumulate(metric.sign * matrix.values[metric.name][rows], axis=1)
        reached = np.count_nonzero(best <= metric.sign * np.reshape(targets, (-1, 1, 1)),
                                   axis=2)
    first = best.shape[1] - np.maximum(reached, 1)
    return np.where(reached > 0, matrix.time[rows][np.arange(len(rows)), first], np.inf)


def _row_targets(matrix: CurveMatrix, targets: Mapping[str, float]) -> np.ndarray:
    return matrix.trials["workload"].astype(str).map(targets).to_numpy(dtype=float)


def steps_to_target(study: Study, *, metric: str | None = None, target: Any = None,
                    time: str = "step", budget: float | None = None) -> pd.DataFrame:
    """Each trial's first evaluation step (or time) at which ``metric`` reaches ``target``.

    Parameters
    ----------
    study : Study
    metric : str, optional
        A metric of the curves (default: the study's headline validation metric).
    target : float or mapping of workload to float, optional
        Default: the study's declared ``targets[workload][metric]``.
    time : {"step", "time_s"}
        Measure the time to target in steps or in seconds.
    budget : float, optional
        Truncate the curves: evaluations with time > ``budget`` do not count.

    Returns
    -------
    DataFrame
        One row per trial: ``workload, protocol, optimizer, repeat, trial,
        status, metric, target, time, to_target, reached``; ``to_target`` is
        ``inf`` when the target is never reached (see the module
        docstring for the convention).

    Raises
    ------
    ParameterError
        Unknown metric, a metric not in the curves, a missing target.
    """
    check_choice("time", time, TIME_AXES)
    if budget is not None:
        budget = check_real("budget", budget)
    return apply_groups(study, lambda group: _steps_to_target(
        group.study, group.select, target, time, budget), level="workload", select=metric,
        need=None)


def _steps_to_target(study: Study, chosen: Metric, target: Any, time: str,
                     budget: float | None) -> pd.DataFrame:
    """:func:`steps_to_target` of one workload."""
    matrix = curve_matrix(study, [chosen.name], time=time)
    targets = workload_targets(study, chosen, target,
                               sorted(study.trials["workload"].astype(str).unique()))
    row_targets = _row_targets(matrix, targets)
    result = time_to_target(matrix, chosen, row_targets, budget)
    frame = matrix.trials[[*KEY, "status"]].copy()
    frame["metric"] = chosen.name
    frame["target"] = row_targets
    frame["time"] = time
    frame["to_target"] = result
    frame["reached"] = np.isfinite(result)
    return frame


@dataclass(frozen=True)
class _Setup:
    metric: Metric
    select: Metric | None
    time: str
    replace: bool
    diverged: str
    quantiles: tuple[float, ...]


def _setup(study: Study, chosen: Metric, select: Any, time: Any, replace: Any, diverged: Any,
           quantiles: Any) -> _Setup:
    """The checked arguments for one workload (``chosen``: its metric)."""
    check_choice("time", time, TIME_AXES)
    workload = study.workloads()[0]
    by = None if select == SPEED else study.resolve_metric(
        "valid" if select is None else select, workload)
    replace = check_bool("replace", replace)
    check_choice("diverged", diverged, POLICIES)
    levels = tuple(check_real("quantiles", q, low=0.0, high=1.0) for q in as_list(quantiles))
    return _Setup(chosen, by, time, replace, diverged, levels)


def _pool_rows(matrix: CurveMatrix) -> dict[tuple[str, str, str], np.ndarray]:
    codes = matrix.trials.groupby(list(POOL), observed=True, sort=True).indices
    return {tuple(str(part) for part in key): rows for key, rows in codes.items()}


def _best_of_k(setup: _Setup, matrix: CurveMatrix, times: np.ndarray, rows: np.ndarray,
               k: np.ndarray, budget: float | None):
    """Exact best-of-k distribution of the time to target of one pool."""
    lost = (matrix.trials["status"].to_numpy()[rows] != "completed")
    if setup.select is None:  # the fastest of the k trials; unreached ones tie at inf
        select, direction = times[rows], "minimize"
        lost = None
    else:
        select = matrix.last_value(setup.select.name, budget)[rows]
        direction = setup.select.direction
    return pool_outcomes(select, times[rows], k, replace=setup.replace,
                         select_direction=direction, report_direction="minimize",
                         policy=setup.diverged, lost=lost)


def best_steps_to_target(study: Study, *, metric: str | None = None, target: Any = None,
                         k: Any = None, select: str | None = None, time: str = "step",
                         budget: float | None = None, replace: bool = True,
                         diverged: str = "worst",
                         quantiles: Sequence[float] = (0.05, 0.5, 0.95)) -> pd.DataFrame:
    """Time to target of the best of ``k`` random trials of each pool, exactly.

    Parameters
    ----------
    study : Study
    metric, target, time, budget
        As in :func:`steps_to_target`.
    k : int or sequence of int, optional
        Budgets (default: powers of two up to the pool size, and the pool size).
    select : str, optional
        How the k trials' winner is chosen: a metric name (the trial with the
        best value of that metric at its last evaluation within ``budget``;
        default the headline validation metric), or ``"speed"`` (the trial
        that reaches the target first).
    replace : bool
        Draw the k trials with (Dodge et al. 2019) or without (Tang et al.
        2020) replacement.
    diverged : {"worst", "exclude"}
        Policy for diverged/failed trials and NaN selection values (only
        with selection by a metric; by speed a trial that never reaches the
        target is already the slowest).
    quantiles : sequence of float

    Returns
    -------
    DataFrame
        ``workload, protocol, optimizer, k, metric, target, select, time,
        replace, mean, q05, q50, q95, p_reached, n_trials, n_diverged``.
        ``p_reached`` is the probability that the selected trial reaches the
        target; ``mean`` is ``inf`` when it is below 1.

    Notes
    -----
    With :math:`p_i` the probability that trial ``i`` is the best of ``k``
    (:func:`tunestats.kernels.selection_probabilities`) and :math:`t_i` its
    time to target, the selected trial's time to target has the discrete
    distribution :math:`P(T = t) = \\sum_{i: t_i = t} p_i`.

    References
    ----------
    .. [1] Choi, D. et al. (2019). On Empirical Comparisons of Optimizers for
       Deep Learning. arXiv:1910.05446, Figure 2.
    """
    check_choice("time", time, TIME_AXES)
    if budget is not None:
        budget = check_real("budget", budget)
    return apply_groups(study, lambda group: _best_steps_to_target(
        group.study, _setup(group.study, group.select, select, time, replace, diverged,
                            quantiles), target, k, budget),
        level="workload", select=metric, need=None)


def _best_steps_to_target(study: Study, setup: _Setup, target: Any, k: Any,
                          budget: float | None) -> pd.DataFrame:
    """:func:`best_steps_to_target` of one workload."""
    names = [setup.metric.name] + ([setup.select.name] if setup.select else [])
    matrix = curve_matrix(study, list(dict.fromkeys(names)), time=setup.time)
    targets = workload_targets(study, setup.metric, target,
                               sorted(study.trials["workload"].astype(str).unique()))
    times = time_to_target(matrix, setup.metric, _row_targets(matrix, targets), budget)
    columns = quantile_columns(setup.quantiles)
    parts = []
    for pool, rows in _pool_rows(matrix).items():
        kk = budget_ladder(k, len(rows))
        out = _best_of_k(setup, matrix, times, rows, kk, budget)
        frame = pd.DataFrame({"workload": pool[0], "protocol": pool[1], "optimizer": pool[2],
                              "k": kk, "metric": setup.metric.name, "target": targets[pool[0]],
                              "select": setup.select.name if setup.select else SPEED,
                              "time": setup.time, "replace": setup.replace,
                              "mean": out.mean()})
        frame[columns] = out.quantiles(setup.quantiles)
        frame["p_reached"] = out.prob_finite()
        frame["n_trials"] = out.n_trials
        frame["n_diverged"] = out.n_touched
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class TargetRobustness(HtmlRepr):
    """Orderings of optimizers by best-of-k time to target over a grid (Figure 10).

    Attributes
    ----------
    cells : DataFrame
        One row per ``(workload, protocol, target, budget)``: ``ordering``
        (e.g. ``"adam < momentum = sgd; not reached: nadam"``, by median
        best-of-k time to target; ``=`` for equal medians; optimizers whose
        median is ``inf`` are listed after ``not reached:``, unranked),
        ``reached_by`` (optimizers with a finite median), ``inclusion_consistent``
        (no included optimizer strictly faster than one that includes it),
        ``pairs_changed`` (how many pairs of optimizers are ordered the other
        way round than at the reference target and the full budget, a tie
        counting as an order; a pair that both miss the target, in the cell
        or in the reference, is not ordered there, so ties of unreached pools
        never count), ``same_as_reference`` (``pairs_changed == 0``).
    outcomes : DataFrame
        One row per cell and optimizer: ``median``, ``p_reached``.
    reference : dict
        The reference ``target`` per workload and the full ``budget``.
    """

    cells: pd.DataFrame
    outcomes: pd.DataFrame
    reference: dict

    def to_frame(self) -> pd.DataFrame:
        """The cells table."""
        return self.cells


def _ordering(medians: Mapping[str, float]) -> str:
    """``"a < b = c; not reached: d, e"``: the pools with a finite median in order
    (``=`` for equal medians), then those that do not reach the target, unranked."""
    reached = sorted((n for n in medians if np.isfinite(medians[n])),
                     key=lambda n: (medians[n], n))
    text = reached[0] if reached else ""
    for before, name in pairwise(reached):
        text += (" = " if medians[name] == medians[before] else " < ") + name
    missing = sorted(n for n in medians if not np.isfinite(medians[n]))
    if missing:
        text += ("; " if text else "") + "not reached: " + ", ".join(missing)
    return text


def _pairs_changed(cell: Mapping[str, float], reference: Mapping[str, float]) -> int:
    """How many pairs of optimizers ``cell`` orders differently from ``reference``.

    A pair is ordered where at least one of the two reaches the target (a pool
    that reaches it is faster than one that does not); two pools that both miss
    it are not ordered (their tie at ``inf`` says nothing), so such a pair never
    counts.
    """
    names = sorted(cell)
    changed = 0
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if not (np.isfinite(cell[a]) or np.isfinite(cell[b])):
                continue
            if not (np.isfinite(reference[a]) or np.isfinite(reference[b])):
                continue
            changed += np.sign(cell[a] - cell[b]) != np.sign(reference[a] - reference[b])
    return int(changed)


def _given_or_default_grid(values: Any, name: str, default: np.ndarray) -> np.ndarray:
    """The grid ``values`` (checked reals, at least one) or, for ``None``, ``default``."""
    if values is None:
        return default
    grid = np.asarray([check_real(name, v) for v in as_list(values)])
    if grid.size == 0:
        raise ParameterError(f"`{name}` must hold at least one value; got an empty sequence.")
    return grid


def _budget_grid(matrix: CurveMatrix, budgets: Any, n_grid: int) -> np.ndarray:
    """The step (time) budgets: ``budgets`` (each > 0), or ``n_grid`` evaluation times
    spread evenly over those after the first evaluation (a curve cut at its first
    evaluation, step 0, has not trained: no budget)."""
    if budgets is not None:
        grid = _given_or_default_grid(budgets, "budgets", np.empty(0))
        bad = grid[~(grid > 0)]
        if bad.size:
            raise ParameterError(f"`budgets` must be positive step (time) budgets; got "
                                 f"{bad[0]:g}.")
        return grid
    stamps = matrix.time[matrix.present]
    later = stamps[stamps > stamps.min()]
    if later.size == 0:  # one evaluation per trial: the only budget is its time
        later = stamps
    return np.unique(np.quantile(later, np.linspace(0, 1, n_grid + 1)[1:], method="lower"))


def target_robustness(study: Study, *, metric: str | None = None, targets: Any = None,
                      budgets: Any = None, target: Any = None, k: int | None = None,
                      select: str | None = None, time: str = "step", replace: bool = True,
                      diverged: str = "worst", graph: Any = None,
                      n_grid: int = 10) -> TargetRobustness:
    """Does the ordering by time to target hold over other targets and step budgets?

    Parameters
    ----------
    study : Study
    metric, select, time, replace, diverged
        As in :func:`best_steps_to_target`.
    targets : sequence of float or mapping of workload to sequence, optional
        Target grid. Default: ``n_grid`` values evenly spaced between the best
        and the worst of the pools' best final values of the workload (the
        easiest target is reached by every pool's best trial, the hardest by
        one pool).
    budgets : sequence of float, optional
        Step (or time) budgets, each > 0: the curves are truncated at each.
        Default: ``n_grid`` evaluation times evenly spread (quantiles) over
        the evaluations after the first one (step 0 is no budget: nothing has
        trained), up to the last one.
    target : float or mapping, optional
        The reference target (default: the declared target, else the median
        of the grid).
    k : int, optional
        The budget of trials (default: the smallest pool size, the full budget).
    graph : optional
        Inclusion graph (see :func:`tunestats.analysis.inclusion_graph`).
    n_grid : int
        Size of the default grids.

    Returns
    -------
    TargetRobustness

    Notes
    -----
    At each cell, every pool's best-of-k time to target is computed exactly
    with the curves truncated at the budget (the selection metric read at the
    last evaluation within the budget), and the optimizers are ordered by its
    median. The ordering is *inclusion-consistent* when for every inclusion
    pair A ⊆ B present in the study, B's median is ≤ A's.

    References
    ----------
    .. [1] Choi, D. et al. (2019). On Empirical Comparisons of Optimizers for
       Deep Learning. arXiv:1910.05446, Figure 10.
    """
    check_choice("time", time, TIME_AXES)
    parts = apply_groups(study, lambda group: _target_robustness(
        group.study, _setup(group.study, group.select, select, time, replace, diverged, (0.5,)),
        targets, budgets, target, k, graph, n_grid), level="workload", select=metric,
        need=None, combine=False)
    reference: dict[str, Any] = {"budget": max(p.reference["budget"] for p in parts)}
    for part in parts:
        reference.update({w: v for w, v in part.reference.items() if w != "budget"})
    return TargetRobustness(pd.concat([p.cells for p in parts], ignore_index=True),
                            pd.concat([p.outcomes for p in parts], ignore_index=True),
                            reference)


def _target_robustness(study: Study, setup: _Setup, targets: Any, budgets: Any, target: Any,
                       k: int | None, graph: Any, n_grid: int) -> TargetRobustness:
    """:func:`target_robustness` of one workload."""
    names = [setup.metric.name] + ([setup.select.name] if setup.select else [])
    matrix = curve_matrix(study, list(dict.fromkeys(names)), time=setup.time)
    graph = inclusion_graph(study, graph)
    pools = _pool_rows(matrix)
    kk = np.array([min(len(rows) for rows in pools.values()) if k is None
                   else check_positive_int("k", k)])
    budget_grid = _budget_grid(matrix, budgets, n_grid)
    # the last column is the full budget, for the reference ordering
    all_budgets = np.append(budget_grid, np.inf)
    if setup.select is None:
        selection = None
    else:
        selection = np.stack([matrix.last_value(setup.select.name, b) for b in all_budgets])
    values = matrix.values[setup.metric.name]
    status = matrix.trials["status"].to_numpy() != "completed"
    by_workload: dict[str, list[tuple[tuple[str, str, str], np.ndarray]]] = {}
    for pool, rows in pools.items():
        by_workload.setdefault(pool[0], []).append((pool, rows))
    cells, outcomes, reference = [], [], {"budget": float(np.nanmax(matrix.time))}
    for workload, members in sorted(by_workload.items()):
        with np.errstate(invalid="ignore"):
            best = [np.nanmin(setup.metric.sign * values[rows]) for _, rows in members]
        grid = _given_or_default_grid(
            targets.get(workload) if isinstance(targets, Mapping) else targets, "targets",
            setup.metric.sign * np.linspace(min(best), max(best), n_grid))
        declared = target.get(workload) if isinstance(target, Mapping) else target
        if declared is None:
            declared = study.targets.get(workload, {}).get(setup.metric.name)
        reference[workload] = (float(np.median(grid)) if declared is None
                               else check_real("target", declared))
        all_targets = np.append(grid, reference[workload])
        rows_all = np.concatenate([rows for _, rows in members])
        first = first_reach(matrix, setup.metric, all_targets, rows_all)
        # (targets, budgets, trials): a trial reaches within budget b when it reaches by b
        capped = np.where(first[:, None, :] <= all_budgets[None, :, None], first[:, None, :],
                          np.inf)
        medians: dict[str, dict[str, np.ndarray]] = {}
        start = 0
        for pool, rows in members:
            part = capped[..., start:start + len(rows)]
            start += len(rows)
            if selection is None:
                out = pool_outcomes(part, part, kk, replace=setup.replace,
                                    select_direction="minimize", report_direction="minimize",
                                    policy=setup.diverged)
            else:
                # the selection does not depend on the target: one row per budget
                out = pool_outcomes(selection[None, :, rows], part, kk, replace=setup.replace,
                                    select_direction=setup.select.direction,
                                    report_direction="minimize", policy=setup.diverged,
                                    lost=status[rows])
            median = out.quantiles((0.5,))[..., 0, 0]
            reached = out.prob_finite()[..., 0]
            medians.setdefault(pool[1], {})[pool[2]] = median
            cell = (slice(0, grid.size), slice(0, budget_grid.size))
            outcomes.append((pool, np.repeat(grid, budget_grid.size),
                             np.tile(budget_grid, grid.size), median[cell].ravel(),
                             reached[cell].ravel()))
        for protocol, by_opt in sorted(medians.items()):
            pairs = graph.pairs(by_opt)
            at_reference = {o: float(m[-1, -1]) for o, m in by_opt.items()}
            for i, t in enumerate(grid):
                for j, b in enumerate(budget_grid):
                    at = {o: float(m[i, j]) for o, m in by_opt.items()}
                    changed = _pairs_changed(at, at_reference)
                    cells.append({
                        "workload": workload, "protocol": protocol, "target": t, "budget": b,
                        "k": int(kk[0]), "ordering": _ordering(at),
                        "reached_by": int(sum(np.isfinite(v) for v in at.values())),
                        "inclusion_consistent": all(at[high] <= at[low] for low, high in pairs),
                        "pairs_changed": changed, "same_as_reference": changed == 0})
    return TargetRobustness(pd.DataFrame(cells), _outcome_frame(outcomes), reference)


def _outcome_frame(parts: list[tuple]) -> pd.DataFrame:
    """One frame of the ``(pool, targets, budgets, medians, p_reached)`` of every pool."""
    if not parts:
        return pd.DataFrame()
    sizes = [len(part[1]) for part in parts]
    names = np.array([part[0] for part in parts], dtype=object)  # (pools, 3)
    columns = {name: np.repeat(names[:, i], sizes)
               for i, name in enumerate(("workload", "protocol", "optimizer"))}
    for i, name in enumerate(("target", "budget", "median", "p_reached"), start=1):
        columns[name] = np.concatenate([part[i] for part in parts])
    return pd.DataFrame(columns)
