"""Comparing optimizers across tuning protocols: rankings, agreement, rank flips, inclusion.

Choi et al. (2019, Figures 1, 3 and 4) show that the ranking of optimizers
depends on the tuning protocol: under narrow protocols (only the learning
rate tuned) rankings flip and contradict the inclusion relationships, which
hold once every hyperparameter is tuned. :func:`compare_protocols` makes that
comparison for any study; see :mod:`tunestats.analysis.ranking` for the two
kinds of probability it reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any

import pandas as pd

from .._html import HtmlRepr
from .._random import DEFAULT_SEED
from ..errors import ParameterError
from ..kernels.permutation import SCREEN_PERMUTATIONS, holm_over_groups
from ..study import Study
from ._frames import stack_parts
from .inclusion_graph import InclusionGraph, inclusion_graph
from .ranking import Rankings, kendall_agreement, rank_pools, ranking_setup

__all__ = ["ProtocolComparison", "compare_protocols", "inclusion_violations"]

_FLIP_COLUMNS = ["workload", "k", "a", "b", "protocol_a", "protocol_b", "p_a_better_in_a",
                 "p_a_better_in_b", "confidence_in_a", "confidence_in_b", "resolved"]
_VIOLATION_COLUMNS = ["workload", "protocol", "k", "included", "including",
                      "p_included_better", "confidence", "p_value", "n_permutations",
                      "p_adjusted", "family_size", "violation"]


@dataclass(frozen=True)
class ProtocolComparison(HtmlRepr):
    """Everything :func:`compare_protocols` finds.

    Attributes
    ----------
    rankings, pairs, rank_probabilities : DataFrame
        See :class:`tunestats.analysis.ranking.Rankings`.
    agreement : DataFrame
        Kendall's τ-b between the protocols' expected ranks, per workload,
        budget and pair of protocols, with a bootstrap interval
        (``tau_low``, ``tau_high``).
    flips : DataFrame
        Pairs of optimizers ordered one way under ``protocol_a`` and the
        other way under ``protocol_b`` (by ``p_a_better`` on either side of
        1/2), with both probabilities and confidences; ``resolved`` when both
        orders are resolved at level α. Resolved flips first.
    violations : DataFrame
        Every inclusion check (see :func:`inclusion_violations`), violations
        first.
    alpha : float
    """

    rankings: pd.DataFrame
    pairs: pd.DataFrame
    rank_probabilities: pd.DataFrame
    agreement: pd.DataFrame
    flips: pd.DataFrame
    violations: pd.DataFrame
    alpha: float

    def to_frame(self) -> pd.DataFrame:
        """The rankings table."""
        return self.rankings


def _check_overlap(study: Study, protocols: list[str]) -> None:
    workloads = {p: set(study.trials.loc[study.trials["protocol"] == p, "workload"].astype(str))
                 for p in protocols}
    for first, second in combinations(protocols, 2):
        if not workloads[first] & workloads[second]:
            raise ParameterError(
                f"protocols {first!r} and {second!r} share no workload ({first}: "
                f"{', '.join(sorted(workloads[first]))}; {second}: "
                f"{', '.join(sorted(workloads[second]))}); a comparison needs common workloads.")


def _flips(pairs: pd.DataFrame, protocols: list[str]) -> pd.DataFrame:
    parts = []
    keys = ["workload", "k", "a", "b"]
    for first, second in combinations(protocols, 2):
        left = pairs[pairs["protocol"] == first]
        right = pairs[pairs["protocol"] == second]
        both = left.merge(right, on=keys, suffixes=("_in_a", "_in_b"))
        flipped = (both["p_a_better_in_a"] - 0.5) * (both["p_a_better_in_b"] - 0.5) < 0
        both = both[flipped.to_numpy()]
        resolved = (((both["order_in_a"] == "<") & (both["order_in_b"] == ">"))
                    | ((both["order_in_a"] == ">") & (both["order_in_b"] == "<")))
        parts.append(both.assign(protocol_a=first, protocol_b=second,
                                 resolved=resolved.to_numpy())[_FLIP_COLUMNS])
    flips = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=_FLIP_COLUMNS)
    return flips.sort_values(["resolved", "workload", "k", "a", "b"],
                             ascending=[False, True, True, True, True], ignore_index=True)


def _violations(ranked: Rankings, graph: InclusionGraph, alpha: float) -> pd.DataFrame:
    by_pair = {key: frame for key, frame in ranked.pairs.groupby(
        ["workload", "protocol", "a", "b"], sort=False)}
    rows = []
    for (workload, protocol), (names, *_rest) in ranked.replicates.items():
        for low, high in graph.pairs(names):
            a, b = sorted((low, high))
            sel = by_pair[(workload, protocol, a, b)]
            p = sel["p_a_better"].to_numpy()
            confidence = sel["confidence"].to_numpy()
            side = "a" if a == low else "b"  # the side "the included optimizer is better"
            if a != low:
                p, confidence = 1 - p, 1 - confidence
            p_value, wy = sel[f"p_value_{side}"].to_numpy(), sel[f"wy_{side}"].to_numpy()
            count = sel[f"n_permutations_{side}"].to_numpy()
            rows.append({"workload": workload, "protocol": protocol,
                         "k": sel["k"].to_numpy(), "included": low, "including": high,
                         "p_included_better": p, "confidence": confidence,
                         "p_value": p_value, "n_permutations": count, "wy": wy})
    out = stack_parts(rows, [*_VIOLATION_COLUMNS[:-3], "wy"])
    groups = out["workload"].astype(str) + "/" + out["protocol"].astype(str) + "/" + (
        out["included"].astype(str) + "/" + out["including"].astype(str))
    out["p_adjusted"] = holm_over_groups(out.pop("wy").to_numpy(dtype=float), groups)
    out["family_size"] = len(out)
    out["violation"] = out["p_adjusted"].to_numpy(dtype=float) <= alpha
    return out.sort_values(["violation", "workload", "protocol", "k", "included", "including"],
                           ascending=[False, True, True, True, True, True], ignore_index=True)


def compare_protocols(study: Study, *, protocols: Any = None, k: Any = None,
                      select: str | None = None, report: str | None = None,
                      replace: bool = True, diverged: str = "worst", alpha: float = 0.05,
                      n_resamples: int = 200, graph: Any = None, seed: Any = DEFAULT_SEED,
                      n_permutations: int | None = None,
                      n_screen: int = SCREEN_PERMUTATIONS) -> ProtocolComparison:
    """Rank the optimizers under each protocol and compare the rankings.

    Parameters
    ----------
    study : Study
    protocols : str or list of str, optional
        The protocols to compare (default: all). Every two must share a workload.
    k : int or sequence of int, optional
        Budgets (default: powers of two up to the smallest pool of each
        ``(workload, protocol)``, and that pool size).
    select : str, optional
        The metric that picks the best of the k trials (default: the
        headline validation metric).
    report : str, optional
        The metric reported for it (default: ``select``).
    replace : bool
        Draw the k trials with (Dodge et al. 2019) or without (Tang et al.
        2020) replacement.
    diverged : {"worst", "exclude"}
        Policy for diverged/failed trials; the counts are in ``n_diverged``.
    alpha : float
        Family-wise error level at which orders are resolved and violations
        reported, in (0, 0.5).
    n_resamples : int
        Outer-bootstrap replicates for the confidences and τ intervals
        (descriptive; no decision uses them).
    graph : optional
        The inclusion graph (see :func:`tunestats.analysis.inclusion_graph`).
    n_permutations : int, optional
        Permutations of each pair's trials for the p-values; the smallest
        attainable adjusted p-value is ``n_groups / (P + 1)``. Default:
        :func:`tunestats.kernels.permutation.permutations_for` the number of
        pairs of the call, ``max(1999, ceil(4 G / alpha) - 1)`` (smallest
        adjusted p-value ≤ α/4).
    n_screen : int, default 199
        Permutations of the screening stage: every pair first gets
        ``n_screen``; only the sides a decision uses (two-sided for orders,
        "the included optimizer is better" for inclusion pairs) whose
        smallest within-pair adjusted p-value is at most the screening bound
        (:func:`tunestats.kernels.permutation.screen_bound`, 0.11 at α = 0.05)
        continue the same permutation stream to ``n_permutations``; the
        others keep their stage-1 p-values (resolution ``1/(n_screen+1)``).
        The columns ``n_permutations*`` say which. 0: no screen, every pair
        gets ``n_permutations``.
    seed : int, SeedSequence or Generator, default 0
        Randomness of the outer bootstrap and the permutations; same seed,
        same numbers. Each pool
        draws from its own stream keyed by its name (:mod:`tunestats._random`),
        so a pool's replicates do not depend on the other pools, protocols or
        optimizers in the call.

    Returns
    -------
    ProtocolComparison

    Raises
    ------
    ParameterError
        Unknown metric or protocol, protocols sharing no workload, bad
        budgets or levels, a malformed inclusion graph.

    Notes
    -----
    ``p_a_better`` is exact (the best-of-k distributions of two independent
    pools, ties counted half); ``confidence`` is the outer-bootstrap
    probability that A is the likelier winner (descriptive); rank
    probabilities are exact (a dynamic programme over the other optimizers,
    ties broken at random). See :mod:`tunestats.analysis.ranking`.

    **Decisions.** Each check (workload, protocol, k, pair) has a permutation
    p-value (:func:`tunestats.kernels.permutation.permutation_pair_test`:
    level ≤ α at every k, k = N included, when the two optimizers' trials
    come from one population). Orders (``pairs.order``, rank flips, tied
    ranks) use the two-sided p-value adjusted over the budgets of the pair
    by the Westfall–Young single-step min-p method (the same permutations)
    and then by the closed-test step-down over the (workload, protocol,
    pair) groups of the call
    (:func:`tunestats.kernels.permutation.holm_over_groups`, never above
    Bonferroni over groups): ``p_adjusted``, with
    ``family_size`` checks in ``n_groups`` groups. An order is resolved when
    ``p_adjusted ≤ alpha``, and a flip is resolved when both of its orders
    are. Violations use the one-sided p-value "the included optimizer is
    better", adjusted the same way over every inclusion check of the call
    (all workloads, protocols, inclusion pairs and k): the family-wise error
    of each report is ≤ α. The screen (``n_screen``) keeps both: a stopped
    side's p-values are valid stage-1 p-values above the screening bound
    (≥ α, so never rejected), a refined side's are those of the one-stage
    test, and the decisions are the one-stage test's unless a stopped side
    would have come out ≤ α with all the permutations (about 0.1 % of the
    sides whose exact p-value is ≤ α; the argument is in
    :func:`tunestats.kernels.permutation.permutation_pair_test`).

    **Level and power** (``benchmarks/calibration.py``; accuracies on a
    300-image validation set, 10–30 % diverged, one-sided, α = 0.05). Under
    a true null the per-check rate is 0.047–0.055 at every k (4,500
    independent pairs, 3 s.d. = 0.0097), and of 150 null studies of 2
    workloads × 2 protocols × 6 optimizers, screened as here, none reports a
    violation after the family-wise step at N = 32 or 100 (target ≤ 5 %). Power for one optimizer better by 1 or 2 accuracy points,
    share of pairs found better per check / after Westfall–Young over k /
    after the family of such a study (32 inclusion groups), is tabulated in
    :mod:`tunestats.kernels.permutation` for N = 32 and 100 (one table, one
    place): at N = 100 a 2-point gain is found at k = 4 in 0.97 of pairs per
    check and 0.47 after the family, a 1-point gain at N = 32 almost never
    after the family.

    A 1–2 point gap is rarely resolved at the family level below N = 100;
    a claim about fewer pairs, or at one chosen k, keeps more of the
    per-check power.

    References
    ----------
    .. [1] Choi, D. et al. (2019). On Empirical Comparisons of Optimizers for
       Deep Learning. arXiv:1910.05446, Figures 1, 3, 4.
    """
    setup = ranking_setup(study, select=select, report=report, k=k, replace=replace,
                          diverged=diverged, alpha=alpha, n_resamples=n_resamples, seed=seed,
                          protocols=protocols, n_permutations=n_permutations,
                          n_screen=n_screen)
    _check_overlap(study, setup.protocols)
    graph = inclusion_graph(study, graph)
    ranked = rank_pools(study, setup, graph)
    return ProtocolComparison(
        ranked.rankings, ranked.pairs, ranked.rank_probabilities,
        kendall_agreement(ranked, setup.protocols, setup.alpha),
        _flips(ranked.pairs, setup.protocols),
        _violations(ranked, graph, setup.alpha), setup.alpha)


def inclusion_violations(study: Study, *, protocols: Any = None, k: Any = None,
                         select: str | None = None, report: str | None = None,
                         replace: bool = True, diverged: str = "worst", alpha: float = 0.05,
                         n_resamples: int = 200, graph: Any = None, seed: Any = DEFAULT_SEED,
                         all_checks: bool = False, n_permutations: int | None = None,
                         n_screen: int = SCREEN_PERMUTATIONS) -> pd.DataFrame:
    """Pools where a more general optimizer is worse than one it includes.

    For every ``(workload, protocol, k)`` and inclusion pair A ⊆ B of the
    graph present in the study, ``p_included_better`` is the exact
    probability that A's best-of-k outcome beats B's, ``confidence`` the
    outer-bootstrap probability that A is the likelier winner (descriptive),
    ``p_value`` the one-sided permutation p-value for "A is better" and
    ``p_adjusted`` its family-wise adjustment over all ``family_size`` checks
    (see :func:`compare_protocols`). A
    **violation** is a check with ``p_adjusted <= alpha`` (family-wise error
    ≤ α over workloads, protocols, pairs and k): the signature of an
    under-tuned search space for B (Choi et al. 2019).

    Parameters
    ----------
    study : Study
    protocols, k, select, report, replace, diverged, alpha, n_resamples, graph, seed
        As in :func:`compare_protocols`.
    n_permutations, n_screen
        As in :func:`compare_protocols`.
    all_checks : bool
        Return every check (column ``violation``), not only the violations.

    Returns
    -------
    DataFrame
        ``workload, protocol, k, included, including, p_included_better,
        confidence, p_value, n_permutations, p_adjusted, family_size,
        violation`` (``n_permutations``: behind ``p_value`` and
        ``p_adjusted``, the full count or the screen's).

    Notes
    -----
    Level and power of the check (per check, over k, over the study's
    family): the table in the Notes of :func:`compare_protocols`, the same
    tests.
    """
    setup = ranking_setup(study, select=select, report=report, k=k, replace=replace,
                          diverged=diverged, alpha=alpha, n_resamples=n_resamples, seed=seed,
                          protocols=protocols, n_permutations=n_permutations,
                          n_screen=n_screen)
    if not isinstance(all_checks, bool):
        raise ParameterError(f"`all_checks` must be True or False; got {all_checks!r}.")
    graph = inclusion_graph(study, graph)
    checks = _violations(rank_pools(study, setup, graph), graph, setup.alpha)
    return checks if all_checks else checks[checks["violation"].to_numpy()].reset_index(
        drop=True)
