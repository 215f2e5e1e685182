"""Level-α tests for "A's best-of-k outcome beats B's", and Holm-type step-down adjustments.

The statistic is the exact probability that the best of ``k`` trials of pool A
beats the best of ``k`` trials of pool B (:func:`tunestats.kernels.ordering.prob_better`,
ties counted half). Under the null hypothesis that the two optimizers' trials
come from one population, the trials are exchangeable between the pools, and
the permutation test that reshuffles them (the pool sizes kept) has level
≤ α at every k, k = N included, in finite samples: the p-value
``(1 + #{permuted statistic at least as extreme}) / (1 + P)`` is
super-uniform (Phipson & Smyth 2010).

Family-wise control over a study: :func:`holm_over_groups` (a closed test,
Holm-type step-down over the (workload, protocol, pair) groups, on the
Westfall–Young adjusted p-values within each pair), with
:func:`permutations_for` permutations by default so that the smallest
attainable adjusted p-value is ≤ α/4.

Screening: most pairs of a study are nowhere near significance, and a pair
whose within-pair adjusted p-value exceeds α can never be rejected by the
step-down (its adjusted p-value is at least its own). ``permutation_pair_test(...,
n_screen=P0)`` therefore draws P0 permutations first and continues the same
stream to all P only for the sides whose smallest Westfall–Young p-value is
at most :func:`screen_bound` (see the Notes of :func:`permutation_pair_test`
for why the result stays a valid p-value).

Measured (``benchmarks/calibration.py --sections comparison --study-reps
150``; accuracies on a 300-image validation set, 10–30 % diverged,
one-sided "A is better", α = 0.05; the family's checks screened as
:func:`tunestats.analysis.compare_protocols` screens them, 199 permutations
first):

* level: 4,500 independent null pairs per N (3 s.d. = 0.0097), 199
  permutations: per-check rate 0.047–0.055 at every k of the ladder at
  N = 32 and 100 (k = N included);
* family-wise: 150 null studies of 2 workloads × 2 protocols × 6
  optimizers (G = 32 inclusion groups, 999 permutations, screened): a
  violation after the closed test in 0.000 of them at N = 32 and at
  N = 100 (target ≤ 0.05); the screen refined 10.6 % / 11.2 % of the null
  checks, as a super-uniform stage-1 p-value below the bound 0.11 should;
* power, share of 150 pairs found better, per check / after Westfall–Young
  over k / after the family of such a study (the others null, 2,559
  permutations, screened):

  ======  =====  ================  ================  ================
  N       gain   k = 1             k = 4             k = N
  ======  =====  ================  ================  ================
  32      +1 pt  0.19/0.09/0.00    0.21/0.13/0.00    0.17/0.10/0.00
  32      +2 pt  0.29/0.20/0.01    0.53/0.43/0.03    0.49/0.38/0.03
  100     +1 pt  0.25/0.18/0.01    0.61/0.38/0.03    0.37/0.28/0.03
  100     +2 pt  0.63/0.46/0.07    0.97/0.90/0.47    0.81/0.68/0.26
  ======  =====  ================  ================  ================

  The Westfall–Young and family columns, and the family-wise rates, are
  those of the one-stage test (``--n-screen 0``: every pair 2,559
  permutations) in every cell: a refined side has its numbers, a stopped
  side is above the bound either way. The per-check column moves by up to
  0.03 (a stopped side keeps its 199-permutation p-values). The section
  ran in 641 s screened, 1,292 s one-stage (even without the 4,500 level
  pairs). A gap of 1–2 points among 32 groups is rarely resolved at the
  family level below N = 100; a claim at one chosen k about fewer pairs (a
  smaller family) keeps the power of the per-check column.

Permutations come from :func:`tunestats.kernels.resample.permutation_indices`;
the selection probabilities of each permuted pool from
:func:`tunestats.kernels.resample.resampled_selection_probabilities`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._checks import check_choice, check_count, check_fraction, check_positive_int
from .._random import DEFAULT_SEED, as_generator
from ._binomial import binom_ppf
from .resample import permutation_indices, selection_table

__all__ = ["SCREEN_MISS", "SCREEN_PERMUTATIONS", "SIDES", "PairTest", "holm",
           "holm_over_groups", "permutation_pair_test", "permutations_for", "screen_bound"]

#: The three alternatives of a pair test: "the two differ", "A is better", "B is better".
SIDES = ("two-sided", "a", "b")

#: Default permutations of the screening stage (stage 1) of a screened pair test.
SCREEN_PERMUTATIONS = 199

#: The largest chance that the screen stops a side whose exact permutation p-value is ≤ α.
SCREEN_MISS = 1e-3


@dataclass(frozen=True, eq=False)
class PairTest:
    """Permutation p-values of one pair of pools at every budget.

    Attributes
    ----------
    p_a_better : ndarray, shape (K,)
        The observed statistic ``P(A's best of k beats B's)``.
    p_two_sided : ndarray, shape (K,)
        For "the two differ": ``|statistic - 1/2|`` at least as large.
    p_a : ndarray, shape (K,)
        For "A is better" (one-sided).
    p_b : ndarray, shape (K,)
        For "B is better" (one-sided).
    wy_two_sided, wy_a, wy_b : ndarray, shape (K,)
        The same, adjusted over the budgets by the Westfall–Young single-step
        min-p method (from the same permutations): the family-wise error over
        k within the pair is ≤ α.
    n_permutations, n_permutations_a, n_permutations_b : int
        The permutations behind the two-sided, "A better" and "B better"
        p-values: P, or P0 for a side the screen stopped (resolution
        ``1/(P0+1)``).
    """

    p_a_better: np.ndarray
    p_two_sided: np.ndarray
    p_a: np.ndarray
    p_b: np.ndarray
    wy_two_sided: np.ndarray
    wy_a: np.ndarray
    wy_b: np.ndarray
    n_permutations: int
    n_permutations_a: int
    n_permutations_b: int


def _p_values(extreme: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Raw and min-p adjusted p-values of row 0 of ``extreme`` (larger: more extreme)."""
    rows = extreme.shape[0]
    tol = 1e-12
    columns = np.ascontiguousarray(extreme.T)  # one contiguous row per budget
    ordered = np.sort(columns, axis=1)
    p_rows = np.empty(columns.shape)
    for j in range(columns.shape[0]):
        p_rows[j] = (rows - np.searchsorted(ordered[j], columns[j] - tol, side="left")) / rows
    min_p = p_rows.min(axis=0)
    adjusted = np.mean(min_p[:, None] <= p_rows[:, 0][None, :] + tol, axis=0)
    return p_rows[:, 0], adjusted


