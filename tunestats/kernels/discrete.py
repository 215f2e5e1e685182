"""Mean, quantiles and cumulative distribution of discrete distributions over trials.

The exact best-of-k result is a discrete distribution: trial ``i`` of a pool
is the selected one with probability ``w[..., i]`` and then the reported
value is ``x[..., i]``. The functions here summarise such distributions, for
several probability vectors at once: ``weights`` has shape ``(..., K, N)``
(one distribution per budget, trials last) and ``values`` has shape
``(..., N)``, broadcast against the leading axes of ``weights``.
"""

from __future__ import annotations

import numpy as np

from .._checks import all_finite
from ._inputs import aligned

__all__ = ["CDF_RTOL", "sorted_distribution", "table_quantile_positions", "weighted_mean",
           "weighted_quantiles"]

#: Relative tolerance of the comparison of a cumulative probability with a
#: quantile level: ``F(x) >= q`` is decided as ``F(x) >= q * (1 - CDF_RTOL)``,
#: so that a level that falls on a jump of the CDF (``q = 0.05`` with 20
#: equally likely trials) is not pushed to the next value by round-off.
CDF_RTOL = 1e-9


def _thresholds(q: np.ndarray) -> np.ndarray:
    """The levels ``q`` lowered by the round-off tolerance :data:`CDF_RTOL` (kept above 0)."""
    return np.maximum(np.asarray(q, dtype=float) * (1 - CDF_RTOL), np.finfo(float).tiny)


