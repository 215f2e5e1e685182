"""Orderings of independent discrete outcomes: who beats whom, and each one's rank.

Each optimizer's best-of-k outcome is a discrete distribution (values and
their probabilities, from :func:`tunestats.kernels.best_of_k_distribution`);
the pools are independent. This module compares such distributions in
closed form, with smaller values better (multiply a maximised metric by −1
first) and ties counted half. Shapes: the support is on the last axis;
leading axes (budgets, bootstrap replicates) broadcast.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["cdf_at", "kendall_tau", "pairwise_matrix", "prob_better", "rank_distribution"]


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


def _win(probs_a: np.ndarray, below: np.ndarray, at: np.ndarray) -> np.ndarray:
    return np.clip(np.sum(np.asarray(probs_a) * (1.0 - 0.5 * (below + at)), axis=-1), 0.0, 1.0)


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
    return _win(probs_a, *cdf_at(values_b, probs_b, values_a))


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
    for i in range(m):
        for j in range(i + 1, m):
            win = _win(probs[i], *_read_cdf(*cumulative[j], values[i]))
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
    rows = []
    for i in range(m):
        points = values[i]
        state = None
        for j in range(m):
            if j == i:
                continue
            below, at = cdf_at(values[j], probs[j], points)
            less, equal, more = below, at - below, 1.0 - at
            if state is None:
                state = np.zeros((*np.broadcast_shapes(less.shape, probs[i].shape), m, m))
                state[..., 0, 0] = 1.0
            new = state * more[..., None, None]
            new[..., 1:, :] += state[..., :-1, :] * less[..., None, None]
            new[..., :, 1:] += state[..., :, :-1] * equal[..., None, None]
            state = new
        if state is None:  # a single outcome has rank 1
            state = np.zeros((*probs[i].shape, 1, 1))
            state[..., 0, 0] = 1.0
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
