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

Measured (``benchmarks/calibration.py``; accuracies on a 300-image
validation set, 10–30 % diverged, one-sided "A is better", α = 0.05):

* level: 4,500 independent null pairs per N (3 s.d. = 0.0097), 199
  permutations: per-check rate 0.047–0.053 at every k of the ladder at
  N = 100 (k = N included);
* power, share of 150 pairs found better, per check / after Westfall–Young
  over k / after the family of a 2 workloads × 2 protocols × 6 optimizers
  study (G = 32 inclusion groups, the others null, 2,559 permutations):

  ======  =====  ================  ================  ================
  N       gain   k = 1             k = 4             k = N
  ======  =====  ================  ================  ================
  32      +1 pt  0.19/0.09/0.00    0.22/0.13/0.00    0.17/0.10/0.00
  32      +2 pt  0.29/0.20/0.01    0.53/0.43/0.03    0.50/0.38/0.03
  100     +1 pt  0.25/0.18/0.01    0.63/0.38/0.03    0.37/0.28/0.03
  100     +2 pt  0.63/0.46/0.07    0.97/0.90/0.47    0.81/0.68/0.26
  ======  =====  ================  ================  ================

  A gap of 1–2 points among 32 groups is rarely resolved at the family
  level below N = 100; a claim at one chosen k about fewer pairs (a
  smaller family) keeps the power of the per-check column.

Permutations come from :func:`tunestats.kernels.resample.permutation_indices`;
the selection probabilities of each permuted pool from
:func:`tunestats.kernels.resample.resampled_selection_probabilities`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._random import DEFAULT_SEED
from .resample import permutation_indices, selection_table

__all__ = ["PairTest", "holm", "holm_over_groups", "permutation_pair_test",
           "permutations_for"]


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
    n_permutations : int
    """

    p_a_better: np.ndarray
    p_two_sided: np.ndarray
    p_a: np.ndarray
    p_b: np.ndarray
    wy_two_sided: np.ndarray
    wy_a: np.ndarray
    wy_b: np.ndarray
    n_permutations: int


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


def permutation_pair_test(select_a: Any, report_a: Any, select_b: Any, report_b: Any,
                          k: Any, *, replace: bool = True, select_direction: str = "minimize",
                          report_sign: float = 1.0, n_permutations: int = 1999,
                          seed: Any = DEFAULT_SEED, lost_a: Any = None,
                          lost_b: Any = None) -> PairTest:
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

    Returns
    -------
    PairTest

    Examples
    --------
    >>> t = permutation_pair_test([1., 2, 3], [1., 2, 3], [4., 5, 6], [4., 5, 6], [1],
    ...                           n_permutations=199, seed=0)
    >>> float(t.p_a_better[0]), bool(t.p_a[0] < 0.1)
    (1.0, True)
    """
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
    rows = np.concatenate([np.arange(n)[None, :],
                           permutation_indices(seed, n_permutations, n)], axis=0)
    stat = _permuted_statistic(s, r, rows, n_a, np.atleast_1d(np.asarray(k)), replace=replace,
                               direction=select_direction)  # (P + 1, K); row 0 observed
    two, wy_two = _p_values(np.abs(stat - 0.5))
    a, wy_a = _p_values(stat)
    b, wy_b = _p_values(-stat)
    return PairTest(stat[0], two, a, b, wy_two, wy_a, wy_b, int(n_permutations))


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
