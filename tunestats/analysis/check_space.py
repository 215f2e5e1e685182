"""Is the search space adequate? Boundary checks and the study verdict (Appendices D–E).

Choi et al. (2019) trust a comparison of optimizers only when each
optimizer's search space is adequate: the best trials lie away from the
edges of every tuned range, and enough trials were run for the best-of-k
curve to settle. :func:`check_space` checks both for every pool and returns
the verdict with every reason listed.

A pool whose search space is a finite list of joint points (AlgoPerf's list
form) has no ranges and so no edges: listing points in some order says
nothing about where a range ends. For such a pool the check says which
listed points were tried and which won, and its budget verdict is whether
the list is exhausted (every point tried) — there is no larger budget of the
same space to compare with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._checks import (
    as_list,
    check_bool,
    check_fraction,
    check_positive_int,
    check_real,
)
from .._html import HtmlRepr
from .._random import DEFAULT_SEED, root_sequence
from ..errors import ParameterError
from ..kernels import budget_verdict
from ..space import CHOICE_SCALES, SearchSpace
from ..study import Metric, Pool, Study
from ..study.schema import FINAL, HP, KEY, POOL, ROLES
from ._pools import final_values, pool_errors, pool_generator, pools_of
from .boundary import MIN_COMPLETED, SIDES, SideVerdict, boundary_sides
from .convergence import pool_noise
from .positions import TunedParam, check_params, pool_params, pool_positions

__all__ = ["SpaceCheck", "check_space"]

#: Scales whose extension is counted in decades.
LOG_SCALES = ("log", "int_log", "reverse_log")
#: Budget verdicts of a pool whose space is a finite list of points.
LIST_EXHAUSTED, POINTS_UNTRIED = "list exhausted", "points untried"


@dataclass(frozen=True, eq=False)
class SpaceCheck(HtmlRepr):
    """The result of :func:`check_space`.

    Attributes
    ----------
    adequate : bool
        True when no reason below was found.
    reasons : DataFrame
        Every reason why the space is not adequate, one per row: ``workload,
        protocol, optimizer, param, side, reason``.
    boundaries : DataFrame
        One row per (pool, tuned hyperparameter, side); see :func:`check_space`.
    budgets : DataFrame
        One row per pool: would doubling its number of trials change its
        best-of-k mean by more than δ? ``n_trials, n_diverged, k_half,
        gain_last, delta, relative, delta_source, noise_df, prob_gain_exceeds``
        and a ``verdict``; ``delta_source`` says whether δ is the pool's
        seed-to-seed noise (completed trials that share every hyperparameter
        value, ``noise_df`` degrees of freedom), the ``tolerance``, or the
        tolerance although the pool has reruns (``tolerance, flat within
        noise``: what tuning achieved is within twice what pure noise would
        give) (``enough trials``, ``not enough trials`` or ``insufficient data``);
        see :func:`tunestats.kernels.budget_verdict` for the rule. A pool
        whose space is a finite list of points gets ``list exhausted`` or
        ``points untried`` instead, with ``n_points`` and ``n_points_tried``.
    positions : DataFrame
        Every trial's position along every checked hyperparameter
        (:func:`tunestats.analysis.positions`) with its outcome: ``metric``
        (the final value, NaN unless completed), ``lost`` (diverged, failed,
        or completed without a value) and ``best`` (the pool's tied best trials
        among those with a value of the parameter), for the axis plots.
    points : DataFrame
        For the pools whose space is a finite list of joint points, one row
        per (pool, listed point): ``point`` (its index in the list),
        ``values`` (its values of the coordinates that vary), ``tried``,
        ``n_trials``, ``n_completed``, ``n_lost``, ``best_value`` (the best
        final value among its trials) and ``best`` (it holds the pool's best
        trial).
    notes : DataFrame
        One line per pool whose check differs from the boundary check:
        ``workload, protocol, optimizer, note`` (for a joint-point space, the
        number of points, how many were tried, which won).
    metric : Metric
        The metric the trials were judged by (of the first workload, when
        workloads are judged by different metrics; see ``metrics``).
    metrics : mapping of str to Metric
        The metric each workload's trials were judged by.
    options : mapping
        The options used.
    """

    adequate: bool
    reasons: pd.DataFrame
    boundaries: pd.DataFrame
    budgets: pd.DataFrame
    positions: pd.DataFrame
    metric: Metric
    options: Mapping[str, Any] = field(default_factory=dict)
    metrics: Mapping[str, Metric] = field(default_factory=dict)
    points: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=POINT_COLUMNS))
    notes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=[*POOL, "note"]))

    def tables(self) -> dict[str, pd.DataFrame]:
        """The result tables by name (what ``tunestats check-space`` prints)."""
        return {"boundaries": self.boundaries, "budgets": self.budgets, "reasons": self.reasons,
                "points": self.points, "notes": self.notes}

    def to_frame(self) -> pd.DataFrame:
        """The boundary table."""
        return self.boundaries


def _check_space_iv(study: Study, metric: str | None, params: Any, top_q: Any, edge: Any,
                    alpha: Any, extend_decades: Any, extend_fraction: Any, tolerance: Any,
                    relative: Any, n_resamples: Any,
                    seed: Any) -> dict[str, Any]:
    """Validate and normalise the arguments of :func:`check_space`."""
    if not isinstance(study, Study):
        raise ParameterError(f"`study` must be a Study; got {type(study).__name__}.")
    if metric is not None and (metric in study.metrics or metric not in ROLES):
        study.metric(metric)  # an unknown name fails here, before any workload
    chosen = {w: study.resolve_metric("valid" if metric is None else metric, w)
              for w in study.workloads()}
    for workload, m in chosen.items():
        if FINAL + m.name not in study.trials:
            raise ParameterError(f"metric {m.name!r} (of workload {workload!r}) has no final "
                                 f"values (no column '{FINAL}{m.name}' in the trials).")
    return {
        "metric": "valid" if metric is None else metric,
        "metrics": chosen,
        "params": None if params is None else [str(p) for p in as_list(params)],
        "top_q": check_fraction("top_q", top_q),
        "edge": check_fraction("edge", edge, high=0.5, high_open=True),
        "alpha": check_fraction("alpha", alpha, high_open=True),
        "extend_decades": check_real("extend_decades", extend_decades, low=0.0, low_open=True),
        "extend_fraction": check_real("extend_fraction", extend_fraction, low=0.0,
                                      low_open=True),
        "tolerance": check_real("tolerance", tolerance, low=0.0),
        "relative": check_bool("relative", relative),
        "n_resamples": check_positive_int("n_resamples", n_resamples),
        "seed": root_sequence(seed),
    }


def check_space(study: Study, *, metric: str | None = None,
                params: str | Iterable[str] | None = None, top_q: float = 0.1,
                edge: float = 0.05, alpha: float = 0.05, extend_decades: float = 1.0,
                extend_fraction: float = 0.5, tolerance: float = 0.1, relative: bool = True,
                n_resamples: int = 200,
                seed: Any = DEFAULT_SEED) -> SpaceCheck:
    """Check that every pool's best trials lie away from the edges of its search space.

    Parameters
    ----------
    study : Study
    metric : str, optional
        The metric the trials are judged by (default: the study's headline
        metric, its first validation metric).
    params : str or iterable of str, optional
        Only these hyperparameters (default: every tuned one).
    top_q : float, default 0.1
        Fraction q of each pool's completed trials that are its top trials,
        in (0, 1].
    edge : float, default 0.05
        Width ε of each edge band as a fraction of the range in the
        parameter's own scale, in (0, 0.5). For an ordered choice the band is
        the first or last choice.
    alpha : float, default 0.05
        Level of the crowding and trend tests, in (0, 1).
    extend_decades : float, default 1.0
        How far a proposed range extends an open edge of a ``log`` or
        ``reverse_log`` parameter, in decades (of ``1 - x`` for
        ``reverse_log``).
    extend_fraction : float, default 0.5
        How far it extends an open edge of a ``linear`` parameter, as a
        fraction of the range.
    tolerance : float, default 0.1
        Budget check (:func:`tunestats.kernels.budget_verdict`): the δ that
        doubling the number of trials must not beat, as a fraction of what
        tuning achieved in the pool (best-of-1 minus best-of-N mean) when
        ``relative``, else in the metric's units. Where a pool ran some
        configuration more than once (same hyperparameters, other seeds) and
        ``relative`` is True, δ is instead the pooled seed-to-seed standard
        deviation of the metric (:func:`tunestats.kernels.seed_noise`), the
        natural scale of "the answer changed", unless what tuning achieved
        in the pool is within twice what that noise alone would give (then
        the pool is flat within noise and δ stays the tolerance).
    relative : bool, default True
        Whether ``tolerance`` is relative.
    n_resamples : int, default 200
        Outer-bootstrap resamples for the probability that doubling gains
        more than δ (the verdict: enough trials iff it is ≤ 1/2).
    seed : int, SeedSequence or Generator, default 0
        Seed of that bootstrap; each pool draws from its own stream keyed by
        its name (:mod:`tunestats._random`).

    Returns
    -------
    SpaceCheck
        ``boundaries`` has one row per (pool, hyperparameter, side) with the
        pool, ``param``, ``scale``, ``bounds`` (``declared`` or ``inferred``
        from the trials), ``low``, ``high``, ``side``, ``verdict``,
        ``edge_kind``, ``best_value``, ``best_position``, ``band_share``,
        ``top_n``, ``top_in_band``, ``p_value``, ``n_beyond``,
        ``n_beyond_bad``, ``trend_tau``, ``trend_p``, ``proposed_low``,
        ``proposed_high``, ``note`` and the pool's trial counts ``n_trials``,
        ``n_completed``, ``n_lost`` (diverged, failed or without a value),
        ``n_failed`` (of them, failed) and ``n_missing`` (no value of this
        hyperparameter).

    Raises
    ------
    ParameterError
        For an unknown metric, a hyperparameter tuned in no pool, or an
        option outside its range.

    Notes
    -----
    Verdicts and edge kinds are those of
    :func:`tunestats.analysis.boundary.boundary_sides`. Each pool is judged on
    all its trials (every repeat). Every trial that did not complete with a
    value of the metric (diverged, failed — a crash, or pruned by the tuner —
    or completed without a value) is *lost*, the one failed-trial policy of
    tunestats: the best-of-k analyses and the budget verdict count it as the
    pool's worst outcome (``diverged="worst"``), and here it never counts
    among the top trials and counts as bad beyond the best (a divergence
    cliff); the crowding share and the trend are over the completed trials.
    ``n_lost`` counts the lost trials, ``n_failed`` those of them that
    failed. Trials without a value of a hyperparameter are left out of that
    hyperparameter's check and counted in ``n_missing``.
    A pool with fewer than 3 completed trials gets ``insufficient data``.

    An open edge is extended by ``extend_decades`` (log scales) or
    ``extend_fraction * (high - low)`` (linear), in the parameter's own
    coordinate (:meth:`tunestats.Param.widened`).

    The space is adequate unless some pool has insufficient data, some side
    is an open edge, or some pool has not enough trials (the budget verdict). A divergence cliff (widening would add only failures)
    and an edge without a trend are reported, not counted against it.

    A pool whose search space is a finite list of joint points
    (:attr:`tunestats.SearchSpace.listed`) gets no edge verdicts: its rows
    have verdict ``not applicable``, and ``points`` says which points its
    trials ran (a trial runs a point when it has the point's value of every
    coordinate). Its budget verdict is ``list exhausted`` when every point
    was tried, else ``points untried`` (a reason: an untried point could
    hold a better result); the minimum of 3 completed trials does not apply.

    References
    ----------
    .. [1] Choi, D. et al. (2019). On Empirical Comparisons of Optimizers for
       Deep Learning. arXiv:1910.05446, Appendices D–E.

    Examples
    --------
    >>> from tunestats.synthetic import Bowl, synthetic_study
    >>> study = synthetic_study(optimizers=["sgd"], seed=0,
    ...     bowls={("quadratic", "paper", "sgd"): Bowl(optimum=3.0)})
    >>> result = check_space(study)
    >>> result.adequate
    False
    >>> row = result.boundaries.query("side == 'high'").iloc[0]
    >>> row.verdict, row.edge_kind, float(row.proposed_high)
    ('best at edge', 'open edge', 10.0)
    """
    iv = _check_space_iv(study, metric, params, top_q, edge, alpha, extend_decades,
                         extend_fraction, tolerance, relative, n_resamples,
                         seed)
    rows, position_frames, reasons, point_rows, notes, listed = [], [], [], [], [], {}
    pools = {pool: (trials.sort_values(["repeat", "trial"]), pool_params(study, pool, trials))
             for pool, trials in study.pools()}
    check_params(iv["params"], [t.param.name for _, tuned in pools.values() for t in tuned])
    for pool, (trials, tuned) in pools.items():
        if iv["params"] is not None:
            tuned = [t for t in tuned if t.param.name in iv["params"]]
        metric = iv["metrics"][pool.workload]
        pos = _with_outcomes(pool_positions(trials, tuned), trials, metric)
        position_frames.append(pos)
        pool_rows = _pool_rows(pool, trials, tuned, pos, {**iv, "metric": metric})
        rows += pool_rows
        n_completed = _completed(trials, metric).sum()
        space = study.spaces.get((pool.protocol, pool.optimizer))
        if space is not None and space.is_listed:
            these, note, listed[pool] = _listed_points(pool, trials, space, metric)
            point_rows += these
            notes.append({**pool._asdict(), "note": note})
            continue
        if n_completed < MIN_COMPLETED:
            reasons.append({**pool._asdict(), "param": None, "side": None,
                            "reason": f"insufficient data: {n_completed} completed trial(s) "
                                      f"with a value; at least {MIN_COMPLETED} needed"})
        reasons += [{**pool._asdict(), "param": r["param"], "side": r["side"],
                     "reason": _open_edge_reason(r)}
                    for r in pool_rows if r.get("edge_kind") == "open edge"]
    boundaries = pd.DataFrame(rows, columns=BOUNDARY_COLUMNS)
    budgets = _budgets(study, iv, listed)
    reasons += [{**{c: row[c] for c in POOL}, "param": None, "side": None,
                 "reason": _budget_reason(row)}
                for _, row in budgets[budgets["verdict"].isin(
                    ["not enough trials", POINTS_UNTRIED])].iterrows()]
    frames = [f for f in position_frames if len(f)]
    return SpaceCheck(
        adequate=not reasons,
        reasons=pd.DataFrame(reasons, columns=[*POOL, "param", "side", "reason"]),
        boundaries=boundaries,
        budgets=budgets,
        positions=pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(),
        metric=next(iter(iv["metrics"].values())),
        options={k: v for k, v in iv.items() if k not in ("metric", "metrics")},
        metrics=iv["metrics"],
        points=pd.DataFrame(point_rows, columns=POINT_COLUMNS).astype(
            {"point": "int64", "tried": bool, "best": bool}),
        notes=pd.DataFrame(notes, columns=[*POOL, "note"]))


BOUNDARY_COLUMNS = [
    *POOL, "param", "scale", "bounds", "low", "high", "side", "verdict", "edge_kind",
    "best_value", "best_position", "band_share", "top_n", "top_in_band", "p_value",
    "n_beyond", "n_beyond_bad", "trend_tau", "trend_p", "proposed_low", "proposed_high",
    "note", "n_trials", "n_completed", "n_lost", "n_failed", "n_missing"]

POINT_COLUMNS = [*POOL, "point", "values", "tried", "n_trials", "n_completed", "n_lost",
                 "best_value", "best"]


def _listed_points(pool: Pool, trials: pd.DataFrame, space: SearchSpace,
                   metric: Metric) -> tuple[list[dict[str, Any]], str, dict[str, int]]:
    """Which listed points of a joint-point space a pool's trials ran: the rows of
    ``points``, the pool's note, and ``n_points``/``n_points_tried`` for its budget row."""
    columns = {n: trials[HP + n].to_numpy(dtype=object) for n in space.coordinates
               if HP + n in trials}
    ran = space.matches(columns, len(trials))  # trials × points
    status = trials["status"].to_numpy(dtype=object)
    done = _completed(trials, metric)
    lost = (status == "diverged") | ((status == "completed") & ~done)
    y = np.where(done, metric.sign * trials[FINAL + metric.name].to_numpy(dtype=float), np.inf)
    best_y = y.min() if done.any() else np.inf
    rows = []
    for j, point in enumerate(space.listed):
        mine = ran[:, j]
        best = y[mine].min() if mine.any() else np.inf
        rows.append({**pool._asdict(), "point": j,
                     "values": ", ".join(f"{n}={point.get(n)!r}" for n in space.names),
                     "tried": bool(mine.any()), "n_trials": int(mine.sum()),
                     "n_completed": int((mine & done).sum()), "n_lost": int((mine & lost).sum()),
                     "best_value": metric.sign * best if np.isfinite(best) else np.nan,
                     "best": bool(np.isfinite(best) and best == best_y)})
    n, tried = len(space.listed), sum(r["tried"] for r in rows)
    untried = [r["point"] for r in rows if not r["tried"]]
    winners = [r["point"] for r in rows if r["best"]]
    note = (f"space is a finite list of {n} points: boundary check not applicable; "
            f"{tried} of {n} tried" + (" (list exhausted)" if not untried else
                                       f" (untried: {', '.join(map(str, untried))})"))
    if winners:
        note += (f"; best {metric.name}: {metric.sign * best_y:.6g} at point "
                 + ", ".join(map(str, winners)))
    unlisted = int((~ran.any(axis=1)).sum())
    if unlisted:
        note += f"; {unlisted} trial(s) ran none of the listed points"
    return rows, note, {"n_points": n, "n_points_tried": tried}