def _side_p_values(stat: np.ndarray, sides: Any = SIDES
                   ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Raw and Westfall–Young p-values of ``sides`` from the statistics (row 0 observed)."""
    extreme = {"two-sided": lambda: np.abs(stat - 0.5), "a": lambda: stat, "b": lambda: -stat}
    return {side: _p_values(extreme[side]()) for side in sides}


def screen_bound(n_screen: int, alpha: float, miss: float = SCREEN_MISS) -> float:
    """The screening bound c: a side whose stage-1 adjusted p-value exceeds it is not refined.

    Given the data, the stage-1 p-value of a side whose exact permutation
    p-value (P → ∞) is π is about ``(1 + X) / (P0 + 1)`` with X ~ Binomial(P0, π);
    c is that quantity at the ``1 - miss`` quantile of X for π = α, so a side
    that the full test could reject at level α (π ≤ α) is stopped by the
    screen with probability at most about ``miss``. Never below α.

    Parameters
    ----------
    n_screen : int
        Stage-1 permutations P0.
    alpha : float
        The level of the decisions, in (0, 1).
    miss : float, default SCREEN_MISS

    Returns
    -------
    float

    Examples
    --------
    >>> round(screen_bound(199, 0.05), 3), round(screen_bound(499, 0.05), 3)
    (0.11, 0.084)
    """
    n_screen = check_positive_int("n_screen", n_screen)
    alpha = check_fraction("alpha", alpha, high_open=True)
    miss = check_fraction("miss", miss, high_open=True)
    return max(alpha, (1.0 + float(binom_ppf(1.0 - miss, n_screen, alpha)))
               / (n_screen + 1))


def permutation_pair_test(select_a: Any, report_a: Any, select_b: Any, report_b: Any,
                          k: Any, *, replace: bool = True, select_direction: str = "minimize",
                          report_sign: float = 1.0, n_permutations: int = 1999,
                          seed: Any = DEFAULT_SEED, lost_a: Any = None,
                          lost_b: Any = None, n_screen: int = 0, alpha: float = 0.05,
                          refine: Any = SIDES) -> PairTest:
    """Permutation test of the best-of-k comparison of two pools, at every budget.

    Parameters
    ----------
    select_a, report_a : array_like, shape (N_a,)
        Pool A after the diverged policy (no NaN).
    select_b, report_b : array_like, shape (N_b,)
        Pool B.
    k : sequence of int
        Budgets (without replacement at most ``min(N_a, N_b)``).
    replace : bool
    select_direction : {"minimize", "maximize"}
    report_sign : float
        +1 when a smaller reported value is better, −1 when larger.
    n_permutations : int, default 1999
        Random permutations P; the smallest attainable p-value is ``1/(P+1)``.
    seed : int, SeedSequence or Generator, default 0
    lost_a, lost_b : array_like of bool, optional
        Trials that the diverged policy counted as the worst outcome. Their
        reported values become the worst finite reported value of the two
        pools together, so that a lost trial reports the same whichever pool
        a permutation puts it in (a fill that depends on the pool would break
        the exchangeability the test rests on).
    n_screen : int, default 0
        Stage-1 permutations P0 of the screen (see Notes); 0, or P0 ≥ P:
        one stage, every side gets P.
    alpha : float, default 0.05
        The level of the decisions the p-values serve; sets the screening
        bound (:func:`screen_bound`). Without a screen nothing depends on it.
    refine : sequence of {"two-sided", "a", "b"}, default all
        The sides that the screen may refine (those a decision uses); the
        others keep their stage-1 p-values.

    Returns
    -------
    PairTest

    Notes
    -----
    **Screening.** With ``0 < n_screen < n_permutations`` the test first
    draws P0 permutations. A side s of ``refine`` whose smallest
    Westfall–Young p-value over k, :math:`p_1`, is at most
    :math:`c` = :func:`screen_bound` ``(P0, alpha)`` is *refined*: the
    stream continues to P permutations (the first P0 are the stage-1 ones),
    and all of the side's p-values are recomputed from the P, so a refined
    side's numbers are exactly those of the one-stage test with P
    permutations and the same seed. The other sides keep their stage-1
    p-values (resolution ``1/(P0+1)``); ``n_permutations*`` say which.

    Validity: let :math:`p_2` be the side's smallest adjusted p-value from
    all P permutations (:math:`p_1` and :math:`p_2` are each super-uniform
    under the null, the quantity the closed test over pairs rests on), and
    :math:`p` the reported one, :math:`p_2` if :math:`p_1 \\le c`, else
    :math:`p_1`. For :math:`u < c`, :math:`p \\le u` forces :math:`p_1 \\le c`
    (otherwise :math:`p = p_1 > c`), so :math:`P(p \\le u) \\le P(p_2 \\le u)
    \\le u`; for :math:`u \\ge c`, :math:`p \\le u` implies :math:`p_1 \\le u`
    (a refined side has :math:`p_1 \\le c \\le u`), so :math:`P(p \\le u) \\le
    P(p_1 \\le u) \\le u`. The reported minimum is super-uniform at every
    level, so the closed test over pairs keeps its family-wise error
    (:func:`holm_over_groups` needs nothing else). Each adjusted p-value
    at k is super-uniform at levels ≤ c by the first argument (a stopped
    side has all of them > c), and each raw per-check p-value at levels ≤
    c/K (a raw p-value is at least its adjusted one over K).

    Decisions equal those of the one-stage test with P permutations unless
    a stopped side would have had an adjusted p-value ≤ α with P (the
    step-down never rejects above α, and whether a p-value above α caps
    another group's does not depend on its value): for every such side the
    chance is at most about ``SCREEN_MISS`` (:func:`screen_bound`).

    Examples
    --------
    >>> t = permutation_pair_test([1., 2, 3], [1., 2, 3], [4., 5, 6], [4., 5, 6], [1],
    ...                           n_permutations=199, seed=0)
    >>> float(t.p_a_better[0]), bool(t.p_a[0] < 0.1)
    (1.0, True)
    """
    n_permutations = check_positive_int("n_permutations", n_permutations)
    n_screen = check_count("n_screen", n_screen)
    alpha = check_fraction("alpha", alpha, high_open=True)
    refine = [check_choice("refine", side, SIDES) for side in refine]
    screened = 0 < n_screen < n_permutations
    bound = screen_bound(n_screen, alpha) if screened else 0.0
    s = np.concatenate([np.asarray(select_a, float), np.asarray(select_b, float)])
    r = report_sign * np.concatenate([np.asarray(report_a, float), np.asarray(report_b, float)])
    n_a, n = len(select_a), s.size
    if lost_a is not None or lost_b is not None:
        lost = np.concatenate([np.zeros(n_a, bool) if lost_a is None else np.asarray(lost_a),
                               np.zeros(n - n_a, bool) if lost_b is None else
                               np.asarray(lost_b)]).astype(bool)
        finite = ~lost & np.isfinite(r)
        if lost.any() and finite.any():
            r = np.where(lost, r[finite].max(), r)
    rng = as_generator(seed)
    k = np.atleast_1d(np.asarray(k))
    first = n_screen if screened else n_permutations
    options = {"replace": replace, "direction": select_direction}
    rows = np.concatenate([np.arange(n)[None, :], permutation_indices(rng, first, n)], axis=0)
    stat = _permuted_statistic(s, r, rows, n_a, k, **options)  # (P0 + 1, K); row 0 observed
    p = _side_p_values(stat)
    counts = dict.fromkeys(SIDES, first)
    refined = [side for side in refine if screened and p[side][1].min() <= bound]
    if refined:  # the stream continues: the first P0 permutations are stage 1's
        more = _permuted_statistic(s, r, permutation_indices(rng, n_permutations - first, n),
                                   n_a, k, **options)
        p.update(_side_p_values(np.concatenate([stat, more], axis=0), refined))
        counts.update(dict.fromkeys(refined, n_permutations))
    return PairTest(stat[0], p["two-sided"][0], p["a"][0], p["b"][0], p["two-sided"][1],
                    p["a"][1], p["b"][1], *(int(counts[side]) for side in SIDES))


def _permuted_statistic(s: np.ndarray, r: np.ndarray, rows: np.ndarray, n_a: int,
                        k: np.ndarray, *, replace: bool, direction: str) -> np.ndarray:
    """``P(A's best of k beats B's)`` for every split of ``rows`` (A: the first ``n_a``
    trials of a row, B: the others), shape ``(rows, K)``.

    The numbers of :func:`~tunestats.kernels.ordering.prob_better` on the
    selection probabilities of both pools
    (:func:`~tunestats.kernels.resample.resampled_selection_probabilities`),
    up to round-off, without materialising the ``(rows, K, N)`` arrays: the
    trials are numbered by their reported value (the order in which B's
    distribution function accumulates), the probabilities are read budget by
    budget from the compact tables of
    :func:`~tunestats.kernels.resample.selection_table` into reused buffers,
    and each trial contributes :math:`p^A_i [1 - (F_B(r_i^-) + F_B(r_i)) / 2]`,
    read from B's cumulative sums at the ends of the tie group of :math:`r_i`.
    """
    order = np.argsort(r, kind="stable")
    rank = np.empty(order.size, dtype=np.intp)
    rank[order] = np.arange(order.size)
    s, r, rows = s[order], r[order], rank[rows]
    options = {"replace": replace, "direction": direction}
    table_a, where_a, _ = selection_table(s, rows[:, :n_a], k, **options)
    table_b, where_b, _ = selection_table(s, rows[:, n_a:], k, **options)
    # F_B(r_i^-) and F_B(r_i) are B's cumulative probability before the first and after
    # the last trial of i's tie group of reported values (i itself without ties)
    new = np.append(True, r[1:] != r[:-1])
    group = np.cumsum(new) - 1
    firsts = np.flatnonzero(new)
    before, through = firsts[group], np.append(firsts[1:], r.size)[group]
    tied = not new.all()
    shape = (rows.shape[0], r.size)
    p_a, p_b = np.empty(shape), np.empty(shape)
    cumulative = np.zeros((shape[0], shape[1] + 1))
    if tied:
        low, high = np.empty(shape), np.empty(shape)
    out = np.empty((rows.shape[0], k.size))
    for j in range(k.size):  # buffers reused: fresh temporaries of this size cost page faults
        np.take(table_a[j], where_a, out=p_a, mode="clip")
        np.take(table_b[j], where_b, out=p_b, mode="clip")
        np.cumsum(p_b, axis=1, out=cumulative[:, 1:])
        if tied:
            np.take(cumulative, before, axis=1, out=low, mode="clip")
            np.take(cumulative, through, axis=1, out=high, mode="clip")
        else:
            low, high = cumulative[:, :-1], cumulative[:, 1:]
        # sum_i p_a,i [1 - (F_B(r_i^-) + F_B(r_i)) / 2]
        out[:, j] = np.einsum("ij->i", p_a) - 0.5 * (np.einsum("ij,ij->i", p_a, low)
                                                     + np.einsum("ij,ij->i", p_a, high))
    return np.clip(out, 0.0, 1.0)


def holm_over_groups(adjusted_within: Any, groups: Any) -> np.ndarray:
    """Closed-test (Holm-type step-down) adjustment over G groups of within-group adjusted p-values.

    Each group's p-values are already adjusted for the family-wise error
    inside the group (e.g. :attr:`PairTest.wy_a` over k). The family-wise
    error over every check of every group is then ≤ α when a check is
    claimed at adjusted p ≤ α.

    Parameters
    ----------
    adjusted_within : array_like, shape (M,)
        Within-group adjusted p-values.
    groups : array_like, shape (M,)
        The group of each p-value (e.g. ``"workload/protocol/a/b"``).

    Returns
    -------
    ndarray, shape (M,)
        Adjusted p-values, never above the single-step Bonferroni
        ``min(1, G p)``.

    Notes
    -----
    The closure of the local tests "reject the intersection of the checks
    in S if :math:`\\min_{g} |G_S|\\, q_g \\le \\alpha`", with :math:`G_S` the
    groups S touches and :math:`q_g` the smallest within-group adjusted p
    of S in g (valid: the within-group adjustment of a subset is at most
    that of the whole group). A check h of group g is rejected by the
    closed test iff every S containing it is; the hardest S adds, for t
    other groups, each group's largest p-value :math:`M`, so with the other
    groups' :math:`M` sorted from the largest, :math:`M_{(1)} \\ge M_{(2)}
    \\ge \\dots`,

    .. math:: \\tilde p_h = \\min\\Bigl(1, \\max_{0 \\le t < G} (t + 1)
              \\min\\bigl(p_h, M_{(1)}, \\dots, M_{(t)}\\bigr)\\Bigr).

    It rejects more than Bonferroni when whole groups are clearly off the
    null (every k of a pair), and equals ``G p`` when every other group
    holds a large p-value.

    Examples
    --------
    >>> holm_over_groups([0.01, 0.02, 0.3], ["a", "a", "b"]).tolist()
    [0.02, 0.04, 0.3]
    >>> holm_over_groups([0.01, 0.01, 0.02], ["a", "b", "c"]).tolist()
    [0.03, 0.03, 0.03]
    """
    p = np.asarray(adjusted_within, dtype=float)
    names, which = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)
    g = names.size
    if p.size == 0:
        return p.copy()
    largest = np.full(g, -np.inf)
    np.maximum.at(largest, which, p)
    out = np.empty_like(p)
    for group in range(g):
        others = np.sort(np.delete(largest, group))[::-1]  # M_(1) >= M_(2) >= ...
        ceiling = np.concatenate([[np.inf], np.minimum.accumulate(others)])  # min of first t
        mine = which == group
        out[mine] = np.max(np.arange(1, g + 1)[None, :]
                           * np.minimum(p[mine][:, None], ceiling[None, :]), axis=1)
    return np.minimum(out, 1.0)


def permutations_for(n_groups: int, alpha: float) -> int:
    """Default permutation count for a family of ``n_groups`` groups at level ``alpha``.

    The smallest attainable p-value of one permutation test is ``1/(P+1)``,
    and after the adjustment over G groups ``G/(P+1)``; with
    ``P = max(1999, ceil(4 G / alpha) - 1)`` it is at most α/4, so that a
    real effect can survive the family correction.

    Examples
    --------
    >>> permutations_for(1, 0.05), permutations_for(60, 0.05)
    (1999, 4799)
    """
    return max(1999, int(np.ceil(4 * max(int(n_groups), 1) / float(alpha))) - 1)


def holm(p: Any) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error ≤ α under any dependence).

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03]).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p, dtype=float)
    m = p.size
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(stepped, 1.0)
    return out
