"""Exact best-of-k: the trial that a budget of k random trials selects, in closed form.

Draw ``k`` trials at random from a pool of ``N`` and keep the one with the
best selection value (the lowest for a minimised metric). Which trial is kept
is random; this module gives its exact distribution, and with it the exact
mean, quantiles and full distribution of any value reported for the kept
trial, for many budgets ``k`` at once and without resampling noise.

Shapes follow DESIGN §4.5: ``select`` and ``report`` have the trials on
their last axis and broadcast against each other on the leading axes (a
matrix ``report`` of shape ``(S, N)`` holds S evaluation steps of N trials:
with a ``select`` of shape ``(N,)`` every step is reported for the trial
selected by one final value; with ``select`` of shape ``(S, N)`` the
selection is made again at every step). Budgets ``k`` and quantile levels
``quantiles`` are a scalar or a 1-d sequence; a new axis is appended for
each, a scalar adds none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._checks import check_positive_int
from ._inputs import aligned, budgets, drop_scalar_axes, levels, oriented, paired_pool, pool_values
from .discrete import sorted_distribution, table_quantile_positions, weighted_mean

__all__ = [
    "BestOfKDistribution",
    "BestOfKEstimate",
    "best_of_k_distribution",
    "exact_best_of_k",
    "rank_probabilities",
    "selection_probabilities",
]


@dataclass(frozen=True, eq=False)
class BestOfKEstimate:
    """Mean and quantiles of the reported value of the best of ``k`` trials.

    Attributes
    ----------
    k : ndarray
        The budgets (a 0-d array for a scalar ``k``).
    levels : ndarray
        The quantile levels (the ``quantiles`` argument).
    mean : ndarray, shape (..., *k.shape)
        Mean reported value of the selected trial.
    quantiles : ndarray, shape (..., *k.shape, *levels.shape)
        Quantiles of the reported value of the selected trial: the spread of
        best-of-k outcomes (not the uncertainty of the estimate; see
        :mod:`tunestats.kernels.confidence` for that).
    method : {"exact", "bootstrap"}
        How the numbers were obtained.
    replace : bool
        Whether the k trials are drawn with replacement.
    n_resamples : int or None
        Number of Monte-Carlo resamples (``None`` for the exact method).
    """

    k: np.ndarray
    levels: np.ndarray
    mean: np.ndarray
    quantiles: np.ndarray
    method: str
    replace: bool
    n_resamples: int | None = None


@dataclass(frozen=True, eq=False)
class BestOfKDistribution:
    """The full distribution of the reported value of the best of ``k`` trials.

    Attributes
    ----------
    values : ndarray, shape (..., *k.shape, N)
        The reported values, ascending on the last axis (read-only, broadcast
        over the budgets).
    probabilities : ndarray, shape (..., *k.shape, N)
        The probability of each value.
    """

    values: np.ndarray
    probabilities: np.ndarray

    def cdf(self) -> np.ndarray:
        """Cumulative probabilities ``P(X <= values[..., j])`` (up to round-off)."""
        return np.cumsum(self.probabilities, axis=-1)


def _log_steps(n: int, k: np.ndarray, replace: bool) -> np.ndarray:
    """``log(C[j + 1] / C[j])`` for sorted positions ``j = 0 .. n-1``, shape ``(K, n)``.

    ``C[j]`` is the probability that all ``k`` draws fall on sorted positions
    ≥ j (the best drawn position is at least ``j``). Moving from ``j`` to
    ``j + 1`` multiplies it by ``((n - j - 1)/(n - j))^k`` with replacement and
    by ``(n - j - k)/(n - j)`` without; both are taken through ``log1p`` so
    that the small probability of one position keeps full relative precision.
    """
    left = n - np.arange(n)
    kk = k[:, None]
    with np.errstate(divide="ignore"):
        if replace:
            return kk * np.log1p(-1.0 / left)
        return np.log1p(-np.minimum(kk / left, 1.0))


def _log_survival(log_steps: np.ndarray) -> np.ndarray:
    """``log C[j]`` for ``j = 0 .. n``, shape ``(K, n + 1)`` (``C[0] = 1``)."""
    zero = np.zeros((log_steps.shape[0], 1))
    return np.concatenate([zero, np.cumsum(log_steps, axis=1)], axis=1)


def _rank_weights(log_steps: np.ndarray) -> np.ndarray:
    """``C[j] - C[j + 1]``: probability that sorted position ``j`` is the best drawn."""
    return np.exp(_log_survival(log_steps)[:, :-1]) * -np.expm1(log_steps)


def _tie_bounds(v_sorted: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """First position and one past the last position of each position's tie group.

    ``None`` when no two sorted values are equal (the common case).
    """
    new = np.empty(v_sorted.shape, dtype=bool)
    new[..., 0] = True
    np.not_equal(v_sorted[..., 1:], v_sorted[..., :-1], out=new[..., 1:])
    if new.all():
        return None
    n = v_sorted.shape[-1]
    position = np.arange(n)
    start = np.maximum.accumulate(np.where(new, position, 0), axis=-1)
    last = np.empty_like(new)
    last[..., -1] = True
    last[..., :-1] = new[..., 1:]
    stop = np.minimum.accumulate(np.where(last, position, n)[..., ::-1], axis=-1)[..., ::-1] + 1
    return start, stop


def _member_probabilities(log_steps: np.ndarray,
                          bounds: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
    """Probability that each sorted position is the selected one, shape ``(..., K, N)``.

    A tie group spanning sorted positions ``a .. b-1`` is selected with
    probability ``C[a] - C[b] = C[a] (1 - C[b]/C[a])`` (the best drawn position
    falls in it), shared equally by its members.
    """
    if bounds is None:
        return _rank_weights(log_steps)
    start, stop = bounds
    log_c = _log_survival(log_steps)
    first = np.take(log_c, start, axis=1)
    with np.errstate(invalid="ignore"):
        group = np.exp(first) * -np.expm1(np.take(log_c, stop, axis=1) - first)
    group = np.where(np.isneginf(first), 0.0, group)
    return np.moveaxis(group / (stop - start), 0, -2)


def _tie_means(r_sorted: np.ndarray, bounds: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
    """Replace each reported value by the mean over its selection tie group."""
    if bounds is None:
        return r_sorted
    start = np.broadcast_to(bounds[0], r_sorted.shape)
    first = np.flatnonzero(start == np.arange(r_sorted.shape[-1]))
    sums = np.add.reduceat(r_sorted.ravel(), first)
    sizes = np.diff(np.append(first, r_sorted.size))
    return np.repeat(sums / sizes, sizes).reshape(r_sorted.shape)


def _sorted_pool(v: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Selection values sorted (best first) and the reported values in the same order."""
    order = np.argsort(v, axis=-1)
    ndim = max(v.ndim, r.ndim)
    r_sorted = np.take_along_axis(aligned(r, ndim), aligned(order, ndim), axis=-1)
    return np.sort(v, axis=-1), r_sorted


