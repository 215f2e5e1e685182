"""Orderings of independent discrete outcomes: who beats whom, and each one's rank.

Each optimizer's best-of-k outcome is a discrete distribution (values and
their probabilities, from :func:`tunestats.kernels.best_of_k_distribution`);
the pools are independent. This module compares such distributions in
closed form, with smaller values better (multiply a maximised metric by −1
first) and ties counted half. Shapes: the support is on the last axis;
leading axes (budgets, bootstrap replicates) broadcast.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import special

from .._checks import check_choice
from ..errors import ParameterError

__all__ = ["ALTERNATIVES", "KENDALL_METHODS", "cdf_at", "kendall_tau", "kendall_test",
           "pairwise_matrix", "prob_better", "rank_distribution"]


def cdf_at(support: np.ndarray, probs: np.ndarray, points: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray]:
    """``P(X < x)`` and ``P(X <= x)`` of a discrete distribution at each point ``x``.

    Parameters
    ----------
    support : ndarray, shape (N,)
        The values of ``X`` (any order; ``±inf`` allowed, no NaN), shared by
        every leading index of ``probs``.
    probs : ndarray, shape (..., N)
        Their probabilities (e.g. one row per budget or bootstrap replicate).
    points : ndarray, shape (M,)

    Returns
    -------
    below, at_or_below : ndarray, shape (..., M)

    Notes
    -----
    One sort of the support, cumulative sums of the sorted probabilities, and
    the points' positions among the support (``searchsorted``, left for
    ``<``, right for ``<=``), computed once for every leading index.
    """
    return _read_cdf(*_cumulative(support, probs), points)


def _cumulative(support: np.ndarray, probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted support and ``[0, cumsum(sorted probs)]`` (``N + 1`` entries)."""
    support = np.asarray(support, dtype=float)
    order = np.argsort(support, kind="stable")
    sorted_probs = np.asarray(probs)[..., order]
    cumulative = np.zeros((*sorted_probs.shape[:-1], order.size + 1))
    np.cumsum(sorted_probs, axis=-1, out=cumulative[..., 1:])
    return support[order], cumulative


