"""Rankings of optimizers by their best-of-k outcome, with probabilities.

For each ``(workload, protocol, k)`` the optimizers are ranked by the
reported metric of the best of ``k`` random trials. Two kinds of probability
are reported and kept apart:

* ``p_better`` — the probability that A's best-of-k outcome is better than
  B's, over the random draw of the k trials from each (fixed) pool: exact,
  from the two best-of-k distributions (:func:`tunestats.kernels.ordering.prob_better`,
  ties counted half). Rank probabilities are exact too
  (:func:`tunestats.kernels.ordering.rank_distribution`).
* ``confidence`` — the trials are themselves a sample, so a pool of a few
  dozen trials can favour A by luck. An outer bootstrap over each pool's
  trials (``n_resamples`` replicates, seeded) recomputes ``p_better``;
  ``confidence`` is the fraction of replicates in which A is the likelier
  winner (``p_better > 1/2``, equality counted half). It is descriptive: a
  bootstrap support share is not a level-α test.
* ``p_value`` — the permutation test of "A and B's trials come from one
  population" (:mod:`tunestats.kernels.permutation`), level ≤ α at every k;
  ``p_adjusted`` controls the family-wise error over every pair check of the
  call: Westfall–Young min-p over k within a pair, then the closed-test
  (Holm-type) step-down over the (workload, protocol, pair) groups
  (``n_groups``; :func:`tunestats.kernels.permutation.holm_over_groups`). An
  order is *resolved* when ``p_adjusted <= alpha`` (``"<"`` or ``">"`` by the
  side of ``p_better``); otherwise the pair is reported as a tie.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from .._checks import (
    as_list,
    check_bool,
    check_choice,
    check_count,
    check_fraction,
    check_positive_int,
)
from .._random import keyed_generator, root_sequence
from ..errors import ParameterError
from ..kernels import POLICIES, kendall_tau, pairwise_matrix, rank_distribution
from ..kernels.permutation import (
    SIDES,
    holm_over_groups,
    permutation_pair_test,
    permutations_for,
)
from ..study import Metric, Pool, Study
from ..study.schema import FINAL, ROLES
from ._bestofk import Outcomes, budget_ladder, pool_outcomes, quantile_columns
from ._frames import stack_parts
from ._pools import lost, pool_generator
from .inclusion_graph import InclusionGraph

__all__ = ["RankingSetup", "Rankings", "kendall_agreement", "rank_pools", "ranking_setup"]

QUANTILES = (0.05, 0.5, 0.95)
#: Columns of the pairs table: the permutations behind the two-sided and one-sided p-values.
PERMUTATION_COUNTS = ("n_permutations", "n_permutations_a", "n_permutations_b")


@dataclass(frozen=True)
class RankingSetup:
    """Validated arguments shared by the ranking analyses."""

    metrics: Mapping[str, tuple[Metric, Metric]]  # workload → (select, report)
    k: Any
    replace: bool
    diverged: str
    alpha: float
    n_resamples: int
    root: np.random.SeedSequence
    protocols: list[str]
    n_permutations: int | None = None
    n_screen: int = 0


def ranking_setup(study: Study, *, select: Any, report: Any, k: Any, replace: Any,
                  diverged: Any, alpha: Any, n_resamples: Any, seed: Any, protocols: Any,
                  n_permutations: Any = None, n_screen: Any = 0) -> RankingSetup:
    """Check the arguments of :func:`compare_protocols` and friends at the door."""
    for name in (select, report):
        if name is not None and (name in study.metrics or name not in ROLES):
            study.metric(name)  # an unknown name fails here, before any workload
    metrics = {}
    for workload in study.workloads():
        chosen = study.resolve_metric("valid" if select is None else select, workload)
        reported = chosen if report is None else study.resolve_metric(report, workload)
        for metric in {chosen.name, reported.name}:
            if f"{FINAL}{metric}" not in study.trials:
                raise ParameterError(f"metric {metric!r} has no final values (no column "
                                     f"{FINAL}{metric} in the trials).")
        metrics[workload] = (chosen, reported)
    replace = check_bool("replace", replace)
    check_choice("diverged", diverged, POLICIES)
    alpha = check_fraction("alpha", alpha, high=0.5, high_open=True)
    n_resamples = check_positive_int("n_resamples", n_resamples)
    present = sorted(study.trials["protocol"].astype(str).unique())
    wanted = present if protocols is None else [str(p) for p in as_list(protocols)]
    for name in wanted:
        check_choice("protocols", name, present)
    if n_permutations is not None:
        n_permutations = check_positive_int("n_permutations", n_permutations)
    return RankingSetup(metrics, k, replace, diverged, alpha, n_resamples,
                        root_sequence(seed), wanted, n_permutations,
                        check_count("n_screen", n_screen))


@dataclass(frozen=True)
class Rankings:
    """Rankings of every ``(workload, protocol)`` at every budget.

    Attributes
    ----------
    rankings : DataFrame
        One row per ``(workload, protocol, k, optimizer)``: the best-of-k
        outcome (``mean, q05, q50, q95``), ``expected_rank``
        (:math:`1 + \\sum_{j \\ne i} P(j \\text{ beats } i)`), ``rank`` (1 + the number of
        optimizers resolved better than it at level α: unresolved pairs
        share ranks), ``n_trials``, ``n_diverged``.
    pairs : DataFrame
        One row per ``(workload, protocol, k)`` and unordered pair ``a < b``
        (names sorted): ``p_a_better``, ``confidence``, ``p_value``
        (two-sided permutation), ``p_value_a``/``p_value_b`` (one-sided),
        ``wy`` (two-sided) and ``wy_a``/``wy_b`` (one-sided), min-p adjusted
        over k within the pair,
        ``n_permutations`` (behind ``p_value`` and ``p_adjusted``),
        ``n_permutations_a``/``n_permutations_b`` (behind the one-sided ones:
        the full count, or the screen's where it stopped the side),
        ``p_adjusted`` (family-wise over all rows), ``family_size``,
        ``n_groups`` and ``order``
        (``"<"``: a resolved better, ``">"``: b resolved better, ``"~"``: tie).
    rank_probabilities : DataFrame
        ``workload, protocol, k, optimizer, rank, probability``.
    replicates : dict
        ``(workload, protocol) -> (optimizers, expected ranks of shape
        (n_resamples, K, M), point expected ranks (K, M), k)``, for agreement
        intervals.
    """

    rankings: pd.DataFrame
    pairs: pd.DataFrame
    rank_probabilities: pd.DataFrame
    replicates: dict


def _pool_values(study: Study, setup: RankingSetup):
    trials = study.trials[study.trials["protocol"].isin(setup.protocols)]
    groups: dict[tuple[str, str], dict[str, tuple]] = {}
    for key, frame in trials.groupby(["workload", "protocol", "optimizer"], observed=True,
                                     sort=True):
        workload, protocol, optimizer = (str(part) for part in key)
        chosen, reported = setup.metrics[workload]
        groups.setdefault((workload, protocol), {})[optimizer] = (
            frame[f"{FINAL}{chosen.name}"].to_numpy(dtype=float),
            frame[f"{FINAL}{reported.name}"].to_numpy(dtype=float),
            lost(frame), chosen, reported)
    return groups


def _outcomes(setup: RankingSetup, values: tuple, k: np.ndarray,
              boot: Pool | None = None) -> Outcomes:
    """The pool's outcomes; with ``boot`` (the pool's key), for outer-bootstrap replicates
    drawn from the pool's own stream."""
    select, report, lost_trials, chosen, reported = values
    return pool_outcomes(select, report, k, replace=setup.replace,
                         select_direction=chosen.direction,
                         report_direction=reported.direction, policy=setup.diverged,
                         lost=lost_trials,
                         resample=None if boot is None else pool_generator(setup.root, boot),
                         n_resamples=setup.n_resamples)