def _completed(trials: pd.DataFrame, metric: Metric) -> np.ndarray:
    """Trials that completed with a finite value of ``metric``."""
    values = trials[FINAL + metric.name].to_numpy(dtype=float)
    return (trials["status"] == "completed").to_numpy() & np.isfinite(values)


def _budgets(study: Study, iv: Mapping[str, Any],
             listed: Mapping[Pool, Mapping[str, int]]) -> pd.DataFrame:
    """The budget verdict of every pool (:func:`tunestats.kernels.budget_verdict`, selecting
    and reporting its workload's checked metric, diverged and failed trials counted as the worst
    outcome at the pool's worst finite value) on the pools with enough completed trials; for
    the pools in ``listed`` (joint-point spaces), whether every listed point was tried."""
    rows = []
    for pool, trials in pools_of(study):
        metric: Metric = iv["metrics"][pool.workload]
        trials = trials.sort_values(list(KEY))  # trial order does not change the result
        row = {**pool._asdict(), "n_trials": len(trials)}
        if pool in listed:
            counts = listed[pool]
            rows.append({**row, **counts, "verdict": LIST_EXHAUSTED if counts["n_points_tried"]
                         == counts["n_points"] else POINTS_UNTRIED})
            continue
        if _completed(trials, metric).sum() < MIN_COMPLETED:
            rows.append({**row, "verdict": "insufficient data"})
            continue
        with pool_errors(pool):
            values = final_values(trials, "worst", metric, metric)
            width = ({"tolerance": iv["tolerance"], "noise": pool_noise(trials, metric)}
                     if iv["relative"] else {"delta": iv["tolerance"]})
            verdict = budget_verdict(
                values.select, values.report, **width,
                select_direction=metric.direction, report_direction=metric.direction,
                n_resamples=iv["n_resamples"], seed=pool_generator(iv["seed"], pool))
        source = "tolerance" if verdict.delta_source == "given" else verdict.delta_source
        rows.append({**row, "n_diverged": values.n_touched, "k_half": verdict.k_half,
                     "gain_last": verdict.gain, "delta": verdict.delta,
                     "relative": iv["relative"], "delta_source": source,
                     "noise_df": verdict.noise_df,
                     "prob_gain_exceeds": verdict.prob_gain_exceeds,
                     "verdict": "enough trials" if verdict.enough else "not enough trials"})
    columns = [*POOL, "n_trials", "n_diverged", "k_half", "gain_last", "delta", "relative",
               "delta_source", "noise_df", "prob_gain_exceeds", "verdict", "n_points",
               "n_points_tried"]
    frame = pd.DataFrame(rows).reindex(columns=columns)
    frame["n_points"] = frame["n_points"].astype("Int64")
    frame["n_points_tried"] = frame["n_points_tried"].astype("Int64")
    frame["n_diverged"] = frame["n_diverged"].astype("Int64")
    frame["k_half"] = frame["k_half"].astype("Int64")
    frame["noise_df"] = frame["noise_df"].astype("Int64")
    return frame.sort_values(list(POOL), ignore_index=True)