def _probabilities(v: np.ndarray, log_steps: np.ndarray) -> np.ndarray:
    """Selection probability of each trial, in the trials' order, shape ``(..., K, N)``."""
    order = np.argsort(v, axis=-1)
    in_order = _member_probabilities(log_steps, _tie_bounds(np.sort(v, axis=-1)))
    shape = (*v.shape[:-1], *log_steps.shape)
    probabilities = np.empty(shape)
    np.put_along_axis(probabilities, np.broadcast_to(order[..., None, :], shape),
                      np.broadcast_to(in_order, shape), axis=-1)
    return probabilities


def _pick(values: np.ndarray, by_value: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``values[m, by_value[m, index[m, ...]]]``: the value at sorted position ``index`` of row m.

    ``values`` and ``by_value`` (its argsort) have shape ``(M, N)``; ``index`` has ``M`` rows.
    """
    offsets = (np.arange(len(values)) * values.shape[-1]).reshape(-1, *[1] * (index.ndim - 1))
    return values.ravel().take(by_value.ravel().take(index + offsets) + offsets)


#: Rows of a curve summarised together: about this many values, so that the arrays of a
#: chunk stay in the processor's cache (several times faster than one pass over 10^6).
CHUNK_VALUES = 1 << 17


def _row_chunks(rows: int, n: int) -> list[slice]:
    step = max(1, CHUNK_VALUES // n)
    return [slice(start, start + step) for start in range(0, rows, step)]


def _summary_one_selection(v: np.ndarray, r: np.ndarray, log_steps: np.ndarray,
                           q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and quantiles for one pool of selection values ``(N,)`` shared by every row of ``r``.

    One probability vector per budget serves every row: the mean is one
    matrix product, and the quantiles of row ``m`` look the probabilities of
    its values, in ascending order, up in that vector.
    """
    probabilities = _probabilities(v, log_steps)
    mean = weighted_mean(r, probabilities)
    rows = np.ascontiguousarray(r).reshape(-1, v.size)
    quantiles = np.empty((len(rows), len(log_steps), q.size))
    if q.size:
        table = np.ascontiguousarray(probabilities.T)
        for chunk in _row_chunks(len(rows), v.size):
            by_value = np.argsort(rows[chunk], axis=-1)
            index = table_quantile_positions(by_value, table, q)
            quantiles[chunk] = _pick(rows[chunk], by_value, index)
    return mean, quantiles.reshape(*mean.shape, q.size)


def _each_row_chunk(v: np.ndarray, r: np.ndarray, log_steps: np.ndarray, weights: np.ndarray,
                    q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_summary_each_row` for rows ``(M, N)`` of selection and reported values."""
    m, n = v.shape
    size = len(weights)
    flat = np.argsort(v, axis=-1)
    flat += (np.arange(m) * n)[:, None]
    v_sorted = v.ravel().take(flat)
    r_sorted = r.ravel().take(flat)
    bounds = _tie_bounds(v_sorted)
    mean = weighted_mean(_tie_means(r_sorted, bounds), weights)
    if q.size == 0:
        return mean, np.empty((m, size, 0))
    by_value = np.argsort(r_sorted, axis=-1)
    columns, table = by_value, weights.T
    if bounds is not None:
        tied = np.flatnonzero((bounds[1] - bounds[0] > 1).any(axis=-1))
        members = _member_probabilities(log_steps, (bounds[0][tied], bounds[1][tied]))
        table = np.concatenate([table, members.transpose(0, 2, 1).reshape(-1, size)])
        columns = by_value.copy()
        columns[tied] += n * np.arange(1, tied.size + 1)[:, None]
    return mean, _pick(r_sorted, by_value, table_quantile_positions(columns, table, q))


def _summary_each_row(v: np.ndarray, r: np.ndarray, log_steps: np.ndarray,
                      q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and quantiles when every row has selection values of its own ``(..., N)``.

    Each row is sorted by its selection values; the mean uses the rank
    weights with tie-group means of ``r`` (one matrix product). Without ties
    the probability of a trial depends on its rank only, so one table of
    rank weights serves every row's quantiles; a row with ties gets a table
    of its own. Rows are taken a chunk at a time (:data:`CHUNK_VALUES`).
    """
    shape = np.broadcast_shapes(v.shape, r.shape)
    n, size = shape[-1], log_steps.shape[0]
    v = np.ascontiguousarray(np.broadcast_to(v, shape)).reshape(-1, n)
    r = np.ascontiguousarray(np.broadcast_to(r, shape)).reshape(-1, n)
    weights = _rank_weights(log_steps)
    mean = np.empty((len(v), size))
    quantiles = np.empty((len(v), size, q.size))
    for chunk in _row_chunks(len(v), n):
        mean[chunk], quantiles[chunk] = _each_row_chunk(v[chunk], r[chunk], log_steps, weights,
                                                        q)
    return mean.reshape(*shape[:-1], size), quantiles.reshape(*shape[:-1], size, q.size)


def _summary(v: np.ndarray, r: np.ndarray, k: np.ndarray, q: np.ndarray,
             replace: bool) -> tuple[np.ndarray, np.ndarray]:
    """Exact mean ``(..., K)`` and quantiles ``(..., K, Q)`` for validated 1-d ``k``, ``q``.

    ``v`` are selection values oriented so that smaller is better: one pool
    (``v`` 1-d, e.g. selection by the final value of a curve) or one per row
    (e.g. selection at each step). The quantiles are found by
    :func:`~tunestats.kernels.discrete.table_quantile_positions`, which never
    forms the ``(..., K, N)`` cumulative distributions.
    """
    log_steps = _log_steps(v.shape[-1], k, replace)
    if v.ndim == 1:
        return _summary_one_selection(v, r, log_steps, q)
    return _summary_each_row(v, r, log_steps, q)


def rank_probabilities(n: int, k: Any, *, replace: bool = True) -> np.ndarray:
    """Probability that the best of ``k`` draws from ``n`` ranked trials has rank ``r``.

    Parameters
    ----------
    n : int
        Pool size.
    k : int or sequence of int
        Budgets.
    replace : bool, default True
        Draw with replacement (Dodge et al. 2019) or without (Tang et al.
        2020; then ``k <= n``).

    Returns
    -------
    ndarray, shape (*k.shape, n)
        Entry ``r - 1`` is the probability of rank ``r`` (1 = best), assuming
        no ties.

    Notes
    -----
    With replacement,

    .. math:: P(R = r) = \\frac{(N - r + 1)^k - (N - r)^k}{N^k};

    without replacement,

    .. math:: P(R = r) = \\binom{N - r}{k - 1} \\Big/ \\binom{N}{k}.

    Both come from the survival function :math:`S_r = P(R \\ge r)`, which is
    :math:`((N - r + 1)/N)^k` and :math:`\\binom{N - r + 1}{k} / \\binom{N}{k}`
    respectively, as :math:`P(R = r) = S_r (1 - S_{r+1}/S_r)`. Everything is in
    log space, so that pools of thousands of trials neither overflow nor
    underflow: :math:`\\log(S_{r+1}/S_r)` is :math:`k \\log(1 - 1/(N - r + 1))`
    with replacement and :math:`\\log(1 - k/(N - r + 1))` without (both through
    ``log1p``), :math:`\\log S_r` is their cumulative sum and
    :math:`1 - S_{r+1}/S_r` is ``-expm1`` of the step. Subtracting two survival
    values, or two ``gammaln`` expressions of binomial coefficients, would
    lose about ``N * 1e-16`` of relative precision to cancellation.

    References
    ----------
    .. [1] Dodge, J. et al. (2019). Show Your Work: Improved Reporting of
       Experimental Results. EMNLP.
    .. [2] Tang, R. et al. (2020). Showing Your Work Doesn't Always Work. ACL.

    Examples
    --------
    >>> rank_probabilities(4, 2).round(4).tolist()
    [0.4375, 0.3125, 0.1875, 0.0625]
    >>> rank_probabilities(4, 2, replace=False).round(4).tolist()
    [0.5, 0.3333, 0.1667, 0.0]
    """
    n = check_positive_int("n", n)
    kk = budgets(k, n, replace)
    return _rank_weights(_log_steps(n, kk.ravel(), replace)).reshape((*kk.shape, n))


def selection_probabilities(select: Any, k: Any, *, replace: bool = True,
                            direction: str = "minimize") -> np.ndarray:
    """Probability that the best of ``k`` random trials is each trial of the pool.

    Parameters
    ----------
    select : array_like, shape (..., N)
        Selection values (no NaN; ``±inf`` counts as the worst value).
    k : int or sequence of int
        Budgets.
    replace : bool, default True
        Draw with replacement (Dodge et al. 2019) or without (Tang et al.
        2020; then every ``k <= N``).
    direction : {"minimize", "maximize"}, default "minimize"
        Which selection values are better.

    Returns
    -------
    ndarray, shape (..., *k.shape, N)
        Probabilities in the order of the trials of ``select``; they sum to 1.

    Notes
    -----
    Sort the pool from best to worst. The best of ``k`` draws lands on sorted
    position ``j`` or worse with probability :math:`C_j = ((N - j)/N)^k` with
    replacement and :math:`C_j = \\binom{N - j}{k} / \\binom{N}{k}` without
    (``j = 0 .. N``, :math:`C_0 = 1`, :math:`C_N = 0`), so that rank
    :math:`r = j + 1` has probability :math:`C_j - C_{j+1}` (see
    :func:`rank_probabilities`).

    **Ties.** A group of ``m`` trials with equal selection values at sorted
    positions ``a .. a + m - 1`` is selected with probability
    :math:`C_a - C_{a+m}`, which is shared equally: each member gets
    :math:`(C_a - C_{a+m}) / m`. This is what a random draw followed by an
    argmin with a random (or first-position) tie-break gives, since the draws
    are exchangeable. Trials counted as diverged (``+inf`` for a minimised
    metric) form one tie group at the bottom.

    The cost is one sort, ``O(N log N)``, plus ``O(N)`` per budget.

    References
    ----------
    .. [1] Dodge, J. et al. (2019). Show Your Work: Improved Reporting of
       Experimental Results. EMNLP.
    .. [2] Tang, R. et al. (2020). Showing Your Work Doesn't Always Work. ACL.

    Examples
    --------
    >>> selection_probabilities([0.3, 0.1, 0.2], 2).round(4).tolist()
    [0.1111, 0.5556, 0.3333]
    >>> selection_probabilities([1.0, 1.0, 2.0], 1).round(4).tolist()
    [0.3333, 0.3333, 0.3333]
    """
    s = pool_values("select", select)
    kk = budgets(k, s.shape[-1], replace)
    probabilities = _probabilities(oriented(s, "direction", direction),
                                   _log_steps(s.shape[-1], kk.ravel(), replace))
    return probabilities.reshape(s.shape[:-1] + kk.shape + s.shape[-1:])


def best_of_k_distribution(select: Any, report: Any, k: Any, *, replace: bool = True,
                           select_direction: str = "minimize") -> BestOfKDistribution:
    """The exact distribution of the reported value of the best of ``k`` trials.

    Parameters
    ----------
    select : array_like, shape (..., N)
        Selection values (no NaN).
    report : array_like, shape (..., N)
        Reported values, broadcast against ``select`` (no NaN).
    k : int or sequence of int
        Budgets.
    replace : bool, default True
        Draw with or without replacement.
    select_direction : {"minimize", "maximize"}, default "minimize"

    Returns
    -------
    BestOfKDistribution
        ``values`` ascending and their ``probabilities``, shape
        ``(..., *k.shape, N)``.

    Notes
    -----
    :math:`P(X = x) = \\sum_{i: r_i = x} p_i` with :math:`p_i` from
    :func:`selection_probabilities`; equal reported values are listed
    separately.

    Examples
    --------
    >>> d = best_of_k_distribution([0.3, 0.1, 0.2], [3.0, 1.0, 2.0], 2)
    >>> d.values.tolist(), d.probabilities.round(4).tolist()
    ([1.0, 2.0, 3.0], [0.5556, 0.3333, 0.1111])
    """
    s, r = paired_pool(select, report)
    kk = budgets(k, s.shape[-1], replace)
    v_sorted, r_sorted = _sorted_pool(oriented(s, "select_direction", select_direction), r)
    probabilities = _member_probabilities(_log_steps(s.shape[-1], kk.ravel(), replace),
                                          _tie_bounds(v_sorted))
    support, probabilities = sorted_distribution(r_sorted, probabilities)
    support = np.broadcast_to(support, probabilities.shape)
    shape = probabilities.shape[:-2] + kk.shape + probabilities.shape[-1:]
    return BestOfKDistribution(support.reshape(shape), probabilities.reshape(shape))


def exact_best_of_k(select: Any, report: Any, k: Any, quantiles: Any = (0.05, 0.5, 0.95), *,
                    replace: bool = True, select_direction: str = "minimize") -> BestOfKEstimate:
    """Exact mean and quantiles of the reported value of the best of ``k`` trials.

    Parameters
    ----------
    select : array_like, shape (..., N)
        Selection values (no NaN; ``±inf`` counts as the worst value).
    report : array_like, shape (..., N)
        Reported values of the same trials, broadcast against ``select``; for
        a training curve, ``(S, N)`` with ``select`` of shape ``(N,)``
        (selection by the final value) or ``(S, N)`` (selection at each step).
    k : int or sequence of int
        Budgets.
    quantiles : float or sequence of float, default (0.05, 0.5, 0.95)
        Quantile levels in [0, 1] (inverted-CDF definition).
    replace : bool, default True
        Draw the k trials with replacement (Dodge et al. 2019) or without
        (Tang et al. 2020; then every ``k <= N``).
    select_direction : {"minimize", "maximize"}, default "minimize"
        Which selection values are better. The direction of the reported
        metric does not enter: the selected trial's value is reported as is.

    Returns
    -------
    BestOfKEstimate
        ``mean`` of shape ``(..., *k.shape)`` and ``quantiles`` of shape
        ``(..., *k.shape, *quantiles.shape)``, ``method="exact"``.

    Notes
    -----
    With :math:`p_i` the probability that trial ``i`` is selected
    (:func:`selection_probabilities`), the mean is
    :math:`\\sum_i p_i r_i` and the quantile of level :math:`q` is the smallest
    reported value with :math:`\\sum_{i: r_i \\le x} p_i \\ge q` (see
    :func:`tunestats.kernels.discrete.weighted_quantiles` for the round-off
    tolerance). The mean is computed without forming every :math:`p_i`: with
    the rank weights :math:`w_j = C_j - C_{j+1}` and :math:`\\bar r_j` the mean
    reported value of the tie group of sorted position ``j``,
    :math:`\\sum_i p_i r_i = \\sum_j w_j \\bar r_j`, one matrix product (for
    a curve, a ``(S, N) x (N, K)`` product).

    A reported value of ``+inf`` (a diverged trial counted as worst) makes
    the mean ``+inf`` wherever that trial can be selected; the quantiles stay
    finite while its probability is below the level.

    References
    ----------
    .. [1] Dodge, J. et al. (2019). Show Your Work: Improved Reporting of
       Experimental Results. EMNLP.
    .. [2] Tang, R. et al. (2020). Showing Your Work Doesn't Always Work. ACL.
    .. [3] Choi, D. et al. (2019). On Empirical Comparisons of Optimizers for
       Deep Learning. arXiv:1910.05446, Appendix C and Figures 6–9.

    Examples
    --------
    >>> est = exact_best_of_k([0.3, 0.1, 0.2], [3.0, 1.0, 2.0], [1, 2], quantiles=0.5)
    >>> est.mean.round(4).tolist(), est.quantiles.tolist()
    ([2.0, 1.5556], [2.0, 1.0])
    """
    s, r = paired_pool(select, report)
    kk = budgets(k, s.shape[-1], replace)
    qq = levels(quantiles)
    mean, values = _summary(oriented(s, "select_direction", select_direction), r,
                            kk.ravel(), qq.ravel(), replace)
    mean, values = drop_scalar_axes(mean, values, kk, qq)
    return BestOfKEstimate(kk, qq, mean, values, "exact", bool(replace))