def _contract(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``sum_i weights[..., k, i] * values[..., i]`` as one (stacked) matrix product.

    Stacked row by row so that a row's result does not depend on how many
    rows are computed together (BLAS blocking would change the rounding).
    """
    if weights.ndim == 2:
        return np.matmul(values[..., None, :], weights.T)[..., 0, :]
    return np.matmul(weights, values[..., :, None])[..., 0]


def weighted_mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Mean of each discrete distribution, safe with infinite values.

    Parameters
    ----------
    values : ndarray, shape (..., N)
        The value of each trial.
    weights : ndarray, shape (..., K, N)
        Probabilities of the trials, one distribution per row ``K``.

    Returns
    -------
    ndarray, shape (..., K)
        ``sum_i weights[..., i] * values[..., i]``.

    Notes
    -----
    A trial of probability zero does not count, even if its value is
    infinite (``0 * inf`` is taken as 0): the mean is ``+inf`` (``-inf``) when
    a trial of value ``+inf`` (``-inf``) has positive probability and NaN when
    both have.
    """
    if all_finite(values):
        return _contract(values, weights)
    finite = np.isfinite(values)
    mean = _contract(np.where(finite, values, 0.0), weights)
    up = _contract((values == np.inf).astype(float), weights) > 0
    down = _contract((values == -np.inf).astype(float), weights) > 0
    return np.select([up & down, up, down], [np.nan, np.inf, -np.inf], mean)


def sorted_distribution(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The support in ascending order with the probabilities that go with it.

    Parameters
    ----------
    values : ndarray, shape (..., N)
    weights : ndarray, shape (..., K, N)

    Returns
    -------
    support : ndarray, shape (..., 1, N)
        ``values`` sorted ascending on the last axis (ties in any order).
    probabilities : ndarray, shape (..., K, N)
        ``weights`` reordered like ``support``.
    """
    order = np.argsort(values, axis=-1)
    support = np.take_along_axis(values, order, axis=-1)[..., None, :]
    if weights.ndim == 2:  # one distribution per row K, shared by every leading index
        return support, np.moveaxis(np.take(weights, order, axis=1), 0, -2)
    ndim = max(order.ndim + 1, weights.ndim)
    order = aligned(order[..., None, :], ndim)
    return aligned(support, ndim), np.take_along_axis(aligned(weights, ndim), order, axis=-1)


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, quantiles: np.ndarray) -> np.ndarray:
    """Quantiles of each discrete distribution (inverted-CDF definition).

    Parameters
    ----------
    values : ndarray, shape (..., N)
    weights : ndarray, shape (..., K, N)
        Probabilities; each row sums to 1 up to round-off.
    quantiles : ndarray, shape (Q,)
        Levels in [0, 1].

    Returns
    -------
    ndarray, shape (..., K, Q)

    Notes
    -----
    The quantile of level ``q`` (an entry of ``quantiles``) is the smallest
    value ``x`` of positive probability with ``F(x) >= q``, where ``F(x) = sum_{i: x_i <= x} w_i``
    (the inverted CDF, ``method="inverted_cdf"`` of :func:`numpy.quantile`;
    Hyndman & Fan 1996, definition 1). Cumulative sums carry round-off, so the
    comparison is made with the relative tolerance :data:`CDF_RTOL`:
    ``F(x) >= q * (1 - CDF_RTOL) * F(max)``. Levels that differ from a jump of
    the CDF by less than that are taken to be on the jump. ``q = 0`` gives
    the smallest value of positive probability.
    """
    support, probabilities = sorted_distribution(values, weights)
    cumulative = np.cumsum(probabilities, axis=-1)
    total = cumulative[..., -1:]
    index = np.stack([np.count_nonzero(cumulative < level * total, axis=-1)
                      for level in _thresholds(quantiles)], axis=-1)
    index = np.minimum(index, support.shape[-1] - 1)
    return np.take_along_axis(support, index, axis=-1)




def table_quantile_positions(columns: np.ndarray, table: np.ndarray, q: np.ndarray, *,
                             block: int = 16) -> np.ndarray:
    """Positions of the inverted-CDF quantiles of distributions whose weights come from a table.

    Parameters
    ----------
    columns : ndarray of int, shape (M, N)
        Row ``m`` describes ``N`` values in ascending order; the value at
        position ``t`` has probability ``table[columns[m, t], j]`` under
        distribution ``j``.
    table : ndarray, shape (C, K)
        Non-negative weights, one column per distribution; each distribution
        of each row sums to 1 up to round-off.
    q : ndarray, shape (Q,)
        Levels in [0, 1].
    block : int, default 16
        Positions summed together in the first pass (a tuning constant: the
        result does not depend on it).

    Returns
    -------
    ndarray of int, shape (M, K, Q)
        The position ``t`` (in row ``m``) of the quantile of level ``q`` of
        distribution ``j``: the one :func:`weighted_quantiles` picks.

    Notes
    -----
    The definition and the round-off tolerance are those of
    :func:`weighted_quantiles`: the position is the number of positions
    whose cumulative probability ``F_t`` is below ``q (1 - CDF_RTOL) F_{N-1}``.
    Forming every ``F_t`` of every distribution would gather, sum and compare
    ``M N K`` weights per level. Instead the positions are cut into blocks of
    ``b``: one sparse product sums the weights of each block for all ``K``
    distributions at once (a gather fused with the sum; nothing of size
    ``M N K`` is stored); a vectorised binary search in the cumulative block
    sums finds the block where ``F`` reaches each level; only that block is
    summed position by position, starting from the cumulative sum of the
    blocks before it. Block sums and position sums both add left to right
    from zero, so the two agree exactly and the position found is the first
    whose ``F_t`` reaches the level (it has positive probability). The cost
    is ``O(M N K)`` for the product plus ``O(M K Q (log(N / b) + b))``.
    """
    from scipy import sparse  # here, not at import: 90 ms of every command's start

    m, n = columns.shape
    table = np.ascontiguousarray(table, dtype=float)
    rows, k = table.shape
    size = min(block, n)
    count = -(-n // size)
    index_type = np.int32 if max(m * n, rows) < 2**31 else np.intp
    columns = columns.astype(index_type).ravel()
    starts = (np.arange(m)[:, None] * n + np.arange(count) * size).ravel()
    blocks = sparse.csr_array((np.ones(m * n), columns, np.append(starts, m * n).astype(index_type)),
                              shape=(m * count, rows))
    # cumulative[m, b, j]: total weight of blocks 0 .. b-1 (b = 0 .. count) of distribution j,
    # padded with +inf up to a power of two for the binary search.
    width = 1 << count.bit_length()
    cumulative = np.empty((m, 1 + width, k))
    cumulative[:, 0] = 0.0
    cumulative[:, count + 1:] = np.inf
    np.cumsum((blocks @ table).reshape(m, count, k), axis=1, out=cumulative[:, 1:count + 1])
    levels = _thresholds(q) * cumulative[:, count, :, None]  # (M, K, Q)
    flat = cumulative.ravel()
    start = (np.arange(m) * (1 + width) * k)[:, None, None] + np.arange(k)[:, None]
    found = np.repeat(start, levels.shape[-1], axis=-1)  # flat index of cumulative[m, 0, j]
    step = width // 2
    while step:
        found += step * k * (flat.take(found + step * k) < levels)
        step //= 2
    before = flat.take(found)
    found = (found - start) // k  # blocks whose cumulative sum is below the level
    # Inside the block found: cumulative sums position by position, one position at a time
    # for every (row, distribution, level) at once.
    position = found * size + (np.arange(m) * n)[:, None, None]
    last = (np.arange(m) * n + n - 1)[:, None, None]
    offset = np.broadcast_to(np.arange(k)[:, None] * rows, levels.shape).astype(index_type)
    weights = table.T.ravel()
    partial = np.zeros(levels.shape)
    inside = np.zeros(levels.shape, dtype=np.intp)
    for _ in range(size):
        column = columns.take(np.minimum(position, last))
        column += offset
        partial += weights.take(column)
        inside += before + partial < levels
        position += 1
    return np.minimum(found * size + inside, n - 1)