def _with_outcomes(pos: pd.DataFrame, trials: pd.DataFrame, metric: Metric) -> pd.DataFrame:
    """Positions with each trial's ``metric`` value (NaN unless completed), ``lost``
    (diverged, failed, or completed without a value) and ``best`` (the tied best trials of the
    pool among those with a position along that parameter)."""
    if pos.empty:
        return pos.assign(metric=np.nan, lost=False, best=False)
    n_params = len(pos) // len(trials)  # rows are parameter by parameter
    raw = trials[FINAL + metric.name].to_numpy(dtype=float)
    status = trials["status"].to_numpy(dtype=object)
    completed = (status == "completed") & np.isfinite(raw)
    lost = ~completed  # the one failed-trial policy: diverged, failed or without a value
    pos = pos.assign(metric=np.tile(np.where(completed, raw, np.nan), n_params),
                     lost=np.tile(lost, n_params))
    oriented = (metric.sign * pos["metric"]).where(np.isfinite(pos["position"]))
    pos["best"] = (oriented == oriented.groupby(pos["param"], sort=False).transform("min"))
    return pos


def _pool_rows(pool: Pool, trials: pd.DataFrame, tuned: list[TunedParam], pos: pd.DataFrame,
               iv: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The boundary rows of one pool (trials sorted by repeat and trial)."""
    metric: Metric = iv["metric"]
    status = trials["status"].to_numpy(dtype=object)
    y = metric.sign * trials[FINAL + metric.name].to_numpy(dtype=float)
    lost = (status != "completed") | ~np.isfinite(y)  # diverged, failed or without a value
    y = np.where(lost, np.nan, y)
    counts = {"n_trials": len(trials), "n_completed": int((~lost).sum()),
              "n_lost": int(lost.sum()), "n_failed": int((status == "failed").sum())}
    rows = []
    for one in tuned:
        param = one.param
        part = pos[pos["param"] == param.name]
        u = part["position"].to_numpy(dtype=float)
        use = np.isfinite(u)
        row = {**pool._asdict(), "param": param.name, "scale": param.scale,
               "bounds": one.bounds, "low": param.low, "high": param.high, **counts,
               "n_missing": int((~use).sum())}
        if one.bounds == "listed":
            rows += [{**row, "side": side, "verdict": "not applicable",
                      "note": "a coordinate of a finite list of points has no edges"}
                     for side in SIDES]
            continue
        if not one.ordered:
            rows += [{**row, "side": side, "verdict": "unordered",
                      "note": "choices without an order have no edges"} for side in SIDES]
            continue
        choice = param.scale in CHOICE_SCALES
        band = 1.0 / len(param.choices) if choice else iv["edge"]
        sides = boundary_sides(u[use], y[use], lost[use], band=band, top_q=iv["top_q"],
                               alpha=iv["alpha"])
        values = part["choice" if choice else "value"].to_numpy()[use]
        for side, verdict in sides.items():
            best = values[verdict.best_index] if verdict.best_index >= 0 else np.nan
            rows.append({**row, "side": side, **_side_fields(verdict), "best_value": best,
                         **_proposal(one, side, verdict, iv)})
    return rows


def _side_fields(verdict: SideVerdict) -> dict[str, Any]:
    return {name: getattr(verdict, name) for name in (
        "verdict", "edge_kind", "best_position", "band_share", "top_n", "top_in_band",
        "p_value", "n_beyond", "n_beyond_bad", "trend_tau", "trend_p")}


def _proposal(tuned: TunedParam, side: str, verdict: SideVerdict,
              iv: Mapping[str, Any]) -> dict[str, Any]:
    """The proposed range for an open edge (NaN bounds and a note otherwise)."""
    param = tuned.param
    out = {"proposed_low": np.nan, "proposed_high": np.nan, "note": None}
    if verdict.edge_kind == "divergence cliff":
        out["note"] = "widening would add only lost or poor trials"
    elif verdict.edge_kind == "no trend":
        out["note"] = "best at the edge, but results do not improve towards it"
    if verdict.edge_kind != "open edge":
        return out
    if param.scale in CHOICE_SCALES:
        beyond = param.choices[0] if side == "low" else param.choices[-1]
        out["note"] = f"add a choice beyond {beyond!r}"
        return out
    amount = (iv["extend_decades"] if param.scale in LOG_SCALES
              else iv["extend_fraction"] * (param.high - param.low))
    try:
        wider = param.widened(side, amount)
    except ParameterError as exc:
        out["note"] = f"cannot widen within the {param.scale} scale: {exc}"
        return out
    out["proposed_low"], out["proposed_high"] = wider.low, wider.high
    return out


def _budget_reason(row: Mapping[str, Any]) -> str:
    """One line: what the last doubling gained, against δ, and how sure that is (for a
    joint-point space: how many listed points were never tried)."""
    if row["verdict"] == POINTS_UNTRIED:
        return (f"not enough trials: {row['n_points'] - row['n_points_tried']} of the "
                f"{row['n_points']} listed points never tried")
    return (f"not enough trials: doubling from {row['k_half']} to {row['n_trials']} trials "
            f"gained {row['gain_last']:.3g} in the best-of-k mean, and a gain above "
            f"delta = {row['delta']:.3g} has bootstrap probability "
            f"{row['prob_gain_exceeds']:.2f} > 0.5")


def _open_edge_reason(row: Mapping[str, Any]) -> str:
    """One line: which edge is open and what to do."""
    text = f"{row['param']} {row['side']}: {row['verdict']}, open edge"
    if np.isfinite(row["proposed_low"]):
        text += f"; widen to [{row['proposed_low']:.6g}, {row['proposed_high']:.6g}]"
    elif row["note"]:
        text += f"; {row['note']}"
    return text