def _read_cdf(sorted_support: np.ndarray, cumulative: np.ndarray, points: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    points = np.asarray(points, dtype=float)
    below = np.searchsorted(sorted_support, points, side="left")
    at = np.searchsorted(sorted_support, points, side="right")
    return cumulative[..., below], cumulative[..., at]


def _win(probs_a: np.ndarray, points: np.ndarray, sorted_support: np.ndarray,
         cumulative: np.ndarray, complement: np.ndarray) -> np.ndarray:
    """``P(A < B) + P(A = B) / 2`` for ``A`` (``probs_a`` on ``points``) and a cumulated ``B``.

    ``cumulative`` is ``B``'s ``[0, cumsum]`` over ``sorted_support`` and
    ``complement`` is ``1 - cumulative``: at a point outside ``B``'s support
    ``F_B(a^-) = F_B(a)`` and ``1 - (F_B(a^-) + F_B(a)) / 2`` is exactly
    ``1 - F_B(a)``, so one gather serves every point but the tied ones. The
    products are summed over contiguous rows (pairwise summation), whatever
    the memory layout of the gathered arrays.
    """
    below = np.searchsorted(sorted_support, points, side="left")
    at = np.searchsorted(sorted_support, points, side="right")
    term = complement[..., below]
    tied = np.flatnonzero(below != at)
    if tied.size:
        term[..., tied] = 1.0 - 0.5 * (cumulative[..., below[tied]] + cumulative[..., at[tied]])
    return np.clip(np.sum(np.multiply(probs_a, term, order="C"), axis=-1), 0.0, 1.0)


def prob_better(values_a: np.ndarray, probs_a: np.ndarray, values_b: np.ndarray,
                probs_b: np.ndarray) -> np.ndarray:
    """Probability that independent ``A`` beats ``B`` (is smaller), ties counted half.

    Parameters
    ----------
    values_a : ndarray, shape (N,)
        The support of ``A``, shared by the leading axes of ``probs_a``.
    probs_a : ndarray, shape (..., N)
    values_b : ndarray, shape (M,)
    probs_b : ndarray, shape (..., M)
        Leading axes broadcast against those of ``probs_a``.

    Returns
    -------
    ndarray, shape (...)

    Notes
    -----
    .. math::

        P(A \\prec B) = \\sum_i p^A_i \\Big[ P(B > a_i) + \\tfrac12 P(B = a_i) \\Big]
                     = \\sum_i p^A_i \\Big[ 1 - \\tfrac12 \\big(F_B(a_i^-) + F_B(a_i)\\big) \\Big],

    with :math:`F_B(a^-) = P(B < a)` and :math:`F_B(a) = P(B \\le a)` read from
    cumulative sums (:func:`cdf_at`): :math:`O((N + M)\\log M)` instead of
    the :math:`O(NM)` double sum. :math:`P(A \\prec B) + P(B \\prec A) = 1`.
    Two outcomes of ``+inf`` (diverged runs counted as worst) tie.

    Examples
    --------
    >>> float(prob_better(np.array([1.0, 3.0]), np.array([0.5, 0.5]),
    ...                   np.array([2.0, 3.0]), np.array([0.5, 0.5])))
    0.625
    """
    sorted_support, cumulative = _cumulative(values_b, probs_b)
    return _win(np.asarray(probs_a), np.asarray(values_a, dtype=float), sorted_support,
                cumulative, 1.0 - cumulative)


def pairwise_matrix(values: Sequence[np.ndarray], probs: Sequence[np.ndarray]) -> np.ndarray:
    """:func:`prob_better` for every ordered pair of M independent outcomes.

    Parameters
    ----------
    values : sequence of M ndarrays, shape (N_i,)
        The supports (e.g. the trials of each pool), shared by the leading
        axes of ``probs``.
    probs : sequence of M ndarrays, shape (..., N_i)
        The probabilities (e.g. per budget and bootstrap replicate); leading
        axes equal.

    Returns
    -------
    ndarray, shape (..., M, M)
        Entry ``[..., i, j]`` is ``P(X_i < X_j) + P(X_i = X_j) / 2``; the
        diagonal is 1/2 and ``[i, j] + [j, i] = 1``.
    """
    m = len(values)
    out = np.full((*np.shape(probs[0])[:-1], m, m), 0.5)
    cumulative = [_cumulative(v, p) for v, p in zip(values, probs, strict=True)]
    complement = [1.0 - c for _, c in cumulative]
    for i in range(m):
        for j in range(i + 1, m):
            win = _win(np.asarray(probs[i]), np.asarray(values[i], dtype=float),
                       *cumulative[j], complement[j])
            out[..., i, j], out[..., j, i] = win, 1.0 - win
    return out


def rank_distribution(values: Sequence[np.ndarray], probs: Sequence[np.ndarray]) -> np.ndarray:
    """Probability of each rank for independent discrete outcomes, ties broken at random.

    Parameters
    ----------
    values : sequence of M ndarrays, shape (N_i,)
        The supports of ``X_1 .. X_M`` (smaller is better).
    probs : sequence of M ndarrays, shape (..., N_i)
        Their probabilities; leading axes broadcast.

    Returns
    -------
    ndarray, shape (..., M, M)
        Entry ``[..., i, r]`` is the probability that ``X_i`` has rank
        ``r + 1`` (1 = best). Rows and columns sum to 1.

    Notes
    -----
    Exact. Given ``X_i = x``, each other ``X_j`` is independently below
    ``x`` (probability :math:`F_j(x^-)`), equal to it, or above it. A
    dynamic programme over the others gives the joint law of ``L`` (the
    number below) and ``T`` (the number tied), and with a uniformly random
    order within ties the rank is :math:`L + 1 + U`, ``U`` uniform on
    ``0 .. T``:

    .. math::

        P(R_i = r) = \\sum_x p_i(x) \\sum_{l \\le r - 1 \\le l + t}
                     \\frac{P(L = l, T = t \\mid x)}{t + 1}.

    The cost is :math:`O(M^4 N)` per leading index, small for the handful of
    optimizers a study compares.
    """
    m = len(values)
    # weight[l, t, r] = P(rank r + 1 | L = l, T = t) = 1/(t + 1) for l <= r <= l + t
    l_, t_, r_ = np.ogrid[:m, :m, :m]
    weight = np.where((l_ <= r_) & (r_ <= l_ + t_), 1.0 / (t_ + 1.0), 0.0)
    cumulative = [_cumulative(v, p) for v, p in zip(values, probs, strict=True)]
    rows = []
    for i in range(m):
        points = values[i]
        state = None  # state[l, t, ...]: the (L, T) axes first, so that updates are whole blocks
        for j in range(m):
            if j == i:
                continue
            below, at = _read_cdf(*cumulative[j], points)
            less, equal, more = below, at - below, 1.0 - at
            if state is None:
                state = np.zeros((m, m, *np.broadcast_shapes(less.shape, probs[i].shape)))
                state[0, 0] = 1.0
            new = state * more
            new[1:, :] += state[:-1, :] * less
            new[:, 1:] += state[:, :-1] * equal
            state = new
        if state is None:  # a single outcome has rank 1
            state = np.zeros((1, 1, *probs[i].shape))
            state[0, 0] = 1.0
        state = np.ascontiguousarray(np.moveaxis(state, (0, 1), (-2, -1)))
        conditional = np.einsum("...lt,ltr->...r", state, weight)
        rows.append(np.einsum("...n,...nr->...r", probs[i], conditional))
    return np.clip(np.stack(rows, axis=-2), 0.0, 1.0)


def kendall_tau(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Kendall's τ-b between the scores ``x`` and ``y`` on the last axis, vectorised.

    Parameters
    ----------
    x, y : ndarray, shape (..., M)

    Returns
    -------
    ndarray, shape (...)
        NaN where one of the two has every score tied.

    Notes
    -----
    .. math:: \\tau_b = \\frac{n_c - n_d}{\\sqrt{(n_0 - n_x)(n_0 - n_y)}}

    over the :math:`n_0 = M(M-1)/2` pairs, with :math:`n_c`, :math:`n_d` the
    concordant and discordant pairs and :math:`n_x`, :math:`n_y` the pairs
    tied in ``x`` and in ``y`` (as :func:`scipy.stats.kendalltau`).
    """
    i, j = np.triu_indices(x.shape[-1], k=1)
    sx = np.sign(x[..., i] - x[..., j])
    sy = np.sign(y[..., i] - y[..., j])
    n0 = i.size
    denominator = np.sqrt((n0 - np.sum(sx == 0, axis=-1)) * (n0 - np.sum(sy == 0, axis=-1)))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, np.sum(sx * sy, axis=-1) / denominator, np.nan)


#: The p-value methods of :func:`kendall_test`.
KENDALL_METHODS = ("auto", "exact", "asymptotic")
#: The alternatives of :func:`kendall_test`.
ALTERNATIVES = ("two-sided", "less", "greater")


def _tie_sums(values: np.ndarray) -> tuple[int, int, int]:
    """Over the groups of tied values (sizes t): the tied pairs Σ t(t−1)/2, and the sums
    Σ t(t−1)(t−2) and Σ t(t−1)(2t+5) of the variance of Kendall's S."""
    t = np.unique(values, return_counts=True)[1].astype(np.int64)
    t = t[t > 1]
    return (int(np.sum(t * (t - 1) // 2)), int(np.sum(t * (t - 1) * (t - 2))),
            int(np.sum(t * (t - 1) * (2 * t + 5))))


def _kendall_s(x: np.ndarray, y: np.ndarray) -> int:
    """Kendall's S = concordant − discordant pairs, in blocks of rows (memory O(n))."""
    n = x.size
    step = max(1, 2**20 // max(n, 1))
    total = 0
    for start in range(0, n, step):
        sx = np.sign(x[start:start + step, None] - x[None, :]).astype(np.int8)
        sy = np.sign(y[start:start + step, None] - y[None, :]).astype(np.int8)
        total += int(np.sum(sx * sy, dtype=np.int64))
    return total // 2  # every pair counted twice, once from each end


def _kendall_exact_p(n: int, c: int, alternative: str) -> float:
    """P-value of ``c`` concordant pairs among ``n`` untied scores under independence,
    from the exact null distribution of the number of inversions (Kendall 1970; the
    recursion and cases of :func:`scipy.stats.kendalltau`)."""
    pairs = n * (n - 1) // 2
    in_right_tail = c >= pairs - c
    c = min(c, pairs - c)
    if n <= 2:
        prob, mass = 1.0, (1.0 if n == 1 else 0.5)
    elif c == 0:
        prob = 2.0 / math.factorial(n) if n < 171 else 0.0
        mass = prob / 2
    elif c == 1:
        prob = 2.0 / math.factorial(n - 1) if n < 172 else 0.0
        mass = (n - 1) / math.factorial(n)
    elif 4 * c == n * (n - 1) and alternative == "two-sided":
        prob, mass = 1.0, math.nan  # the centre: the mass is not needed
    else:
        counts = np.zeros(c + 1)  # counts[i]: permutations of j items with i inversions
        counts[0:2] = 1.0
        for j in range(3, n + 1):
            counts = np.cumsum(counts) if n < 171 else np.cumsum(counts) / j
            if j <= c:
                counts[j:] -= counts[:c + 1 - j]
        if n < 171:
            prob = 2.0 * float(np.sum(counts)) / math.factorial(n)
            mass = float(counts[-1]) / math.factorial(n)
        else:
            prob, mass = float(np.sum(counts)), float(counts[-1]) / 2
    if alternative != "two-sided":
        # half the two-sided p when the statistic lies on the alternative's side
        prob = prob / 2 if in_right_tail == (alternative == "greater") else 1 - prob / 2 + mass
    return float(np.clip(prob, 0.0, 1.0))


def kendall_test(x: Any, y: Any, *, alternative: str = "two-sided", method: str = "auto"
                 ) -> tuple[float, float]:
    """Kendall's τ-b of the paired scores ``x``, ``y`` and the p-value of independence.

    The same statistic and p-values as :func:`scipy.stats.kendalltau` (which needs
    :mod:`scipy.stats`, most of a second to import).

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Paired scores, finite.
    alternative : {"two-sided", "less", "greater"}, default "two-sided"
        "less": τ < 0 (discordance) is the alternative.
    method : {"auto", "exact", "asymptotic"}, default "auto"
        "exact": the null distribution of the concordant pairs (scores without ties
        only); "asymptotic": the normal approximation of S with the tie-corrected
        variance (Kendall 1970, eq. 4.4); "auto": exact when neither has ties and
        n ≤ 33 or at most one pair is discordant (or concordant), else asymptotic.

    Returns
    -------
    tau, p_value : float
        Both NaN when fewer than two pairs or one of the two has every score tied.

    Raises
    ------
    ParameterError
        For an unknown ``alternative`` or ``method``, shapes that differ, or
        ``method="exact"`` with ties.

    Examples
    --------
    >>> tau, p = kendall_test([1, 2, 3, 4, 5], [5, 4, 3, 1, 2], alternative="less")
    >>> round(tau, 3), round(p, 4)
    (-0.8, 0.0417)
    """
    alternative = check_choice("alternative", alternative, ALTERNATIVES)
    method = check_choice("method", method, KENDALL_METHODS)
    x, y = np.asarray(x, float).ravel(), np.asarray(y, float).ravel()
    if x.shape != y.shape:
        raise ParameterError(f"kendall_test needs paired scores; got {x.size} x and "
                             f"{y.size} y.")
    n = x.size
    pairs = n * (n - 1) // 2
    x_tied, x0, x1 = _tie_sums(x)
    y_tied, y0, y1 = _tie_sums(y)
    if n < 2 or x_tied == pairs or y_tied == pairs:
        return math.nan, math.nan
    s = _kendall_s(x, y)
    tau = min(1.0, max(-1.0, s / math.sqrt(pairs - x_tied) / math.sqrt(pairs - y_tied)))
    untied = x_tied == 0 and y_tied == 0
    if method == "exact" and not untied:
        raise ParameterError("kendall_test: the exact method needs scores without ties; "
                             "use method='asymptotic'.")
    if method == "auto":
        discordant = (pairs - s) // 2 if untied else 0
        exact = untied and (n <= 33 or min(discordant, pairs - discordant) <= 1)
        method = "exact" if exact else "asymptotic"
    if method == "exact":
        return tau, _kendall_exact_p(n, (pairs + s) // 2, alternative)
    m = n * (n - 1.0)
    var = ((m * (2 * n + 5) - x1 - y1) / 18 + 2 * x_tied * y_tied / m
           + x0 * y0 / (9 * m * (n - 2)))
    z = s / math.sqrt(var)
    if alternative == "less":
        p = special.ndtr(z)
    elif alternative == "greater":
        p = special.ndtr(-z)
    else:
        p = 2 * special.ndtr(-abs(z))
    return tau, float(p)