def _pool_size(values: tuple, policy: str) -> int:
    """Trials of a pool after the diverged policy (``"exclude"`` removes the lost ones)."""
    select, report, lost_trials = values[:3]
    if policy != "exclude":
        return len(select)
    return int((~(lost_trials | np.isnan(select) | np.isnan(report))).sum())


def _order(p_a_better: np.ndarray, p_adjusted: np.ndarray, alpha: float) -> np.ndarray:
    """``"<"`` (a better) or ``">"`` where the Holm-adjusted p-value is ≤ α, else ``"~"``."""
    resolved = p_adjusted <= alpha
    return np.where(resolved & (p_a_better > 0.5), "<",
                    np.where(resolved & (p_a_better < 0.5), ">", "~"))


def _refined_sides(a: str, b: str, inclusion: InclusionGraph | None) -> list[str]:
    """The sides of pair ``a < b`` that a decision uses: two-sided (orders, flips) and,
    for an inclusion pair, "the included optimizer is better" (violations); every side
    without a graph."""
    if inclusion is None:
        return list(SIDES)
    included = inclusion.pairs((a, b))
    return ["two-sided", *(["a"] if (a, b) in included else []),
            *(["b"] if (b, a) in included else [])]


def rank_pools(study: Study, setup: RankingSetup,
               inclusion: InclusionGraph | None = None) -> Rankings:
    """Rank the optimizers of every ``(workload, protocol)`` of ``setup.protocols``.

    With ``setup.n_screen`` > 0 each pair's permutation test screens first
    (:func:`tunestats.kernels.permutation.permutation_pair_test`): only the
    sides a decision uses are refined to the full count, those of
    :func:`_refined_sides` (``inclusion``: the graph of the violations).
    """
    groups = _pool_values(study, setup)
    columns = quantile_columns(QUANTILES)
    rank_rows, pair_rows, prob_rows, replicates = [], [], [], {}
    n_permutations = setup.n_permutations or permutations_for(
        sum(len(pools) * (len(pools) - 1) // 2 for pools in groups.values()), setup.alpha)
    for (workload, protocol), pools in groups.items():
        chosen, reported = setup.metrics[workload]
        sign = reported.sign
        names = sorted(pools)
        n_min = min(_pool_size(values, setup.diverged) for values in pools.values())
        k = budget_ladder(setup.k, n_min)
        point = {o: _outcomes(setup, pools[o], k) for o in names}
        boot = {o: _outcomes(setup, pools[o], k, Pool(workload, protocol, o)) for o in names}
        m = len(names)
        # beats[..., i, j] = P(i better than j): exact, and for every bootstrap replicate
        supports = [sign * point[o].values for o in names]
        beats = pairwise_matrix(supports, [point[o].probs for o in names])
        beats_boot = pairwise_matrix(supports, [boot[o].probs for o in names])
        confidence = np.mean(beats_boot > 0.5, axis=0) + 0.5 * np.mean(beats_boot == 0.5,
                                                                        axis=0)
        first, second = np.triu_indices(m, k=1)
        tests = [permutation_pair_test(
            point[names[i]].select, point[names[i]].values, point[names[j]].select,
            point[names[j]].values, k, replace=setup.replace,
            select_direction=chosen.direction, report_sign=sign,
            n_permutations=n_permutations, lost_a=point[names[i]].lost,
            lost_b=point[names[j]].lost, n_screen=setup.n_screen, alpha=setup.alpha,
            refine=_refined_sides(names[i], names[j], inclusion),
            seed=keyed_generator(setup.root, (workload, protocol, names[i], names[j],
                                              "permutation")))
            for i, j in zip(first.tolist(), second.tolist(), strict=True)]
        pair_rows.append({
            "workload": workload, "protocol": protocol, "k": np.repeat(k, first.size),
            "a": np.tile(np.asarray(names)[first], k.size),
            "b": np.tile(np.asarray(names)[second], k.size),
            "p_a_better": beats[:, first, second].ravel(),
            "confidence": confidence[:, first, second].ravel(),
            **{column: np.stack([getattr(t, field) for t in tests], axis=-1).ravel()
               if tests else np.zeros(0)
               for column, field in (("p_value", "p_two_sided"), ("p_value_a", "p_a"),
                                     ("p_value_b", "p_b"), ("wy", "wy_two_sided"),
                                     ("wy_a", "wy_a"), ("wy_b", "wy_b"))},
            **{column: np.tile([getattr(t, column) for t in tests], k.size)
               for column in PERMUTATION_COUNTS}})
        # (K, M): 1 + sum_{j != i} P(j better than i); the diagonal holds 1/2
        expected = 0.5 + beats.sum(axis=1)
        expected_boot = 0.5 + beats_boot.sum(axis=2)
        replicates[(workload, protocol)] = (names, expected_boot, expected, k)
        probs = rank_distribution(supports, [point[o].probs for o in names])  # (K, M, M)
        for i, name in enumerate(names):
            out = point[name]
            quantiles = out.quantiles(QUANTILES)
            rank_rows.append({"workload": workload, "protocol": protocol, "k": k,
                              "optimizer": name, "select": chosen.name,
                              "report": reported.name, "replace": setup.replace,
                              "mean": out.mean(),
                              **{c: quantiles[:, j] for j, c in enumerate(columns)},
                              "expected_rank": expected[:, i], "n_trials": out.n_trials,
                              "n_diverged": out.n_touched})
            prob_rows.append({"workload": workload, "protocol": protocol,
                              "k": np.repeat(k, m), "optimizer": name,
                              "rank": np.tile(np.arange(1, m + 1), k.size),
                              "probability": probs[:, i, :].ravel()})
    rankings = stack_parts(rank_rows, ["workload", "protocol", "k", "optimizer", "select",
                                       "report", "replace", "mean", *columns, "expected_rank",
                                       "n_trials", "n_diverged"])
    pairs = stack_parts(pair_rows, ["workload", "protocol", "k", "a", "b", "p_a_better",
                                    "confidence", "p_value", "p_value_a", "p_value_b", "wy",
                                    "wy_a", "wy_b", *PERMUTATION_COUNTS])
    groups = pairs["workload"].astype(str) + "/" + pairs["protocol"].astype(str) + "/" + (
        pairs["a"].astype(str) + "/" + pairs["b"].astype(str))
    pairs["p_adjusted"] = holm_over_groups(pairs["wy"].to_numpy(dtype=float), groups)
    pairs["family_size"] = len(pairs)
    pairs["n_groups"] = groups.nunique()
    pairs["order"] = _order(pairs["p_a_better"].to_numpy(dtype=float),
                            pairs["p_adjusted"].to_numpy(dtype=float), setup.alpha)
    rankings["rank"] = _tied_ranks(rankings, pairs)
    rankings = rankings.sort_values(["workload", "protocol", "k", "expected_rank", "optimizer"],
                                    ignore_index=True)
    return Rankings(rankings, pairs, stack_parts(prob_rows, ["workload", "protocol", "k",
                                                             "optimizer", "rank",
                                                             "probability"]), replicates)


def _tied_ranks(rankings: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
    """1 + the number of optimizers resolved better, for every row of ``rankings``."""
    better = pd.concat([
        pairs.loc[pairs["order"] == ">", ["workload", "protocol", "k", "a"]].rename(
            columns={"a": "optimizer"}),
        pairs.loc[pairs["order"] == "<", ["workload", "protocol", "k", "b"]].rename(
            columns={"b": "optimizer"})])
    counts = better.groupby(["workload", "protocol", "k", "optimizer"]).size()
    index = pd.MultiIndex.from_frame(rankings[["workload", "protocol", "k", "optimizer"]])
    return 1 + counts.reindex(index, fill_value=0).to_numpy()


def kendall_agreement(rankings: Rankings, protocols: Sequence[str], alpha: float
                      ) -> pd.DataFrame:
    """Kendall's τ-b between the expected ranks of two protocols, with a bootstrap interval.

    For each workload, budget and pair of protocols, over their common
    optimizers; the interval is the ``[alpha/2, 1 - alpha/2]`` percentile
    interval of τ over the outer-bootstrap replicates (independent across
    protocols).
    """
    rows = []
    workloads = sorted({w for w, _ in rankings.replicates})
    for workload in workloads:
        for first, second in combinations(protocols, 2):
            if (workload, first) not in rankings.replicates or (
                    workload, second) not in rankings.replicates:
                continue
            names_a, boot_a, point_a, k_a = rankings.replicates[(workload, first)]
            names_b, boot_b, point_b, k_b = rankings.replicates[(workload, second)]
            common = sorted(set(names_a) & set(names_b))
            ks = sorted(set(k_a.tolist()) & set(k_b.tolist()))
            if len(common) < 2 or not ks:
                continue
            ia = [names_a.index(n) for n in common]
            ib = [names_b.index(n) for n in common]
            ka = [k_a.tolist().index(k) for k in ks]
            kb = [k_b.tolist().index(k) for k in ks]
            tau = kendall_tau(point_a[ka][:, ia], point_b[kb][:, ib])
            tau_boot = kendall_tau(boot_a[:, ka][..., ia], boot_b[:, kb][..., ib])
            with np.errstate(invalid="ignore"):
                low, high = np.nanquantile(tau_boot, [alpha / 2, 1 - alpha / 2], axis=0)
            rows.append(pd.DataFrame({"workload": workload, "k": ks, "protocol_a": first,
                                      "protocol_b": second, "tau": tau, "tau_low": low,
                                      "tau_high": high, "n_optimizers": len(common)}))
    columns = ["workload", "k", "protocol_a", "protocol_b", "tau", "tau_low", "tau_high",
               "n_optimizers"]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns)
